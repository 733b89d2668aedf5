"""A store that answers with one header line per graph of the request (Virtuoso's
``X-SPARQL-default-graph``) is read, also for a build with more than a hundred graphs."""

from __future__ import annotations

import http.server
import json
import threading
from typing import Any

from rdflib import URIRef

from kg.http import Endpoint
from kg.query.gate import vet
from kg.query.remote import RemoteGraph

GRAPHS = [URIRef(f"https://w3id.org/diplokg/graph/source/s{i:04}") for i in range(1068)]


def test_an_answer_with_a_header_line_per_graph_is_read() -> None:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": [
                {"n": {"type": "literal", "value": "1", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]}})
            self.send_response(200)
            for graph in GRAPHS:
                self.send_header("X-SPARQL-default-graph", str(graph))
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        remote = RemoteGraph(Endpoint(f"http://127.0.0.1:{server.server_address[1]}/sparql"), graphs=GRAPHS)
        answer = remote.run(vet("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    finally:
        server.shutdown()
        server.server_close()
    assert [int(row[0]) for row in answer.rows] == [1]  # type: ignore[arg-type]
