"""Queries as SPARQL users write them (issue 27, item 2).

The usual prefixes (``kg.namespaces.PREFIXES``, those tables print) are known to the gate without a
``PREFIX`` line, as on the Wikidata Query Service: the canonical text declares those a query uses, so it
runs unchanged on any engine (here: Oxigraph and rdflib given the text alone, and a strict store over
HTTP); a query's own declarations win; error positions point at the text as written; nothing gets past
the gate that did not before. A ``diplo:`` term the ontology does not define gets a warning naming the
closest term, which changes neither the answer nor the exit code. The server's side is in
``tests/serve/test_prefixes.py``.
"""

from __future__ import annotations

import http.server
import json
import re
import threading
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from kg.errors import QueryError, QueryRefused
from kg.http import Endpoint
from kg.namespaces import DIPLO, GRAPH, PREFIXES
from kg.query.canonical import canonical
from kg.query.formats import PREFIXES as PRINTED
from kg.query.gate import vet
from kg.query.remote import RemoteGraph
from kg.query.sparqltext import bind
from kg.query.vocabulary import undefined_terms, warnings

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = sorted((ROOT / "queries").rglob("*.rq"))
ONTOLOGY = str(GRAPH["ontology"])


def _declared(text: str) -> list[str]:
    """The prefixes the lines before the query's first line declare, in order."""
    return [line.split()[1].rstrip(":") for line in text.splitlines() if line.startswith("PREFIX ")]


def test_the_printed_prefixes_are_the_known_ones() -> None:
    """One list: what tables print with is what queries may use undeclared."""
    assert PRINTED is PREFIXES
    assert {"diplo", "iso", "rdf", "rdfs", "owl", "xsd", "skos", "prov", "dcterms"} <= set(PREFIXES)


@pytest.mark.parametrize(
    ("query", "added"),
    [
        pytest.param("SELECT ?m WHERE { ?m a diplo:Embassy ; rdfs:label ?l }", ["diplo", "rdfs"], id="two-used"),
        pytest.param('ASK { ?s diplo:date "2023-10-01"^^xsd:date }', ["diplo", "xsd"], id="datatype"),
        pytest.param("SELECT * WHERE { ?s ?p ?o }", [], id="none-used"),
        pytest.param("PREFIX diplo: <http://example.org/> SELECT * WHERE { ?s diplo:p iso:PRK }", ["iso"],
                     id="own-declaration-not-repeated"),
        pytest.param("prefix rdfs: <http://example.org/>\nSELECT * WHERE { ?s rdfs:label ?o }", [],
                     id="own-declaration-lower-case"),
        pytest.param('SELECT * WHERE { ?s ?p "diplo:x", <skos:y> } # owl:Thing', [],
                     id="not-in-strings-iris-or-comments"),
        pytest.param("SELECT * WHERE { ?s prov:wasDerivedFrom/prov:value ?v . _:b ?p ?x FILTER(LANG(?x) = 'en') }",
                     ["prov"], id="path-and-blank-node"),
        pytest.param("SELECT ?x WHERE { ?x dcterms:a:b ?y }", ["dcterms"], id="colon-in-local-name"),
        pytest.param(r"SELECT * WHERE { ?s diplo:a\.b ?o }", [], id="escaped-local-name-written-as-iri"),
        pytest.param("SELECT * FROM graph:ontology WHERE { ?s ?p ?o }", ["graph"], id="from-with-a-prefix"),
    ],
)
def test_the_text_run_declares_the_usual_prefixes_it_uses(query: str, added: list[str]) -> None:
    vetted = vet(query, [ONTOLOGY])
    assert _declared(vetted.text)[:len(added)] == added
    assert vetted.text.endswith(canonical(query, PREFIXES).text)
    assert all(f"PREFIX {p}: <{PREFIXES[p]}>\n" in vetted.text for p in added)
    # Runs unchanged on engines given the text alone: Oxigraph and rdflib.
    ox.Store().query(vetted.text)
    Graph().query(vetted.text)
    # The gate's reading is its own: vetting the text run adds nothing.
    assert vet(vetted.text, [ONTOLOGY]).text == vetted.text


