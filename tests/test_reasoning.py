"""The fast OWL 2 RL closure equals owlrl's (the reference), and the inferences we rely on are there.

What owlrl adds that both reasoners leave out (``kg.reason.closure.keep_inferred``, documented in
``kg/reason.py``): triples with a literal or blank node as subject, blank-node objects (restriction
and list bookkeeping), ``x owl:sameAs x``, ``x a owl:Thing`` / ``rdfs:Resource``, triples about the
ontology's own terms, and triples about the W3C vocabularies' terms (``owl:Nothing rdfs:subClassOf C``,
``xsd:decimal a rdfs:Datatype`` ...). The equality below is on what is kept.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL, RDF, Graph, Namespace, URIRef

from kg.namespaces import INFERRED_GRAPH
from kg.paths import Project
from kg.reference.load import load_project
from kg.reference.reason import closure, fast_closure, owlrl_closure

ROOT = Path(__file__).resolve().parent.parent
D = Namespace("https://w3id.org/diplokg/ontology#")
ISO = Namespace("https://w3id.org/diplokg/id/iso3166/")
SRC = Namespace("https://w3id.org/diplokg/id/source/dprk-embassy-closures-2023/")
EX = Namespace("https://example.org/")



def _diff(ontology: Graph, data: Graph) -> tuple[set, set, int]:  # type: ignore[type-arg]
    fast, reference = set(fast_closure(ontology, data)), set(owlrl_closure(ontology, data))
    return fast - reference, reference - fast, len(reference)


def test_fast_closure_equals_owlrl_on_the_real_graph(dossier: Project) -> None:
    asserted = load_project(dossier)
    only_fast, only_owlrl, size = _diff(asserted.ontology, asserted.data())
    assert size > 1000
    assert not only_fast, sorted(only_fast)[:10]
    assert not only_owlrl, sorted(only_owlrl)[:10]


@pytest.fixture(scope="module")
def world(world_10k: Project) -> Project:
    """The 10k-triple synthetic world of bench/world.py (seeded)."""
    return world_10k


def test_fast_closure_equals_owlrl_on_the_10k_synthetic_world(world: Project) -> None:
    asserted = load_project(world)
    data = asserted.data()
    assert len(data) > 8000
    only_fast, only_owlrl, size = _diff(asserted.ontology, data)
    assert size > 5000
    assert not only_fast, sorted(only_fast)[:10]
    assert not only_owlrl, sorted(only_owlrl)[:10]


def test_symmetric_inference_in_the_synthetic_world(world: Project) -> None:
    asserted = load_project(world)
    data = asserted.data()
    inferred = closure(asserted.ontology, data)
    pairs = list(data.subject_objects(D.hasDiplomaticRelationsWith))
    assert pairs
    for a, b in pairs:
        assert (b, D.hasDiplomaticRelationsWith, a) in data or (b, D.hasDiplomaticRelationsWith, a) in inferred


def test_chain_and_inverse_inferences_in_the_real_build(built: object) -> None:
    inferred = built.graph.dataset().graph(INFERRED_GRAPH)  # type: ignore[attr-defined]
    source = URIRef(str(SRC))
    assert (SRC["closure-UGA"], D.evidenceSource, source) in inferred, "chain evidence/isPartOf"
    assert (ISO.PRK, D.actorIn, SRC["closure-wave"]) in inferred, "inverse of actor"
    assert (URIRef("https://w3id.org/diplokg/id/mission/PRK-UGA-embassy"), D.hostRegion, None) in inferred


def _toy_ontology() -> Graph:
    return Graph().parse(
        data="""
        @prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix ex: <https://example.org/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        ex:near a owl:ObjectProperty , owl:SymmetricProperty .
        ex:within a owl:ObjectProperty , owl:TransitiveProperty .
        ex:code a owl:ObjectProperty , owl:FunctionalProperty .
        ex:around owl:propertyChainAxiom ( ex:near ex:within ex:within ) .
        ex:Port rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:kind ; owl:hasValue ex:Harbour ] .
        """,
        format="turtle",
    )


def test_rules_are_compiled_from_the_ontology_at_run_time() -> None:
    data = Graph().parse(
        data="""
        @prefix ex: <https://example.org/> .
        ex:a ex:near ex:b . ex:b ex:within ex:c . ex:c ex:within ex:d . ex:p a ex:Port .
        """,
        format="turtle",
    )
    inferred = closure(_toy_ontology(), data)
    assert (EX.b, EX.near, EX.a) in inferred, "symmetric"
    assert (EX.b, EX.within, EX.d) in inferred, "transitive"
    assert (EX.a, EX.around, EX.d) in inferred, "three-step chain"
    assert (EX.p, EX.kind, EX.Harbour) in inferred, "hasValue (cls-hv1)"
    assert set(inferred) == set(owlrl_closure(_toy_ontology(), data))


def test_functional_property_equality_matches_owlrl() -> None:
    data = Graph().parse(
        data="""
        @prefix ex: <https://example.org/> .
        ex:x ex:code ex:c1 , ex:c2 . ex:c1 ex:near ex:y . ex:c2 ex:within ex:z .
        """,
        format="turtle",
    )
    inferred = closure(_toy_ontology(), data)
    assert (EX.c1, OWL.sameAs, EX.c2) in inferred
    assert (EX.c2, EX.near, EX.y) in inferred, "eq-rep-s"
    assert set(inferred) == set(owlrl_closure(_toy_ontology(), data))
    assert (EX.x, RDF.type, OWL.Thing) not in inferred


def test_the_store_closure_equals_the_rdflib_closure_on_the_10k_world(world: Project) -> None:
    import pyoxigraph as ox

    from kg.reason.closure import store_closure
    from kg.terms import to_oxigraph

    asserted = load_project(world)
    store = ox.Store()
    store.bulk_load(path=str(world.root / "world.nq"), format=ox.RdfFormat.N_QUADS)
    on_store = {str(t) for t in store_closure(asserted.ontology, store)}
    on_rdflib = {
        str(ox.Triple(*(to_oxigraph(x) for x in t)))  # type: ignore[misc]
        for t in closure(asserted.ontology, asserted.data())
    }
    assert on_store == on_rdflib


def _chain(links: int, extra: str = "") -> Graph:
    """A chain of ``links`` owl:sameAs links ex:n0 ... ex:nLINKS, with ``extra`` Turtle."""
    chain = "".join(f"ex:n{i} owl:sameAs ex:n{i + 1} .\n" for i in range(links))
    return Graph().parse(data="@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix ex: <https://example.org/> .\n"
                         + chain + extra, format="turtle")


def test_a_same_as_chain_matches_owlrl() -> None:
    """eq-sym, eq-trans and eq-rep-s/p/o as equivalence classes give owlrl's closure: every pair equal,
    every triple copied to each equal node (subject, predicate and object), and what rules conclude
    from the copies (symmetric, transitive, functional)."""
    data = _chain(4, "ex:n0 ex:near ex:a . ex:b ex:within ex:n2 . ex:n4 ex:within ex:c .\n"
                     "ex:y ex:code ex:d1 , ex:d2 . ex:d2 owl:sameAs ex:n3 .")
    inferred = closure(_toy_ontology(), data)
    assert (EX.n4, OWL.sameAs, EX.n0) in inferred, "eq-sym, eq-trans"
    assert (EX.d1, OWL.sameAs, EX.n0) in inferred, "prp-fp joins two classes"
    assert (EX.a, EX.near, EX.n3) in inferred, "eq-rep-s, then prp-symp"
    assert (EX.b, EX.within, EX.c) in inferred, "eq-rep-o, then prp-trp"
    assert set(inferred) == set(owlrl_closure(_toy_ontology(), data))
    # eq-rep-p (owlrl also reasons about a property made equal in the data as about the ontology's: not compared)
    inferred = closure(_toy_ontology(), _chain(1, "ex:p owl:sameAs ex:near . ex:x ex:p ex:n1 ."))
    assert (EX.x, EX.near, EX.n0) in inferred and (EX.n0, EX.near, EX.x) in inferred, "eq-rep-p, then prp-symp"


def test_a_same_as_class_over_the_cap_stops_with_the_rule_and_its_nodes() -> None:
    from kg.reason.rules import compile_rules, saturate
    from kg.reason.sameas import ReasoningStopped, ReasonLimits

    data = _chain(10)
    with pytest.raises(ReasoningStopped) as stopped:
        saturate(compile_rules(_toy_ontology()), set(data), lambda t: False, OWL.sameAs,
                 ReasonLimits(seconds=None, same_as_class=10))
    assert stopped.value.rule == "eq-trans" and len(stopped.value.nodes) == 11
    assert "more than 10 equal nodes" in stopped.value.message
    new = saturate(compile_rules(_toy_ontology()), set(_chain(9)), lambda t: False, OWL.sameAs,
                   ReasonLimits(seconds=None, same_as_class=10))
    assert len([t for t in new if t[1] == OWL.sameAs and t[0] != t[2]]) == 10 * 9 - 9  # at the cap: all pairs


def test_a_saturation_past_its_time_limit_stops_naming_where_it_was() -> None:
    from kg.reason.rules import compile_rules, saturate
    from kg.reason.sameas import ReasoningStopped, ReasonLimits

    data = Graph().parse(data="@prefix ex: <https://example.org/> . ex:a ex:within ex:b . ex:b ex:within ex:c .",
                         format="turtle")
    with pytest.raises(ReasoningStopped) as stopped:
        saturate(compile_rules(_toy_ontology()), set(data), lambda t: False, OWL.sameAs,
                 ReasonLimits(seconds=-1.0, same_as_class=10))
    assert "time limit" in stopped.value.message and "prp-trp" in stopped.value.message
