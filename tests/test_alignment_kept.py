"""The derived alignment kept beside the build as a table (``build/alignment.csv``, issue 24's goal of
``diplokg alignment`` over every state, both anchors and 1946-2024 under 3 s): the rows read from it are
the rows read from the graph; a stale table is not used; a forged, oversized or linked one is refused in
one line and the graph answers; and a table for a pipe or a file cuts nothing (issue 27, item 3)."""

from __future__ import annotations

import csv
import io
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kg.alignment import kept
from kg.alignment.api import NO_KEPT_ENV, Votes, agreement_table
from kg.alignment.kept import COLUMNS, FILE_NAME, STAMP_NAME, KeptRefused, read_kept
from kg.store.files import open_store

Cli = Callable[..., tuple[int, str, str]]

#: What is asked of the alignment: (anchors, years, states, minimum of roll calls).
ASKED = [
    pytest.param(("CHN", "RUS"), None, None, 10, id="every-year"),
    pytest.param(("CHN", "RUS"), range(1946, 2025), None, 10, id="1946-2024"),
    pytest.param(("RUS",), [2019], None, 10, id="russia-2019"),
    pytest.param(("CHN",), [2022, 2023], None, 10, id="china-selected-years"),
    pytest.param(("CHN", "RUS"), range(2015, 2020), ("PRK", "cub"), 10, id="two-states"),
    pytest.param(("RUS", "CHN"), [2019], None, 5, id="minimum-5"),
]


def _rows(graph_path: Path, with_kept: bool, anchors: Any, years: Any, states: Any, minimum: int) -> list[Any]:
    store = open_store(graph_path)
    votes = Votes(store, graph_path) if with_kept else Votes(store)
    if with_kept:
        assert votes.kept() is not None, "the build kept no table"
    return agreement_table(store, anchors=anchors, years=years, states=states, votes=votes, min_roll_calls=minimum)


@pytest.mark.parametrize(("anchors", "years", "states", "minimum"), ASKED)
def test_the_world_rows_from_the_kept_table_are_the_rows_from_the_graph(world_built: Any, anchors: Any, years: Any,
                                                                          states: Any, minimum: int) -> None:
    path = world_built.graph.path
    from_graph = _rows(path, False, anchors, years, states, minimum)
    assert from_graph
    assert _rows(path, True, anchors, years, states, minimum) == from_graph


@pytest.mark.parametrize(("anchors", "years", "states", "minimum"), ASKED[:3] + ASKED[5:])
def test_the_small_world_rows_from_the_kept_table_are_the_rows_from_the_graph(small_build: Path, anchors: Any,
                                                                                years: Any, states: Any,
                                                                                minimum: int) -> None:
    path = small_build / "diplokg.nq"
    from_graph = _rows(path, False, anchors, years, None, minimum)
    assert _rows(path, True, anchors, years, None, minimum) == from_graph


def test_the_kept_table_holds_every_measure_of_the_derived_graph(world_built: Any) -> None:
    folder = world_built.graph.path.parent
    rows = list(csv.DictReader(io.StringIO((folder / FILE_NAME).read_text(encoding="utf-8"))))
    query = ("SELECT (COUNT(?m) AS ?n) WHERE { GRAPH <https://w3id.org/diplokg/graph/derived/alignment> "
             "{ ?m a <https://w3id.org/diplokg/ontology#AgreementMeasure> } }")
    count = int(next(iter(world_built.graph.store.query(query)))[0].value)  # type: ignore[index,union-attr]
    assert len(rows) == count > 20_000
    assert tuple(rows[0]) == COLUMNS
    prk = next(r for r in rows if r["state"] == "PRK" and r["anchor"] == "RUS" and r["year"] == "2019")
    assert prk["coverage"] == "all" and prk["stateIRI"] == "https://w3id.org/diplokg/id/iso3166/PRK"
    assert {r["coverage"] for r in rows if r["year"] == "2022"} == {"selected"}
    assert all(r["rank"] == "" for r in rows if r["year"] == "2022")  # a year of the selection: flagged


def test_the_dossier_keeps_no_table(built: Any) -> None:
    folder = built.graph.path.parent
    assert not (folder / FILE_NAME).exists() and not (folder / STAMP_NAME).exists()


