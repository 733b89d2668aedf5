"""``diplokg serve`` takes queries as SPARQL users write them (issue 27, item 2): the usual prefixes
without ``PREFIX`` lines at ``/sparql`` and in the form, a query's own declarations first, errors at
their place in the text sent, the gate as strict as before; a ``diplo:`` term the ontology does not
define is answered as any query, with the warnings in the ``Diplokg-Warnings`` header."""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest

from kg.namespaces import PREFIXES
from kg.query.gate import vet
from kg.serve.protocol import WARNINGS_HEADER

from .conftest import Served, fetch

FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"}
DECLARED = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in ("diplo", "iso", "rdfs"))


@pytest.fixture(scope="module")
def served(server_with: Callable[..., Served]) -> Served:
    return server_with()


def ask(served: Served, query: str) -> tuple[int, dict[str, str], bytes]:
    return fetch(served.sparql, urllib.parse.urlencode({"query": query}).encode(), FORM)


def bindings(body: bytes) -> list[dict[str, Any]]:
    return sorted(json.loads(body)["results"]["bindings"], key=json.dumps)


@pytest.mark.parametrize(
    ("query", "warned"),
    [
        pytest.param("SELECT ?m ?l WHERE { ?m a diplo:Embassy ; rdfs:label ?l FILTER(?m != iso:PRK) }", [],
                     id="no-prefix-lines"),
        pytest.param("SELECT ?m ?r WHERE { ?m a diplo:Embassy FILTER(?m != iso:PRK) OPTIONAL { ?m diplo:region ?r } }",
                     ["query: diplo:region is not a term of the ontology; did you mean diplo:inRegion?"],
                     id="undefined-term"),
        pytest.param("SELECT ?m WHERE { ?m a diplo:Embasy }",
                     ["query: diplo:Embasy is not a term of the ontology; did you mean diplo:Embassy?"],
                     id="undefined-class-no-rows"),
    ],
)
def test_sparql_knows_the_usual_prefixes_and_warns(served: Served, built: Any, query: str,
                                                   warned: list[str]) -> None:
    for _ in range(2):  # the second answer comes from the server's cache, with its warnings
        status, headers, body = ask(served, query)
        assert status == 200, body
        assert (json.loads(headers[WARNINGS_HEADER.lower()]) if warned else headers.get(WARNINGS_HEADER.lower())) \
            == (warned or None)
        here = built.graph.run(vet(DECLARED + query)).to_result().serialize(format="json")
        assert bindings(body) == bindings(here)
        assert bool(bindings(body)) == ("Embasy" not in query)


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        pytest.param("SELECT * WHERE {\n ?m a dipl:Embassy }", 400,
                     "line 2, column 7: the prefix dipl: is not declared", id="unknown-prefix"),
        pytest.param("SELECT * WHERE {\n ?m a diplo:Embassy \n ?x }", 400, "line 3, column 2", id="syntax-error"),
        pytest.param("PREFIX diplo: <http://evil.example/sparql#> SELECT * WHERE { SERVICE diplo:x { ?s ?p ?o } }",
                     400, "SERVICE is not allowed", id="service-own-prefix"),
        pytest.param("SELECT * WHERE { SERVICE iso: { ?s ?p ?o } }", 400, "SERVICE is not allowed",
                     id="service-usual-prefix"),
        pytest.param("SELECT * FROM graph:nowhere WHERE { ?s ?p ?o }", 400, "is not allowed", id="from-not-ours"),
    ],
)
def test_sparql_errors_point_at_the_text_sent(served: Served, query: str, status: int, words: str) -> None:
    got, _, body = ask(served, query)
    assert got == status and words in body.decode() and body.decode().count("\n") == 1, body


def test_a_query_s_own_declaration_wins(served: Served) -> None:
    status, _, body = ask(served, "PREFIX diplo: <http://example.org/> ASK { ?m a diplo:Embassy }")
    assert status == 200 and json.loads(body)["boolean"] is False
    status, _, body = ask(served, "ASK { ?m a diplo:Embassy }")
    assert status == 200 and json.loads(body)["boolean"] is True


def test_the_form_lists_the_prefixes_and_its_example_runs(served: Served) -> None:
    status, _, page = fetch(served.base + "/")
    text = page.decode()
    assert status == 200
    assert all(f">{p}:</code>" in text for p in PREFIXES)
    example = unescape(re.search(r'<textarea id="query"[^>]*>(.*?)</textarea>', text, re.S).group(1))  # type: ignore[union-attr]
    assert "PREFIX" not in example
    status, _, body = ask(served, example)
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) > 0
    assert "Diplokg-Warnings" in text  # the page reads the warnings header