def test_a_query_s_own_declaration_wins() -> None:
    vetted = vet("PREFIX diplo: <http://example.org/> SELECT * WHERE { ?s diplo:p ?o }")
    assert "ontology#" not in vetted.text
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://example.org/p"), ox.Literal("x")))
    assert len(list(store.query(vetted.text))) == 1  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        pytest.param("SELECT * WHERE {\n  ?s dipl:host ?o }", ["line 2, column 6", "dipl:", "did you mean 'diplo:'"],
                     id="misspelt-prefix"),
        pytest.param("SELECT * WHERE { ?s ex:p ?o }", ["line 1, column 21", "ex:", "query --help"],
                     id="unknown-prefix"),
        pytest.param("# a comment\r\nSELECT * WHERE { ?s \"x\" ?o .\r\n  ?s exx:p ?o }", ["line 3, column 6", "exx:"],
                     id="unknown-prefix-after-comment-and-string"),
    ],
)
def test_an_unknown_prefix_is_named_where_it_is_used(query: str, words: list[str]) -> None:
    with pytest.raises(QueryError) as caught:
        vet(query)
    message = str(caught.value)
    assert all(w in message for w in words) and "\n" not in message, message


@pytest.mark.parametrize(
    ("query", "where"),
    [
        pytest.param("SELECT * WHERE {\n  ?s diplo:host ?o \n  ?x }", "line 3, column 3", id="after-a-prefixed-name"),
        pytest.param("SELECT * WHERE { ?s diplo:host ?o . FILTER( }", "line 1, column 37", id="on-line-one"),
        pytest.param("# rdfs: a comment\nSELECT * WHERE { ?s rdfs:label ?o\n FILTER(?o = ) }", "line 3, column 2",
                     id="after-a-comment"),
        pytest.param("SELECT * WHERE {\n ?s xsd:p iso:PRK , \n . }", "line 2, column 19", id="two-prefixes"),
    ],
)
def test_syntax_errors_point_at_the_text_as_written(query: str, where: str) -> None:
    """The declarations added before the query's first line move no error: the position is the one of
    the same text with each prefixed name replaced by a variable of its length (no prefix at all)."""
    control = re.sub(r"\b(diplo|rdfs|xsd|iso):([A-Za-z]+)", lambda m: "?" + "v" * (len(m.group(0)) - 1), query)
    positions = []
    for text in (query, control):
        with pytest.raises(QueryError) as caught:
            vet(text)
        positions.append(re.search(r"line \d+, column \d+", str(caught.value)).group(0))  # type: ignore[union-attr]
    assert positions == [where, where]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        pytest.param("SELECT * WHERE { SERVICE diplo:x { ?s ?p ?o } }", "SERVICE", id="service-usual-prefix"),
        pytest.param("PREFIX diplo: <http://evil.example/sparql#> SELECT * WHERE { SERVICE diplo:x { ?s ?p ?o } }",
                     "SERVICE", id="service-own-prefix"),
        pytest.param("SELECT * WHERE { SeRvIcE silent iso: { ?s ?p ?o } }", "SERVICE", id="service-any-case"),
        pytest.param("SELECT * FROM graph:nowhere WHERE { ?s ?p ?o }", "FROM", id="from-not-ours"),
        pytest.param("INSERT DATA { diplo:a diplo:b diplo:c }", "updates", id="update"),
        pytest.param("LOAD <http://evil.example/x> INTO GRAPH graph:ontology", "updates", id="load"),
    ],
)
def test_the_usual_prefixes_open_no_way_around_the_gate(query: str, words: str) -> None:
    with pytest.raises((QueryError, QueryRefused)) as caught:
        vet(query, [ONTOLOGY])
    assert words in str(caught.value)