@pytest.fixture
def copied(small_build: Path, tmp_path: Path) -> Path:
    """A copy of the small world's build (its modification times kept: the stamp still holds)."""
    target = tmp_path / "build"
    target.mkdir()
    for name in ("diplokg.nq", FILE_NAME, STAMP_NAME):
        shutil.copy2(small_build / name, target / name)
    assert read_kept(target / "diplokg.nq")
    return target / "diplokg.nq"


def _forge(nquads: Path) -> None:
    path = nquads.parent / FILE_NAME
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    fields = lines[1].split(",")
    fields[5] = str(int(fields[5]) + 1)  # one more roll call
    path.write_text(lines[0] + ",".join(fields) + "".join(lines[2:]), encoding="utf-8")


def _restamp(nquads: Path) -> None:
    """What a forger who also rewrites the stamp does."""
    table = (nquads.parent / FILE_NAME).read_bytes()
    (nquads.parent / STAMP_NAME).write_bytes(kept._stamp(nquads, table))


def _link(nquads: Path) -> None:
    table = nquads.parent / FILE_NAME
    os.replace(table, nquads.parent / "elsewhere.csv")
    table.symlink_to(nquads.parent / "elsewhere.csv")


def _malformed(nquads: Path) -> None:
    table = nquads.parent / FILE_NAME
    table.write_text(table.read_text(encoding="utf-8").replace(",all,", ",=cmd|' /C calc'!A0,", 1),
                     encoding="utf-8")
    _restamp(nquads)


def _fifo(nquads: Path) -> None:
    table = nquads.parent / FILE_NAME
    table.unlink()
    os.mkfifo(table)


#: Each way a table can be there for this build and still not be the build's: how, and what the line says.
REFUSED: dict[str, tuple[Callable[[Path], None], str]] = {
    "altered": (_forge, "its SHA-256 differs from its stamp's"),
    "a-symbolic-link": (_link, "it is a symbolic link"),
    "a-fifo": (_fifo, "it is not a regular file"),
    "a-row-the-build-does-not-write": (_malformed, ":2: ignored: a row the build does not write"),
    "another-header": (lambda p: ((p.parent / FILE_NAME).write_text("state,x\nPRK,1\n", encoding="utf-8"),
                                   _restamp(p)), ":1: ignored: its header is not state,anchor,year"),
    "the-stamp-a-link": (lambda p: (os.replace(p.parent / STAMP_NAME, p.parent / "s"),
                                     (p.parent / STAMP_NAME).symlink_to(p.parent / "s")), "symbolic link"),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_a_table_that_is_not_the_builds_is_refused_in_one_line(copied: Path, name: str) -> None:
    damage, says = REFUSED[name]
    damage(copied)
    with pytest.raises(KeptRefused) as caught:
        read_kept(copied)
    assert says in str(caught.value) and "\n" not in str(caught.value)


def test_a_table_over_its_cap_is_refused(copied: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kept, "MAX_FILE_BYTES", 1000)
    with pytest.raises(KeptRefused, match="over the cap of 1000 bytes"):
        read_kept(copied)


def test_a_refused_table_leaves_the_graph_to_answer_with_a_note(copied: Path) -> None:
    store = open_store(copied)
    expected = agreement_table(store, votes=Votes(store))
    _forge(copied)
    notes: list[str] = []
    votes = Votes(store, copied, note=notes.append)
    assert agreement_table(store, votes=votes) == expected
    assert len(notes) == 1 and notes[0].startswith(f"note: {copied.parent / FILE_NAME}: ignored: ")
    assert notes[0].endswith("the alignment is read from the graph instead")


@pytest.mark.parametrize("change", ["touched", "grown", "no-stamp", "no-table"])
def test_a_stale_or_half_table_is_not_used(copied: Path, change: str) -> None:
    if change == "touched":
        info = copied.stat()
        os.utime(copied, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000))
    elif change == "grown":
        with copied.open("ab") as handle:
            handle.write(b"\n")
    else:
        (copied.parent / (STAMP_NAME if change == "no-stamp" else FILE_NAME)).unlink()
    assert read_kept(copied) is None
    store = open_store(copied)
    assert Votes(store, copied).kept() is None


