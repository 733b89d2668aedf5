"""Values a user gives to a question: typed by the parameter's declared type, typed literals, and
entities by name or ISO code (issue 17: `--bind asOf=2023-06-01` once bound a string and answered
for 2024)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from kg.query.library import IRI, read_question

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "full"

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture(autouse=True)
def _the_full_build(built: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI here reads the session's full build (another module's fixture may have pointed
    DIPLOKG_BUILD at an article-only build)."""
    monkeypatch.setenv("DIPLOKG_BUILD", str(built.graph.path.parent))  # type: ignore[attr-defined]
    monkeypatch.chdir(built.project.root)  # type: ignore[attr-defined]


def _missions(out: str) -> set[tuple[str, str, str]]:
    return {(r["mission"], r["status"], r["statusReason"]) for r in csv.DictReader(io.StringIO(out))}


def _golden_missions(day: str) -> set[tuple[str, str, str]]:
    with (GOLDEN / f"network-as-of-{day}.csv").open(encoding="utf-8", newline="") as handle:
        return {(r["mission"], r["status"], r["statusReason"]) for r in csv.DictReader(handle)}


def test_parameters_declare_their_type_and_own_words() -> None:
    as_of = read_question(ROOT / "queries" / "network-as-of.rq").parameters[0]
    assert as_of.datatype == "http://www.w3.org/2001/XMLSchema#date"
    assert as_of.description.startswith("asOf (an xsd:date")
    entity = read_question(ROOT / "queries" / "evidence-for.rq").parameters[0]
    assert entity.datatype == IRI and entity.takes_iri


@pytest.mark.parametrize("command", ["ask", "query"])
def test_bind_as_of_binds_a_date_and_2023_06_01_gives_the_missions_open_then(
    cli: Cli, built: object, command: str
) -> None:
    # No closure of the graph is dated between 2023-01-01 and 2023-06-01 (the first, Angola's, is
    # of October 2023): each mission has on 2023-06-01 the status it has on 2023-01-01.
    code, out, err = cli(command, "network-as-of", "--bind", "asOf=2023-06-01", "--format", "csv")
    assert code == 0, err
    assert _missions(out) == _golden_missions("2023-01-01")
    assert len([m for m in _missions(out) if m[1] == "open"]) == 13
    code, out2, err = cli(command, "network-as-of", "--as-of", "2023-06-01", "--format", "csv")
    assert code == 0, err
    assert out2 == out


def test_bind_as_of_2024_gives_the_missions_open_then(cli: Cli, built: object) -> None:
    code, out, err = cli("ask", "network-as-of", "--bind", "asOf=2024-02-01", "--format", "csv")
    assert code == 0, err
    assert _missions(out) == _golden_missions("2024-02-01")


@pytest.mark.parametrize(
    "value", ['"2023-06-01"^^xsd:date', "2023-06-01^^xsd:date", "2023-06-01^^<http://www.w3.org/2001/XMLSchema#date>"]
)
def test_typed_literals_can_be_bound(cli: Cli, built: object, value: str) -> None:
    code, out, err = cli("query", "-e", "SELECT ?d WHERE { }", "--bind", f"d={value}", "--format", "json")
    assert code == 0, err
    cell = json.loads(out)["results"]["bindings"][0]["d"]
    assert cell == {"type": "literal", "value": "2023-06-01", "datatype": "http://www.w3.org/2001/XMLSchema#date"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["query", "-e", "SELECT ?d WHERE { }", "--bind", "d=2023-06-41^^xsd:date"],
                     "is not a valid xsd:date", id="ill-typed"),
        pytest.param(["ask", "network-as-of", "--bind", "asOf=June 2023"], "expected an xsd:date", id="not-a-date"),
        pytest.param(["ask", "network-as-of", "--bind", "asOf=2023^^xsd:gYear"], "expected an xsd:date",
                     id="other-type"),
        pytest.param(["ask", "evidence-for", "--bind", "entity=Atlantis"], "no entity has that name or ISO code",
                     id="unknown-entity"),
    ],
)
def test_bad_values_are_one_line_and_exit_2(cli: Cli, built: object, argv: list[str], message: str) -> None:
    code, out, err = cli(*argv)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_the_missing_as_of_message_reads_plainly(cli: Cli, built: object) -> None:
    code, _out, err = cli("ask", "network-as-of")
    assert code == 2
    assert err == (
        "diplokg: error: question 'network-as-of' needs a value for asOf: give --as-of YYYY-MM-DD, an xsd:date\n"
    )


