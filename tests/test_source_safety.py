"""Hostile or broken source folders (tests/attacks/sources.toml) end the build with one line naming
them, or are handled: nothing outside sources/ is read, nothing hangs, nothing is silently dropped."""

from __future__ import annotations

import csv
import gzip
import io
import json
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


def _mapping(folder: Path, file: str) -> None:
    """Give a source folder a mapping.toml whose one table is ``file``, its rows excerpts."""
    (folder / "mapping.toml").write_text(f"[[tables]]\nfile = {json.dumps(file)}\nexcerpts = true\n")


def _make(case: dict[str, Any], project: Project, outside: Path) -> Callable[[Project], None]:
    """Break the project copy as the case's ``kind`` says; return a check of the build's result when it
    succeeds."""
    kind = case["kind"]
    article = project.sources / ARTICLE
    counts = project.sources / COUNTS
    if kind == "mapping":
        _mapping(counts, case["file"])
    elif kind == "mapping-symlink-to-group":
        (counts / "mapping").mkdir()
        (counts / "mapping" / "members.csv").symlink_to("/etc/group")
        _mapping(counts, "mapping/members.csv")
    elif kind == "mapping-folder-symlink-outside":
        (outside / "members.csv").write_text("secret\nroot:x:0\n")
        (counts / "mapping").symlink_to(outside, target_is_directory=True)
        _mapping(counts, "mapping/members.csv")
    elif kind == "fifo-under-mapping":
        (counts / "mapping").mkdir()
        os.mkfifo(counts / "mapping" / "members.csv")
        _mapping(counts, "mapping/members.csv")
    elif kind == "gzip-bomb":
        member = gzip.compress(b"\0" * (1 << 20), compresslevel=9)
        (counts / "bomb.csv.gz").write_bytes(member * 3072)  # about 3 MB, 3 GiB once decompressed
        _mapping(counts, "bomb.csv.gz")
    elif kind == "text-2-gib":
        with (article / "text.txt").open("r+b") as handle:
            handle.truncate(2 << 30)  # sparse: no disk used
    elif kind == "folders-too-deep":
        (counts / "/".join(["d"] * 9)).mkdir(parents=True)
    elif kind == "mapping-malformed":
        (counts / "mapping.toml").write_text('tables = ["votes.csv"]\n')
    elif kind == "same-as-chain":
        links = case["links"]
        chain = "".join(f"<n{i}> owl:sameAs <n{i + 1}> .\n" for i in range(links))
        (counts / "chain.ttl").write_text("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n" + chain)
        return lambda project: _equal_nodes(project, links + 1)
    elif kind == "reasoning-time-limit":
        pass
    elif kind == "text-symlink-to-passwd":
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
        (build / ".alignment.csv.jkl012.tmp").write_bytes(b"x" * 1000)  # the kept alignment table
        (build / ".alignment.csv.stamp.mno345.tmp").write_bytes(b"x")  # and its stamp
        (build / ".verdicts.pqr678").write_bytes(b"{")  # the gate's kept verdicts
        (build / "keep.txt").write_text("not ours to remove")
        return _no_leftovers
    else:
        raise AssertionError(f"unknown case kind {kind}")
    return lambda _project: None


def _equal_nodes(project: Project, nodes: int) -> None:
    """Every pair of the chain's nodes is inferred equal, and each carries the others' triples."""
    base = f"<https://w3id.org/diplokg/id/source/{COUNTS}/n"
    inferred = "<https://w3id.org/diplokg/graph/inferred>"
    lines = [line for line in (project.build / "diplokg.nq").read_text(encoding="utf-8").splitlines()
             if line.startswith(base) and line.endswith(f"{inferred} .")]
    same = [line for line in lines if " <http://www.w3.org/2002/07/owl#sameAs> " in line]
    assert len(same) == nodes * (nodes - 1) - (nodes - 1)  # all ordered pairs, less the asserted links


def _addresses_kept(project: Project) -> None:
    text = (project.build / "diplokg.nq").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if f"/source/{COUNTS}/" in line and "sourceAddress" in line]
    assert len(lines) == 5  # the five rows of the table that give an address keep it


def _no_leftovers(project: Project) -> None:
    names = sorted(p.name for p in project.build.iterdir())
    ours = (".dump.", ".diplokg.nq.", ".store.", ".alignment.", ".verdicts.")
    assert not [n for n in names if n.startswith(ours)], names
    assert "keep.txt" in names


