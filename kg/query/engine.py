"""Running vetted SPARQL over the built graph, on Oxigraph (default) or rdflib, and writing answers.

The default graph of every query is the union of all graphs (asserted and inferred); with
``asserted_only`` it is the union of the asserted graphs. Named graphs stay reachable with ``GRAPH``.
A query naming its dataset (``FROM``/``FROM NAMED``, our graphs only) gets exactly that dataset on
both engines. Every query runs in a contained child process (:mod:`kg.query.sandbox`).
"""

from __future__ import annotations

import contextlib
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal as TypingLiteral
from typing import cast

import pyoxigraph as ox
import rdflib.plugins.sparql
from rdflib import Dataset, Graph, URIRef, Variable
from rdflib.query import Result
from rdflib.term import Identifier, Node

from kg.errors import DiplokgError, QueryError, QueryRefused, TooManyRows
from kg.namespaces import INFERRED_GRAPH
from kg.query.answers import AnswerStore
from kg.query.gate import VettedQuery
from kg.query.pool import PoolClosed, WorkerPool
from kg.query.sandbox import NO_TIMEOUT, Contained, Limits, contained
from kg.query.sparqltext import bind, value_of
from kg.query.verdicts import verdicts_for
from kg.store.files import open_store
from kg.terms import to_rdflib

# rdflib would fetch a FROM graph it does not hold from the web; the gate admits only our graphs, and
# this makes sure rdflib never loads one even so.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False

Engine = TypingLiteral["oxigraph", "rdflib"]
ENGINES: tuple[Engine, ...] = ("oxigraph", "rdflib")
#: The SPARQL results formats Oxigraph writes a SELECT's or ASK's answer in, by our format name.
RESULTS_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}


@dataclass(frozen=True)
class OxigraphRequest:
    """One query for Oxigraph, as a contained child or a pool's worker takes it.

    Attributes:
        text: The vetted query's text.
        options: ``Store.query``'s keyword arguments (the dataset).
        cap: Rows (or triples) the answer may have.
        results: "answer" (for :class:`Answer`), or a SPARQL results format of
            :data:`RESULTS_FORMATS` to get a SELECT's or ASK's answer written in it.
    """

    text: str
    options: dict[str, object]
    cap: int | None
    results: str = "answer"


@dataclass
class Answer:
    """The answer to one query, engine-neutral, in rdflib terms.

    Attributes:
        kind: SELECT, ASK, CONSTRUCT or DESCRIBE.
        variables: A SELECT's variables, in order.
        rows: A SELECT's rows; ``None`` where a variable is unbound.
        boolean: An ASK's answer.
        graph: A CONSTRUCT's or DESCRIBE's triples.
    """

    kind: str
    variables: tuple[str, ...] = ()
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None

    def records(self) -> list[dict[str, Node | None]]:
        """The rows as dictionaries from variable name to term."""
        return [dict(zip(self.variables, row)) for row in self.rows]

    def to_result(self) -> Result:
        """The answer as an rdflib query result (for rdflib's result serialisers)."""
        result = Result(self.kind)
        if self.kind == "ASK":
            result.askAnswer = bool(self.boolean)
        elif self.kind == "SELECT":
            result.vars = [Variable(v) for v in self.variables]
            result.bindings = [
                {Variable(v): cast(Identifier, t) for v, t in zip(self.variables, row) if t is not None}
                for row in self.rows
            ]
        else:
            result.graph = self.graph
        return result


