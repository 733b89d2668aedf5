"""``diplokg push``: load the build into a SPARQL store through the Graph Store HTTP Protocol.

One named graph per graph of the build (the ontology, the gazetteer, each source, the inferred
graph), each replaced whole: the first request of a graph is a ``PUT`` (which replaces what the graph
held), the rest of its triples follow in ``POST`` requests (which add), in chunks so that no request
holds a million triples. Triples with a blank node go in one request of their own, so that a blank
node stays one node. The bodies are cut from the build's N-Quads file in one pass (:func:`graph_bodies`:
bytes, never a Python object per term), and the next body is read while the store takes the last.

On the oxigraph server (known by the ``Server`` header of its first answer), each graph's requests
carry its ``no_transaction`` parameter, which loads a body with its bulk loader instead of one
transaction (not part of the protocol; about twice as fast at a million triples): the push was no
transaction across graphs anyway, and a failed request is reported as before. Every other store gets
the protocol's requests alone (``bulk=False`` asks for those on oxigraph too).

What was pushed is recorded in a graph of its own, :data:`MANIFEST` (outside our graph names, so no
query reads it): the names of the graphs and the digest of the build. The next push reads it back and
deletes the graphs it pushed before that the build no longer has; a push of the same build again
is skipped unless forced.

The protocol is not transactional: while a push runs, queries see some graphs old and some new.
Each request ends by the endpoint's deadline (``diplokg push --timeout``), and the store's answers
are bounded and read strictly as any other (:mod:`kg.http`, :mod:`kg.answers`).
"""

from __future__ import annotations

import hashlib
import time
import urllib.parse
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import DCTERMS, Graph, Literal, URIRef

from kg.answers import read_graph
from kg.errors import DiplokgError, QueryError
from kg.http import Endpoint, request
from kg.namespaces import GRAPH
from kg.store.files import open_store

#: The graph that records what ``diplokg push`` loaded.
MANIFEST = URIRef("https://w3id.org/diplokg/push")

#: Triples per request.
CHUNK = 100_000

_NT = "application/n-triples"

#: Bodies read ahead of the one being sent.
_IN_FLIGHT = 1


@dataclass
class PushReport:
    """What a push did.

    Attributes:
        graphs: Graph name -> triples sent.
        removed: Graphs pushed before that the build no longer has, deleted.
        requests: HTTP requests sent.
        seconds: Wall time.
        skipped: The store already held this build (nothing sent).
        bulk: The graphs went to the oxigraph server's bulk loader (``no_transaction``).
    """

    graphs: dict[str, int] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0
    skipped: bool = False
    bulk: bool = False

    @property
    def triples(self) -> int:
        """Triples sent in all."""
        return sum(self.graphs.values())


def digest(path: Path) -> str:
    """The SHA-256 of a file, as ``sha256:HEX``."""
    h = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return "sha256:" + h.hexdigest()


def graph_url(gsp: str, graph: str) -> str:
    """The protocol's indirect address of a graph: ``GSP?graph=IRI``."""
    joiner = "&" if urllib.parse.urlsplit(gsp).query else "?"
    return f"{gsp}{joiner}{urllib.parse.urlencode({'graph': graph})}"


def _is_blank(triple: bytes) -> bool:
    """Whether an N-Triples triple (without its final `` .``) has a blank node as subject or object.

    A blank subject starts the line; a blank object is the last term, after the last space (a literal
    that ends in `` _:x"`` counts too: such a triple only travels with the blank ones, which is harmless).
    """
    return triple.startswith(b"_:") or triple.rsplit(b" ", 1)[-1].startswith(b"_:")


def graph_bodies(nquads: Path, size: int = CHUNK) -> Iterator[tuple[str, bytes]]:
    """The build's triples, graph by graph, as N-Triples bodies of at most ``size`` triples each.

    Read in one pass from the N-Quads file itself (every line ``S P O <G> .``, as the build writes
    it: no triple in the default graph), not through a store, which costs a Python object per term.
    A graph's plain triples come in the order of the file, in bodies sent as they fill; its triples
    with a blank node come in one body of their own after its last plain one, so that a blank node
    stays one node (a body is one document: its labels are its own).

    Yields:
        (graph name, body) pairs; a graph's bodies in order (the first replaces the graph).

    Raises:
        DiplokgError: A line is not a quad in a named graph.
    """
    plain: dict[bytes, list[bytes]] = {}
    blank: dict[bytes, list[bytes]] = {}
    with nquads.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            parts = line.rsplit(b" ", 2)
            if len(parts) != 3 or parts[2].rstrip() != b"." or not parts[1].startswith(b"<"):
                if not line.strip() or line.startswith(b"#"):
                    continue
                raise DiplokgError(f"line {number} is not a quad in a named graph", path=nquads)
            triple, graph = parts[0], parts[1]
            if b"_:" in triple and _is_blank(triple):
                blank.setdefault(graph, []).append(triple + b" .\n")
                continue
            lines = plain.setdefault(graph, [])
            lines.append(triple + b" .\n")
            if len(lines) >= size:
                yield graph[1:-1].decode("utf-8"), b"".join(lines)
                lines.clear()
    for graph in sorted(set(plain) | set(blank)):
        name = graph[1:-1].decode("utf-8")
        if plain.get(graph):
            yield name, b"".join(plain[graph])
        if blank.get(graph):
            yield name, b"".join(blank[graph])


