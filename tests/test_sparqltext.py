"""Values as data (issue 23): every value is written by our writer in the gate's canonical form, read
back as the very term by Oxigraph and by rdflib, and bound into a query that passes the gate whole.

The fuzz draws hostile strings (quotes, backslashes, line breaks, braces, SERVICE clauses, escapes,
astral characters) into every kind of value (a string, a language-tagged string, a typed literal, an
IRI) and binds them into queries of every form; each bound query is refused with one line or runs on
Oxigraph with the network lock switched off, and a listener on 127.0.0.1 must hear nothing."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import XSD, BNode, Literal, URIRef, Variable
from rdflib.plugins.sparql.parserutils import CompValue
from tests_support import Listener

from kg.errors import QueryError
from kg.query.canonical import canonical
from kg.query.gate import vet
from kg.query.sparqltext import bind, term_text, value_of, values_block, where_start
from kg.terms import to_rdflib

SEED = 2323
COUNT = 300

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
        # the issue's value: rdflib's n3() wrote """x\n\\"""" (a stray quote that ended the string early)
        (Literal('x\n\\"'), '"x\\n\\\\\\""'),
        (ox.Literal("tab\there"), '"tab\\there"'),
    ],
)
def test_terms_are_written_in_the_canonical_form(term: object, text: str) -> None:
    assert term_text(term) == text  # type: ignore[arg-type]
    assert canonical(f"ASK {{ VALUES ?v {{ {text} }} }}").text == f"ASK {{ VALUES ?v {{ {text} }} }}"


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        (URIRef("http://x/a> } ; DROP ALL ; <x"), "not a valid IRI"),
        (URIRef("http://x/it's"), "holds \"'\""),
        (BNode("b1"), "blank node"),
        (Literal("a\x01b"), "control character U+0001"),
        (Literal("a\x00b"), "control character U+0000"),
        (Literal("bytes \udcff"), "not a character"),
        (Literal("C:\\users\\u0041"), "backslash before 'u'"),
        (Literal("x", lang="abcdefghi"), "language"),
        (Literal("x", datatype=URIRef("not an iri")), "not a valid IRI"),
    ],
)
def test_values_that_cannot_be_written_are_refused_with_one_line(bad: object, words: str) -> None:
    with pytest.raises(QueryError) as caught:
        term_text(bad)  # type: ignore[arg-type]
    assert words in str(caught.value) and "\n" not in str(caught.value)


def test_a_variable_name_must_be_a_name() -> None:
    with pytest.raises(QueryError, match="not a variable name"):
        values_block({"a) } SERVICE <http://x/> { (": Literal("x")})


def test_bind_puts_the_values_first_in_the_where_group_and_vets_the_whole() -> None:
    query = vet("SELECT ?asOf ?x WHERE { ?x ?p ?o FILTER(?o <= ?asOf) }")
    bound = bind(query, {"asOf": Literal('x" } SERVICE <http://evil/> { "', datatype=XSD.date)})
    assert bound.text.startswith("SELECT ?asOf ?x WHERE { VALUES (?asOf) {")
    assert bound.kind == "SELECT" and "SERVICE" in bound.text  # inside the literal, where it is a value


def test_bind_refuses_a_place_where_values_cannot_go() -> None:
    query = vet("SELECT * WHERE { SELECT ?s WHERE { ?s ?p ?o } }")
    with pytest.raises(QueryError):
        bind(query, {"s": URIRef("http://x/a")})


def test_the_issues_attack_is_three_values() -> None:
    """`--bind a=$'x\\n\\\\"' --bind b=$'\\n) } SERVICE <...> ...' --bind c=<http://e/>`: one row of
    three values, and the SERVICE clause is a string."""
    service = "\n) } SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } VALUES (?m ?n ?o2) { ( \" "
    values = {"a": Literal('x\n\\"'), "b": Literal(service), "c": URIRef("http://e/")}
    bound = bind(vet("SELECT * WHERE { }"), values)
    rows = list(ox.Store().query(bound.text))  # type: ignore[arg-type]
    assert len(rows) == 1
    assert {v: to_rdflib(rows[0][v]) for v in ("a", "b", "c")} == values  # type: ignore[arg-type]


# -- the fuzz: hostile strings in every kind of value --------------------------------------------------

PIECES = [
    '"', "'", '"""', "'''", "\\", "\\\\", '\\"', "\n", "\r", "\r\n", "\t", "\b", "\f", "{", "}", "(", ")",
    "<", ">", "#", ".", ";", "?x", "$x", "^^", "@en", " ", "SERVICE <{url}/v> { ?a ?b ?c }",
    ") } SERVICE <{url}/w> { ?s ?p ?o } VALUES (?m) { (", "\\u0022", "\\U00000022", "u0022", "é", "日本",
    "\U0001f600", "\u202e", "\u2028", "\x85", "\ufeff", "x", "1", "-", "_:b", "FILTER", "} #", "%22",
]


def _hostile(rng: random.Random, url: str) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 8))).replace("{url}", url)


