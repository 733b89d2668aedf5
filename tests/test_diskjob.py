"""The on-disk store written in a child process beside validation (kg.store.diskjob): the same store as
a bulk load of the whole file, started before validation, and nothing kept when the build is not."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from tests_support import drop_evidence

import kg.store.files
import kg.validate.shacl
from kg.build import build
from kg.paths import Project
from kg.store.diskjob import DiskStoreJob, load_in_chunks

ARTICLE = "dprk-embassy-closures-2023"

# A blank node named on lines far apart (it must stay one node), a second one, and plain lines.
LINES = [
    b"_:b1 <urn:x:p> <urn:x:a> <urn:g:1> .",
    *[f'<urn:x:s{i}> <urn:x:p> "{i}" <urn:g:1> .'.encode() for i in range(7)],
    b"<urn:x:a> <urn:x:q> _:b1 <urn:g:2> .",
    b'_:b2 <urn:x:p> "\xc3\xa9t\xc3\xa9"@fr <urn:g:2> .',
    b'<urn:x:t> <urn:x:p> "a _: in a literal" <urn:g:1> .',
    *[f"<urn:x:s{i}> <urn:x:r> <urn:x:s{i + 1}> <urn:g:2> .".encode() for i in range(5)],
]


def _quads(store: ox.Store) -> tuple[list[str], int]:
    """The store's quads as sorted N-Quads lines with every blank node written ``_:`` (the labels are
    the loader's own), and the number of distinct blank nodes."""
    lines, blanks = [], set()
    for quad in store:
        text = str(quad)
        for term in (quad.subject, quad.object):
            if isinstance(term, ox.BlankNode):
                blanks.add(term.value)
                text = text.replace(f"_:{term.value} ", "_: ")
        lines.append(text)
    return sorted(lines), len(blanks)


@pytest.mark.parametrize("chunk", [1, 2, 3, 100])
def test_loading_in_chunks_gives_the_store_a_whole_load_gives(tmp_path: Path, chunk: int) -> None:
    nquads = tmp_path / "dump.nq"
    nquads.write_bytes(b"\n".join(LINES) + b"\n")
    whole = ox.Store()
    whole.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS, lenient=True)
    assert load_in_chunks(tmp_path / "store", nquads, chunk) == len(LINES)
    chunked = ox.Store.read_only(str(tmp_path / "store"))
    assert len(chunked) == len(LINES)
    assert _quads(chunked) == _quads(whole)
    a_blank = [q for q in chunked if isinstance(q.object, ox.BlankNode)]
    assert len(a_blank) == 1 and any(q.subject == a_blank[0].object for q in chunked), "_:b1 split in two"


def test_a_cancelled_job_leaves_nothing(tmp_path: Path) -> None:
    nquads = tmp_path / "build" / "diplokg.nq"
    nquads.parent.mkdir()
    dump = tmp_path / "dump.nq"
    dump.write_bytes(b"\n".join(LINES * 2000) + b"\n")
    job = DiskStoreJob(nquads, dump, chunk=10)
    assert [p.name[:7] for p in nquads.parent.iterdir()] == [".store."]
    job.cancel()
    assert list(nquads.parent.iterdir()) == []


def test_a_failed_job_raises_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    nquads = tmp_path / "build" / "diplokg.nq"
    nquads.parent.mkdir()
    job = DiskStoreJob(nquads, tmp_path / "missing.nq")
    with pytest.raises(OSError, match=r"^writing the on-disk store failed: FileNotFoundError: .*missing\.nq") as caught:
        job.finish(nquads)
    assert "\n" not in str(caught.value)
    assert list(nquads.parent.iterdir()) == []


def test_the_store_is_written_while_the_build_validates_and_mirrors_the_built_file(
    project_copy: Callable[..., Project], monkeypatch: pytest.MonkeyPatch
) -> None:
    proj = project_copy(only_sources=[ARTICLE])
    monkeypatch.setattr(kg.store.files, "DISK_STORE_MIN_QUADS", 0)
    seen: list[list[str]] = []
    validate = kg.validate.shacl.sparql_violations

    def watched(*args: object) -> object:
        seen.append(sorted(p.name[:7] for p in proj.build.glob(".store.*")))
        return validate(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(kg.validate.shacl, "sparql_violations", watched)
    report = build(proj, cache=False)
    assert report.written and list(report.seconds)[-1] == "store"
    assert seen == [[".store."]], "the on-disk store was not being written while the shapes ran"
    assert sorted(p.name for p in proj.build.iterdir() if p.name.startswith(".")) == []
    on_disk = kg.store.files.open_store(proj.built_graph)
    assert kg.store.files.fresh_disk_store(proj.built_graph) is not None
    assert _quads(on_disk) == _quads(kg.store.files.read_store(proj.built_graph))


def test_a_build_with_a_violation_keeps_the_previous_store(
    project_copy: Callable[..., Project], monkeypatch: pytest.MonkeyPatch
) -> None:
    proj = project_copy(only_sources=[ARTICLE])
    monkeypatch.setattr(kg.store.files, "DISK_STORE_MIN_QUADS", 0)
    assert build(proj, cache=False).written
    store = kg.store.files.store_dir(proj.built_graph)
    before = {p.name: p.stat().st_mtime_ns for p in store.iterdir()}
    nq = proj.built_graph.read_bytes()
    drop_evidence(proj.sources / ARTICLE / "facts.ttl")
    report = build(proj, cache=False)
    assert report.violations and not report.written
    assert {p.name: p.stat().st_mtime_ns for p in store.iterdir()} == before
    assert proj.built_graph.read_bytes() == nq
    assert kg.store.files.fresh_disk_store(proj.built_graph) == store
    assert sorted(p.name for p in proj.build.iterdir() if p.name.startswith(".")) == []
