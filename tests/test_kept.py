"""Verdicts and answers kept beside a build (issue 26): the same verdicts and answers as computed, a
tampered or foreign entry never used, a refusal never kept, a rebuild never answered from the old build."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kg.errors import QueryError, QueryRefused
from kg.query import verdicts as verdicts_module
from kg.query.answers import AnswerStore, keeping_answers
from kg.query.engine import BuiltGraph
from kg.query.gate import vet
from kg.query.library import library
from kg.query.sparqltext import bind
from kg.query.verdicts import FILE_NAME, Recalled, Verdicts

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = {q.name: q for q in library(ROOT / "queries")}
GRAPHS = [URIRef("https://w3id.org/diplokg/graph/inferred")]


@pytest.mark.parametrize(("name", "bindings"), [
    pytest.param("closed-missions", {}, id="closed-missions"),
    pytest.param("network-as-of", {"asOf": Literal("2023-01-01", datatype=XSD.date)}, id="network-as-of-bound"),
    pytest.param("evidence-for", {"entity": URIRef("https://w3id.org/diplokg/id/iso3166/UGA")}, id="evidence-for"),
])
def test_a_recalled_verdict_is_the_gates(tmp_path: Path, name: str, bindings: dict) -> None:
    text = QUESTIONS[name].text
    fresh = vet(text, GRAPHS, origin=name)
    if bindings:
        fresh = bind(fresh, bindings)
    Verdicts(tmp_path / FILE_NAME).vet(text, GRAPHS, name, bindings)
    recalled = Verdicts(tmp_path / FILE_NAME).vet(text, GRAPHS, name, bindings)  # another process's view
    assert isinstance(recalled, Recalled)
    assert (recalled.text, recalled.kind, recalled.variables, recalled.default_graphs, recalled.named_graphs,
            recalled.origin) == (fresh.text, fresh.kind, fresh.variables, fresh.default_graphs,
                                 fresh.named_graphs, fresh.origin)
    assert recalled.algebra.algebra.name == fresh.algebra.algebra.name  # read from the text when asked for
    assert [str(v) for v in recalled.algebra.algebra["PV"]] == [str(v) for v in fresh.algebra.algebra["PV"]]


def test_a_tampered_entry_is_not_used(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    text = QUESTIONS["wave-size"].text
    Verdicts(path).vet(text, GRAPHS, "q")
    data = json.loads(path.read_text())
    for entry in data["verdicts"].values():
        entry["text"] = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    path.write_text(json.dumps(data))
    found = Verdicts(path).vet(text, GRAPHS, "q")
    assert not isinstance(found, Recalled)
    assert found.text == vet(text, GRAPHS).text


def test_another_gate_reads_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / FILE_NAME
    Verdicts(path).vet(QUESTIONS["wave-size"].text, GRAPHS, "q")
    monkeypatch.setattr(verdicts_module, "FINGERPRINT", "another gate")
    assert not isinstance(Verdicts(path).vet(QUESTIONS["wave-size"].text, GRAPHS, "q"), Recalled)


def test_a_refusal_is_never_kept(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    text = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    for _ in range(2):
        with pytest.raises(QueryRefused):
            Verdicts(path).vet(text, GRAPHS, "q")
    assert not path.exists()


def test_the_report_asks_a_build_once(built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kg.cli.report import report_text

    folder = tmp_path / "build"
    shutil.copytree(built.graph.path.parent, folder, ignore=shutil.ignore_patterns("answers", FILE_NAME))
    questions = library(built.project.queries)
    first = report_text(keeping_answers(BuiltGraph(folder / "diplokg.nq")), questions)
    assert first == report_text(built.graph, questions)  # what the report says without kept answers
    assert (folder / FILE_NAME).is_file() and any((folder / "answers").rglob("*"))

    def no_query(*_args: object) -> bytes:
        raise AssertionError("a kept answer was asked again")

    monkeypatch.setattr(BuiltGraph, "_compute", no_query)
    again = report_text(keeping_answers(BuiltGraph(folder / "diplokg.nq")), questions)
    assert again == first
    # Queries not asked before are computed; a graph that keeps no answers asks every time.
    with pytest.raises(AssertionError, match="asked again"):
        report_text(BuiltGraph(folder / "diplokg.nq"), questions)


def test_a_rebuild_is_not_answered_from_the_old_build(tmp_path: Path) -> None:
    built = tmp_path / "diplokg.nq"
    built.write_text("old\n")
    old = AnswerStore(built)
    old.put("k", b"old answer")
    assert AnswerStore(built).get("k") == b"old answer"
    replacement = tmp_path / "new.nq"
    replacement.write_text("new build\n")
    os.replace(replacement, built)  # as a build publishes its file
    new = AnswerStore(built)
    assert new.get("k") is None
    new.put("k2", b"new answer")
    assert not old.folder.exists()  # the old build's answers are gone


def _forged(path: Path, text: str, **entry: object) -> None:
    """A verdicts file holding, under ``text``'s very key, the entry given (as an attacker would write it)."""
    key = verdicts_module._key(text)
    executed = verdicts_module._executed_text(text)
    verdict = {"text": executed, "kind": "SELECT", "variables": ["s"], "default": [], "named": [], **entry}
    path.write_text(json.dumps({"fingerprint": verdicts_module.FINGERPRINT, "verdicts": {key: verdict}}))


