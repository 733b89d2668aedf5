"""A query that is vetted where it runs: in a contained worker, inside its time limit and memory ceiling.

A server must not read hostile text in its own process: rdflib's parser took 13 minutes and 4 GB
over a 10 MB ``VALUES`` query, under one lock every request waited for, and outside ``--timeout``.
So the server sends a :class:`GatedRequest` (the text as it came, its values as terms made by
Oxigraph's constructors) to a worker of its pool (:mod:`kg.query.pool`), which:

1. puts the text through the gate (:func:`kg.query.gate.vet`; a worker keeps its last verdicts on
   texts asked again, the library's questions, bounded in count and bytes);
2. binds the values (:func:`kg.query.sparqltext.bind`: a ``VALUES`` block vetted with the rest);
3. runs the vetted text on Oxigraph and writes the answer in the format the request names for the
   query's kind (chosen by the server from ``Accept`` for either kind; ``None`` where it accepts none).

Its answer is a JSON head line (``kind``, ``format``, ``variables``, and ``warnings``: the ontology's
terms the query names that the ontology does not define, :mod:`kg.query.vocabulary`) and the payload. Every step
runs inside the worker's limits, so a query that is slow to read is stopped like one slow to run.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import Graph, URIRef

from kg.errors import QueryError
from kg.query.engine import OxigraphRequest, _oxigraph_bytes, _store_options
from kg.query.gate import VettedQuery, vet
from kg.query.pool import PoolClosed
from kg.query.sandbox import Limits, contained
from kg.query.sparqltext import Value, bind
from kg.query.vocabulary import warnings
from kg.terms import to_rdflib

if TYPE_CHECKING:
    from collections.abc import Callable

    from kg.query.engine import BuiltGraph

#: Verdicts a worker keeps (texts asked again: the library's questions, a page's queries).
KEPT_VERDICTS = 64
#: Bytes of query text a worker keeps verdicts for, in all; a longer text is vetted every time.
KEPT_TEXT_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class GatedRequest:
    """A query for a worker to vet, bind and run.

    Attributes:
        text: The query as it came (not vetted yet).
        origin: How messages name it ("query", a question's file).
        allowed: The graphs ``FROM``/``FROM NAMED`` may name (the build's).
        values: A value per variable, as terms made by Oxigraph's constructors.
        select_format: The results format of a SELECT's or ASK's answer (``json``, ``xml``, ``csv``,
            ``tsv``), or None where the client accepts none.
        graph_format: The RDF format of a CONSTRUCT's or DESCRIBE's answer (an rdflib serialiser
            name), or None where the client accepts none.
        cap: Rows (or triples) the answer may have.
        default_graphs: The protocol's ``default-graph-uri`` (our graphs; with ``named_graphs``, it
            replaces the query's own dataset when either is given).
        named_graphs: The protocol's ``named-graph-uri``.
    """

    text: str
    origin: str
    allowed: tuple[str, ...]
    values: tuple[tuple[str, Value], ...] = ()
    select_format: str | None = "json"
    graph_format: str | None = "turtle"
    cap: int | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


#: Characters of a query's text its shape is read from (a long VALUES block repeats itself).
SHAPE_CHARS = 4096
# Linear to read (no alternative scans ahead for a closing quote or bracket): a hostile text costs the
# server no more than its length.
_TOKEN = re.compile(r"[?$]\w+|[A-Za-z_]\w*|\d+|\S")
_KEYWORDS = frozenset((
    "select", "construct", "describe", "ask", "where", "from", "named", "prefix", "base", "distinct",
    "reduced", "as", "optional", "union", "minus", "graph", "filter", "bind", "values", "service", "not",
    "exists", "in", "group", "by", "having", "order", "asc", "desc", "limit", "offset", "count", "sum",
    "min", "max", "avg", "sample", "group_concat", "separator", "a", "undef", "true", "false",
))


def shape(text: str) -> str:
    """What kind of query ``text`` is, for fair turns (:mod:`kg.query.pool`'s flows): its keywords and
    punctuation, each variable, other word and number as a placeholder (strings and IRIs are read as
    their words and punctuation), from its first :data:`SHAPE_CHARS` characters; a digest of that,
    16 hex digits. Two runaways that differ by a number or a variable's name have one shape. Reading
    is linear in the part read (it runs in the server's process)."""
    parts = []
    for match in _TOKEN.finditer(text[:SHAPE_CHARS]):
        token = match.group(0)
        first = token[0]
        if first in "?$":
            parts.append("?")
        elif first.isdigit():
            parts.append("0")
        elif first.isalpha() or first == "_":
            lower = token.lower()
            parts.append(lower if lower in _KEYWORDS else "n")
        else:
            parts.append(token)
    return hashlib.sha256(" ".join(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class GatedAnswer:
    """What a worker answered: the query's kind, the format of ``body`` (None: not acceptable, no body),
    and its warnings (one line each: :func:`kg.query.vocabulary.warnings`)."""

    kind: str
    format: str | None
    body: bytes
    variables: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


_VERDICTS: OrderedDict[tuple[str, str, tuple[str, ...]], VettedQuery] = OrderedDict()
_KEPT_BYTES = [0]


def _vetted(text: str, origin: str, allowed: tuple[str, ...]) -> VettedQuery:
    """The gate's verdict, kept for a text asked again (in this process: a worker's own)."""
    key = (text, origin, allowed)
    found = _VERDICTS.get(key)
    if found is not None:
        _VERDICTS.move_to_end(key)
        return found
    vetted = vet(text, allowed, origin=origin)
    if len(text) <= KEPT_TEXT_BYTES // 8:
        _VERDICTS[key] = vetted
        _KEPT_BYTES[0] += len(text)
        while len(_VERDICTS) > KEPT_VERDICTS or _KEPT_BYTES[0] > KEPT_TEXT_BYTES:
            old, _ = _VERDICTS.popitem(last=False)
            _KEPT_BYTES[0] -= len(old[0])
    return vetted


def answer(store: ox.Store, request: GatedRequest) -> bytes:
    """In a worker (or a contained child): vet, bind and run ``request``; ``head line + payload``.

    Raises:
        QueryError, QueryRefused: The gate refused the text or its values; the engine failed.
        TooManyRows: The answer has more rows than ``request.cap``.
    """
    vetted = bind(_vetted(request.text, request.origin, request.allowed), dict(request.values))
    if request.default_graphs or request.named_graphs:
        vetted = replace(vetted, default_graphs=tuple(URIRef(g) for g in request.default_graphs),
                         named_graphs=tuple(URIRef(g) for g in request.named_graphs))
    results = vetted.kind in ("SELECT", "ASK")
    fmt = request.select_format if results else request.graph_format
    head: dict[str, Any] = {"kind": vetted.kind, "format": fmt, "variables": list(vetted.variables),
                            "warnings": warnings(vetted)}
    if fmt is None:
        return json.dumps(head).encode() + b"\n"
    options = _store_options(vetted)
    if results:
        data = _oxigraph_bytes(store, OxigraphRequest(vetted.text, options, request.cap, fmt))
        return json.dumps(head).encode() + b"\n" + data.partition(b"\n")[2]
    data = _oxigraph_bytes(store, OxigraphRequest(vetted.text, options, request.cap))
    if fmt == "nt":
        return json.dumps(head).encode() + b"\n" + data.partition(b"\n")[2]
    graph = Graph()
    for t in ox.parse(data.partition(b"\n")[2], format=ox.RdfFormat.N_TRIPLES):
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))  # type: ignore[arg-type]
    return json.dumps(head).encode() + b"\n" + graph.serialize(format=fmt, encoding="utf-8")


def handler(store: ox.Store) -> Callable[[Any], bytes]:
    """What a :class:`~kg.query.pool.WorkerPool`'s worker runs: a :class:`GatedRequest`, or an
    :class:`~kg.query.engine.OxigraphRequest` of a query vetted already."""

    def handle(request: Any) -> bytes:
        if isinstance(request, GatedRequest):
            return answer(store, request)
        return _oxigraph_bytes(store, request)

    return handle


def run_gated(graph: BuiltGraph, request: GatedRequest, limits: Limits, wait: float = 60.0,
              flow: str = "", movable: bool = True) -> GatedAnswer:
    """Vet and run ``request`` over ``graph`` in its pool's worker (a child of its own where the pool is
    closed or has another memory ceiling), within ``limits``, once its turn comes in ``flow`` (within
    ``wait`` seconds; ``movable`` as :meth:`kg.query.pool.WorkerPool.run` takes it).

    Raises:
        As :meth:`kg.query.pool.WorkerPool.run`, and QueryError for what the gate refused.
    """
    pool = graph.workers
    data: bytes | None = None
    if pool is not None and pool.memory_mib == limits.memory_mib:
        try:
            data = pool.run(request, limits, wait, flow, movable)
        except PoolClosed:
            data = None
    if data is None:
        store = graph.store

        def job() -> bytes:
            return answer(store, request)

        data = contained(job, limits)
    line, _, body = data.partition(b"\n")
    try:
        head = json.loads(line)
    except ValueError:
        raise QueryError("the query worker answered something unreadable") from None
    return GatedAnswer(str(head["kind"]), head.get("format"), body, tuple(head.get("variables") or ()),
                       tuple(str(w) for w in head.get("warnings") or ()))