class BuiltGraph:
    """The built knowledge graph, opened once per process (see :func:`kg.store.files.open_store`).

    Args:
        path: The built ``.nq`` file.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._store: ox.Store | None = None
        self._datasets: dict[bool, Dataset] = {}
        #: Pre-forked workers that run Oxigraph queries over :attr:`store` (a server sets them; None:
        #: a child is forked per query).
        self.workers: WorkerPool | None = None
        #: Answers kept beside the build (:mod:`kg.query.answers`; the report and the explorer set it).
        self.answers: AnswerStore | None = None

    @property
    def store(self) -> ox.Store:
        """The graph in an Oxigraph store: the build's on-disk store (read-only) when it is fresh, else
        the N-Quads file read into memory."""
        if self._store is None:
            self._store = open_store(self.path)
        return self._store

    def graph_names(self) -> list[URIRef]:
        """The names of every graph in the build, sorted."""
        return sorted(URIRef(g.value) for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def asserted_graph_names(self) -> list[URIRef]:
        """The names of the asserted graphs (all but the inferred one)."""
        return [g for g in self.graph_names() if g != INFERRED_GRAPH]

    def dataset(self, asserted_only: bool = False) -> Dataset:
        """The graph as an rdflib dataset whose default graph is the union of its graphs."""
        if asserted_only not in self._datasets:
            ds = Dataset(default_union=True)
            for quad in self.store:
                if asserted_only and quad.graph_name.value == str(INFERRED_GRAPH):
                    continue
                ds.graph(URIRef(quad.graph_name.value)).add(
                    (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object))  # type: ignore[arg-type]
                )
            self._datasets[asserted_only] = ds
        return self._datasets[asserted_only]

    def run(
        self,
        query: VettedQuery,
        engine: Engine = "oxigraph",
        asserted_only: bool = False,
        bindings: dict[str, Node] | None = None,
        limits: Limits | None = None,
    ) -> Answer:
        """Run a vetted query in a contained child process (:func:`kg.query.sandbox.contained`).

        The engine executes ``query.text`` (Oxigraph) or rdflib's parse of that very text, over the
        dataset the query names with ``FROM``/``FROM NAMED`` (our graphs only, never fetched), else the
        union of every graph (with ``asserted_only``: of the asserted graphs, and only those are named).

        Args:
            query: The query, vetted by :func:`kg.query.gate.vet`.
            engine: "oxigraph" (fast, the default) or "rdflib" (the reference).
            asserted_only: Leave the inferred graph out.
            bindings: Values for variables, by name: made into terms by Oxigraph's constructors, then
                rdflib's own bindings, or, for Oxigraph, a ``VALUES`` block vetted with the rest of the
                query (:func:`kg.query.sparqltext.bind`).
            limits: Time, memory and rows the query may use (default: :data:`~kg.query.sandbox.NO_TIMEOUT`,
                the memory ceiling but no time limit; the command line passes ``--timeout``).

        Raises:
            QueryRefused: ``asserted_only`` with a ``FROM`` naming the inferred graph.
            QueryError: The engine refused or failed the query (one line).
            QueryTimeout, QueryMemoryExceeded, TooManyRows: A limit stopped it.
        """
        bindings = bindings or {}
        limits = limits or NO_TIMEOUT
        if asserted_only and INFERRED_GRAPH in (*query.default_graphs, *query.named_graphs):
            raise QueryRefused(
                f"{query.origin}: --asserted leaves out the inferred graph, but the query names it with FROM"
            )
        if engine == "rdflib":
            ds = self.dataset(asserted_only)  # made here, before the fork: the child shares it
            bindings = {name: to_rdflib(value_of(term, name)) for name, term in bindings.items()}

            def job() -> bytes:
                return _rdflib_bytes(ds, query, bindings, limits.max_rows)

            return _answer(contained(job, limits), query.kind)
        bound = bind(query, bindings, kept=verdicts_for(self))
        options = self._oxigraph_options(bound, asserted_only)
        return _answer(self._oxigraph(OxigraphRequest(bound.text, options, limits.max_rows), limits), query.kind)

    def results(self, query: VettedQuery, fmt: str, bindings: dict[str, Node] | None = None,
                limits: Limits | None = None) -> bytes:
        """A SELECT's or ASK's answer on Oxigraph, written by Oxigraph in a SPARQL results format of
        :data:`RESULTS_FORMATS` (no term passes through Python), contained as :meth:`run` runs it.

        Raises:
            As :meth:`run`; QueryError for a CONSTRUCT or DESCRIBE.
        """
        if query.kind not in ("SELECT", "ASK"):
            raise QueryError(f"a {query.kind} has no SPARQL results format")
        limits = limits or NO_TIMEOUT
        bound = bind(query, bindings or {}, kept=verdicts_for(self))
        options = self._oxigraph_options(bound, False)
        data = self._oxigraph(OxigraphRequest(bound.text, options, limits.max_rows, fmt), limits)
        return data.partition(b"\n")[2]

    def _oxigraph(self, request: OxigraphRequest, limits: Limits) -> bytes:
        """The answer kept for ``request`` (:attr:`answers`, when it has no row cap), else :meth:`_compute`'s."""
        kept = self.answers if request.cap is None else None
        if kept is None:
            return self._compute(request, limits)
        key = kept.key(request.text, request.options, request.results)
        data = kept.get(key)
        if data is None:
            data = self._compute(request, limits)
            kept.put(key, data)
        return data

    def _compute(self, request: OxigraphRequest, limits: Limits) -> bytes:
        """Run ``request`` in a pool's worker when there is one for these limits, else in a child."""
        pool = self.workers
        if pool is not None and pool.memory_mib == limits.memory_mib:
            with contextlib.suppress(PoolClosed):
                return pool.run(request, limits, movable=False)  # the server's own queries (pages, report)
        store = self.store

        def job() -> bytes:
            return _oxigraph_bytes(store, request)

        return contained(job, limits)

    def _oxigraph_options(self, query: VettedQuery, asserted_only: bool) -> dict[str, object]:
        """The dataset the query runs over. (Values for variables go into the text as a ``VALUES``
        block vetted with the rest, :func:`kg.query.sparqltext.bind`, not as Oxigraph's substitutions:
        with a substitution Oxigraph 0.5 plans some questions far worse, closed-missions with ``asOf``
        at a million triples over two minutes against 0.2 s.)"""
        if asserted_only and not query.has_dataset:
            asserted = [ox.NamedNode(str(g)) for g in self.asserted_graph_names()]
            return {"default_graph": asserted, "named_graphs": asserted}
        return _store_options(query)


