"""The ontology: strict parsing, documentation of every term, the Python mirror, the header."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import OWL, RDF, Graph, URIRef
from rdflib.namespace import DCTERMS

from kg.namespaces import DIPLO, ONTOLOGY_IRI
from kg.paths import Project
from kg.query.engine import BuiltGraph
from kg.query.gate import vet

DIPLO_NS = str(DIPLO._NS)


@pytest.fixture(scope="module")
def ontology(project: Project) -> Graph:
    return Graph().parse(project.ontology, format="turtle")


@pytest.mark.parametrize("path", ["ontology/diplo.ttl", "ontology/shapes.ttl"], ids=["ontology", "shapes"])
def test_parses_with_a_strict_second_parser(project: Project, path: str) -> None:
    rdflib_count = len(Graph().parse(project.root / path, format="turtle"))
    oxigraph_count = len(list(ox.parse(path=str(project.root / path), format=ox.RdfFormat.TURTLE)))
    assert oxigraph_count == rdflib_count > 100


def test_python_mirror_matches_the_ontology_both_ways(ontology: Graph) -> None:
    defined = {
        str(s)[len(DIPLO_NS):]
        for s in ontology.subjects()
        if isinstance(s, URIRef) and str(s).startswith(DIPLO_NS)
    }
    mirrored = set(DIPLO.__annotations__)
    assert defined - mirrored == set(), "terms in the ontology missing from kg.namespaces.DIPLO"
    assert mirrored - defined == set(), "terms in kg.namespaces.DIPLO missing from the ontology"


def test_closed_namespace_refuses_unknown_terms() -> None:
    with pytest.raises(AttributeError):
        _ = DIPLO.evidnce


def test_header_has_the_release_annotations(ontology: Graph) -> None:
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.license, OWL.versionIRI, OWL.versionInfo):
        assert ontology.value(ONTOLOGY_IRI, prop) is not None, prop
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology


def test_no_dc_elements_and_no_imports(ontology: Graph) -> None:
    legacy = "http://purl.org/dc/elements/1.1/"
    assert not any(str(p).startswith(legacy) for p in ontology.predicates())
    assert not list(ontology.objects(None, OWL.imports))


def test_every_term_is_labelled_and_defined(built: object) -> None:
    graph: BuiltGraph = built.graph  # type: ignore[attr-defined]
    text = (built.project.checks / "undocumented-term-violation.rq").read_text()  # type: ignore[attr-defined]
    answer = graph.run(vet(text, graph.graph_names()))
    assert answer.rows == []
    # ...and the check does look at the terms: there are well over a hundred.
    count = graph.run(vet(
        "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { GRAPH <https://w3id.org/diplokg/graph/ontology> { ?t ?p ?o } "
        f"FILTER(STRSTARTS(STR(?t), '{DIPLO_NS}')) }}"
    ))
    assert int(count.rows[0][0]) > 100  # type: ignore[arg-type]
