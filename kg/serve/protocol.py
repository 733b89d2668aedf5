"""The SPARQL 1.1 Protocol, read-only: what a request asks, and in which format to answer.

A query comes as ``GET ?query=...``, as ``POST`` of a form (``query=...``) or as ``POST`` of
``application/sparql-query``; ``default-graph-uri`` and ``named-graph-uri`` may name its dataset
(our graphs only). An update (``update=`` or ``application/sparql-update``) is refused with 403:
the endpoint is read-only. Results come in the format the ``Accept`` header prefers; a query that
names terms the ontology does not define is answered as any, with the header :data:`WARNINGS_HEADER`
(a JSON list of one-line warnings, ASCII).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from kg.errors import DiplokgError

#: The response header that carries a query's warnings (:mod:`kg.query.vocabulary`).
WARNINGS_HEADER = "Diplokg-Warnings"


def warned(warnings: Sequence[str], body: bytes) -> bytes:
    """An answer kept with its warnings: a JSON line, then the body (:func:`unwarned` reads it back)."""
    return json.dumps(list(warnings)).encode() + b"\n" + body


def unwarned(kept: bytes) -> tuple[bytes, dict[str, str]]:
    """The body of an answer kept by :func:`warned`, and the headers that carry its warnings."""
    line, _, body = kept.partition(b"\n")
    return body, ({WARNINGS_HEADER: line.decode("ascii")} if line != b"[]" else {})


#: SELECT/ASK result formats: media type -> our format name (kg.query.formats).
RESULT_TYPES: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
#: CONSTRUCT/DESCRIBE formats: media type -> rdflib serialiser.
GRAPH_TYPES: dict[str, str] = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}
#: What each results format is sent as.
MEDIA: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
}
#: What each RDF format is sent as.
GRAPH_MEDIA: dict[str, str] = {
    "turtle": "text/turtle; charset=utf-8",
    "nt": "application/n-triples",
    "xml": "application/rdf+xml",
    "json-ld": "application/ld+json",
}


class ProtocolError(DiplokgError):
    """A request the endpoint answers with an error status and one line."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class QueryRequest:
    """What a protocol request asks: the query and the graphs it names."""

    text: str
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)


def _one(fields: list[tuple[str, str]], name: str) -> str | None:
    values = [v for k, v in fields if k == name]
    if len(values) > 1:
        raise ProtocolError(400, f"give one '{name}' parameter, not {len(values)}")
    return values[0] if values else None


def read_request(method: str, query_string: str, content_type: str, body: bytes) -> QueryRequest:
    """Read a query request of the protocol.

    Raises:
        ProtocolError: 403 for an update, 405 for another method, 415 for another body type, 400 for
            a request without one query.
    """
    url_fields = parse_qsl(query_string, keep_blank_values=True)
    media = content_type.split(";")[0].strip().lower()
    if method == "GET":
        fields = url_fields
    elif method == "POST":
        if media == "application/sparql-update":
            raise ProtocolError(403, "updates are refused: this endpoint is read-only")
        if media == "application/x-www-form-urlencoded":
            try:
                fields = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
            except UnicodeDecodeError:
                raise ProtocolError(400, "the form is not UTF-8") from None
        elif media == "application/sparql-query":
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise ProtocolError(400, "the query is not UTF-8") from None
            if _one(url_fields, "query") is not None:
                raise ProtocolError(400, "give the query once: in the body or in the URL, not both")
            return QueryRequest(text, [v for k, v in url_fields if k == "default-graph-uri"],
                                [v for k, v in url_fields if k == "named-graph-uri"])
        else:
            raise ProtocolError(415, f"unsupported request type {media or '(none)'}: send "
                                     "application/x-www-form-urlencoded or application/sparql-query")
        fields = fields + url_fields
    else:
        raise ProtocolError(405, f"{method} is not allowed: query with GET or POST")
    if any(k in ("update", "using-graph-uri", "using-named-graph-uri") for k, _ in fields):
        raise ProtocolError(403, "updates are refused: this endpoint is read-only")
    query = _one(fields, "query")
    if query is None:
        raise ProtocolError(400, "no query: give a 'query' parameter")
    return QueryRequest(query, [v for k, v in fields if k == "default-graph-uri"],
                        [v for k, v in fields if k == "named-graph-uri"])


def _accepted(accept: str) -> list[tuple[str, float]]:
    """The media types of an Accept header with their q values, best first (stable)."""
    found: list[tuple[str, float, int]] = []
    for i, part in enumerate(accept.split(",")):
        bits = [b.strip() for b in part.split(";")]
        if not bits[0]:
            continue
        q = 1.0
        for bit in bits[1:]:
            if bit.startswith("q="):
                try:
                    q = float(bit[2:])
                except ValueError:
                    q = 0.0
        found.append((bits[0].lower(), q, i))
    found.sort(key=lambda t: (-t[1], t[2]))
    return [(m, q) for m, q, _ in found if q > 0]


def negotiate(accept: str, kind: str) -> str:
    """The format to answer in: our format name for a SELECT/ASK, an rdflib serialiser for RDF.

    Raises:
        ProtocolError: 406 when the client accepts none of the formats of this kind of answer.
    """
    table = RESULT_TYPES if kind in ("SELECT", "ASK") else GRAPH_TYPES
    default = "json" if kind in ("SELECT", "ASK") else "turtle"
    if not accept.strip():
        return default
    for media, _ in _accepted(accept):
        if media in table:
            return table[media]
        if media in ("*/*", "application/*"):
            return default
        if media == "text/*":
            return "csv" if kind in ("SELECT", "ASK") else "turtle"
    names = ", ".join(sorted(set(table)))
    raise ProtocolError(406, f"cannot answer a {kind} as {accept!r}: accept one of {names}")