class StartedQueries:
    """Vetted queries running one after the other in one contained child, started now (see
    :class:`kg.query.sandbox.Contained` for why a caller may need the fork to happen at a given moment)."""

    def __init__(self, store: ox.Store, queries: Sequence[VettedQuery], limits: Limits) -> None:
        self.queries = list(queries)
        requests = [OxigraphRequest(q.text, _store_options(q), limits.max_rows) for q in self.queries]

        def job() -> bytes:
            parts = []
            for query, request in zip(self.queries, requests, strict=True):
                try:
                    part = _oxigraph_bytes(store, request)
                except DiplokgError as exc:
                    raise type(exc)(f"{query.origin}: {exc}") from None
                parts.append(_FRAME.pack(len(part)) + part)
            return b"".join(parts)

        self._child = Contained(job, limits)

    def cancel(self) -> None:
        """Stop the child (when the answers are no longer wanted)."""
        self._child.cancel()

    def answers(self) -> list[Answer]:
        """Wait for the child; one answer per query, in order (raises as :func:`kg.query.sandbox.contained`)."""
        data = memoryview(self._child.result())
        found = []
        for query in self.queries:
            (size,) = _FRAME.unpack_from(data)
            found.append(_answer(bytes(data[_FRAME.size:_FRAME.size + size]), query.kind))
            data = data[_FRAME.size + size:]
        return found


_FRAME = struct.Struct(">Q")


def _store_options(query: VettedQuery) -> dict[str, object]:
    """Oxigraph's dataset for a vetted query: its ``FROM`` dataset, else the union of the store's graphs."""
    if query.has_dataset:
        return {
            "default_graph": [ox.NamedNode(str(g)) for g in query.default_graphs],
            "named_graphs": [ox.NamedNode(str(g)) for g in query.named_graphs],
        }
    return {"use_default_graph_as_union": True}


def oxigraph_handler(store: ox.Store) -> Callable[[OxigraphRequest], bytes]:
    """What a :class:`~kg.query.pool.WorkerPool`'s worker runs for each :class:`OxigraphRequest`."""

    def handle(request: OxigraphRequest) -> bytes:
        return _oxigraph_bytes(store, request)

    return handle


