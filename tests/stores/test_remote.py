"""The library on real stores: ``push`` loads the build, and every question gives the local answer.

The stores are the ``oxigraph`` server with an empty default graph and with the union default graph,
and Virtuoso (whose default graph is every graph it holds, its own system graphs too): the same
answers on each prove the questions do not depend on the store's default graph.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import pytest
from rdflib import XSD, Literal, URIRef
from rdflib.term import Node

from kg.http import RemoteError, request
from kg.query.engine import Answer
from kg.query.gate import vet
from kg.query.library import library
from kg.query.remote import RemoteGraph
from kg.store.push import MANIFEST, graph_url, push, read_manifest

from .conftest import ROOT

QUESTIONS = [q.name for q in library(ROOT / "queries")]

#: Values given to questions that take them (each question also runs without its optional ones).
ASKED = {"asOf": Literal("2023-06-01", datatype=XSD.date), "entity": URIRef("https://w3id.org/diplokg/id/iso3166/UGA"),
         "year": Literal("2019", datatype=XSD.gYear)}

#: Where Virtuoso 7.2 (Debian 12) answers a library question differently from the SPARQL 1.1 spec,
#: and how; the test of that question expects the difference (strict xfail) until the question is
#: written around it. None is left: seven were, and each question now says where it is written
#: around one (the last, dprk-missions-by-source: a GRAPH <IRI> outside the request's dataset).
VIRTUOSO_DEVIATIONS: dict[str, str] = {}

#: Where Virtuoso 7.2 gives the local answer only sometimes: the test expects the local answer and
#: records a difference as an expected failure (not strict) until the question is written around it.
#: None is left: russia-pivot's UN veto row came back several times (2 of 4 CI runs, 2026-12-01; 8 of 8
#: answers at world scale after a long session, 2026-12-08, with one client or two, ThreadsPerQuery 1
#: or 2). The cause: its SELECT DISTINCT kept copies of a row whose empty cells (?start, ?end, ?place,
#: ?claimedBy) were the only columns left out of its comparison (the copies come from a triple stated
#: in two of the graphs the dataset reads); the question now makes each part DISTINCT on its own
#: (0 of 28 alike on the same store, same rows locally) (2026-12-08).
VIRTUOSO_INTERMITTENT: dict[str, str] = {}

#: The dates the report asks network-as-of at (kg/cli/report.py), asked of every store; and where
#: Virtuoso 7.2 answers one of them differently (strict: the test fails once it no longer does).
#: None is left: on 2023-01-01 it left out the DPRK's embassy in Nicaragua until the question
#: compared the date as text made by CONCAT (2026-12-08).
REPORT_DATES = ("2023-01-01", "2024-02-01")
VIRTUOSO_DATE_DEVIATIONS: dict[str, str] = {}


def rows(answer: Answer) -> list[tuple[str, ...]]:
    """The rows as sorted N-Triples text, for comparing answers of different engines."""
    return sorted(tuple("" if t is None else t.n3() for t in row) for row in answer.rows)


@pytest.fixture(scope="session")
def pushed(store: Any, built: Any) -> Any:
    """The store with the real build pushed into it."""
    push(built.graph.path, store.gsp(), force=True)
    return store


def test_push_loads_one_graph_per_build_graph(pushed: Any, built: Any) -> None:
    graphs, ident = read_manifest(pushed.gsp())
    assert graphs == [str(g) for g in built.graph.graph_names()]
    assert ident and ident.startswith("sha256:")
    remote = RemoteGraph(pushed.query())
    assert remote.graph_names() == built.graph.graph_names()
    count = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
             'FILTER(STRSTARTS(STR(?g), "https://w3id.org/diplokg/graph/")) } GROUP BY ?g')
    here = {str(r[0]): int(r[1]) for r in built.graph.run(vet(count)).rows}
    there = {str(r[0]): int(r[1]) for r in remote.run(vet(count)).rows}
    assert there == here


def test_push_uses_the_bulk_loader_on_the_oxigraph_server_alone(pushed: Any, built: Any) -> None:
    """``no_transaction`` (the oxigraph server's bulk loader) on oxigraph only, with the same graphs as
    the protocol alone (``bulk=False``); Virtuoso gets the protocol's requests."""
    count = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
             'FILTER(STRSTARTS(STR(?g), "https://w3id.org/diplokg/graph/")) } GROUP BY ?g')
    here = {str(r[0]): int(str(r[1])) for r in built.graph.run(vet(count)).rows}
    for bulk in (False, True):
        report = push(built.graph.path, pushed.gsp(), force=True, bulk=bulk)
        assert report.bulk is (bulk and pushed.name.startswith("oxigraph"))
        there = {str(r[0]): int(str(r[1])) for r in RemoteGraph(pushed.query()).run(vet(count)).rows}
        assert there == here


def test_push_again_is_skipped_unless_forced(pushed: Any, built: Any) -> None:
    again = push(built.graph.path, pushed.gsp())
    assert again.skipped and again.requests == 1


def test_push_deletes_graphs_it_pushed_before_and_the_build_no_longer_has(pushed: Any, built: Any) -> None:
    gone = "https://w3id.org/diplokg/graph/source/removed-since"
    headers = {"Content-Type": "application/n-triples"}
    request(pushed.gsp(), "PUT", graph_url(pushed.gsp_url, gone), b"<urn:a> <urn:b> <urn:c> .\n", headers)
    names = [str(g) for g in built.graph.graph_names()] + [gone]
    manifest = "".join(f"<{MANIFEST}> <http://purl.org/dc/terms/hasPart> <{g}> .\n" for g in names)
    request(pushed.gsp(), "PUT", graph_url(pushed.gsp_url, str(MANIFEST)), manifest.encode(), headers)
    report = push(built.graph.path, pushed.gsp())
    assert report.removed == [gone] and not report.skipped
    assert read_manifest(pushed.gsp())[0] == [str(g) for g in built.graph.graph_names()]
    ask = f"ASK {{ GRAPH <{gone}> {{ ?s ?p ?o }} }}"
    assert RemoteGraph(pushed.query(), graphs=[URIRef(gone)]).run(vet(ask, [URIRef(gone)])).boolean is False


