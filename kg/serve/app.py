"""The server's application (Starlette): the SPARQL endpoint, the library as resources, pages, health.

Routes: ``/sparql`` (the SPARQL 1.1 Protocol, read-only), ``/questions`` and ``/questions/NAME``
(the library: rows and evidence, values from the query string), ``/explorer`` (the explorer page),
``/report`` (the Markdown report), ``/`` (a small query form, offline), ``/health``.

Every query passes the gate (:func:`kg.query.gate.vet`) and runs contained with the server's limits
(:meth:`kg.query.engine.BuiltGraph.run`: a forked child with a time limit, a memory ceiling, a row
cap and no network). At most ``max_running`` queries run at once; a request waits up to
``queue_seconds`` for its turn, else it is answered 503. Errors are one line of text with the
status: 400 a bad or refused query, 403 an update, 404 an unknown question, 405/406/415 the
protocol's own, 413 an answer over the row cap, 503 a time limit, the memory ceiling or a full queue.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from rdflib import URIRef
from rdflib.term import Node
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from kg.errors import DiplokgError, QueryError, QueryMemoryExceeded, QueryTimeout, TooManyRows
from kg.query.engine import Answer, BuiltGraph
from kg.query.entities import resolve_bindings
from kg.query.formats import literal_text, render
from kg.query.gate import VettedQuery, vet
from kg.query.library import check_bindings, find_question, library
from kg.query.sandbox import Limits
from kg.serve.cache import AnswerCache
from kg.serve.live import LiveGraph
from kg.serve.pages import FORM_PAGE, PAGE_POLICY
from kg.serve.protocol import GRAPH_MEDIA, MEDIA, ProtocolError, QueryRequest, negotiate, read_request
from kg.serve.questions import describe, page_json, split_paging, value

#: Turns a graph into a page or a report (given by the command line, which owns those renderers); the
#: second argument runs the renderer's own SELECT queries as the server runs any (:meth:`Server.rows`).
Renderer = Callable[[BuiltGraph, Callable[[str], list[dict[str, Any]]]], str]


@dataclasses.dataclass
class Settings:
    """What the server was started with.

    Attributes:
        queries: The ``queries/`` folder (the library).
        limits: Time, memory and rows per query.
        max_running: Queries run at once; more wait.
        queue_seconds: How long a query waits for its turn before a 503.
        cors_origins: Origins allowed to read answers from a browser (none: no CORS headers at all).
        explorer: Makes the explorer page from a graph (None: no /explorer).
        report: Makes the Markdown report from a graph (None: no /report).
        cache_bytes: Bytes of answers kept per build (:mod:`kg.serve.cache`; 0: none kept).
    """

    queries: Path
    limits: Limits
    max_running: int = 4
    queue_seconds: float = 30.0
    cors_origins: tuple[str, ...] = ()
    explorer: Renderer | None = None
    report: Renderer | None = None
    cache_bytes: int = 512 * 1024 * 1024


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


class Server:
    """The routes' shared state: the live graph, the settings, the turn-taking and cached pages."""

    def __init__(self, live: LiveGraph, settings: Settings) -> None:
        self.live = live
        self.settings = settings
        self._turns = threading.BoundedSemaphore(settings.max_running)
        self._cache: dict[tuple[str, int], str] = {}
        self._cache_lock = threading.Lock()
        self.answers = AnswerCache(settings.cache_bytes)
        #: Questions answered ahead of clients, per build generation.
        self._warmed: dict[int, int] = {}

    # -- running -------------------------------------------------------------------------------
    def vetted(self, graph: BuiltGraph, text: str, origin: str, request: QueryRequest | None = None) -> VettedQuery:
        """The gate's verdict on ``text``, over the dataset a protocol request names (our graphs only)."""
        vetted = _vetted(text, tuple(graph.graph_names()), origin)
        if request is not None and (request.default_graphs or request.named_graphs):
            ours = {str(g) for g in graph.graph_names()}
            foreign = [g for g in (*request.default_graphs, *request.named_graphs) if g not in ours]
            if foreign:
                raise ProtocolError(400, f"<{foreign[0]}> is not one of our graphs (see /health for them)")
            vetted = dataclasses.replace(
                vetted,
                default_graphs=tuple(URIRef(g) for g in request.default_graphs),
                named_graphs=tuple(URIRef(g) for g in request.named_graphs),
            )
        return vetted

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        """Wait (up to ``queue_seconds``, else 503) until fewer than ``max_running`` queries run."""
        if not self._turns.acquire(timeout=self.settings.queue_seconds):
            raise ProtocolError(503, f"busy: {self.settings.max_running} queries are running; try again")
        try:
            yield
        finally:
            self._turns.release()

    def rows(self, graph: BuiltGraph, text: str) -> list[dict[str, Any]]:
        """The solutions of one of our own SELECT queries (a page's), as ``{variable: value or None}``:
        vetted by the gate and run with the server's limits in a worker when its turn comes, as any
        query is (the server's threads never query the store themselves: a worker forked while one
        did could inherit a lock held inside Oxigraph)."""
        vetted = _vetted(text, tuple(graph.graph_names()), "page query")
        with self.turn():
            data = json.loads(graph.results(vetted, "json", limits=self.settings.limits))
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
        body = await request.body()
        try:
            asked = read_request(request.method, request.url.query, request.headers.get("content-type", ""), body)
            return await run_in_threadpool(self._sparql, asked, request.headers.get("accept", ""))
        except DiplokgError as exc:
            return _error(exc)

    def _sparql(self, asked: QueryRequest, accept: str) -> Response:
        graph = self.live.graph
        kind = _vetted(asked.text, tuple(graph.graph_names()), "query").kind  # the gate, before any turn
        fmt = negotiate(accept, kind)
        key = ("sparql", _generation(graph), asked.text, tuple(asked.default_graphs),
               tuple(asked.named_graphs), fmt)

        def make() -> tuple[bytes, str]:
            vetted = self.vetted(graph, asked.text, "query", asked)
            with self.turn():
                if vetted.kind in ("SELECT", "ASK"):  # written by Oxigraph in its worker, no term through Python
                    return graph.results(vetted, fmt, limits=self.settings.limits), MEDIA[fmt]
                answer = graph.run(vetted, limits=self.settings.limits)
            return _answer_bytes(answer, fmt)

        body, media = self.answers.get_or_make(key, make)
        return Response(body, media_type=media)

    async def questions(self, request: Request) -> Response:
        listed = [describe(q) for q in library(self.settings.queries)]
        return JSONResponse({"questions": listed})

    async def question(self, request: Request) -> Response:
        try:
            return await run_in_threadpool(self._question, request.path_params["name"],
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
            # Once per request. The look-up queries pass the shared gate (its lock is held only while
            # vetting) and run with the server's limits when their turn comes.
            def vetter(text: str, graphs: list[URIRef]) -> VettedQuery:
                return _vetted(text, tuple(graphs), "entity look-up")

            with self.turn():
                return resolve_bindings(graph, question.parameters, bindings, vetter, self.settings.limits)

        def whole() -> tuple[bytes, str]:
            vetted = self.vetted(graph, question.text, str(question.path))
            found = resolved()
            with self.turn():
                return graph.results(vetted, fmt, bindings=found, limits=self.settings.limits), MEDIA[fmt]

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
            page = await run_in_threadpool(self.cached, "explorer", make)
        except DiplokgError as exc:
            return _error(exc)
        return HTMLResponse(page)

    async def report(self, request: Request) -> Response:
        make = self.settings.report
        if make is None:
            return PlainTextResponse("diplokg: no report on this server\n", status_code=404)
        try:
            text = await run_in_threadpool(self.cached, "report", make)
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
            "answers_kept": {"hits": self.answers.hits, "misses": self.answers.misses},
            "questions_warmed": self.warmed(graph),
            "workers": None if graph.workers is None else {"size": graph.workers.size,
                                                           "replaced": graph.workers.replaced},
        })