def _value(rng: random.Random, url: str) -> object:
    text = _hostile(rng, url)
    kind = rng.randrange(5)
    if kind == 0:
        return Literal(text)
    if kind == 1:
        return Literal(text, lang=rng.choice(["en", "fr-CA", "x-private"]))
    if kind == 2:
        return Literal(text, datatype=rng.choice([XSD.date, XSD.integer, URIRef(f"{url}/dt")]))
    if kind == 3:
        return URIRef(f"{url}/{text}")
    return ox.Literal(text)


QUERIES = [
    "SELECT * WHERE { }",
    "SELECT ?v1 ?v2 WHERE { FILTER(BOUND(?v1)) }",
    "ASK { FILTER(?v1 != ?v2) }",
    "CONSTRUCT { <urn:s> <urn:p> ?v1 } WHERE { }",
    "SELECT ?v1 WHERE { { SELECT ?v1 WHERE { } } }",
    'SELECT * WHERE { BIND("}" AS ?q) }',
]


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def _rows_read(query: str) -> list[object]:
    """The VALUES rows of rdflib's reading of a query."""
    found: list[object] = []
    stack: list[object] = [vet(query).algebra.algebra]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "values":
                found += dict(node)["res"]
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
    return found


def test_every_written_value_reads_back_as_itself(listener: Listener) -> None:
    """The writer's round trip, alone: Oxigraph's parser and rdflib's read each written term as the term."""
    rng = random.Random(SEED)
    store = ox.Store()
    written = 0
    for _ in range(COUNT):
        term = _value(rng, listener.url)
        try:
            text = term_text(term)  # type: ignore[arg-type]
        except QueryError as exc:
            assert "\n" not in str(exc)
            continue
        written += 1
        query = f"SELECT ?v WHERE {{ VALUES ?v {{ {text} }} }}"
        (row,) = list(store.query(query))  # type: ignore[union-attr]
        expected = value_of(term)  # type: ignore[arg-type]
        assert row["v"] == expected, text
        assert _rows_read(query) == [{Variable("v"): to_rdflib(expected)}], text
        assert vet(query).text == query
    assert written > COUNT // 2
    assert listener.hits == []


def _the_gates_own_reading(query: object, values: dict[str, object]) -> object:
    """The gate's reading of the whole bound text, as :func:`bind` writes it (or the error it raises)."""
    try:
        block = values_block(values)  # type: ignore[arg-type]
        at = where_start(query.text)  # type: ignore[attr-defined]
        return vet(f"{query.text[:at]} {block}{query.text[at:]}")  # type: ignore[attr-defined]
    except QueryError as exc:
        return exc


def _same_verdict(bound: object, whole: object) -> None:
    assert not isinstance(whole, QueryError), whole
    for part in ("text", "kind", "variables", "default_graphs", "named_graphs"):
        assert getattr(bound, part) == getattr(whole, part), part
    assert _algebra_rows(bound) == _algebra_rows(whole)


def _algebra_rows(vetted: object) -> list[object]:
    found: list[object] = []
    stack: list[object] = [vetted.algebra.algebra]  # type: ignore[attr-defined]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "values":
                found += dict(node)["res"]
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
    return sorted(found, key=repr)


def test_hostile_values_in_every_query_form_stay_values(listener: Listener) -> None:
    """Bound as :func:`bind` binds (the question read once with placeholders, the block alone, the whole by
    our lexer), each verdict is the gate's reading of the whole bound text: same text, kind, variables,
    dataset and rows; and what bind refuses, the gate refuses."""
    rng = random.Random(SEED + 1)
    store = ox.Store()
    ran = 0
    for _ in range(COUNT):
        query = vet(rng.choice(QUERIES))
        values = {f"v{i}": _value(rng, listener.url) for i in range(1, rng.randint(2, 4))}
        whole = _the_gates_own_reading(query, values)
        try:
            bound = bind(query, values)  # type: ignore[arg-type]
        except QueryError as exc:
            assert "\n" not in str(exc)
            assert isinstance(whole, QueryError), (exc, values)
            continue
        _same_verdict(bound, whole)
        result = store.query(bound.text)
        if isinstance(result, ox.QuerySolutions):
            for row in result:
                for name, term in values.items():
                    if name in [v.value for v in result.variables] and row[name] is not None:
                        assert row[name] == value_of(term)  # type: ignore[arg-type]
        ran += 1
    assert ran > COUNT // 3
    assert listener.hits == []


LIBRARY = Path(__file__).resolve().parent.parent / "queries"
SAMPLES = {"asOf": Literal("2023-06-01", datatype=XSD.date), "year": Literal("2019", datatype=XSD.gYear),
           "entity": URIRef("https://w3id.org/diplokg/id/iso3166/PRK")}


@pytest.mark.parametrize("name", ["network-as-of", "closed-missions", "turning-points", "evidence-for",
                                  "alignment-ranking"])
def test_a_bound_question_has_the_gates_verdict_on_the_whole(name: str) -> None:
    from kg.query.library import find_question

    question = find_question(LIBRARY, name)
    query = vet(question.text)
    for value in ("x", 'x" } SERVICE <http://127.0.0.1:9/> { "', "\n) } #"):
        values = {p.name: SAMPLES[p.name] for p in question.parameters}
        values = {k: (Literal(value, datatype=v.datatype) if isinstance(v, Literal) else v) for k, v in values.items()}
        _same_verdict(bind(query, values), _the_gates_own_reading(query, values))
