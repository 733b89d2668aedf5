"""The endpoint client (``--endpoint``, ``diplokg push``) against stores that misbehave
(``tests/attacks/endpoints.toml``): each behaviour is served by a real server on 127.0.0.1 (threads
of this test), and the real command line runs against it in a child process. Every case ends in one
line and exit 2, never a traceback, never a hang (the child is given 90 s, a guard, not a timing
assertion); a redirect is never followed (a listener it points to hears nothing)."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import socketserver
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CASES: list[dict[str, Any]] = tomllib.loads(
    (Path(__file__).resolve().parent / "attacks" / "endpoints.toml").read_text(encoding="utf-8")
)["case"]

GRAPHS = json.dumps({"head": {"vars": ["g"]}, "results": {"bindings": [
    {"g": {"type": "uri", "value": "https://w3id.org/diplokg/graph/source/x"}}]}}).encode()
_BOMB_DTD = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
             + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                        for i in range(1, 10))
             + b"]>")
RDFXML_BOMB = (_BOMB_DTD + b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
               b'xmlns:ex="http://e/"><rdf:Description rdf:about="http://e/a"><ex:p>&lol9;</ex:p>'
               b"</rdf:Description></rdf:RDF>")
RESULTS_XML_BOMB = (_BOMB_DTD + b'<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
                    b'<variable name="g"/></head><results><result><binding name="g"><literal>&lol9;</literal>'
                    b"</binding></result></results></sparql>")


class Listener:
    """A TCP port on 127.0.0.1 that counts the connections made to it (HTTP, FTP or anything)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


def _answer(out: Any, status: str, content_type: str, body: bytes) -> None:
    out.write(f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
              "Connection: close\r\n\r\n".encode() + body)


def _behave(name: str, out: Any, lookup: bool, ask: bool, listener: Listener, stop: threading.Event) -> None:
    """Answer one request as the store ``name`` does. ``lookup``: the client asks for results (our
    graph names, a SELECT or an ASK)."""
    results = "application/sparql-results+json"
    if name == "redirect-to-another-port":
        out.write(f"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{listener.port}/moved\r\n"
                  "Content-Length: 0\r\n\r\n".encode())
    elif name == "redirect-to-ftp":
        out.write(f"HTTP/1.1 302 Found\r\nLocation: ftp://127.0.0.1:{listener.port}/moved\r\n"
                  "Content-Length: 0\r\n\r\n".encode())
    elif name == "never-answers":
        stop.wait(120)
    elif name == "slow-drip":
        out.write(f"HTTP/1.1 200 OK\r\nContent-Type: {results}\r\nContent-Length: 100000\r\n\r\n".encode())
        while not stop.wait(1):
            out.write(b" ")
            out.flush()
    elif name == "slow-drip-headers":
        out.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        while not stop.wait(1):
            out.write(b"a")
            out.flush()
    elif name == "many-headers":
        out.write(b"HTTP/1.1 200 OK\r\n")
        line = b"a" * 65_000
        for i in range(20_000):
            out.write(b"X-H%d: %s\r\n" % (i, line))
    elif name in ("endless-body", "endless-chunked-body"):
        chunked = name == "endless-chunked-body"
        framing = "Transfer-Encoding: chunked\r\n" if chunked else "Connection: close\r\n"
        out.write(f"HTTP/1.1 200 OK\r\nContent-Type: {results}\r\n{framing}\r\n".encode())
        block = b" " * 65_536
        while not stop.is_set():
            out.write(b"10000\r\n" + block + b"\r\n" if chunked else block)
    elif name == "declared-huge-body":
        out.write(f"HTTP/1.1 200 OK\r\nContent-Type: {results}\r\nContent-Length: 10000000000\r\n\r\n{{".encode())
    elif name == "rdfxml-billion-laughs":
        if lookup:
            _answer(out, "200 OK", results, GRAPHS)
        else:
            _answer(out, "200 OK", "application/rdf+xml", RDFXML_BOMB)
    elif name == "results-xml-with-entities":
        _answer(out, "200 OK", "application/sparql-results+xml", RESULTS_XML_BOMB)
    elif name == "json-empty-array":
        _answer(out, "200 OK", results, b"[]")
    elif name in ("json-nan", "json-ask-without-boolean"):
        if not ask:
            _answer(out, "200 OK", results, GRAPHS)
        elif name == "json-nan":
            _answer(out, "200 OK", results, b'{"head": {}, "boolean": NaN}')
        else:
            _answer(out, "200 OK", results, b'{"head": {"vars": []}, "results": {"bindings": []}}')
    elif name == "json-deep-nesting":
        depth = 100_000
        _answer(out, "200 OK", results, b'{"head": {"vars": ["g"]}, "results": {"bindings": [{"g": '
                + b"[" * depth + b"]" * depth + b"}]}}")
    elif name == "json-wrong-shapes":
        _answer(out, "200 OK", results, b'{"head": {"vars": ["g"]}, "results": {"bindings": [{"g": "x"}]}}')
    elif name == "csv-results":
        _answer(out, "200 OK", "text/csv", b"g\r\nhttps://w3id.org/diplokg/graph/source/x\r\n")
    elif name == "json-ld-graph":
        if lookup:
            _answer(out, "200 OK", results, GRAPHS)
        else:
            context = f'{{"@context": "http://127.0.0.1:{listener.port}/context.jsonld", "@id": "http://e/a"}}'
            _answer(out, "200 OK", "application/ld+json", context.encode())
    elif name == "garbage-status-line":
        out.write(b"HELLO THERE\r\n\r\n")
    elif name == "header-line-too-long":
        out.write(b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n")
    elif name == "cut-short":
        out.write(f"HTTP/1.1 200 OK\r\nContent-Type: {results}\r\nContent-Length: 1000\r\n\r\n".encode() + GRAPHS[:10])
    else:
        raise AssertionError(f"unknown store {name}")


class MisbehavingStore:
    """A store on 127.0.0.1 that answers every request as the behaviour ``name`` says."""

    def __init__(self, name: str, listener: Listener) -> None:
        self.stop = threading.Event()
        store = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                head = b""
                while not head.endswith(b"\r\n\r\n"):
                    byte = self.rfile.read(1)
                    if not byte:
                        return
                    head += byte
                length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                body = self.rfile.read(length)
                lookup = b"sparql-results" in head
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up, as it should
                    _behave(name, self.wfile, lookup, b"query=ASK" in body, listener, store.stop)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    heard = Listener()
    yield heard
    heard.close()


QUERIES = {
    "query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1",
    "ask": "ASK { ?s ?p ?o }",
    "construct": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1",
}


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from kg.cli import cli_main; cli_main()", *argv],
                          capture_output=True, text=True, timeout=90,  # a guard against a hang
                          env=dict(os.environ))


