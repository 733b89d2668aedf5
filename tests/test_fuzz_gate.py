"""A seeded fuzz of the gate: query texts mixing the parser-differential tricks (comments ended by
``\\r``, ``\\u``/``\\U`` escapes in strings, IRIs and keywords, long and single-quoted strings, local
name escapes, cased and nested SERVICE, deep nesting). Every text is refused with one line or, if the
gate admits it, run on Oxigraph with the network lock switched off: the listener must hear nothing,
and nothing may raise anything but our one-line errors."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from tests_support import Listener

import kg.query.sandbox
from kg.errors import QueryError
from kg.query.canonical import canonical
from kg.query.gate import vet
from kg.query.sandbox import Limits

SEED = 1414
COUNT = 400

#: Pieces of a group graph pattern; ``{url}`` is the listener's address.
PIECES = [
    "?s ?p ?o .",
    "?s a ?t .",
    "# note\r",
    "# note\n",
    "# note\r\n",
    "\r",
    "\n",
    "SERVICE <{url}/f> { ?a ?b ?c }",
    "sErViCe SILENT <{url}/g> { ?a ?b ?c }",
    "\\u0053ERVICE <{url}/h> { ?a ?b ?c }",
    'BIND("\\u0022" AS ?q1)',
    'BIND("\\u00000022" AS ?q2)',
    'BIND("\\U00000022" AS ?q3)',
    'BIND("\\u005C" AS ?q4)',
    'BIND("\\\\u0022" AS ?q5)',
    'BIND("caf\\u00E9" AS ?q6)',
    "BIND('it\\'s' AS ?q7)",
    'BIND("""a\rb""" AS ?q8)',
    "BIND('''x\n''' AS ?q9)",
    '"',
    "'",
    '"""',
    "FILTER(?o != <http://x/\\u0041>)",
    "FILTER(?o != <http://x/\\u003E>)",
    "FILTER(?o<'>')",
    "?s <http://example.org/a\\'> ?o .",
    "OPTIONAL {",
    "FILTER EXISTS {",
    "MINUS {",
    "{",
    "}",
    "(",
    ")",
    "{ SELECT ?s WHERE {",
    "} }",
    "#",
    "\\",
    "\u000b",
]


def generate(rng: random.Random) -> str:
    """One query text: a SELECT around 1-8 random pieces, sometimes wrapped in braces."""
    body = " ".join(rng.choice(PIECES) for _ in range(rng.randint(1, 8)))
    if rng.random() < 0.3:
        depth = rng.randint(1, 30)
        body = "{" * depth + body + "}" * depth
    return f"SELECT * WHERE {{ {body} }} LIMIT 1"


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def test_fuzz_the_gate(built: Any, listener: Listener, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kg.query.sandbox, "forbid_network", lambda: None)  # the gate alone must hold
    graph = built.graph
    names = graph.graph_names()
    rng = random.Random(SEED)
    admitted = refused = 0
    for _ in range(COUNT):
        text = generate(rng).replace("{url}", listener.url)
        try:
            query = vet(text, names)
        except QueryError as exc:
            assert "\n" not in str(exc), (text, str(exc))
            refused += 1
            continue
        admitted += 1
        assert canonical(query.text).text == query.text, text  # the canonical text is its own reading
        try:
            graph.run(query, limits=Limits(timeout=5, memory_mib=256))
        except QueryError as exc:
            assert "\n" not in str(exc), (text, str(exc))
        assert listener.hits == [], text
    assert admitted >= 20 and refused >= 20, (admitted, refused)
