"""The server's application (Starlette): the SPARQL endpoint, the library as resources, pages, health.

Routes: ``/sparql`` (the SPARQL 1.1 Protocol, read-only), ``/questions`` and ``/questions/NAME``
(the library: rows and evidence, values from the query string), ``/explorer`` (the explorer page),
``/report`` (the Markdown report), ``/`` (a small query form, offline), ``/health``.

Before the application reads a request, :mod:`kg.serve.guard` checks its ``Host`` and origin and
bounds its body (and :mod:`kg.serve.connections` its connection). The server never reads a client's
query in its own process: the text and its values (as terms made by Oxigraph's constructors) go to a
contained worker (:mod:`kg.query.gated`), which vets them with the gate, binds the values and runs the
query, all within the server's limits (a time limit, a memory ceiling, a row cap, no network). The
workers take queries in turns, in the order they came, and move long queries aside
(:mod:`kg.query.pool`); a request waits up to ``queue_seconds`` for its turn, else it is answered 503.
Errors are one line of text with the status: 400 a bad or refused query, 403 an update or a request
from another site, 404 an unknown question, 405/406/415 the protocol's own, 408/413/431 a request
too slow or too large, 413 an answer over the row cap, 503 a time limit, the memory ceiling or a
full queue.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
from rdflib.term import Node
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from kg.errors import DiplokgError, QueryError, QueryMemoryExceeded, QueryTimeout, TooManyRows
from kg.query.engine import Answer, BuiltGraph
from kg.query.entities import resolve_bindings
from kg.query.formats import literal_text
from kg.query.gated import GatedAnswer, GatedRequest, run_gated, shape
from kg.query.library import check_bindings, find_question, library
from kg.query.remote import answer_from_json
from kg.query.sandbox import Limits
from kg.query.sparqltext import value_of
from kg.serve import protocol
from kg.serve.cache import AnswerCache
from kg.serve.guard import Guard, HostRule
from kg.serve.live import LiveGraph
from kg.serve.pages import FORM_PAGE, PAGE_POLICY
from kg.serve.protocol import GRAPH_MEDIA, MEDIA, ProtocolError, QueryRequest, negotiate, read_request
from kg.serve.questions import describe, page_json, split_paging, value

#: Turns a graph into a page or a report (given by the command line, which owns those renderers); the
#: second argument runs the renderer's own SELECT queries as the server runs any (:meth:`Server.rows`).
Renderer = Callable[[BuiltGraph, Callable[[str], list[dict[str, Any]]]], str]
#: Threads that may wait for a turn at once (a request waiting for a worker holds one).
THREADS = 256


@dataclasses.dataclass
class Settings:
    """What the server was started with.

    Attributes:
        queries: The ``queries/`` folder (the library).
        limits: Time, memory and rows per query.
        max_running: Queries run at once in their turn; more wait.
        max_long: Long queries run beside them (:mod:`kg.query.pool`).
        queue_seconds: How long a query waits for its turn before a 503.
        cors_origins: Origins allowed to read answers from a browser (none: no CORS headers at all).
        explorer: Makes the explorer page from a graph (None: no /explorer).
        report: Makes the Markdown report from a graph (None: no /report).
        cache_bytes: Bytes of answers kept per build (:mod:`kg.serve.cache`; 0: none kept).
        hosts: The ``Host`` headers answered (:class:`kg.serve.guard.HostRule`).
        body_bytes: The largest request body.
    """

    queries: Path
    limits: Limits
    max_running: int = 4
    max_long: int = 2
    queue_seconds: float = 30.0
    cors_origins: tuple[str, ...] = ()
    explorer: Renderer | None = None
    report: Renderer | None = None
    cache_bytes: int = 512 * 1024 * 1024
    hosts: HostRule = dataclasses.field(default_factory=lambda: HostRule("127.0.0.1"))
    body_bytes: int = 1024 * 1024


def _status(exc: DiplokgError) -> int:
    if isinstance(exc, ProtocolError):
        return exc.status
    if isinstance(exc, TooManyRows):
        return 413
    if isinstance(exc, (QueryTimeout, QueryMemoryExceeded)):
        return 503
    return 400


def _error(exc: DiplokgError) -> PlainTextResponse:
    line = " ".join(str(exc).split())
    return PlainTextResponse(f"diplokg: {line}\n", status_code=_status(exc))


def _acceptable(accept: str, kind: str) -> tuple[str | None, str]:
    """The format to answer a query of ``kind`` in, or None with the 406 line."""
    try:
        return negotiate(accept, kind), ""
    except ProtocolError as exc:
        return None, str(exc)


class Server:
    """The routes' shared state: the live graph, the settings, the answers and pages kept."""

    def __init__(self, live: LiveGraph, settings: Settings) -> None:
        self.live = live
        self.settings = settings
        #: Children forked per query where a graph's workers are gone (a request under way at a reload).
        self._forks = threading.BoundedSemaphore(settings.max_running)
        self._cache: dict[tuple[str, int], str] = {}
        self._cache_lock = threading.Lock()
        self.answers = AnswerCache(settings.cache_bytes)
        self._limiter: anyio.CapacityLimiter | None = None
        #: Questions answered ahead of clients, per build generation.
        self._warmed: dict[int, int] = {}

    async def _thread(self, function: Callable[..., Any], *args: Any) -> Any:
        """``function(*args)`` in a thread (up to :data:`THREADS` at once: requests wait their turn there)."""
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(THREADS)
        return await anyio.to_thread.run_sync(functools.partial(function, *args), limiter=self._limiter)

    # -- running -------------------------------------------------------------------------------
    def gated(self, graph: BuiltGraph, text: str, origin: str, values: dict[str, Node] | None = None,
              select_format: str | None = "json", graph_format: str | None = None,
              request: QueryRequest | None = None, flow: str | None = None) -> GatedAnswer:
        """Vet ``text`` with ``values`` bound and run it, in a contained worker (:mod:`kg.query.gated`),
        when its turn comes in ``flow`` (default: the query's shape, :func:`kg.query.gated.shape`: a
        client's text, which may be moved aside as long and stopped to make room; a named flow is one of
        the server's own queries, which keeps its turn).

        Raises:
            ProtocolError: The protocol's dataset names a graph that is not ours (400).
            QueryError, QueryTimeout, ...: The gate's or the worker's verdict.
        """
        names = tuple(str(g) for g in graph.graph_names())
        defaults: tuple[str, ...] = ()
        named: tuple[str, ...] = ()
        if request is not None and (request.default_graphs or request.named_graphs):
            foreign = [g for g in (*request.default_graphs, *request.named_graphs) if g not in names]
            if foreign:
                raise ProtocolError(400, f"<{foreign[0]}> is not one of our graphs (see /health for them)")
            defaults, named = tuple(request.default_graphs), tuple(request.named_graphs)
        terms = tuple(sorted((name, value_of(term, name)) for name, term in (values or {}).items()))
        gated = GatedRequest(text, origin, names, terms, select_format, graph_format,
                             self.settings.limits.max_rows, defaults, named)
        movable = flow is None
        flow = flow if flow is not None else shape(text)
        pool = graph.workers
        if pool is not None and not pool.closed:
            return run_gated(graph, gated, self.settings.limits, self.settings.queue_seconds, flow, movable)
        if not self._forks.acquire(timeout=self.settings.queue_seconds):
            raise ProtocolError(503, f"busy: {self.settings.max_running} queries are running; try again")
        try:
            return run_gated(graph, gated, self.settings.limits, self.settings.queue_seconds)
        finally:
            self._forks.release()

    def ask(self, graph: BuiltGraph) -> Callable[[str, dict[str, Node]], Answer]:
        """Entity look-ups (``?entity=Uganda``) run as any query is: vetted and run in a worker."""

        def ask(text: str, values: dict[str, Node]) -> Answer:
            answer = self.gated(graph, text, "entity look-up", values, flow="entity look-up")
            return answer_from_json(answer.kind, answer.body, answer.variables)

        return ask

    def rows(self, graph: BuiltGraph, text: str) -> list[dict[str, Any]]:
        """The solutions of one of our own SELECT queries (a page's), as ``{variable: value or None}``:
        vetted and run with the server's limits in a worker when its turn comes, as any query is (the
        server's threads never query the store themselves: a worker forked while one did could inherit
        a lock held inside Oxigraph)."""
        data = json.loads(self.gated(graph, text, "page query", flow="page query").body)
        names = data["head"]["vars"]
        return [{n: b[n]["value"] if n in b else None for n in names} for b in data["results"]["bindings"]]

    def cached(self, name: str, make: Renderer) -> str:
        """A page made once per loaded build."""
        graph = self.live.graph
        key = (name, self.live.version)
        with self._cache_lock:
            if key in self._cache:
                return self._cache[key]
        text = make(graph, functools.partial(self.rows, graph))
        with self._cache_lock:
            self._cache = {k: v for k, v in self._cache.items() if k[1] == self.live.version}
            self._cache[key] = text
        return text

    # -- routes --------------------------------------------------------------------------------
    async def sparql(self, request: Request) -> Response:
        body = await request.body()  # bounded by the guard (kg.serve.guard)
        try:
            asked = read_request(request.method, request.url.query, request.headers.get("content-type", ""), body)
            graph = self.live.graph
            accept = request.headers.get("accept", "")
            select_format, refusal = _acceptable(accept, "SELECT")
            graph_format, _ = _acceptable(accept, "CONSTRUCT")
            if select_format is None and graph_format is None:
                raise ProtocolError(406, refusal)
            key = ("sparql", _generation(graph), asked.text, tuple(asked.default_graphs),
                   tuple(asked.named_graphs), select_format, graph_format)
            kept = self.answers.peek(key)
            if kept is None:
                kept = await self._thread(self._sparql, graph, asked, key, select_format, graph_format, accept)
        except DiplokgError as exc:
            return _error(exc)
        body, headers = protocol.unwarned(kept[0])
        return Response(body, media_type=kept[1], headers=headers)

    def _sparql(self, graph: BuiltGraph, asked: QueryRequest, key: tuple[Any, ...], select_format: str | None,
                graph_format: str | None, accept: str) -> tuple[bytes, str]:
        def make() -> tuple[bytes, str]:
            answer = self.gated(graph, asked.text, "query", None, select_format, graph_format, asked)
            if answer.format is None:
                raise ProtocolError(406, _acceptable(accept, answer.kind)[1])
            media = MEDIA[answer.format] if answer.kind in ("SELECT", "ASK") else GRAPH_MEDIA[answer.format]
            return protocol.warned(answer.warnings, answer.body), media

        return self.answers.get_or_make(key, make)

    async def questions(self, request: Request) -> Response:
        listed = [describe(q) for q in library(self.settings.queries)]
        return JSONResponse({"questions": listed})

    async def question(self, request: Request) -> Response:
        try:
            return await self._thread(self._question, request.path_params["name"],
                                      list(request.query_params.multi_items()), request.headers.get("accept", ""))
        except DiplokgError as exc:
            if isinstance(exc, QueryError) and str(exc).startswith("unknown question"):
                return PlainTextResponse(f"diplokg: {exc}\n", status_code=404)
            return _error(exc)

    def _question(self, name: str, params: list[tuple[str, str]], accept: str,
                  graph: BuiltGraph | None = None) -> Response:
        """A question's answer on ``graph`` (default: the live one) as the request asks for it."""
        question = find_question(self.settings.queries, name)
        params, page, paged = split_paging(params)
        given: dict[str, Node] = {}
        as_of: str | None = None
        for key, text in params:
            parameter = question.parameter(key)
            if parameter is None:
                raise ProtocolError(400, f"question {name!r} takes no {key!r}; it takes: "
                                         f"{', '.join(p.name for p in question.parameters) or 'nothing'}")
            if key == "asOf":
                as_of = text
            else:
                given[key] = value(text)
        bindings = check_bindings(f"question {name!r}", question.parameters, given, as_of)
        for key, term in bindings.items():
            value_of(term, key)  # a value that cannot be written is refused before any turn
        if graph is None:
            graph = self.live.graph
        wanted = accept.split(",")[0].split(";")[0].strip().lower()
        results = wanted in ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                             "text/tab-separated-values")
        if results and paged:
            raise ProtocolError(400, "limit and offset page the JSON view; the results formats give the whole answer")
        fmt = negotiate(accept, "SELECT") if results else "json"
        generation = _generation(graph)
        whole_key = ("question", generation, name, tuple(params), fmt)

        @functools.cache
        def resolved() -> dict[str, Node]:
            # Once per request; the look-ups are vetted and run in the workers, as any query is.
            return resolve_bindings(graph, question.parameters, bindings, self.ask(graph))

        def whole() -> tuple[bytes, str]:
            answer = self.gated(graph, question.text, str(question.path), resolved(), fmt, flow=f"question {name}")
            return answer.body, MEDIA[fmt]

        if results:
            body, media = self.answers.get_or_make(whole_key, whole)
            return Response(body, media_type=media)

        def view() -> tuple[bytes, str]:
            data = self.answers.get_or_make(whole_key, whole)[0]
            shown = {k: literal_text(v) for k, v in sorted(resolved().items())}
            return page_json(question, shown, params, data, page), "application/json"

        body, media = self.answers.get_or_make(("view", generation, name, tuple(params), page), view)
        return Response(body, media_type=media)

    def warm(self, graph: BuiltGraph | None = None) -> None:
        """Answer every question that needs no value once on ``graph`` (default: the live one), so that
        clients find them kept: in the background at start, and on a reloaded build before it is
        swapped in. A question that fails is left to its first client."""
        if graph is None:
            graph = self.live.graph
        generation = _generation(graph)
        self._warmed[generation] = 0
        for question in library(self.settings.queries):
            if any(p.required for p in question.parameters):
                continue
            with contextlib.suppress(DiplokgError):
                self._question(question.name, [], "", graph)
            self._warmed[generation] += 1

    def warmed(self, graph: BuiltGraph) -> int:
        """How many questions were answered ahead of clients on ``graph``."""
        return self._warmed.get(_generation(graph), 0)

    async def explorer(self, request: Request) -> Response:
        make = self.settings.explorer
        if make is None:
            return PlainTextResponse("diplokg: no explorer on this server\n", status_code=404)
        try:
            page = await self._thread(self.cached, "explorer", make)
        except DiplokgError as exc:
            return _error(exc)
        return HTMLResponse(page)

    async def report(self, request: Request) -> Response:
        make = self.settings.report
        if make is None:
            return PlainTextResponse("diplokg: no report on this server\n", status_code=404)
        try:
            text = await self._thread(self.cached, "report", make)
        except DiplokgError as exc:
            return _error(exc)
        return PlainTextResponse(text, media_type="text/markdown; charset=utf-8")

    async def form(self, request: Request) -> Response:
        return HTMLResponse(FORM_PAGE, headers={"Content-Security-Policy": PAGE_POLICY})

    async def health(self, request: Request) -> Response:
        graph = self.live.graph
        return JSONResponse({
            "status": "ok",
            "build": str(self.live.path),
            "version": self.live.version,
            "loaded_at": self.live.loaded_at,
            "quads": getattr(graph, "quads", None),
            "graphs": [str(g) for g in graph.graph_names()],
            "reload_error": self.live.last_error,
            "answers_kept": {"hits": self.answers.hits, "misses": self.answers.misses,
                             "entries": len(self.answers), "bytes": self.answers.size},
            "questions_warmed": self.warmed(graph),
            "workers": None if graph.workers is None else graph.workers.stats(),
        })