def test_the_bench_switch_reads_the_graph(copied: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NO_KEPT_ENV, "1")
    assert Votes(open_store(copied), copied).kept() is None


def test_the_cli_says_one_line_and_answers_from_the_graph(world_cli: Cli, world_built: Any,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    code, expected, err = world_cli("alignment", "--year", "2019", "--format", "csv")
    assert code == 0 and err == ""
    monkeypatch.setattr(kept, "MAX_FILE_BYTES", 1000)
    code, out, err = world_cli("alignment", "--year", "2019", "--format", "csv")
    assert code == 0 and out == expected
    assert err.count("\n") == 1 and "alignment.csv: ignored: " in err and "over the cap" in err


# A table for a pipe or a file cuts nothing (psql applies its expanded auto layout on a terminal only);
# on a terminal ($COLUMNS here) a row that does not fit is a record, as before (tests/test_rendering.py).

def test_a_table_to_a_pipe_is_one_whole_line_a_row(world_cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    code, out, _err = world_cli("alignment", "--year", "2019", "--anchor", "RUS")
    assert code == 0
    _code, as_csv, _ = world_cli("alignment", "--year", "2019", "--anchor", "RUS", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv)))
    lines = out.split("\n\n", 1)[0].splitlines()
    assert "-[ RECORD" not in out and len(lines) == len(rows) + 2
    labels = {line.split(" | ")[1].strip() for line in lines[2:]}
    assert labels == {r["label"] for r in rows}  # whole: "Bolivia (Plurinational State of)", ...
    assert max(len(r["label"]) for r in rows) > 30 and max(len(line) for line in lines) > 120
    monkeypatch.setenv("COLUMNS", "120")
    _code, narrow, _ = world_cli("alignment", "--year", "2019", "--anchor", "RUS")
    assert "-[ RECORD 1 ]" in narrow  # a terminal of 120 columns: records, nothing cut either


def test_a_table_to_a_file_is_one_whole_line_a_row(world_cli: Cli, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # the terminal's width is not the file's
    target = tmp_path / "alignment.txt"
    code, _out, err = world_cli("alignment", "--year", "2019", "--state", "GBR", "-o", str(target))
    assert code == 0, err
    text = target.read_text(encoding="utf-8")
    assert "-[ RECORD" not in text and len(text.split("\n\n")[0].splitlines()) == 4  # header, rule, CHN, RUS
    assert max(len(line) for line in text.splitlines()[:4]) > 80 and "United Kingdom" in text
    _code, records, _ = world_cli("alignment", "--year", "2019", "--state", "GBR", "--layout", "records")
    assert "-[ RECORD 2 ]" in records  # and records when asked


LONG = "United Kingdom of Great Britain and Northern Ireland"
CELLS = [("GBR", LONG, "RUS", "2019", "0.5612"), ("PRK", "Korea (Democratic People's Republic of)", "CHN", "2019", "1"),
         ("CIV", "Côte d'Ivoire", "CHN", "2019", "0.9"), ("CHN", "中国 China", "RUS", "1971", ""),
         ("XXX", "Embassy of the DPRK in Angola https://example.org/" + "a/long/address/" * 6, "RUS", "2023", "0.25")]
HEAD = ("state", "label", "anchor", "year", "agreement")


@pytest.mark.parametrize("width", [30, 50, 80, 120, 10**6])
def test_a_table_drawn_without_rich_is_the_one_rich_draws(width: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from kg.query import layout

    plain = layout.table(HEAD, CELLS, width)
    monkeypatch.setattr(layout, "_plain_fits", lambda *_args: False)
    assert layout.table(HEAD, CELLS, width) == plain


def test_auto_with_no_terminal_is_a_whole_table(monkeypatch: pytest.MonkeyPatch) -> None:
    from kg.query.layout import lay_out

    monkeypatch.delenv("COLUMNS", raising=False)  # pytest's output is no terminal
    out = lay_out(HEAD, CELLS)
    assert "RECORD" not in out and LONG in out and len(out.splitlines()) == len(CELLS) + 2
    monkeypatch.setenv("COLUMNS", "80")
    assert lay_out(HEAD, CELLS).startswith("-[ RECORD 1 ]")
    assert "-[ RECORD 1 ]" in lay_out(HEAD, CELLS, layout="records", width=None)
