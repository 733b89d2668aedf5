"""``diplokg push``: load the build into a SPARQL store through the Graph Store HTTP Protocol.

One named graph per graph of the build (the ontology, the gazetteer, each source, the inferred
graph), each replaced whole: the first request of a graph is a ``PUT`` (which replaces what the graph
held), the rest of its triples follow in ``POST`` requests (which add), in chunks so that no request
holds a million triples. Triples with a blank node go in one request of their own, so that a blank
node stays one node.

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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import DCTERMS, Graph, Literal, URIRef

from kg.answers import read_graph
from kg.errors import DiplokgError, QueryError
from kg.http import Endpoint, RemoteError, request
from kg.namespaces import GRAPH
from kg.store.files import open_store

#: The graph that records what ``diplokg push`` loaded.
MANIFEST = URIRef("https://w3id.org/diplokg/push")

#: Triples per request.
CHUNK = 100_000

_NT = "application/n-triples"


@dataclass
class PushReport:
    """What a push did.

    Attributes:
        graphs: Graph name -> triples sent.
        removed: Graphs pushed before that the build no longer has, deleted.
        requests: HTTP requests sent.
        seconds: Wall time.
        skipped: The store already held this build (nothing sent).
    """

    graphs: dict[str, int] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0
    skipped: bool = False

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


def _has_blank(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def _nt(quads: list[ox.Quad]) -> bytes:
    return ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES) or b""


def chunks(store: ox.Store, graph: ox.NamedNode, size: int = CHUNK) -> Iterator[bytes]:
    """A graph's triples as N-Triples bodies of at most ``size`` triples (blank-node triples in one body, last)."""
    plain: list[ox.Quad] = []
    blank: list[ox.Quad] = []
    for quad in store.quads_for_pattern(None, None, None, graph):
        if _has_blank(quad):
            blank.append(quad)
            continue
        plain.append(quad)
        if len(plain) >= size:
            yield _nt(plain)
            plain = []
    if plain:
        yield _nt(plain)
    if blank:
        yield _nt(blank)


def read_manifest(endpoint: Endpoint) -> tuple[list[str], str | None]:
    """The graphs the last push loaded and the digest of its build (none when the store has no manifest)."""
    try:
        response = request(endpoint, "GET", graph_url(endpoint.url, str(MANIFEST)),
                           headers={"Accept": "application/n-triples, text/turtle;q=0.9"}, ok=(200,))
    except RemoteError as exc:
        if exc.status == 404:
            return [], None
        raise
    try:
        g = read_graph(response.body, response.content_type or "application/n-triples")
    except QueryError:  # an unreadable manifest is treated as none (read strictly: kg.answers)
        return [], None
    graphs = sorted(str(o) for o in g.objects(MANIFEST, DCTERMS.hasPart))
    ident = g.value(MANIFEST, DCTERMS.identifier)
    return graphs, (str(ident) if ident is not None else None)


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
) -> PushReport:
    """Load a build into a store's Graph Store Protocol endpoint, replacing what the last push loaded.

    Args:
        nquads: The built ``.nq`` file.
        endpoint: The Graph Store Protocol address (Oxigraph ``/store``, Virtuoso ``/sparql-graph-crud-auth``).
        force: Push even when the store's manifest says it holds this build.
        chunk: Triples per request.
        progress: Called with a line per graph.

    Raises:
        RemoteError: The store could not be reached or refused a request.
        DiplokgError: The build is missing.
    """
    if not nquads.is_file():
        raise DiplokgError("no build to push: run `diplokg build` first", path=nquads)
    started = time.perf_counter()
    report = PushReport()
    build_digest = digest(nquads)
    before, before_digest = read_manifest(endpoint)
    report.requests += 1
    store = open_store(nquads)
    names = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    if not force and before_digest == build_digest and sorted(before) == names:
        report.skipped = True
        report.seconds = time.perf_counter() - started
        return report
    headers = {"Content-Type": f"{_NT}; charset=utf-8"}
    for name in names:
        if not name.startswith(str(GRAPH)):
            raise DiplokgError(f"the build holds a graph that is not ours: {name}", path=nquads)
        url = graph_url(endpoint.url, name)
        sent = 0
        first = True
        for body in chunks(store, ox.NamedNode(name), chunk):
            request(endpoint, "PUT" if first else "POST", url, body=body, headers=headers)
            report.requests += 1
            sent += body.count(b"\n")
            first = False
        if first:  # an empty graph: still replace what it held
            request(endpoint, "PUT", url, body=b"", headers=headers)
            report.requests += 1
        report.graphs[name] = sent
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