@pytest.mark.parametrize(("text", "entry"), [
    pytest.param("SELECT ?s WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", {}, id="service"),
    pytest.param("SELECT ?s WHERE { ?s ?p ?o }", {"default": ["http://127.0.0.1:9/x"]}, id="foreign-from"),
    pytest.param("SELECT ?s WHERE { ?s ?p ?o }", {"kind": "UPDATE"}, id="not-a-query-kind"),
])
def test_a_forged_verdict_is_read_again_by_the_gate(tmp_path: Path, text: str, entry: dict) -> None:
    path = tmp_path / FILE_NAME
    _forged(path, text, **entry)
    if "SERVICE" in text:
        with pytest.raises(QueryRefused):
            Verdicts(path).vet(text, GRAPHS, "q")
    else:
        found = Verdicts(path).vet(text, GRAPHS, "q")
        assert not isinstance(found, Recalled) and found.default_graphs == ()


def test_a_linked_or_huge_file_beside_the_build_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = QUESTIONS["wave-size"].text
    path = tmp_path / FILE_NAME
    os.symlink("/etc/passwd", path)
    assert not isinstance(Verdicts(path).vet(text, GRAPHS, "q"), Recalled)
    built = tmp_path / "diplokg.nq"
    built.write_text("a build\n")
    store = AnswerStore(built)
    store.put("k", b"an answer")
    assert store.get("k") == b"an answer"
    (store.folder / "k").unlink()
    os.symlink("/etc/passwd", store.folder / "k")
    assert store.get("k") is None
    monkeypatch.setattr("kg.query.answers.MAX_ANSWER_BYTES", 4)
    store.put("big", b"tiny")
    (store.folder / "big").write_bytes(b"grown past the cap")
    assert store.get("big") is None


def test_a_verdict_outlives_a_change_of_the_builds_graphs(tmp_path: Path) -> None:
    """The graphs FROM may name are not in a verdict's key: a rebuild that adds a source keeps its
    verdicts; one whose FROM graph is no longer the build's is read again, and refused."""
    path = tmp_path / FILE_NAME
    text = QUESTIONS["wave-size"].text
    Verdicts(path).vet(text, GRAPHS, "q")
    more = [*GRAPHS, URIRef("https://w3id.org/diplokg/graph/source/another")]
    assert isinstance(Verdicts(path).vet(text, more, "q"), Recalled)
    named = "SELECT ?s FROM <https://w3id.org/diplokg/graph/source/another> WHERE { ?s ?p ?o }"
    Verdicts(path).vet(named, more, "q")
    assert isinstance(Verdicts(path).vet(named, more, "q"), Recalled)
    with pytest.raises(QueryRefused, match="is not allowed"):
        Verdicts(path).vet(named, GRAPHS, "q")


def test_the_build_keeps_its_checks_verdicts(built) -> None:
    """The build vets its checks through the build folder's verdicts: the next build reads none again."""
    from kg.validate.checks import check_files

    path = built.graph.path.parent / FILE_NAME
    graphs = built.graph.graph_names()
    for check in check_files(built.project.checks):
        found = Verdicts(path).vet(check.read_text(encoding="utf-8"), graphs, str(check))
        assert isinstance(found, Recalled), check.name
        assert found.kind == "SELECT"