#: Guards the kept verdicts (the gate itself reads one query at a time, see kg.query.gate).
_GATE = threading.Lock()


def _vetted(text: str, graphs: tuple[URIRef, ...], origin: str) -> VettedQuery:
    """The gate's verdict, kept for queries asked again (the library's)."""
    with _GATE:
        return _vet_once(text, graphs, origin)


@functools.lru_cache(maxsize=256)
def _vet_once(text: str, graphs: tuple[URIRef, ...], origin: str) -> VettedQuery:
    return vet(text, graphs, origin=origin)


def _generation(graph: BuiltGraph) -> int:
    """Which load of a build ``graph`` is (answers are kept per generation)."""
    return int(getattr(graph, "generation", id(graph)))


def _answer_bytes(answer: Answer, fmt: str) -> tuple[bytes, str]:
    """An answer in a format, as (body, media type)."""
    if answer.kind in ("SELECT", "ASK"):
        return render(answer, fmt).encode("utf-8"), MEDIA[fmt]  # type: ignore[arg-type]
    graph = answer.graph
    data = graph.serialize(format=fmt, encoding="utf-8") if graph is not None else b""
    return data, GRAPH_MEDIA[fmt]


def _json_bytes(data: object) -> tuple[bytes, str]:
    return json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json"


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
    middleware = []
    if settings.cors_origins:
        middleware.append(Middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                                     allow_methods=["GET", "POST"], allow_headers=["Accept", "Content-Type"]))
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={Exception: _internal})
    app.state.server = server
    return app


def to_json(data: object) -> str:
    """JSON as the server writes it (for tests and tools)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True)
