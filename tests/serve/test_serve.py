"""``diplokg serve``: a client that speaks only the SPARQL 1.1 Protocol gets the command line's answers,
and the server keeps its limits, its address and its CORS rule."""

from __future__ import annotations

import csv
import io
import json
import os
import threading
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rdflib import XSD, Graph, Literal, URIRef
from SPARQLWrapper import JSON, SPARQLWrapper

from kg.query.formats import literal_text
from kg.query.gate import vet
from kg.query.library import library
from kg.query.remote import answer_from_json
from kg.query.sparqltext import bind

from .conftest import ROOT, Served, fetch

QUESTIONS = library(ROOT / "queries")
ASKED = {"asOf": Literal("2024-02-01", datatype=XSD.date), "entity": URIRef("https://w3id.org/diplokg/id/iso3166/UGA"),
         "year": Literal("2019", datatype=XSD.gYear)}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def rows(answer: Any) -> list[tuple[str, ...]]:
    return sorted(tuple("" if t is None else t.n3() for t in row) for row in answer.rows)


@pytest.fixture(scope="module")
def served(server_with: Callable[..., Served]) -> Served:
    return server_with()


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.name)
def test_sparqlwrapper_gets_every_question_as_the_command_line_answers_it(served: Served, built: Any,
                                                                           question: Any) -> None:
    bindings = {p.name: ASKED[p.name] for p in question.parameters}
    vetted = vet(question.text, built.graph.graph_names())
    here = built.graph.run(vetted, bindings=bindings)
    client = SPARQLWrapper(served.sparql)
    # The gate's canonical text (no comments): SPARQLWrapper guesses the query form from the text, and a
    # word such as "delete" in a question's header comments would make it send an update.
    client.setQuery(bind(vetted, bindings).text)
    client.setMethod("POST")
    client.setReturnFormat(JSON)
    data = client.query().convert()
    there = answer_from_json("SELECT", json.dumps(data).encode())
    assert there.variables == here.variables
    assert rows(there) == rows(here)


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/html;q=0.9, text/csv;q=0.8", "text/csv"),
        ("", "application/sparql-results+json"),
    ],
)
def test_select_answers_in_the_format_asked_for(served: Served, accept: str, media: str) -> None:
    query = ("PREFIX diplo: <https://w3id.org/diplokg/ontology#> SELECT ?m WHERE { ?m a diplo:Embassy } "
             "ORDER BY ?m LIMIT 3")
    status, headers, body = fetch(f"{served.sparql}?{urllib.parse.urlencode({'query': query})}",
                                  headers={"Accept": accept} if accept else {})
    assert status == 200 and headers["content-type"].startswith(media)
    if media.endswith("json"):
        assert len(json.loads(body)["results"]["bindings"]) == 3
    elif media.endswith("xml"):
        assert len(ET.fromstring(body).findall(".//{http://www.w3.org/2005/sparql-results#}result")) == 3
    elif media == "text/csv":
        assert len(list(csv.reader(io.StringIO(body.decode())))) == 4
    else:
        assert len(body.decode().strip().splitlines()) == 4


@pytest.mark.parametrize(("accept", "fmt"), [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                             ("application/rdf+xml", "xml")])
def test_construct_answers_rdf(served: Served, built: Any, accept: str, fmt: str) -> None:
    query = ("PREFIX diplo: <https://w3id.org/diplokg/ontology#> "
             "CONSTRUCT { ?m diplo:host ?h } WHERE { ?m diplo:host ?h }")
    status, headers, body = fetch(served.sparql, urllib.parse.urlencode({"query": query}).encode(),
                                  {**FORM, "Accept": accept})
    assert status == 200 and headers["content-type"].startswith(accept)
    here = built.graph.run(vet(query)).graph
    assert set(Graph().parse(data=body, format=fmt)) == set(here)