BOUND = [
    pytest.param("network-as-of", "asOf", Literal("2023-01-01", datatype=XSD.date),
                 Literal("2024-02-01", datatype=XSD.date), id="network-as-of"),
    pytest.param("evidence-for", "entity", URIRef("https://w3id.org/diplokg/id/iso3166/UGA"),
                 URIRef("https://w3id.org/diplokg/id/iso3166/LBY"), id="evidence-for"),
    pytest.param("alignment-ranking", "year", Literal(2019), Literal(2022), id="alignment-ranking"),
]


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the gate reads with rdflib's parser from now on, as in a new process (nothing kept in
    this one)."""
    from collections import OrderedDict

    from kg.query import gate, sparqltext

    read: list[str] = []
    real = gate._vet

    def counted(text: str, allowed: object, origin: str) -> object:
        read.append(text)
        return real(text, allowed, origin)  # type: ignore[arg-type]

    monkeypatch.setattr(gate, "_vet", counted)
    monkeypatch.setattr(sparqltext, "_TEMPLATES", OrderedDict())
    gate._vet_kept.cache_clear()
    return read


@pytest.mark.parametrize(("name", "variable", "asked", "new"), BOUND)
def test_a_value_never_asked_is_bound_without_reading_the_question_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, variable: str, asked: Node, new: Node) -> None:
    """The question and its reading with placeholder values are kept beside the build: another process
    binding a value never asked before reads only the values' block with rdflib's parser (network-as-of,
    20 kB, took seconds at every start of the command line), and gets the gate's verdict on the whole."""
    text = QUESTIONS[name].text
    _counting(monkeypatch)
    Verdicts(tmp_path / FILE_NAME).vet(text, GRAPHS, name, {variable: asked})
    read = _counting(monkeypatch)
    found = Verdicts(tmp_path / FILE_NAME).vet(text, GRAPHS, name, {variable: new})
    assert read and all(len(t) < 300 and t.startswith("SELECT * WHERE {") for t in read), [t[:80] for t in read]
    whole = vet(found.text, GRAPHS, origin=name)  # the gate's reading of the whole bound text
    assert (found.text, found.kind, found.variables) == (whole.text, whole.kind, whole.variables)
    assert found.text == bind(vet(text, GRAPHS, origin=name), {variable: new}).text
    assert [str(v) for v in found.algebra.algebra["PV"]] == [str(v) for v in whole.algebra.algebra["PV"]]


def test_a_kept_template_with_altered_rows_is_read_again_or_refused(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows kept with a template are data: rows that are not rows are read again by the gate; rows
    that lack the placeholders' (a forgery) refuse the values, and nothing is run."""
    path = tmp_path / FILE_NAME
    text = QUESTIONS["network-as-of"].text
    asked = {"asOf": Literal("2023-01-01", datatype=XSD.date)}
    _counting(monkeypatch)
    Verdicts(path).vet(text, GRAPHS, "q", asked)
    data = json.loads(path.read_text())
    templates = [entry for entry in data["verdicts"].values() if "rows" in entry]
    assert len(templates) == 1
    assert [["asOf", '"placeholder"^^<http://www.w3.org/2001/XMLSchema#date>']] in templates[0]["rows"]
    templates[0]["rows"] = "every row"
    path.write_text(json.dumps(data))
    read = _counting(monkeypatch)
    new = {"asOf": Literal("2024-02-01", datatype=XSD.date)}
    assert Verdicts(path).vet(text, GRAPHS, "q", new).text == bind(vet(text, GRAPHS), new).text
    assert any(len(t) > 10_000 for t in read)  # the template was read again
    data = json.loads(path.read_text())
    for entry in data["verdicts"].values():
        if "rows" in entry:
            entry["rows"] = []
    path.write_text(json.dumps(data))
    _counting(monkeypatch)
    with pytest.raises(QueryError, match="did not read back as values"):
        Verdicts(path).vet(text, GRAPHS, "q", {"asOf": Literal("2025-01-01", datatype=XSD.date)})