def test_values_bound_into_a_query_with_undeclared_prefixes() -> None:
    vetted = vet("SELECT ?l WHERE { ?x rdfs:label ?l }")
    bound = bind(vetted, {"x": URIRef("http://e/x")})
    assert bound.text.startswith("PREFIX rdfs:") and "VALUES (?x) { (<http://e/x>) }" in bound.text
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/x"), ox.NamedNode(PREFIXES["rdfs"] + "label"), ox.Literal("x")))
    assert [str(s["l"].value) for s in store.query(bound.text)] == ["x"]  # type: ignore[union-attr]


def test_a_remote_store_is_sent_a_text_that_declares_its_prefixes() -> None:
    """Over --endpoint, the store gets the text run: a strict store (Oxigraph, no prefixes of its own)
    answers it."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/m"), ox.NamedNode(PREFIXES["rdf"] + "type"), ox.NamedNode(DIPLO.Embassy)))
    received: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            text = urllib.parse.parse_qs(body)["query"][0]
            received.append(text)
            try:
                data = ox.QueryResultsFormat.JSON and store.query(text).serialize(  # type: ignore[union-attr]
                    format=ox.QueryResultsFormat.JSON)
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
            except SyntaxError as exc:
                data = str(exc).encode()
                self.send_response(400)
                self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        remote = RemoteGraph(Endpoint(f"http://127.0.0.1:{server.server_address[1]}/sparql"), graphs=[GRAPH["x"]])
        answer = remote.run(vet("SELECT ?m WHERE { ?m a diplo:Embassy }"))
    finally:
        server.shutdown()
        server.server_close()
    assert [str(row[0]) for row in answer.rows] == ["http://e/m"]
    assert received and received[-1].startswith(f"PREFIX diplo: <{PREFIXES['diplo']}>\n")


# -- terms the ontology does not define ---------------------------------------------------------

@pytest.mark.parametrize(
    ("query", "terms", "hint"),
    [
        pytest.param("SELECT * WHERE { ?s diplo:region ?r }", ["region"], "did you mean diplo:inRegion?", id="region"),
        pytest.param("SELECT * WHERE { ?s a diplo:Embasy }", ["Embasy"], "did you mean diplo:Embassy?", id="class"),
        pytest.param("SELECT * WHERE { ?s diplo:host/diplo:sendingStat ?x }", ["sendingStat"],
                     "did you mean diplo:sendingState?", id="in-a-path"),
        pytest.param("SELECT * WHERE { ?s ?p ?o FILTER(?p = diplo:hostt) }", ["hostt"], "did you mean diplo:host?",
                     id="in-a-filter"),
        pytest.param("SELECT * WHERE { VALUES ?c { diplo:Embassies diplo:Consulat } }", ["Consulat"],
                     "did you mean diplo:Consulate?", id="in-values"),
        pytest.param("PREFIX d: <https://w3id.org/diplokg/ontology#> ASK { ?s d:sender <https://w3id.org/diplokg/"
                     "ontology#xyzzy> }", ["xyzzy"], "", id="any-prefix-or-full-iri"),
        pytest.param("PREFIX diplo: <http://example.org/> SELECT * WHERE { ?s diplo:region ?r }", [], "",
                     id="own-namespace-not-checked"),
        pytest.param("SELECT * WHERE { ?s diplo:inRegion ?r ; a diplo:Embassy }", [], "", id="all-defined"),
    ],
)
def test_a_term_the_ontology_does_not_define_is_named(query: str, terms: list[str], hint: str) -> None:
    vetted = vet(query)
    assert undefined_terms(vetted) == terms
    lines = warnings(vetted)
    assert len(lines) == len(terms)
    if terms:
        assert f"diplo:{terms[0]} is not a term of the ontology" in lines[0] and hint in lines[0]
        assert "\n" not in lines[0]


def test_a_hostile_query_gets_few_short_warnings() -> None:
    names = " ".join(f"diplo:t{i}{'x' * 500}" for i in range(50))
    lines = warnings(vet(f"SELECT * WHERE {{ VALUES ?x {{ {names} }} }}"))
    assert len(lines) == 6 and "45 more" in lines[-1] and max(len(line) for line in lines) < 200


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.relative_to(ROOT / "queries").as_posix())
def test_the_library_uses_only_defined_terms(path: Path) -> None:
    """Every question and check names only terms the ontology defines (and so gets no warning)."""
    vetted = vet(path.read_text(encoding="utf-8"), [ONTOLOGY], origin=str(path))
    assert warnings(vetted) == []


def test_the_library_is_checked_at_all() -> None:
    assert len(LIBRARY) >= 30 and any(p.parent.name == "checks" for p in LIBRARY)


# -- through the command line -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("query", "code", "rows", "stderr"),
    [
        pytest.param("SELECT ?m WHERE { ?m a diplo:Embassy } ORDER BY ?m LIMIT 2", 0, 2, "", id="no-prefix-lines"),
        pytest.param("SELECT ?m ?r WHERE { ?m a diplo:Embassy OPTIONAL { ?m diplo:region ?r } } ORDER BY ?m LIMIT 2",
                     0, 2, "diplokg: warning: query: diplo:region is not a term of the ontology; did you mean "
                     "diplo:inRegion?", id="undefined-term-warned-answer-unchanged"),
        pytest.param("SELECT ?m WHERE { ?m diplo:region ?r }", 0, 0, "did you mean diplo:inRegion?",
                     id="undefined-term-no-rows"),
        pytest.param("SELECT ?m WHERE {\n ?m a dipl:Embassy }", 2, None,
                     "diplokg: error: query: line 2, column 7: the prefix dipl: is not declared", id="unknown-prefix"),
    ],
)
def test_query_on_the_command_line(built: Any, cli: Callable[..., tuple[int, str, str]], query: str, code: int,
                                   rows: int | None, stderr: str) -> None:
    got, out, err = cli("query", "--project", str(built.project.root), "-e", query, "--format", "json")
    assert got == code, err
    if rows is not None:
        assert len(json.loads(out)["results"]["bindings"]) == rows
    assert (stderr in err) if stderr else err == ""
    assert err.count("\n") <= 1


def test_a_warning_leaves_the_answer_as_it_was(built: Any, cli: Callable[..., tuple[int, str, str]]) -> None:
    root = str(built.project.root)
    plain = "SELECT ?m WHERE { ?m a diplo:Embassy OPTIONAL { ?m diplo:%s ?r } } ORDER BY ?m"
    code_a, out_a, err_a = cli("query", "--project", root, "-e", plain % "region", "--format", "csv")
    code_b, out_b, err_b = cli("query", "--project", root, "-e", plain % "inRegion", "--format", "csv")
    assert (code_a, out_a) == (code_b, out_b) and out_a.count("\n") > 2
    assert "diplo:region" in err_a and err_b == ""


def test_the_usage_page_lists_the_known_prefixes() -> None:
    readme = (ROOT / "docs" / "usage.md").read_text(encoding="utf-8")
    assert all(f"`{p}:`" in readme for p in PREFIXES)


def test_serve_help_says_prefixes_need_no_declaration(cli: Callable[..., tuple[int, str, str]]) -> None:
    _, out, _ = cli("serve", "--help")
    flat = " ".join(out.split())
    assert "without PREFIX lines" in flat and "Diplokg-Warnings" in flat


def test_query_help_lists_the_known_prefixes(cli: Callable[..., tuple[int, str, str]]) -> None:
    _, out, _ = cli("query", "--help")
    flat = " ".join(out.split())
    assert all(f"{p}:" in flat for p in PREFIXES) and "did you mean" not in flat.lower()
    assert "diplo:inRegion" in flat