@pytest.mark.parametrize("case", CASES, ids=[f"{c['store']}-{c['command']}" for c in CASES])
def test_a_misbehaving_store_is_one_line(case: dict[str, Any], listener: Listener, built: Any) -> None:
    store = MisbehavingStore(case["store"], listener)
    before = listener.connections
    timeout = str(case.get("timeout", 30))
    root = str(built.project.root)
    if case["command"] == "push":
        argv = ["push", "--endpoint", store.url.replace("/sparql", "/store"), "--timeout", timeout, "--project", root]
    else:
        argv = ["query", "--endpoint", store.url, "--timeout", timeout, "--project", root,
                "-e", QUERIES[case["command"]]]
    try:
        done = _run(argv)
    finally:
        store.close()
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == case["exit"], done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("diplokg: error: "), done.stderr
    assert case["message"] in lines[0], lines[0]
    time.sleep(0.2)  # a connection made at the very end would be counted by now
    assert listener.connections == before, "a redirect was followed, or a context fetched"


def test_the_listener_would_notice(listener: Listener) -> None:
    """The control: a connection to the listener is counted."""
    before = listener.connections
    socket.create_connection(("127.0.0.1", listener.port), timeout=5).close()
    time.sleep(0.2)
    assert listener.connections == before + 1


def test_a_well_behaved_store_still_answers(built: Any) -> None:
    """The same client reads a correct answer of the same shapes (the cases above are not refused for
    being answers at all): results JSON and XML, and RDF in N-Triples and RDF/XML."""
    from kg.answers import read_graph, read_results

    names, rows = read_results(GRAPHS, "application/sparql-results+json", False)  # type: ignore[misc]
    assert names == ("g",) and str(rows[0][0]) == "https://w3id.org/diplokg/graph/source/x"
    xml = (b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
           b'<variable name="g"/><variable name="n"/></head><results><result><binding name="g">'
           b'<uri>http://e/a</uri></binding><binding name="n"><literal xml:lang="en">x &amp; y</literal>'
           b"</binding></result></results></sparql>")
    names, rows = read_results(xml, "application/sparql-results+xml", False)  # type: ignore[misc]
    assert names == ("g", "n") and str(rows[0][1]) == "x & y" and rows[0][1].language == "en"  # type: ignore[union-attr]
    assert read_results(b'{"head": {}, "boolean": true}', "application/sparql-results+json", True) is True
    rdfxml = (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://e/">'
              b'<rdf:Description rdf:about="http://e/a"><ex:p>b</ex:p></rdf:Description></rdf:RDF>')
    assert len(read_graph(rdfxml, "application/rdf+xml")) == 1
    assert len(read_graph(b"<http://e/a> <http://e/p> _:b1 .\n", "application/n-triples")) == 1


def _cases(what: Callable[[dict[str, Any]], bool]) -> set[str]:
    return {c["store"] for c in CASES if what(c)}


def test_the_cases_cover_the_issue() -> None:
    """Redirects, the deadline (query and push), header and body caps, entities, malformed answers."""
    assert {"redirect-to-another-port", "redirect-to-ftp", "never-answers", "slow-drip", "many-headers",
            "endless-body", "rdfxml-billion-laughs", "json-empty-array", "json-nan", "json-deep-nesting",
            "json-wrong-shapes"} <= _cases(lambda c: True)
    assert "push" in {c["command"] for c in CASES}