class _Capped:
    """A binary writer that keeps what it is given and stops after ``cap`` lines past the first ``skip``."""

    def __init__(self, cap: int | None, skip: int) -> None:
        self.parts: list[bytes] = []
        self.lines = -skip
        self.cap = cap

    def write(self, data: bytes) -> int:
        chunk = bytes(data)
        self.lines += chunk.count(b"\n")
        if self.cap is not None and self.lines > self.cap:
            raise TooManyRows(f"the answer has more than {self.cap} rows (the cap of this server or command)")
        self.parts.append(chunk)
        return len(chunk)

    def flush(self) -> None:
        pass


def _oxigraph_bytes(store: ox.Store, request: OxigraphRequest) -> bytes:
    """In the child: run the request on Oxigraph; the answer as ``tag\\n`` + Oxigraph's serialisation
    (TSV or JSON for an :class:`Answer`, else the results format asked for)."""
    cap = request.cap
    wanted = RESULTS_FORMATS.get(request.results)
    try:
        result = store.query(request.text, **request.options)  # type: ignore[arg-type]
        if isinstance(result, ox.QueryBoolean):
            fmt = wanted or ox.QueryResultsFormat.JSON
            return (request.results if wanted else "json").encode() + b"\n" + (result.serialize(format=fmt) or b"")
        if isinstance(result, ox.QuerySolutions):
            out = _Capped(cap, skip=1)
            result.serialize(out, format=ox.QueryResultsFormat.TSV)  # type: ignore[arg-type]
            tsv = b"".join(out.parts)
            if wanted is None or wanted == ox.QueryResultsFormat.TSV:
                return b"tsv\n" + tsv
            # Counted as TSV (one line a row) for the cap, then written again by Oxigraph, in Rust.
            again = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
            return request.results.encode() + b"\n" + (again.serialize(format=wanted) or b"")
        out = _Capped(cap, skip=0)
        result.serialize(out, format=ox.RdfFormat.N_TRIPLES)  # type: ignore[arg-type]
        return b"nt\n" + b"".join(out.parts)
    except (SyntaxError, OSError, ValueError, RuntimeError) as exc:  # Oxigraph refuses a binding outside SELECT
        if isinstance(exc.__context__, TooManyRows):
            raise exc.__context__ from None
        raise QueryError(f"query failed: {exc}") from None


def _rdflib_bytes(ds: Dataset, query: VettedQuery, bindings: dict[str, Node], cap: int | None) -> bytes:
    """In the child: run rdflib's parse of the canonical text; the answer as ``tag\\n`` + its serialisation."""
    init = {k: cast(Identifier, v) for k, v in bindings.items()}
    try:
        result = ds.query(query.algebra, initBindings=init)
        if result.type in ("SELECT", "CONSTRUCT", "DESCRIBE") and cap is not None and len(result) > cap:
            raise TooManyRows(f"the answer has more than {cap} rows (the cap of this server or command)")
        if result.type in ("SELECT", "ASK"):
            return b"json\n" + (result.serialize(format="json") or b"")
        return b"nt\n" + cast(Graph, result.graph).serialize(format="nt", encoding="utf-8")
    except (TooManyRows, MemoryError, RecursionError):
        raise
    except Exception as exc:  # rdflib raises plain exceptions from evaluation
        raise QueryError(f"query failed: {exc}") from None


def _answer(data: bytes, kind: str) -> Answer:
    """In the parent: the child's bytes as an :class:`Answer`."""
    tag, _, body = data.partition(b"\n")
    if tag == b"nt":
        graph = Graph()
        for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES):
            graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))  # type: ignore[arg-type]
        return Answer(kind, graph=graph)
    fmt = ox.QueryResultsFormat.TSV if tag == b"tsv" else ox.QueryResultsFormat.JSON
    result = ox.parse_query_results(body, format=fmt)
    if isinstance(result, ox.QueryBoolean):
        return Answer("ASK", boolean=bool(result))
    variables = tuple(v.value for v in result.variables)
    rows = [
        tuple(None if s[v] is None else to_rdflib(s[v]) for v in variables)  # type: ignore[arg-type]
        for s in result
    ]
    return Answer("SELECT", variables=variables, rows=rows)
