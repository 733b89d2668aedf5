"""Values written into query text for a remote store: where they go, and that they stay values."""

from __future__ import annotations

import pytest
from rdflib import XSD, BNode, Literal, URIRef

from kg.errors import QueryError
from kg.query.gate import vet
from kg.query.sparqltext import term_text, where_start, with_values

CASES = [
    # (query, the text just before the WHERE group's brace)
    ("SELECT ?x WHERE { ?x ?p ?o }", "SELECT ?x WHERE {"),
    ("SELECT ?x { ?x ?p ?o }", "SELECT ?x {"),
    ('SELECT ?x WHERE { ?x ?p "}{" }', "SELECT ?x WHERE {"),
    ("# a comment { with a brace\nSELECT ?x WHERE { ?x ?p ?o }", "# a comment { with a brace\nSELECT ?x WHERE {"),
    ("CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }", "CONSTRUCT { ?x ?p ?o } WHERE {"),
    ("CONSTRUCT WHERE { ?x ?p ?o }", "CONSTRUCT WHERE {"),
    ("ASK { ?x ?p ?o }", "ASK {"),
    ("PREFIX a: <http://x/a#> SELECT * WHERE { ?x a:p ?o }", "PREFIX a: <http://x/a#> SELECT * WHERE {"),
    ('SELECT * WHERE { ?x ?p """a\n}""" }', "SELECT * WHERE {"),
]


@pytest.mark.parametrize(("query", "before"), CASES)
def test_where_start_finds_the_where_group(query: str, before: str) -> None:
    assert query[: where_start(query)] == before


@pytest.mark.parametrize(
    ("term", "text"),
    [
        (URIRef("https://w3id.org/diplokg/id/iso3166/PRK"), "<https://w3id.org/diplokg/id/iso3166/PRK>"),
        (Literal("2024-01-01", datatype=XSD.date), '"2024-01-01"^^<http://www.w3.org/2001/XMLSchema#date>'),
        (Literal('a "quoted" } value'), '"a \\"quoted\\" } value"'),
        (Literal("Korea", lang="en"), '"Korea"@en'),
    ],
)
def test_terms_are_written_as_sparql_terms(term: object, text: str) -> None:
    assert term_text(term) == text  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [URIRef("http://x/a> } ; DROP ALL ; <x"), BNode("b1")])
def test_terms_that_would_break_out_are_refused(bad: object) -> None:
    with pytest.raises(QueryError):
        term_text(bad)  # type: ignore[arg-type]


def test_with_values_binds_at_the_top_of_the_where_group_and_still_parses() -> None:
    query = "SELECT ?asOf ?x WHERE { ?x ?p ?o FILTER(?o <= ?asOf) }"
    text = with_values(query, {"asOf": Literal('x" } SERVICE <http://evil/> { "', datatype=XSD.date)})
    assert text.startswith("SELECT ?asOf ?x WHERE { VALUES (?asOf) {")
    vetted = vet(text)  # a value cannot open a SERVICE: it stays one literal
    assert vetted.kind == "SELECT"