def _id(case: dict[str, Any]) -> str:
    """A readable test id: the kind, and what sets a case of it apart."""
    detail = case.get("file") or case.get("links")
    return f"{case['kind']}-{detail}".replace("\0", "NUL") if detail is not None else case["kind"]


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_source_attack(case: dict[str, Any], project_copy: Callable[..., Project], tmp_path: Path) -> None:
    project = project_copy(only_sources=[ARTICLE, COUNTS])
    outside = tmp_path / "outside"
    outside.mkdir()
    check = _make(case, project, outside)
    previous = project.build / "diplokg.nq"
    if case["exit"]:  # the previous build must be kept, byte for byte
        previous.parent.mkdir(parents=True, exist_ok=True)
        previous.write_bytes(b"<urn:previous> <urn:build> <urn:kept> <urn:g> .\n")
    process = subprocess.run(
        [sys.executable, "-c", "from kg.cli import cli_main; cli_main()", "build", "--project", str(project.root)],
        capture_output=True, text=True, timeout=120,  # a guard against a hang, not a timing assertion
        env=dict(os.environ, DIPLOKG_BUILD=str(project.build), **case.get("env", {})),
    )
    assert "Traceback" not in process.stderr, process.stderr
    assert process.returncode == case["exit"], process.stderr
    assert "root:" not in process.stdout + process.stderr
    if case["exit"]:
        assert len(process.stderr.strip().splitlines()) <= 3, process.stderr  # progress notes, then one line
        last = process.stderr.strip().splitlines()[-1]
        assert last.startswith("diplokg: error: ") and case["message"] in last, process.stderr
        assert case.get("names", str(project.sources)) in last  # the file, folder or source is named
        assert previous.read_bytes() == b"<urn:previous> <urn:build> <urn:kept> <urn:g> .\n"
    else:
        check(project)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("/etc/group", "outside the source folder"),
        ("../x.csv", "outside the source folder"),
        ("mapping/../../x.csv", "outside the source folder"),
        ("mapping\\..\\..\\x.csv", "outside the source folder"),
        ("a\0b.csv", "a NUL character in a path is refused"),
        ("", "a relative path inside the source folder"),
        (5, "a relative path inside the source folder"),
    ],
    ids=["absolute", "dot-dot", "dot-dot-deeper", "backslashes", "nul", "empty", "not-a-string"],
)
def test_a_path_a_mapping_names_stays_inside(tmp_path: Path, name: object, message: str) -> None:
    from kg.errors import InputError
    from kg.sources.jail import inside

    with pytest.raises(InputError, match=message):
        inside(tmp_path, name, tmp_path / "mapping.toml")
    assert inside(tmp_path, "mapping/./members.csv", tmp_path / "mapping.toml") == "mapping/members.csv"


def test_a_file_swapped_after_the_check_is_never_followed_nor_waited_on(tmp_path: Path) -> None:
    """What the tree check saw can change before a file is opened: a link or FIFO put in place then is
    refused when it is opened (each component opened with O_NOFOLLOW, the file without blocking)."""
    from kg.errors import InputError
    from kg.sources.jail import read_inside

    (tmp_path / "mapping").mkdir()
    (tmp_path / "mapping" / "ok.csv").write_text("a\n1\n")
    assert read_inside(tmp_path, "mapping/ok.csv") == b"a\n1\n"
    (tmp_path / "mapping" / "link.csv").symlink_to("/etc/group")
    os.mkfifo(tmp_path / "mapping" / "fifo.csv")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "ok.csv").write_text("secret\n")
    (tmp_path / "elsewhere").symlink_to(tmp_path / "outside", target_is_directory=True)
    for relative, message in [("mapping/link.csv", "symbolic link"), ("mapping/fifo.csv", "not a regular file"),
                              ("elsewhere/ok.csv", "symbolic link"), ("mapping/missing.csv", "cannot read")]:
        with pytest.raises(InputError, match=message):
            read_inside(tmp_path, relative)
    with pytest.raises(InputError, match="over the cap of 1 KiB"):
        (tmp_path / "mapping" / "big.csv").write_bytes(b"x" * 2048)
        read_inside(tmp_path, "mapping/big.csv", cap=1024)
