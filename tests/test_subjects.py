"""Questions keep to their subject (issue 22): the votes appear where a question is about votes, an
entity's name finds the state before any roll call, and the report stays readable."""

from __future__ import annotations

import csv
import gzip
import re
from collections import Counter
from pathlib import Path

import pytest
from rdflib import URIRef

from kg.cli.report import first_rows, report_text, section
from kg.query.entities import resolve_entity
from kg.query.gate import vet
from kg.query.library import evidence_view, library, read_question

ROOT = Path(__file__).resolve().parent.parent
ISO = "https://w3id.org/diplokg/id/iso3166/"


def _ask(graph: object, name: str, **bindings: object) -> list[dict[str, object]]:
    question = read_question(ROOT / "queries" / f"{name}.rq")
    answer = graph.run(vet(question.text, graph.graph_names()), bindings=bindings)  # type: ignore[attr-defined]
    return answer.records()  # type: ignore[no-any-return]


def test_turning_points_are_the_stories_events_not_the_roll_calls(world_built: object) -> None:
    rows = _ask(world_built.graph, "turning-points")  # type: ignore[attr-defined]
    assert rows and not [r for r in rows if str(r["kind"]) == "roll call"]
    assert len(rows) < 200
    assert {"Hanoi summit between North Korea and Donald Trump", "Kim-Putin summit"} <= {str(r["event"]) for r in rows}


def _votes_of(code: str) -> Counter[str]:
    with gzip.open(ROOT / "sources" / "unga-votes" / "votes.csv.gz", "rt", encoding="utf-8", newline="") as handle:
        return Counter(r["vote"] for r in csv.DictReader(handle) if r["country_code"] == code)


def test_evidence_for_gives_the_facts_then_counts_the_votes(world_built: object) -> None:
    rows = _ask(world_built.graph, "evidence-for", entity=URIRef(ISO + "UGA"))  # type: ignore[attr-defined]
    counted = [r for r in rows if str(r["rollCalls"])]
    facts = [r for r in rows if not str(r["rollCalls"])]
    assert len(rows) < 100 and facts and rows[: len(facts)] == facts  # the facts first
    # One row per way of voting, counted from the roll calls (each vote is one triple), against the
    # votes table itself; each points to `diplokg alignment`.
    votes = _votes_of("UG")
    assert {str(r["role"]): int(str(r["rollCalls"])) for r in counted} == {
        "voted yes": votes["yes"], "voted no": votes["no"], "abstained": votes["abstain"]}
    assert all("diplokg alignment" in str(r["statement"]) and not str(r["sentence"]) for r in counted)
    # No vote is quoted as evidence: the laid-out answer numbers only the facts' sentences.
    variables = tuple(rows[0].keys())
    view = evidence_view(variables, [tuple("" if r[v] is None else str(r[v]) for v in variables) for r in rows],
                         hidden=("entity",))
    assert view.evidence and all(e.sentence for e in view.evidence)
    assert all(not refs for row, refs in zip(view.rows, view.refs) if row[view.columns.index("rollCalls")])


@pytest.mark.parametrize(("typed", "expected"), [
    pytest.param("Congo", "COG", id="congo-is-the-state-not-its-roll-calls"),
    pytest.param("Uganda", "UGA", id="uganda"),
    pytest.param("DPRK", "PRK", id="initials"),
])
def test_a_name_finds_the_state_before_any_roll_call(world_built: object, typed: str, expected: str) -> None:
    assert resolve_entity(world_built.graph, "entity", typed) == URIRef(ISO + expected)  # type: ignore[attr-defined]


def test_a_name_only_a_statement_bears_still_finds_it(built: object) -> None:
    # No state, mission or person is called so: the statement is the only thing that is.
    found = resolve_entity(built.graph, "entity", "Kim-Putin summit")  # type: ignore[attr-defined]
    assert found == URIRef("https://w3id.org/diplokg/id/source/dprk-summits-and-events/kim-putin-summit")


def test_a_long_section_shows_its_first_rows_and_says_how_to_get_all(built: object) -> None:
    question = read_question(ROOT / "queries" / "closed-missions.rq")
    whole = "\n".join(section(1, question, built.graph, max_rows=0))  # type: ignore[attr-defined]
    short = "\n".join(section(1, question, built.graph, max_rows=3))  # type: ignore[attr-defined]
    table = [line for line in short.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(table) == 1 + 3  # the header, three rows
    assert "*The first 3 of 16 rows. Every row: `diplokg report --section-rows 0` (the whole report), or " \
           "`diplokg ask closed-missions --format csv` (this answer).*" in short
    assert "The first" not in whole and len([ln for ln in whole.splitlines() if ln.startswith("| ")]) == 1 + 1 + 16
    # The evidence listed is what the shown rows cite, numbered from 1.
    cited = {int(n) for row in table[1:] for n in re.findall(r"\\?\[(\d+)\\?\]", row)}
    listed = re.findall(r"^(\d+)\. “", short, re.M)
    assert cited == {int(n) for n in listed} == set(range(1, len(listed) + 1))


def test_first_rows_keeps_the_evidence_of_the_rows_it_keeps() -> None:
    view = evidence_view(("a", "source", "sentence", "modality"),
                         [("x", "S", "one", ""), ("y", "S", "two", ""), ("y", "S", "three", ""), ("z", "S", "one", "")])
    cut = first_rows(view, 2)
    assert cut.rows == [("x",), ("y",)] and cut.refs == [[1], [2, 3]]
    assert [e.sentence for e in cut.evidence] == ["one", "two", "three"]
    assert first_rows(view, 1).evidence == view.evidence[:1]


@pytest.mark.slow
def test_every_section_of_the_world_report_is_under_200_rows(world_built: object) -> None:
    graph = world_built.graph  # type: ignore[attr-defined]
    text = report_text(graph, library(world_built.project.queries))  # type: ignore[attr-defined]
    sections = re.split(r"^## ", text, flags=re.M)[1:]
    for part in sections:
        rows = [line for line in part.splitlines() if line.startswith("| ") and "---" not in line]
        assert len(rows) - 1 <= 200, part.splitlines()[0]
    assert "turning-points" in text and "roll call |" not in text.partition("`turning-points`")[2].partition("## ")[0]