def test_the_store_default_graph_mode_is_what_the_test_says(pushed: Any) -> None:
    """Without our dataset parameters the stores differ (so the same answers below mean something)."""
    body = urllib.parse.urlencode({"query": "ASK { ?s a <http://www.w3.org/2002/07/owl#Ontology> }"}).encode()
    answer = request(pushed.query(), "POST", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"})
    assert json.loads(answer.body)["boolean"] is pushed.union_default


@pytest.mark.parametrize("name", QUESTIONS)
def test_every_question_gives_the_local_answer(pushed: Any, built: Any, name: str) -> None:
    deviation = VIRTUOSO_DEVIATIONS.get(name) if pushed.name == "virtuoso" else None
    question = next(q for q in library(ROOT / "queries") if q.name == name)
    remote = RemoteGraph(pushed.query())
    vetted = vet(question.text, built.graph.graph_names(), origin=name)
    required = {p.name: ASKED[p.name] for p in question.parameters if p.required}
    every = {p.name: ASKED[p.name] for p in question.parameters}
    for bindings in ([required, every] if every != required else [required]):
        here = built.graph.run(vetted, bindings=bindings)
        there = remote.run(vetted, bindings=bindings)
        assert there.variables == here.variables
        if deviation is not None and rows(there) != rows(here):
            pytest.xfail(f"Virtuoso: {deviation}")
        if pushed.name == "virtuoso" and name in VIRTUOSO_INTERMITTENT and rows(there) != rows(here):
            pytest.xfail(f"Virtuoso, at times: {VIRTUOSO_INTERMITTENT[name]}")
        assert rows(there) == rows(here), bindings
    assert deviation is None, f"Virtuoso now gives the local answer to {name}: take it off VIRTUOSO_DEVIATIONS"


def test_asserted_only_leaves_the_inferred_graph_out(pushed: Any, built: Any) -> None:
    # (Not the push manifest's triples: with --dataset store the store's union default graph has them.)
    query = vet("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(?s != <https://w3id.org/diplokg/push>) }")
    remote = RemoteGraph(pushed.query())
    for asserted in (False, True):
        here = built.graph.run(query, asserted_only=asserted).rows
        assert remote.run(query, asserted_only=asserted).rows == here


def test_construct_comes_back_as_rdf(pushed: Any, built: Any) -> None:
    query = vet("PREFIX diplo: <https://w3id.org/diplokg/ontology#>\n"
                "CONSTRUCT { ?m diplo:host ?h } WHERE { ?m diplo:host ?h }")
    here = built.graph.run(query).graph
    there = RemoteGraph(pushed.query()).run(query).graph
    assert here is not None and there is not None and len(here) > 0
    assert set(there) == set(here)


def test_a_store_without_our_graphs_is_one_line(store: Any) -> None:
    remote = RemoteGraph(store.query())
    remote._graphs = None
    empty = RemoteGraph(store.query().at(store.query_url))
    try:
        empty.graph_names()
    except RemoteError as exc:  # only when the store is empty, e.g. before the push fixture ran
        assert "push" in str(exc)


def test_push_in_small_chunks_keeps_every_triple_and_blank_node(built: Any) -> None:
    from .conftest import find_store

    store = find_store("oxigraph")
    report = push(built.graph.path, store.gsp(), force=True, chunk=500)
    assert report.requests > len(report.graphs) + 2  # some graphs went in several requests
    remote = RemoteGraph(store.query())
    count = ("SELECT ?g (COUNT(*) AS ?n) (COUNT(DISTINCT ?b) AS ?blanks) WHERE { GRAPH ?g { ?s ?p ?o } "
             "OPTIONAL { GRAPH ?g { ?s ?p ?o } FILTER(isBlank(?s) || isBlank(?o)) "
             "BIND(IF(isBlank(?s), ?s, ?o) AS ?b) } "
             'FILTER(STRSTARTS(STR(?g), "https://w3id.org/diplokg/graph/")) } GROUP BY ?g')
    here = {str(r[0]): (int(r[1]), int(r[2])) for r in built.graph.run(vet(count)).rows}
    there = {str(r[0]): (int(r[1]), int(r[2])) for r in remote.run(vet(count)).rows}
    assert there == here


@pytest.mark.parametrize("as_of", REPORT_DATES)
def test_network_as_of_on_the_report_dates(pushed: Any, built: Any, as_of: str) -> None:
    """network-as-of at the dates the report asks (the question's own test asks 2023-06-01 only)."""
    question = next(q for q in library(ROOT / "queries") if q.name == "network-as-of")
    vetted = vet(question.text, built.graph.graph_names(), origin=question.name)
    bindings: dict[str, Node] = {"asOf": Literal(as_of, datatype=XSD.date)}
    here = built.graph.run(vetted, bindings=bindings)
    there = RemoteGraph(pushed.query()).run(vetted, bindings=bindings)
    deviation = VIRTUOSO_DATE_DEVIATIONS.get(as_of) if pushed.name == "virtuoso" else None
    if deviation is not None and rows(there) != rows(here):
        pytest.xfail(f"Virtuoso: {deviation}")
    assert rows(there) == rows(here)
    assert deviation is None, f"Virtuoso now answers network-as-of on {as_of}: take it off VIRTUOSO_DATE_DEVIATIONS"
