"""The Python API (``import kg``, issue 27 item 6): the same rows as the command line, typed values, the
explorer's graphs, our own errors, and the README's example run as it is written."""

from __future__ import annotations

import csv
import datetime
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Graph, URIRef

import kg
from kg.api.table import EVIDENCE_FIELDS, Evidence, Table
from kg.errors import DiplokgError, InputError, QueryError, QueryRefused, UndefinedTermWarning
from kg.http import RemoteError
from kg.paths import Project

ROOT = Path(__file__).resolve().parent.parent
ISO = "https://w3id.org/diplokg/id/iso3166/"
Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def dossier_build(built, monkeypatch: pytest.MonkeyPatch) -> kg.Build:  # type: ignore[no-untyped-def]
    """The dossier's build opened by the API, the CLI pointed at the same build."""
    monkeypatch.setenv("DIPLOKG_BUILD", str(built.graph.path.parent))
    return kg.open(built.graph.path.parent, project=built.project.root)


@pytest.fixture
def small(small_world: Project, small_build: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[kg.Build]:
    """The small world's build (votes of 2010-2019 and the key votes, a few missions) opened by the API."""
    monkeypatch.setenv("DIPLOKG_BUILD", str(small_build))
    yield kg.open(small_build, project=small_world.root)


def same(cell: str, value: object) -> bool:
    """Whether a CSV cell (a SPARQL CSV or ``diplokg alignment`` cell) holds this Python value."""
    if value is None:
        return cell == ""
    if isinstance(value, bool):
        return cell == ("true" if value else "false")
    if isinstance(value, int):
        return cell != "" and int(cell) == value
    if isinstance(value, float):
        return cell != "" and float(cell) == value
    if isinstance(value, datetime.date):
        return cell == value.isoformat()
    return isinstance(value, str) and cell == str(value)  # an IRI is a URIRef, equal to no plain str


def read_csv(text: str) -> tuple[list[str], list[list[str]]]:
    header, *rows = list(csv.reader(text.splitlines()))
    return header, rows


# ---------------------------------------------------------------- questions: the rows of `ask --format csv`

ASKED = [
    pytest.param("closed-missions", {}, "2024-01-01", id="closed-missions-as-of"),
    pytest.param("closed-missions", {}, None, id="closed-missions"),
    pytest.param("evidence-for", {"entity": "Uganda"}, None, id="evidence-for-a-name"),
    pytest.param("evidence-for", {"entity": URIRef(ISO + "AGO")}, None, id="evidence-for-an-iri"),
    pytest.param("wave-size", {}, None, id="wave-size"),
    pytest.param("farewell-visits", {}, None, id="farewell-visits"),
    pytest.param("sanctions", {}, None, id="sanctions"),
    pytest.param("relation-count", {}, None, id="relation-count"),
]


def _cli_value(value: object) -> str:
    return f"<{value}>" if isinstance(value, URIRef) else str(value)


@pytest.mark.parametrize(("name", "bind", "as_of"), ASKED)
def test_ask_gives_the_rows_of_the_cli_csv(
    dossier_build: kg.Build, built, cli: Cli, name: str, bind: dict[str, object], as_of: str | None  # type: ignore[no-untyped-def]
) -> None:
    argv = ["ask", name, "--format", "csv", "--project", str(built.project.root)]
    argv += [a for k, v in bind.items() for a in ("--bind", f"{k}={_cli_value(v)}")]
    argv += ["--as-of", as_of] if as_of else []
    code, out, err = cli(*argv)
    assert code == 0, err
    header, lines = read_csv(out)
    table = dossier_build.ask(name, bind, as_of=as_of)
    assert list(table.columns) == [c for c in header if c not in EVIDENCE_FIELDS]
    at = {c: header.index(c) for c in header}
    # One row per distinct answer, in the order of its first line.
    keys: list[tuple[str, ...]] = []
    for line in lines:
        key = tuple(line[at[c]] for c in table.columns)
        if key not in keys:
            keys.append(key)
    assert len(table) == len(keys) > 0
    for key, row in zip(keys, table):
        assert all(same(cell, row[c]) for cell, c in zip(key, table.columns)), (key, row)
    # Each line's evidence is its row's.
    expected = {
        (tuple(line[at[c]] for c in table.columns), *(line[at[f]] if f in at else "" for f in EVIDENCE_FIELDS))
        for line in lines if line[at["sentence"]]
    }
    found = {(key, e.source, e.sentence, e.modality, e.address) for key, row in zip(keys, table) for e in row.evidence}
    assert found == expected
    assert any(row.evidence for row in table)


def test_the_values_are_python_values(dossier_build: kg.Build) -> None:
    closed = dossier_build.ask("closed-missions", as_of=datetime.date(2024, 1, 1))
    assert set(closed.column("asOf")) == {datetime.date(2024, 1, 1)}
    dates = closed.column("date")
    assert datetime.date(2023, 11, 21) in dates  # an xsd:date
    assert "2023-10" in dates  # an xsd:gYearMonth stays what the source says: a month, not a day
    wave = dossier_build.ask("wave-size")[0]
    assert isinstance(wave["embassies"], int) and isinstance(wave["agrees"], bool)
    assert isinstance(wave["computedPercent"], float)
    entity = dossier_build.ask("evidence-for", {"entity": "UGA"})[0]["entity"]
    assert isinstance(entity, URIRef) and entity == URIRef(ISO + "UGA")
    assert all(isinstance(e, Evidence) and e.source and e.sentence for r in closed for e in r.evidence)


# ---------------------------------------------------------------- queries: the rows of `query --format csv`

QUERIES = [
    pytest.param("PREFIX diplo: <https://w3id.org/diplokg/ontology#>\n"
                 "SELECT ?m ?host WHERE { ?m a diplo:Embassy ; diplo:host ?host } ORDER BY ?m", {}, id="embassies"),
    pytest.param("PREFIX diplo: <https://w3id.org/diplokg/ontology#>\n"
                 "SELECT ?m WHERE { ?m diplo:host ?host } ORDER BY ?m", {"host": "iso:UGA"}, id="bound-iri"),
    pytest.param("SELECT (COUNT(*) AS ?n) (1.5 AS ?x) (true AS ?b) WHERE { ?s ?p ?o }", {}, id="typed"),
]


@pytest.mark.parametrize(("text", "bind"), QUERIES)
def test_query_gives_the_rows_of_the_cli_csv(
    dossier_build: kg.Build, built, cli: Cli, text: str, bind: dict[str, str]  # type: ignore[no-untyped-def]
) -> None:
    argv = ["query", "-e", text, "--format", "csv", "--project", str(built.project.root)]
    argv += [a for k, v in bind.items() for a in ("--bind", f"{k}={v}")]
    code, out, err = cli(*argv)
    assert code == 0, err
    header, lines = read_csv(out)
    table = dossier_build.query(text, bind)
    assert isinstance(table, Table)
    assert list(table.columns) == header and len(table) == len(lines) > 0
    for line, row in zip(lines, table):
        assert all(same(cell, row[c]) for cell, c in zip(line, header)), (line, row)


def test_an_undefined_term_is_a_python_warning_and_the_answer_stays(dossier_build: kg.Build) -> None:
    text = "SELECT ?m WHERE { ?m a diplo:Embassy OPTIONAL { ?m diplo:%s ?r } } ORDER BY ?m"
    with pytest.warns(UndefinedTermWarning, match=r"diplo:region .*diplo:inRegion"):
        misspelt = dossier_build.query(text % "region")
    heard: list[str] = []
    assert dossier_build.run(text % "region", on_warning=heard.append).rows == dossier_build.run(text % "inRegion").rows
    assert len(heard) == 1 and "diplo:inRegion" in heard[0]
    assert isinstance(misspelt, Table) and len(misspelt) > 2


def test_query_gives_a_bool_for_ask_and_a_graph_for_construct(dossier_build: kg.Build) -> None:
    assert dossier_build.query("ASK { ?s ?p ?o }") is True
    graph = dossier_build.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3")
    assert isinstance(graph, Graph) and len(graph) == 3


def test_questions_are_the_library(dossier_build: kg.Build, built, cli: Cli) -> None:  # type: ignore[no-untyped-def]
    questions = dossier_build.questions()
    code, out, _ = cli("questions", "--project", str(built.project.root))
    assert code == 0
    listed = [line.split()[0] for line in out.splitlines() if line and not line.startswith(" ")]
    assert [q.name for q in questions] == listed == [p.stem for p in sorted((ROOT / "queries").glob("*.rq"))]
    evidence_for = next(q for q in questions if q.name == "evidence-for")
    assert [(p.name, p.required) for p in evidence_for.parameters] == [("entity", True)]
    assert evidence_for.question and evidence_for.returns


# ---------------------------------------------------------------- errors: our own types, never an exit

ERRORS = [
    pytest.param(lambda b: b.ask("closed-mission"), QueryError, "did you mean 'closed-missions'",
                 id="unknown-question"),
    pytest.param(lambda b: b.ask("evidence-for"), QueryError, "needs a value for entity", id="missing-value"),
    pytest.param(lambda b: b.ask("closed-missions", as_of="2024-13-01"), QueryError, "YYYY-MM-DD", id="bad-day"),
    pytest.param(lambda b: b.ask("wave-size", as_of="2024-01-01"), QueryError, "takes no as-of", id="no-as-of"),
    pytest.param(lambda b: b.ask("evidence-for", {"entity": "Nowhere"}), QueryError, "no entity", id="no-entity"),
    pytest.param(lambda b: b.ask("evidence-for", {"entity": object()}), QueryError, "no SPARQL value",
                 id="not-a-value"),
    pytest.param(lambda b: b.query("SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }"), QueryRefused,
                 "SERVICE", id="service-refused"),
    pytest.param(lambda b: b.query("INSERT DATA { <a:b> <a:b> <a:b> }"), QueryError, "", id="update-refused"),
    pytest.param(lambda b: b.query("SELECT ?s WHERE { ?s ?p }"), QueryError, "", id="syntax"),
    pytest.param(lambda b: b.query("SELECT ?s WHERE { ?s ?p ?o }", {"s": "<not an iri>"}), QueryError,
                 "not a valid IRI", id="bad-iri"),
    pytest.param(lambda b: b.alignment(year=2019, anchor="XYZ"), InputError, "'XYZ'", id="unknown-anchor"),
    pytest.param(lambda b: b.world_network(), DiplokgError, "no world view", id="no-world"),
]


@pytest.mark.parametrize(("call", "error", "says"), ERRORS)
def test_errors_are_our_own_types(
    dossier_build: kg.Build, call: Callable[[kg.Build], object], error: type[DiplokgError], says: str
) -> None:
    with pytest.raises(error) as raised:
        call(dossier_build)
    assert says in str(raised.value)


@pytest.mark.parametrize(
    ("call", "error"),
    [
        pytest.param(lambda tmp: kg.open(tmp), InputError, id="no-build-there"),
        pytest.param(lambda tmp: kg.open(tmp / "missing.nq"), InputError, id="no-such-file"),
        pytest.param(lambda tmp: kg.open(tmp, project=tmp), InputError, id="not-a-project"),
        pytest.param(lambda tmp: kg.open_endpoint("ftp://example.org/"), RemoteError, id="not-http"),
        pytest.param(lambda tmp: kg.open_endpoint("http://127.0.0.1:9/query", timeout=0), RemoteError,
                     id="no-timeout"),
        pytest.param(lambda tmp: kg.open_endpoint("http://127.0.0.1:9/query", timeout=2).ask("wave-size"),
                     RemoteError, id="no-store-there"),
    ],
)
def test_opening_errors_are_our_own_types(tmp_path: Path, call: Callable[[Path], object], error: type) -> None:
    with pytest.raises(error):
        call(tmp_path)


def test_open_takes_a_build_folder_its_file_or_its_project(built, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DIPLOKG_BUILD", str(built.graph.path.parent))
    monkeypatch.chdir(built.project.root)
    opened = [kg.open(), kg.open(built.project.root), kg.open(built.graph.path.parent), kg.open(built.graph.path)]
    assert {b.graph.path for b in opened} == {built.graph.path}
    assert {b.project.root for b in opened} == {built.project.root}


# ---------------------------------------------------------------- the alignment: the rows of `diplokg alignment`

ALIGNED = [
    pytest.param(("--year", "2019"), {"year": 2019}, id="2019"),
    pytest.param(("--year", "2019", "--anchor", "RUS"), {"year": 2019, "anchor": "RUS"}, id="2019-russia"),
    pytest.param(("--from", "2016", "--to", "2019", "--state", "PRK"), {"year": range(2016, 2020), "state": "PRK"},
                 id="dprk-range"),
    pytest.param(("--year", "2018", "--issue", "hr", "--anchor", "USA"), {"year": 2018, "issue": "hr", "anchor": "USA"},
                 id="one-issue-other-anchor"),
    pytest.param(("--year", "2022", "--min-roll-calls", "3"), {"year": 2022, "min_roll_calls": 3}, id="selected-year"),
]


@pytest.mark.parametrize(("argv", "kwargs"), ALIGNED)
def test_alignment_gives_the_rows_of_the_cli(
    small: kg.Build, small_world: Project, cli: Cli, argv: tuple[str, ...], kwargs: dict[str, object]
) -> None:
    code, out, err = cli("alignment", *argv, "--format", "csv", "--project", str(small_world.root))
    assert code == 0, err
    header, lines = read_csv(out)
    table = small.alignment(**kwargs)  # type: ignore[arg-type]
    assert list(table.columns) == header
    assert list(table.columns[:8]) == ["state", "label", "anchor", "year", "agreement", "rollCalls", "scottsPi",
                                       "coverage"]
    assert len(table) == len(lines) > 0
    for line, row in zip(lines, table):
        assert all(same(cell, row[c]) for cell, c in zip(line, header)), (line, row)


def test_alignment_pooled_gives_the_first_and_last_year(small: kg.Build, small_world: Project, cli: Cli) -> None:
    code, out, err = cli("alignment", "--pool", "--from", "2016", "--to", "2019", "--format", "csv",
                         "--project", str(small_world.root))
    assert code == 0, err
    _, lines = read_csv(out)
    table = small.alignment(year=range(2016, 2020), pool=True)
    assert table.columns[-1] == "lastYear" and len(table) == len(lines) > 0
    assert {(r["year"], r["lastYear"]) for r in table} == {(2016, 2019)} == {(2016, 2019) for _ in lines}
    assert [(line[0], line[2], float(line[4])) for line in lines] == \
        [(r["state"], r["anchor"], r["agreement"]) for r in table]


# ---------------------------------------------------------------- the explorer's networks

def test_the_network_is_the_explorers(dossier_build: kg.Build) -> None:
    from kg.network.explorer import explorer_inputs

    alone = kg.Build(dossier_build.graph).network()  # read on its own, without the story and the world
    graph = dossier_build.network()
    assert isinstance(graph, nx.MultiDiGraph) and graph.number_of_edges() > 0
    assert nx.utils.graphs_equal(alone, graph)
    theirs = explorer_inputs(dossier_build.graph).graph
    assert nx.utils.graphs_equal(graph, theirs)
    def edges(g: nx.MultiDiGraph) -> dict[tuple[object, object, object], dict[str, object]]:
        return {(u, v, k): d for u, v, k, d in g.edges(keys=True, data=True)}

    assert edges(graph) == edges(theirs)
    assert dict(graph.nodes(data=True)) == dict(theirs.nodes(data=True))


@pytest.mark.parametrize("what", ["world", "dprk"])
def test_the_networks_are_those_export_writes(small: kg.Build, small_world: Project, cli: Cli, what: str) -> None:
    from kg.network.export import network_text

    code, out, err = cli("export", what, "-f", "json", "--year", "2019", "--project", str(small_world.root))
    assert code == 0, err
    graph = small.world_network(2019) if what == "world" else small.dprk_network(2019)
    assert graph.number_of_nodes() > 0
    assert network_text(graph, "json") == out


# ---------------------------------------------------------------- the table without pandas

def test_the_table_writes_records_csv_and_escaped_html(dossier_build: kg.Build, tmp_path: Path) -> None:
    rows = dossier_build.ask("closed-missions", as_of="2024-01-01")
    records = rows.to_records(evidence=True)
    assert len(records) == len(rows) and records[0]["asOf"] == datetime.date(2024, 1, 1)
    assert records[0]["evidence"][0]["sentence"] == rows[0].evidence[0].sentence
    text = rows.to_csv(tmp_path / "rows.csv", evidence=True)
    assert (tmp_path / "rows.csv").read_text(encoding="utf-8") == text
    header, lines = read_csv(text)
    assert header == [*rows.columns, *EVIDENCE_FIELDS]
    assert len(lines) == sum(max(1, len(r.evidence)) for r in rows)
    assert read_csv(rows.to_csv())[0] == list(rows.columns)
    assert isinstance(rows[1:3], Table) and len(rows[1:3]) == 2
    hostile = Table(["x"], [(["<script>alert(1)</script>"], ())])
    assert "<script>" not in hostile._repr_html_() and "&lt;script&gt;" in hostile._repr_html_()


# ---------------------------------------------------------------- the CLI asks through the API

def test_the_cli_asks_through_the_api(built, cli: Cli, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                     tmp_path: Path) -> None:
    from kg.api.build import Build

    monkeypatch.setenv("DIPLOKG_BUILD", str(built.graph.path.parent))
    calls: list[str] = []
    for method in ("answer", "run", "agreement_rows", "explorer_inputs", "network"):
        original = getattr(Build, method)

        def spy(self: Build, *args: object, _original: Callable[..., object] = original, _name: str = method,
                **kwargs: object) -> object:
            calls.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Build, method, spy)
    root = str(built.project.root)
    assert cli("ask", "wave-size", "--project", root)[0] == 0
    assert cli("query", "-e", "ASK { ?s ?p ?o }", "--project", root)[0] == 0
    assert cli("alignment", "--year", "2019", "--project", root)[0] == 2  # the dossier holds no votes
    assert cli("export", "dprk", "-f", "json", "--project", root)[0] == 0
    assert cli("stats", "-f", "json", "--project", root)[0] == 0
    assert calls == ["answer", "run", "agreement_rows", "explorer_inputs", "network"]
    # every command that reads the build opens it as the API does (kg.api.connect.open_project)
    from kg.api import connect

    opened: list[object] = []
    original_open = connect.open_project
    monkeypatch.setattr(connect, "open_project", lambda *a, **k: opened.append(a) or original_open(*a, **k))
    for argv in (("stats", "-t", "communities"), ("report", "-o", str(tmp_path / "report.md"))):
        opened.clear()
        assert cli(*argv, "--project", root)[0] == 0, argv
        assert len(opened) == 1, argv


# ---------------------------------------------------------------- the README's example, as written

def _readme_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Python"):]
    section = section[:section.index("\n## ", 1)]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "the README's Python section has no example"
    return match.group(1)


def test_the_readme_example_runs(small_world: Project, small_build: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DIPLOKG_BUILD", str(small_build))
    monkeypatch.delenv("DIPLOKG_PROJECT", raising=False)
    monkeypatch.chdir(small_world.root)
    space: dict[str, object] = {}
    exec(compile(_readme_example(), "README.md", "exec"), space)
    printed = capsys.readouterr().out
    rows, graph, russia = space["rows"], space["graph"], space["russia"]
    assert isinstance(rows, Table) and len(rows) > 0 and rows[0].evidence
    assert printed.startswith(str(rows[0]["host"]))
    assert isinstance(graph, nx.MultiDiGraph) and graph.number_of_edges() > 0
    assert isinstance(russia, Table) and {r["anchor"] for r in russia} == {"RUS"} and len(russia) > 5
    assert os.fspath(space["build"].graph.path).startswith(str(small_build))  # type: ignore[attr-defined]
