"""The on-disk store written in a child process beside validation (kg.store.diskjob): the same store as
a bulk load of the whole file, started before validation, and nothing kept when the build is not."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from tests_support import drop_evidence

import kg.build
import kg.store.diskjob
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


@pytest.mark.parametrize("chunk", [1, 3, 100])
@pytest.mark.parametrize("block", [7, 64, 1 << 24])
def test_a_file_loaded_as_it_grows_gives_the_store_a_whole_load_gives(
    tmp_path: Path, chunk: int, block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kg.store.diskjob, "BLOCK_BYTES", block)  # lines cut across reads too
    nquads = tmp_path / "dump.nq"
    nquads.write_bytes(b"\n".join(LINES) + b"\n")
    whole = ox.Store()
    whole.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS, lenient=True)
    ends = [sum(len(line) + 1 for line in LINES[:n]) for n in (0, 1, 4, 4, 9, len(LINES))]
    assert load_in_chunks(tmp_path / "store", nquads, chunk, iter(ends)) == len(LINES)
    assert _quads(ox.Store.read_only(str(tmp_path / "store"))) == _quads(whole)


def test_a_growing_load_reads_nothing_past_the_offset_it_was_given(tmp_path: Path) -> None:
    nquads = tmp_path / "dump.nq"
    nquads.write_bytes(b"\n".join(LINES) + b"\n<urn:x:half> <urn:x:p")  # a line still being written
    size = sum(len(line) + 1 for line in LINES)
    assert load_in_chunks(tmp_path / "store", nquads, 4, iter([size])) == len(LINES)
    assert len(ox.Store.read_only(str(tmp_path / "store"))) == len(LINES)


def test_a_last_line_without_its_newline_is_loaded(tmp_path: Path) -> None:
    nquads = tmp_path / "dump.nq"
    nquads.write_bytes(b"\n".join(LINES))
    assert load_in_chunks(tmp_path / "store", nquads, 4) == len(LINES)
    assert len(ox.Store.read_only(str(tmp_path / "store"))) == len(LINES)


def test_a_growing_job_loads_what_is_appended_after_it_started(tmp_path: Path) -> None:
    nquads = tmp_path / "build" / "diplokg.nq"
    nquads.parent.mkdir()
    dump = tmp_path / "dump.nq"
    dump.write_bytes(b"\n".join(LINES[:5]) + b"\n")
    job = DiskStoreJob(nquads, dump, chunk=2, growing=True)
    job.grown(dump.stat().st_size)
    with dump.open("ab") as handle:
        handle.write(b"\n".join(LINES[5:12]) + b"\n")
    job.grown(dump.stat().st_size)
    with dump.open("ab") as handle:
        handle.write(b"\n".join(LINES[12:]) + b"\n")
    job.complete(dump.stat().st_size)
    nquads.write_bytes(dump.read_bytes())
    job.finish(nquads)
    whole = ox.Store()
    whole.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS, lenient=True)
    on_disk = kg.store.files.open_store(nquads)
    assert kg.store.files.fresh_disk_store(nquads) is not None
    assert _quads(on_disk) == _quads(whole)


def test_a_growing_job_whose_build_stopped_fails_and_leaves_nothing(tmp_path: Path) -> None:
    nquads = tmp_path / "build" / "diplokg.nq"
    nquads.parent.mkdir()
    dump = tmp_path / "dump.nq"
    dump.write_bytes(b"\n".join(LINES) + b"\n")
    job = DiskStoreJob(nquads, dump, growing=True)
    job.grown(dump.stat().st_size)
    job._growing = False  # the build stops without saying the dump is whole: the child's input ends
    with pytest.raises(OSError, match=r"^writing the on-disk store failed: OSError: the build stopped before"):
        job.finish(nquads)
    assert list(nquads.parent.iterdir()) == []


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


@pytest.mark.parametrize("late", ["", "1"])
def test_the_store_starts_with_the_asserted_quads_unless_asked_to_wait(
    project_copy: Callable[..., Project], monkeypatch: pytest.MonkeyPatch, late: str
) -> None:
    proj = project_copy(only_sources=[ARTICLE])
    monkeypatch.setattr(kg.store.files, "DISK_STORE_MIN_QUADS", 0)
    monkeypatch.setenv(kg.build.LATE_STORE_ENV, late)
    started: list[bool] = []
    job = kg.store.diskjob.DiskStoreJob

    def watched(*args: object, growing: bool = False, **kwargs: object) -> kg.store.diskjob.DiskStoreJob:
        started.append(growing)
        return job(*args, growing=growing, **kwargs)  # type: ignore[arg-type, misc]

    monkeypatch.setattr(kg.store.diskjob, "DiskStoreJob", watched)
    assert build(proj, cache=False).written
    assert started == [not late]
    assert _quads(kg.store.files.open_store(proj.built_graph)) == _quads(kg.store.files.read_store(proj.built_graph))


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
