"""The library on a store we did not build in: any engine that speaks the SPARQL 1.1 Protocol.

:class:`RemoteGraph` answers like :class:`kg.query.BuiltGraph` (``graph_names``, ``run``), so every
command that takes a built graph (query, ask, report, stats, explore) runs unchanged against a
store. Queries are vetted by our gate before they leave (no SERVICE, no update, no foreign FROM).

By default the dataset is not left to the store. Stores differ in what a query without ``FROM``
reads: the union of the named graphs (GraphDB, Neptune, Oxigraph with ``--union-default-graph``), an
empty default graph (Oxigraph, Fuseki by default), or the union with the store's own system graphs
(Virtuoso). So each request names our graphs in the protocol's ``default-graph-uri`` and
``named-graph-uri`` parameters: the default graph is the merge of our graphs (or of the asserted ones),
as in the local build, on every store. A query with its own ``FROM`` is sent as it is.

Oxigraph evaluates a default graph named as a list of graphs one graph at a time (a library question
that takes 5 s over its union default graph took 53 s with our 8 graphs listed, and the synthetic
million-triple world has over a thousand). For such a store, ``dataset="store"`` (``--dataset
store``) sends no dataset and relies on the store's default graph being the union of its graphs,
holding only the build (and the push manifest, which no question reads); it is checked once that the
default graph holds the build at all.
"""

from __future__ import annotations

import dataclasses
import urllib.parse
from collections.abc import Sequence
from typing import Any

from rdflib import URIRef
from rdflib.term import Node

from kg.answers import Results, read_graph, read_results, results_json
from kg.errors import QueryError
from kg.http import Endpoint, RemoteError, Response, request
from kg.namespaces import GRAPH, INFERRED_GRAPH
from kg.query.engine import Answer
from kg.query.gate import VettedQuery, vet
from kg.query.sparqltext import bind

_RESULTS = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
# Our graphs in a store: first from the manifest ``diplokg push`` writes (one cheap look-up), else
# the store's named graphs (``GRAPH ?g {}``, which Virtuoso answers empty), else a scan of its quads.
_GRAPH_QUERIES = (
    "SELECT ?g WHERE { GRAPH <https://w3id.org/diplokg/push> "
    "{ <https://w3id.org/diplokg/push> <http://purl.org/dc/terms/hasPart> ?g } }",
    "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }",
    "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
    'FILTER(STRSTARTS(STR(?g), "https://w3id.org/diplokg/graph/")) }',
)


def answer_from_json(kind: str, body: bytes, variables: Sequence[str] = ()) -> Answer:
    """A SELECT's or ASK's answer from SPARQL 1.1 results JSON (read strictly: :mod:`kg.answers`).

    Raises:
        QueryError: The body is not results JSON, or malformed.
    """
    return _answer(kind, results_json(body, kind == "ASK", variables))


def _answer(kind: str, read: Results | bool) -> Answer:
    if isinstance(read, bool):
        return Answer("ASK", boolean=read)
    names, rows = read
    return Answer("SELECT", variables=names, rows=rows)


