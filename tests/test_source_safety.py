"""Hostile or broken source folders (tests/attacks/sources.toml) end the build with one line naming
them, or are handled: nothing outside sources/ is read, nothing hangs, nothing is silently dropped."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kg.paths import Project

CASES: list[dict[str, Any]] = tomllib.loads(
    (Path(__file__).resolve().parent / "attacks" / "sources.toml").read_text(encoding="utf-8")
)["case"]
ARTICLE = "dprk-embassy-closures-2023"
COUNTS = "dprk-relations-counts"


def _make(kind: str, project: Project, outside: Path) -> Callable[[Project], None]:
    """Break the project copy as ``kind`` says; return a check of the build's result when it succeeds."""
    article = project.sources / ARTICLE
    if kind == "text-symlink-to-passwd":
        (article / "text.txt").unlink()
        (article / "text.txt").symlink_to("/etc/passwd")
    elif kind == "folder-symlink-outside":
        (outside / "source.ttl").write_text("<> a <https://w3id.org/diplokg/ontology#NewsArticle> .\n")
        (project.sources / "elsewhere").symlink_to(outside, target_is_directory=True)
    elif kind == "fifo-named-ttl":
        os.mkfifo(article / "x.ttl")
    elif kind == "facts-without-source-ttl":
        (project.sources / "orphan").mkdir()
        (project.sources / "orphan" / "facts.ttl").write_text("<a> <b> <c> .\n")
    elif kind == "bom-before-source-url":
        table = project.sources / COUNTS / f"{COUNTS}.csv"
        rows = list(csv.reader(io.StringIO(table.read_text(encoding="utf-8"))))
        at = rows[0].index("source_url")
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([[r[at], *r[:at], *r[at + 1:]] for r in rows])
        table.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))  # the header starts with source_url
        return _addresses_kept
    elif kind == "bom-before-turtle":
        facts = article / "facts.ttl"
        facts.write_bytes(b"\xef\xbb\xbf" + facts.read_bytes())
    elif kind == "turtle-token-over-16-mib":
        (article / "huge.ttl").write_bytes(b'<x> <y> "' + b"a" * (17 * 1024 * 1024) + b'" .\n')
    elif kind == "leftovers-of-a-killed-build":
        build = project.build
        build.mkdir(parents=True)
        (build / ".dump.abc123.nq").write_bytes(b"x" * 1000)
        (build / ".diplokg.nq.def456.tmp").write_bytes(b"x" * 1000)
        (build / ".store.ghi789").mkdir()
        (build / ".store.ghi789" / "000001.sst").write_bytes(b"x")
        (build / "keep.txt").write_text("not ours to remove")
        return _no_leftovers
    else:
        raise AssertionError(f"unknown case kind {kind}")
    return lambda _project: None


def _addresses_kept(project: Project) -> None:
    text = (project.build / "diplokg.nq").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if f"/source/{COUNTS}/" in line and "sourceAddress" in line]
    assert len(lines) == 5  # the five rows of the table that give an address keep it


def _no_leftovers(project: Project) -> None:
    names = sorted(p.name for p in project.build.iterdir())
    assert not [n for n in names if n.startswith((".dump.", ".diplokg.nq.", ".store."))], names
    assert "keep.txt" in names


@pytest.mark.parametrize("case", CASES, ids=[c["kind"] for c in CASES])
def test_source_attack(case: dict[str, Any], project_copy: Callable[..., Project], tmp_path: Path) -> None:
    project = project_copy(only_sources=[ARTICLE, COUNTS])
    outside = tmp_path / "outside"
    outside.mkdir()
    check = _make(case["kind"], project, outside)
    process = subprocess.run(
        [sys.executable, "-c", "from kg.cli import cli_main; cli_main()", "build", "--project", str(project.root)],
        capture_output=True, text=True, timeout=120,  # a guard against a hang, not a timing assertion
        env=dict(os.environ, DIPLOKG_BUILD=str(project.build)),
    )
    assert "Traceback" not in process.stderr, process.stderr
    assert process.returncode == case["exit"], process.stderr
    assert "root:" not in process.stdout + process.stderr
    if case["exit"]:
        last = process.stderr.strip().splitlines()[-1]
        assert last.startswith("diplokg: error: ") and case["message"] in last, process.stderr
        assert str(project.sources) in last  # the file or folder is named
    else:
        check(project)