def test_entity_by_initials_and_ambiguity(cli: Cli, built: object) -> None:
    code, by_iri, err = cli("ask", "evidence-for", "--bind", "entity=iso:PRK", "--format", "csv")
    assert code == 0, err
    code, by_initials, err = cli("ask", "evidence-for", "--bind", "entity=DPRK", "--format", "csv")
    assert code == 0, err
    assert by_initials == by_iri
    code, _out, err = cli("ask", "evidence-for", "--bind", "entity=ROK")
    assert code == 2 and "several entities go by that name" in err and "give the IRI" in err


@pytest.mark.parametrize("value", ["Uganda", "uganda", "UGA", "UG"])
def test_entity_by_name_or_iso_code(cli: Cli, built: object, value: str) -> None:
    code, by_iri, err = cli("ask", "evidence-for", "--bind", "entity=iso:UGA", "--format", "csv")
    assert code == 0, err
    code, by_name, err = cli("ask", "evidence-for", "--bind", f"entity={value}", "--format", "csv")
    assert code == 0, err
    assert by_name == by_iri and "Embassy of the DPRK in Uganda" in by_name


def test_entity_by_name_hints_at_what_is_expected(cli: Cli, built: object) -> None:
    code, _out, err = cli("ask", "evidence-for")
    assert code == 2
    assert "a name or ISO code such as Uganda or UGA" in err


def test_entity_look_ups_run_through_the_asker_given(built: object) -> None:
    """`diplokg serve` looks entities up as it runs any query, vetted and run in its workers: the look-up
    queries and their values go to the asker it gives, never straight to the graph."""
    from rdflib import Literal, URIRef

    from kg.errors import QueryTimeout
    from kg.query.entities import asker, resolve_bindings
    from kg.query.sandbox import Limits

    graph = built.graph  # type: ignore[attr-defined]
    question = read_question(ROOT / "queries" / "evidence-for.rq")
    asked: list[dict[str, object]] = []
    default = asker(graph)

    def ask(text: str, values: dict[str, object]) -> object:
        asked.append(values)
        return default(text, values)  # type: ignore[arg-type]

    found = resolve_bindings(graph, question.parameters, {"entity": Literal("DPRK")}, ask)  # type: ignore[arg-type]
    assert found == {"entity": URIRef("https://w3id.org/diplokg/id/iso3166/PRK")}
    assert asked == [{"typed": Literal("DPRK")}, {}]  # by name or code (nothing), then by initials
    with pytest.raises(QueryTimeout):
        resolve_bindings(graph, question.parameters, {"entity": Literal("Uganda")},
                         asker(graph, Limits(timeout=0.000001)))


#: Hostile values for each kind of parameter (a date, an entity, a year, a typed literal): each is refused
#: with one line or answered as a value, never read as query text (issue 23).
HOSTILE = [
    pytest.param(["ask", "network-as-of", "--bind", 'asOf=2023-06-01" } SERVICE <{url}/a> { ?s ?p ?o } #'],
                 2, "expected an xsd:date", id="date"),
    pytest.param(["ask", "evidence-for", "--bind", 'entity=x" ) } SERVICE <{url}/e> { ?s ?p ?o } #'],
                 2, "no entity has that name", id="entity-by-name"),
    pytest.param(["ask", "evidence-for", "--bind", "entity=x\n\\\""], 2, "no entity has that name",
                 id="entity-the-issue-sent-over-http"),
    pytest.param(["ask", "evidence-for", "--bind", "entity=<{url}/x> } SERVICE <{url}/i> { ?s ?p ?o }"],
                 2, "no entity has that name", id="entity-text-like-an-iri"),
    pytest.param(["ask", "evidence-for", "--bind", "entity=<{url}/x> } SERVICE <{url}/i> { ?s ?p ?o }>"],
                 2, "not a valid IRI", id="entity-iri"),
    pytest.param(["query", "-e", "SELECT ?d WHERE { }", "--bind", 'd="x\\" } SERVICE <{url}/t> { }"^^xsd:string'],
                 0, "SERVICE <", id="typed-literal"),
    pytest.param(["query", "-e", "SELECT ?d WHERE { }", "--bind", "d=\"\"\"\n'''"], 0, "'''", id="long-quotes"),
]


@pytest.mark.parametrize(("argv", "code", "words"), HOSTILE)
def test_hostile_values_stay_values(cli: Cli, built: object, argv: list[str], code: int, words: str,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in process with the network lock off, so that the values alone are shown to stay data: the
    listener on 127.0.0.1 must hear nothing."""
    from tests_support import Listener

    import kg.query.sandbox as sandbox

    monkeypatch.setattr(sandbox, "forbid_network", lambda: None)
    listener = Listener()
    try:
        got, out, err = cli(*[a.replace("{url}", listener.url) for a in argv], "--format", "csv")
    finally:
        listener.close()
    assert listener.hits == []
    assert got == code, err
    assert "Traceback" not in err and words in (out if code == 0 else err)
    if code:
        assert err.count("\n") == 1