class RemoteGraph:
    """The built graph as loaded into a SPARQL store (``diplokg push``, or the store's own loader).

    Args:
        endpoint: The store's SPARQL 1.1 Protocol query address (with credentials if needed).
        graphs: Our graph names, when known (else asked of the store once: every named graph under
            ``https://w3id.org/diplokg/graph/``).
        max_rows: Refuse an answer with more rows than this (``None``: no cap).
    """

    def __init__(self, endpoint: Endpoint, graphs: Sequence[URIRef] | None = None, max_rows: int | None = None):
        self.endpoint = endpoint
        self.path = endpoint.url
        self.max_rows = max_rows
        self._graphs = sorted(graphs) if graphs is not None else None
        self._union_checked = False

    def graph_names(self) -> list[URIRef]:
        """Our graphs in the store, sorted.

        Raises:
            RemoteError: The store holds none of our graphs (nothing was pushed there).
        """
        if self._graphs is None:
            found: list[URIRef] = []
            for text in _GRAPH_QUERIES:
                answer = self._select(text, ("g",))
                found = sorted({
                    URIRef(str(row[0])) for row in answer.rows
                    if row[0] is not None and str(row[0]).startswith(str(GRAPH))
                })
                if found:
                    break
            if not found:
                raise RemoteError(
                    f"{self.endpoint.url} holds none of our graphs (https://w3id.org/diplokg/graph/...): "
                    "load the build first (`diplokg push --endpoint ...`)"
                )
            self._graphs = found
        return list(self._graphs)

    def asserted_graph_names(self) -> list[URIRef]:
        """Our graphs but the inferred one."""
        return [g for g in self.graph_names() if g != INFERRED_GRAPH]

    def run(
        self,
        query: VettedQuery,
        engine: str = "remote",
        asserted_only: bool = False,
        bindings: dict[str, Node] | None = None,
        limits: Any = None,
    ) -> Answer:
        """Run a vetted query on the store, over our graphs.

        Args:
            query: The query, vetted by our gate.
            engine: Ignored (the store is the engine); kept so callers treat both graphs alike.
            asserted_only: Leave the inferred graph out of the default graph.
            bindings: Values for variables, written into the query as a ``VALUES`` block that passes the
                gate with the rest (:func:`kg.query.sparqltext.bind`).
            limits: The command's limits (:class:`kg.query.sandbox.Limits`): its ``timeout`` bounds the
                wait for the store's answer and its ``max_rows`` the answer; the store enforces its
                own memory limits.

        Raises:
            QueryError: The store refused the query, or answered only part of it.
            RemoteError: The store could not be reached.
        """
        text = bind(query, bindings or {}).text
        timeout = getattr(limits, "timeout", None)
        max_rows = getattr(limits, "max_rows", None) or self.max_rows
        params: dict[str, list[str]] = {}
        if query.algebra.algebra.get("datasetClause"):
            pass  # the query names its own dataset (our graphs only: the gate saw to that)
        elif self.endpoint.dataset == "store" and not asserted_only:
            self._check_store_union()
        else:
            default = self.asserted_graph_names() if asserted_only else self.graph_names()
            params = {"default-graph-uri": [str(g) for g in default],
                      "named-graph-uri": [str(g) for g in self.graph_names()]}
        if query.kind in ("SELECT", "ASK"):
            response = self._post(text, params, _RESULTS, timeout)
            answer = _answer(query.kind, read_results(response.body, response.content_type, query.kind == "ASK",
                                                      query.variables))
            if max_rows is not None and len(answer.rows) > max_rows:
                raise QueryError(f"the answer has more than {max_rows} rows (the row cap)")
            return answer
        accept = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
        response = self._post(text, params, accept, timeout)
        return Answer(query.kind, graph=read_graph(response.body, response.content_type))

    def _check_store_union(self) -> None:
        """With ``--dataset store``: check once that the store's default graph holds the build.

        Raises:
            RemoteError: It does not (the store's default graph is not the union of its graphs).
        """
        if self._union_checked:
            return
        ask = "ASK { <https://w3id.org/diplokg/ontology> a <http://www.w3.org/2002/07/owl#Ontology> }"
        found = self._select(ask, (), ask=True).boolean
        if not found:
            raise RemoteError(
                f"{self.endpoint.url}: the store's default graph does not hold the build (it is not the union "
                "of its graphs); use --dataset ours"
            )
        self._union_checked = True

    def _select(self, text: str, variables: Sequence[str], ask: bool = False) -> Answer:
        """A SELECT's (or an ASK's) answer to one of our own lookups."""
        response = self._post(text, {}, _RESULTS)
        return _answer("ASK" if ask else "SELECT", read_results(response.body, response.content_type, ask, variables))

    def _post(self, text: str, params: dict[str, list[str]], accept: str, timeout: float | None = None) -> Response:
        """POST the query form-encoded (the protocol's second way: no URL length limit)."""
        fields = [("query", text)] + [(k, v) for k, values in params.items() for v in values]
        body = urllib.parse.urlencode(fields).encode("ascii")
        headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Accept": accept}
        try:
            endpoint = self.endpoint if timeout is None else dataclasses.replace(self.endpoint, timeout=timeout)
            response = request(endpoint, "POST", body=body, headers=headers, ok=(200,))
        except RemoteError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                raise QueryError(f"the store refused the query: {exc}") from None
            raise
        # Virtuoso answers a query cut off by its time limit with part of the rows ("anytime query").
        state = response.headers.get("x-sql-state", "")
        if state:
            message = response.headers.get("x-sql-message", "")
            raise QueryError(f"the store answered only part of the query ({state}: {message})")
        return response


def vet_for(graph: RemoteGraph, text: str, origin: str = "query") -> VettedQuery:
    """Vet a query with the store's graphs as the ones a FROM may name."""
    return vet(text, graph.graph_names(), origin=origin)