def test_a_query_posted_as_sparql_query_and_ask(served: Served) -> None:
    status, _, body = fetch(served.sparql, b"ASK { ?s a <https://w3id.org/diplokg/ontology#Embassy> }",
                            {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    assert status == 200 and json.loads(body)["boolean"] is True


@pytest.mark.parametrize(
    ("method", "body", "headers", "status", "words"),
    [
        ("POST", b"update=DROP+ALL", FORM, 403, "read-only"),
        ("POST", b"INSERT DATA { <urn:a> <urn:b> <urn:c> }", {"Content-Type": "application/sparql-update"}, 403,
         "read-only"),
        ("POST", b"query=DROP+ALL", FORM, 400, "updates"),
        ("POST", b"query=SELECT+*+WHERE+%7B+SERVICE+%3Chttp%3A%2F%2F127.0.0.1%3A9%2F%3E+%7B+%3Fs+%3Fp+%3Fo+%7D+%7D",
         FORM, 400, "SERVICE"),
        ("POST", b"query=SELECT+*+FROM+%3Chttp%3A%2F%2Fexample.org%2Fg%3E+WHERE+%7B+%3Fs+%3Fp+%3Fo+%7D", FORM, 400,
         "FROM"),
        ("POST", b"query=SELEKT", FORM, 400, "syntax"),
        ("POST", b"query=SELECT+*+WHERE+%7B%7D&query=ASK+%7B%7D", FORM, 400, "one 'query'"),
        ("PUT", b"<urn:a> <urn:b> <urn:c> .", {"Content-Type": "text/turtle"}, 405, "GET or POST"),
        ("POST", b"{}", {"Content-Type": "application/json"}, 415, "unsupported"),
        ("GET", None, {"Accept": "image/png"}, 406, "accept one of"),
    ],
)
def test_refusals_have_the_protocol_status_and_one_line(served: Served, method: str, body: bytes | None,
                                                       headers: dict[str, str], status: int, words: str) -> None:
    url = served.sparql + ("?query=SELECT+*+WHERE+%7B%7D" if body is None else "")
    got, _, text = fetch(url, body, headers, method)
    assert got == status
    message = text.decode()
    assert message.count("\n") == 1 and words in message and "Traceback" not in message


def test_protocol_dataset_parameters_name_our_graphs_only(served: Served, built: Any) -> None:
    ontology = "https://w3id.org/diplokg/graph/ontology"
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    body = urllib.parse.urlencode({"query": query, "default-graph-uri": ontology}).encode()
    status, _, data = fetch(served.sparql, body, {**FORM, "Accept": "text/csv"})
    expected = built.graph.run(vet(f"SELECT (COUNT(*) AS ?n) FROM <{ontology}> WHERE {{ ?s ?p ?o }}",
                                   built.graph.graph_names())).rows[0][0]
    assert status == 200 and data.decode().split()[1] == str(expected)
    body = urllib.parse.urlencode({"query": query, "default-graph-uri": "http://example.org/g"}).encode()
    assert fetch(served.sparql, body, FORM)[0] == 400


def test_the_library_as_resources(served: Served) -> None:
    status, _, body = fetch(f"{served.base}/questions")
    listed = json.loads(body)["questions"]
    assert status == 200 and [q["name"] for q in listed] == [q.name for q in QUESTIONS]
    status, _, body = fetch(f"{served.base}/questions/network-as-of?asOf=2024-02-01")
    answer = json.loads(body)
    assert status == 200 and answer["bindings"] == {"asOf": "2024-02-01"}
    assert answer["rows"] and all(r["asOf"] == "2024-02-01" for r in answer["rows"])
    assert answer["evidence"] and {"source", "sentence", "modality"} <= set(answer["evidence"][0])
    status, _, body = fetch(f"{served.base}/questions/evidence-for?entity=Uganda",
                            headers={"Accept": "text/csv"})
    assert status == 200 and "Uganda" in body.decode()
    assert fetch(f"{served.base}/questions/no-such-question")[0] == 404
    assert fetch(f"{served.base}/questions/network-as-of?asOf=yesterday")[0] == 400
    assert fetch(f"{served.base}/questions/wave-size?color=blue")[0] == 400
    assert fetch(f"{served.base}/questions/evidence-for")[0] == 400


def test_pages_health_and_the_offline_form(served: Served, built: Any) -> None:
    status, headers, body = fetch(f"{served.base}/")
    page = body.decode()
    assert status == 200 and "connect-src 'self'" in headers["content-security-policy"]
    assert "<script src" not in page and "https://cdn" not in page
    status, headers, body = fetch(f"{served.base}/explorer")
    assert status == 200 and headers["content-type"].startswith("text/html") and b"vis" in body
    status, headers, body = fetch(f"{served.base}/report")
    assert status == 200 and headers["content-type"].startswith("text/markdown") and body.startswith(b"# ")
    status, _, body = fetch(f"{served.base}/health")
    health = json.loads(body)
    assert status == 200 and health["status"] == "ok"
    assert health["graphs"] == [str(g) for g in built.graph.graph_names()]


def test_the_served_explorer_and_report_are_the_command_lines(served: Served, built: Any, cli: Callable[..., Any],
                                                              tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same bytes as `diplokg explore` and `diplokg report` make from the same build (on the
    on-disk store; the server's graph is in memory, where an engine may give rows of equal sort keys
    in another order)."""
    monkeypatch.setenv("DIPLOKG_BUILD", str(built.graph.path.parent))
    for command, path in (("explore", "/explorer"), ("report", "/report")):
        code, _, err = cli(command, "-o", str(tmp_path / command), "--project", str(built.project.root))
        assert code == 0, err
        status, _, body = fetch(f"{served.base}{path}")
        assert status == 200 and body == (tmp_path / command).read_bytes(), command


def test_no_cors_headers_unless_asked(served: Served) -> None:
    _, headers, _ = fetch(f"{served.base}/health", headers={"Origin": "https://yasgui.example.org"})
    assert not any(h.startswith("access-control-") for h in headers)


def test_cors_for_the_named_origins_only(server_with: Callable[..., Served]) -> None:
    served = server_with("--cors-origin", "https://yasgui.example.org")
    _, headers, _ = fetch(f"{served.base}/health", headers={"Origin": "https://yasgui.example.org"})
    assert headers.get("access-control-allow-origin") == "https://yasgui.example.org"
    _, headers, _ = fetch(f"{served.base}/health", headers={"Origin": "https://evil.example.org"})
    assert "access-control-allow-origin" not in headers


def test_limits_time_and_rows_with_status_codes(server_with: Callable[..., Served]) -> None:
    served = server_with("--timeout", "1", "--max-rows", "5", "--max-running", "2", "--no-warm")
    status, _, body = fetch(served.sparql, urllib.parse.urlencode({"query": RUNAWAY}).encode(), FORM)
    assert status == 503 and b"longer than 1 s" in body and body.count(b"\n") == 1
    # The worker that ran it was killed and another forked in its place; the row cap keeps its worker.
    assert json.loads(fetch(f"{served.base}/health")[2])["workers"]["replaced"] == 1
    query = "SELECT ?s WHERE { ?s a <https://w3id.org/diplokg/ontology#State> }"
    status, _, body = fetch(served.sparql, urllib.parse.urlencode({"query": query}).encode(), FORM)
    assert status == 413 and b"more than 5 rows" in body
    assert json.loads(fetch(f"{served.base}/health")[2])["workers"]["replaced"] == 1
    status, _, body = fetch(f"{served.sparql}?{urllib.parse.urlencode({'query': query + ' LIMIT 5'})}")
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 5


def test_questions_are_answered_while_a_runaway_query_runs(server_with: Callable[..., Served]) -> None:
    served = server_with("--timeout", "8")
    outcome: dict[str, int] = {}

    def runaway() -> None:
        outcome["runaway"] = fetch(served.sparql, urllib.parse.urlencode({"query": RUNAWAY}).encode(), FORM)[0]

    thread = threading.Thread(target=runaway)
    thread.start()
    answered = [fetch(f"{served.base}/questions/wave-size") for _ in range(5)]
    still_running = thread.is_alive()
    thread.join()
    assert [a[0] for a in answered] == [200] * 5, [a[2][:300] for a in answered]
    assert still_running
    assert outcome["runaway"] == 503


def test_binds_to_loopback_by_default_and_elsewhere_only_when_asked(server_with: Callable[..., Served]) -> None:
    from kg.cli.serve import command

    assert next(p for p in command.params if p.name == "host").default == "127.0.0.1"
    other = server_with("--host", "127.0.0.2")
    assert other.base.startswith("http://127.0.0.2:")
    port = other.base.rsplit(":", 1)[1]
    assert fetch(f"{other.base}/health")[0] == 200
    with pytest.raises(OSError):
        fetch(f"http://127.0.0.1:{port}/health")


def test_a_new_build_is_served_without_dropping_requests(server_with: Callable[..., Served]) -> None:
    served = server_with()
    version = json.loads(fetch(f"{served.base}/health")[2])["version"]
    statuses: list[int] = []
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            statuses.append(fetch(f"{served.base}/questions/wave-size")[0])

    asking = threading.Thread(target=ask)
    asking.start()
    extra = ('<urn:diplokg:test> <http://www.w3.org/2000/01/rdf-schema#label> "added" '
             '<https://w3id.org/diplokg/graph/ontology> .\n')
    fresh = Path(str(served.build) + ".tmp")
    fresh.write_bytes(served.build.read_bytes() + extra.encode())
    os.replace(fresh, served.build)  # published as a build is: a whole file renamed into place
    reloaded = False
    for _ in range(600):
        health = json.loads(fetch(f"{served.base}/health")[2])
        if health["version"] > version:
            reloaded = True
            break
        threading.Event().wait(0.1)
    stop.set()
    asking.join()
    assert reloaded
    assert statuses and set(statuses) == {200}
    query = 'ASK { <urn:diplokg:test> ?p "added" }'
    status, _, body = fetch(served.sparql, urllib.parse.urlencode({"query": query}).encode(),
                            {**FORM, "Accept": "application/sparql-results+json"})
    assert status == 200 and json.loads(body)["boolean"] is True


def test_the_same_question_is_answered_once_per_build(server_with: Callable[..., Served]) -> None:
    served = server_with("--no-warm")
    first = fetch(f"{served.base}/questions/wave-size")
    again = fetch(f"{served.base}/questions/wave-size")
    assert first[0] == again[0] == 200 and first[2] == again[2]
    kept = json.loads(fetch(f"{served.base}/health")[2])["answers_kept"]
    # the first made the whole answer and its page; the second was kept
    assert (kept["hits"], kept["misses"], kept["entries"]) == (1, 2, 2)
    uncached = server_with("--cache-mib", "0")
    assert fetch(f"{uncached.base}/questions/wave-size")[2] == first[2]


def test_questions_without_values_are_answered_at_start(server_with: Callable[..., Served]) -> None:
    served = server_with()
    for _ in range(600):
        health = json.loads(fetch(f"{served.base}/health")[2])
        if health["questions_warmed"] == sum(1 for q in QUESTIONS if not any(p.required for p in q.parameters)):
            break
        threading.Event().wait(0.1)
    before = health["answers_kept"]["hits"]
    assert fetch(f"{served.base}/questions/wave-size")[0] == 200
    assert json.loads(fetch(f"{served.base}/health")[2])["answers_kept"]["hits"] == before + 1


def test_a_new_build_is_answered_ahead_before_it_is_swapped_in(server_with: Callable[..., Served]) -> None:
    """On a reload the questions that need no value are answered on the new build before it replaces
    the old one: the first health report of the new version already counts them all, and a client's
    first question there is answered from what was kept."""
    served = server_with()
    wanted = sum(1 for q in QUESTIONS if not any(p.required for p in q.parameters))
    for _ in range(600):
        health = json.loads(fetch(f"{served.base}/health")[2])
        if health["questions_warmed"] == wanted:
            break
        threading.Event().wait(0.1)
    version = health["version"]
    extra = ('<urn:diplokg:test> <http://www.w3.org/2000/01/rdf-schema#label> "added again" '
             '<https://w3id.org/diplokg/graph/ontology> .\n')
    fresh = Path(str(served.build) + ".tmp")
    fresh.write_bytes(served.build.read_bytes() + extra.encode())
    os.replace(fresh, served.build)
    for _ in range(1200):
        health = json.loads(fetch(f"{served.base}/health")[2])
        if health["version"] > version:
            break
        threading.Event().wait(0.05)
    assert health["version"] > version
    assert health["questions_warmed"] == wanted
    kept = health["answers_kept"]
    assert fetch(f"{served.base}/questions/wave-size")[0] == 200
    after = json.loads(fetch(f"{served.base}/health")[2])["answers_kept"]
    assert (after["hits"], after["misses"]) == (kept["hits"] + 1, kept["misses"])


def test_the_listening_socket_says_tcp_so_that_answers_are_not_held_back() -> None:
    """asyncio sets TCP_NODELAY on a connection only when its socket's protocol is IPPROTO_TCP; without
    it a small answer's body waits for the client's delayed acknowledgement of its headers."""
    import socket

    from kg.cli.serve import open_socket

    sock = open_socket("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()


def _query_string(question: Any) -> list[tuple[str, str]]:
    given = {"asOf": "2024-02-01", "entity": "iso:UGA", "year": "2019"}
    return [(p.name, given[p.name]) for p in question.parameters]


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.name)
def test_a_questions_json_view_holds_the_command_lines_rows(served: Served, built: Any, question: Any) -> None:
    """The view's cells are read from Oxigraph's JSON without term objects: the same text as the
    command line's answer shows (literal_text), row for row, in the question's order."""
    bindings = {p.name: ASKED[p.name] for p in question.parameters}
    here = built.graph.run(vet(question.text, built.graph.graph_names()), bindings=bindings)
    expected = [{v: literal_text(t) for v, t in zip(here.variables, row)} for row in here.rows]
    query = urllib.parse.urlencode([*_query_string(question), ("limit", "100000")])
    status, _, body = fetch(f"{served.base}/questions/{question.name}?{query}")
    page = json.loads(body)
    assert status == 200 and page["count"] == len(expected) and page["next"] is None
    assert page["variables"] == list(here.variables)
    assert page["rows"] == expected


def test_a_questions_view_comes_in_pages_with_an_honest_count(served: Served, built: Any) -> None:
    question = next(q for q in QUESTIONS if q.name == "claims")
    whole = json.loads(fetch(f"{served.base}/questions/claims?limit=100000")[2])
    assert whole["count"] == len(whole["rows"]) >= 3
    first = json.loads(fetch(f"{served.base}/questions/claims?limit=2")[2])
    assert first["count"] == whole["count"] and first["offset"] == 0 and first["limit"] == 2
    assert first["rows"] == whole["rows"][:2]
    assert first["next"] == "/questions/claims?limit=2&offset=2"
    # Following the links gives every row once, in order; each page's evidence is its own rows'.
    rows, link = [], "/questions/claims?limit=2"
    while link:
        page = json.loads(fetch(f"{served.base}{link}")[2])
        rows += page["rows"]
        cited = {n for refs in page["answer"]["evidence_refs"] for n in refs}
        assert cited == set(range(1, len(page["evidence"]) + 1))
        link = page["next"]
    assert rows == whole["rows"]
    default = json.loads(fetch(f"{served.base}/questions/claims")[2])
    assert default["limit"] == 1000 and default["rows"] == whole["rows"][:1000]
    del question


@pytest.mark.parametrize("query", ["limit=0", "limit=ten", "offset=-1", "limit=2&limit=3"])
def test_a_bad_page_is_refused_with_one_line(served: Served, query: str) -> None:
    status, _, body = fetch(f"{served.base}/questions/claims?{query}")
    assert status == 400 and body.count(b"\n") == 1


def test_pages_are_for_the_json_view_only(served: Served) -> None:
    status, _, body = fetch(f"{served.base}/questions/claims?limit=2", headers={"Accept": "text/csv"})
    assert status == 400 and b"whole answer" in body