def _generation(graph: BuiltGraph) -> int:
    """Which load of a build ``graph`` is (answers are kept per generation)."""
    return int(getattr(graph, "generation", id(graph)))


async def _internal(request: Request, exc: Exception) -> Response:
    """Anything else that went wrong: one line, status 500, never a traceback."""
    first = (str(exc).splitlines() or [type(exc).__name__])[0]
    return PlainTextResponse(f"diplokg: internal error: {first}\n", status_code=500)


def make_app(live: LiveGraph, settings: Settings) -> Starlette:
    """The application: routes over ``live`` with ``settings``."""
    server = Server(live, settings)
    methods = ["GET", "POST", "PUT", "DELETE", "PATCH"]
    routes = [
        Route("/sparql", server.sparql, methods=methods),
        Route("/questions", server.questions, methods=["GET"]),
        Route("/questions/{name}", server.question, methods=["GET"]),
        Route("/explorer", server.explorer, methods=["GET"]),
        Route("/report", server.report, methods=["GET"]),
        Route("/health", server.health, methods=["GET"]),
        Route("/", server.form, methods=["GET"]),
    ]
    middleware = [Middleware(Guard, hosts=settings.hosts, cors_origins=settings.cors_origins,  # type: ignore[arg-type]
                             body_bytes=settings.body_bytes)]
    if settings.cors_origins:
        middleware.append(Middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                                     allow_methods=["GET", "POST"], allow_headers=["Accept", "Content-Type"],
                                     expose_headers=[protocol.WARNINGS_HEADER]))
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={Exception: _internal})
    app.state.server = server
    return app


def to_json(data: object) -> str:
    """JSON as the server writes it (for tests and tools)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True)
