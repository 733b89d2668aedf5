"""The reference reasoners on rdflib graphs: owlrl's OWL 2 RL semantics, and the fast rules run on
rdflib terms (for the reference build, :mod:`kg.reference.build`).

``tests/test_reasoning.py`` proves that both give the inferred graph the build computes in the store
(:mod:`kg.reason.closure`); both filter owlrl's output the same way (:func:`kg.reason.closure.keep_inferred`).
"""

from __future__ import annotations

from typing import cast

from rdflib import OWL, Graph, Literal
from rdflib.term import Node

from kg.nogc import no_gc
from kg.reason.closure import Reasoner, keep_inferred
from kg.reason.rules import compile_rules, saturate

__all__ = ["closure", "fast_closure", "owlrl_closure"]


def owlrl_closure(ontology: Graph, data: Graph) -> Graph:
    """The reference closure: owlrl's OWL 2 RL semantics, filtered by :func:`keep_inferred`."""
    import owlrl  # slow to import; only the reference path needs it

    full = Graph()
    full += ontology
    full += data
    before = set(full)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(full)
    ontology_terms = set(ontology.subjects())
    inferred = Graph()
    for triple in full:
        if triple not in before and keep_inferred(triple, ontology_terms):
            inferred.add(triple)
    return inferred


def fast_closure(ontology: Graph, data: Graph) -> Graph:
    """The fast closure on rdflib graphs, filtered by :func:`keep_inferred`."""
    rules = compile_rules(ontology)
    with no_gc():
        asserted = set(ontology)
        asserted.update(data)
        new = saturate(rules, asserted, is_literal=lambda t: isinstance(t, Literal), same_as=OWL.sameAs)
        ontology_terms = set(ontology.subjects())
        inferred = Graph()
        for triple in new:
            node_triple = cast(tuple[Node, Node, Node], triple)
            if keep_inferred(node_triple, ontology_terms):
                inferred.add(node_triple)
    return inferred


def closure(ontology: Graph, data: Graph, reasoner: Reasoner = "fast") -> Graph:
    """Compute the OWL 2 RL closure of the ontology and data, and return only the new data triples.

    Args:
        ontology: The ontology (TBox).
        data: Every asserted data triple (ABox).
        reasoner: "fast" (rules compiled from the ontology) or "owlrl" (the reference).

    Returns:
        A graph of the inferred triples, filtered as the module describes.
    """
    if reasoner == "owlrl":
        return owlrl_closure(ontology, data)
    return fast_closure(ontology, data)
