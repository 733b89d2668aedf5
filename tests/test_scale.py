"""The on-disk Oxigraph store a large build writes beside its N-Quads: used when fresh, skipped when stale."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import kg.store.files
from kg.build import build
from kg.paths import Project
from kg.query.engine import BuiltGraph
from kg.query.gate import vet


def _answer(graph: BuiltGraph, project: Project) -> list[tuple[object, ...]]:
    text = (project.queries / "closed-missions.rq").read_text(encoding="utf-8")
    return sorted(graph.run(vet(text, graph.graph_names())).rows, key=repr)


def test_the_disk_store_answers_like_the_nquads_and_is_skipped_when_stale(
    dossier: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = dossier
    monkeypatch.setenv("DIPLOKG_BUILD", str(tmp_path))
    monkeypatch.setattr(kg.store.files, "DISK_STORE_MIN_QUADS", 0)
    report = build(project)
    assert report.written
    assert list(report.seconds) == ["load", "reason", "derive", "validate", "write", "store"]
    nq = project.built_graph
    assert (tmp_path / "store").is_dir()
    from_disk = BuiltGraph(nq)
    with pytest.raises(RuntimeError):  # opened read-only
        from_disk.store.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    reference = BuiltGraph(nq)
    reference._store = kg.store.files.read_store(nq)
    assert _answer(from_disk, project) == _answer(reference, project)
    assert len(from_disk.store) == len(reference.store)
    stat = nq.stat()
    os.utime(nq, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    stale = BuiltGraph(nq)
    stale.store.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")  # an in-memory store read from the .nq


def test_a_small_build_keeps_no_disk_store(dossier: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = dossier  # the project without the world's sources: a small graph
    monkeypatch.setenv("DIPLOKG_BUILD", str(tmp_path))
    (tmp_path / "store").mkdir()
    report = build(project)
    assert report.written
    assert not (tmp_path / "store").exists()
    assert list(report.seconds) == ["load", "reason", "derive", "validate", "write"], "a step named for no store"
