"""OWL 2 RL reasoning: the closure of the asserted graph, kept apart as the inferred graph.

owlrl (the reference implementation on rdflib) computes the closure. Of what it adds we keep the
facts about data, and leave out what carries no information or that other stores refuse:

- triples with a literal as subject (owlrl's datatype axioms on every literal),
- ``x owl:sameAs x`` for every node, ``x rdf:type owl:Thing``, ``x rdf:type rdfs:Resource``,
- triples about the ontology's own terms (subclass and subproperty closure, ``owl:equivalentClass``
  of a class with itself, datatype declarations): the ontology is queried as asserted,
- triples with a blank node (owlrl's restriction and list bookkeeping).
"""

from __future__ import annotations

import owlrl
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal
from rdflib.term import Node

_NOISE_TYPES = frozenset({OWL.Thing, RDFS.Resource})


def keep_inferred(triple: tuple[Node, Node, Node], ontology_terms: set[Node]) -> bool:
    """Whether an inferred triple belongs in the inferred graph (see the module's list)."""
    s, p, o = triple
    if isinstance(s, (Literal, BNode)) or isinstance(o, BNode):
        return False
    if p == OWL.sameAs and s == o:
        return False
    if p == RDF.type and o in _NOISE_TYPES:
        return False
    return s not in ontology_terms


def closure(ontology: Graph, data: Graph) -> Graph:
    """Compute the OWL 2 RL closure of the ontology and data, and return only the new data triples.

    Args:
        ontology: The ontology (TBox).
        data: Every asserted data triple (ABox).

    Returns:
        A graph of the inferred triples, filtered as the module describes.
    """
    full = Graph()
    full += ontology
    full += data
    before = set(full)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(full)
    ontology_terms = set(ontology.subjects())
    inferred = Graph()
    for triple in full:
        if triple not in before and keep_inferred(triple, ontology_terms):
            inferred.add(triple)
    return inferred