def is_oxigraph(server: str) -> bool:
    """Whether a ``Server`` header names the oxigraph server (``Oxigraph/0.5.13``)."""
    return server.strip().lower().startswith("oxigraph/")


def _manifest(endpoint: Endpoint) -> tuple[list[str], str | None, str]:
    """The graphs the last push loaded, the digest of its build, and the store's ``Server`` header."""
    response = request(endpoint, "GET", graph_url(endpoint.url, str(MANIFEST)),
                       headers={"Accept": "application/n-triples, text/turtle;q=0.9"}, ok=(200, 404))
    server = response.headers.get("server", "")
    if response.status == 404:
        return [], None, server
    try:
        g = read_graph(response.body, response.content_type or "application/n-triples")
    except QueryError:  # an unreadable manifest is treated as none (read strictly: kg.answers)
        return [], None, server
    graphs = sorted(str(o) for o in g.objects(MANIFEST, DCTERMS.hasPart))
    ident = g.value(MANIFEST, DCTERMS.identifier)
    return graphs, (str(ident) if ident is not None else None), server


def read_manifest(endpoint: Endpoint) -> tuple[list[str], str | None]:
    """The graphs the last push loaded and the digest of its build (none when the store has no manifest)."""
    graphs, ident, _ = _manifest(endpoint)
    return graphs, ident


def manifest_body(graphs: list[str], build_digest: str) -> bytes:
    """The manifest as N-Triples."""
    g = Graph()
    for name in graphs:
        g.add((MANIFEST, DCTERMS.hasPart, URIRef(name)))
    g.add((MANIFEST, DCTERMS.identifier, Literal(build_digest)))
    return g.serialize(format="nt", encoding="utf-8")


def push(
    nquads: Path,
    endpoint: Endpoint,
    force: bool = False,
    chunk: int = CHUNK,
    progress: Callable[[str], None] = lambda _: None,
    bulk: bool = True,
) -> PushReport:
    """Load a build into a store's Graph Store Protocol endpoint, replacing what the last push loaded.

    Args:
        nquads: The built ``.nq`` file.
        endpoint: The Graph Store Protocol address (Oxigraph ``/store``, Virtuoso ``/sparql-graph-crud-auth``).
        force: Push even when the store's manifest says it holds this build.
        chunk: Triples per request.
        progress: Called with a line per graph.
        bulk: On the oxigraph server, load each body with its bulk loader (``no_transaction``).

    Raises:
        RemoteError: The store could not be reached or refused a request.
        DiplokgError: The build is missing.
    """
    if not nquads.is_file():
        raise DiplokgError("no build to push: run `diplokg build` first", path=nquads)
    started = time.perf_counter()
    report = PushReport()
    build_digest = digest(nquads)
    before, before_digest, server = _manifest(endpoint)
    report.requests += 1
    report.bulk = bulk and is_oxigraph(server)
    store = open_store(nquads)
    names = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    if not force and before_digest == build_digest and sorted(before) == names:
        report.skipped = True
        report.seconds = time.perf_counter() - started
        return report
    for name in names:
        if not name.startswith(str(GRAPH)):
            raise DiplokgError(f"the build holds a graph that is not ours: {name}", path=nquads)
    headers = {"Content-Type": f"{_NT}; charset=utf-8"}
    # One request at a time, in order (a graph's PUT before its POSTs), sent from a thread while the
    # next body is read: reading the file and the store's work on the last body overlap.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="diplokg-push") as sender:
        pending: deque[Future[object]] = deque()

        def send(method: str, name: str, body: bytes) -> None:
            url = graph_url(endpoint.url, name) + ("&no_transaction" if report.bulk else "")
            pending.append(sender.submit(request, endpoint, method, url, body=body, headers=headers))
            report.requests += 1
            while len(pending) > _IN_FLIGHT:
                pending.popleft().result()

        try:
            for name, body in graph_bodies(nquads, chunk):
                if name not in report.graphs:
                    if name not in names:
                        raise DiplokgError(f"the build's N-Quads name a graph its store does not: {name}",
                                           path=nquads)
                    report.graphs[name] = 0
                    send("PUT", name, body)
                else:
                    send("POST", name, body)
                report.graphs[name] += body.count(b"\n")
                if len(body) > 1 << 20:
                    progress(f"{name}: {report.graphs[name]} triples so far")
            for name in names:
                if name not in report.graphs:  # an empty graph: still replace what it held
                    report.graphs[name] = 0
                    send("PUT", name, b"")
            while pending:
                pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
    report.graphs = {name: report.graphs[name] for name in names}
    for name, sent in report.graphs.items():
        progress(f"{name}: {sent} triples")
    for name in sorted(set(before) - set(names)):
        request(endpoint, "DELETE", graph_url(endpoint.url, name), ok=(200, 204, 404))
        report.requests += 1
        report.removed.append(name)
        progress(f"{name}: deleted (no longer in the build)")
    request(endpoint, "PUT", graph_url(endpoint.url, str(MANIFEST)), body=manifest_body(names, build_digest),
            headers=headers)
    report.requests += 1
    report.seconds = time.perf_counter() - started
    return report
