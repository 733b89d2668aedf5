"""What a SPARQL store answers, read strictly: results (JSON, XML) and RDF (N-Triples, Turtle, RDF/XML).

A store is untrusted input like any other. Every reader here takes a body already bounded in size
(:mod:`kg.http` caps it) and either returns the answer or raises one :class:`~kg.errors.QueryError`
line; it never fetches anything (no JSON-LD contexts, no external entities) and never expands an
entity:

- results JSON: ``NaN``/``Infinity`` refused, nesting bounded by Python's recursion limit (a
  ``RecursionError`` is one line), every part checked for its kind (``[]``, a number where a term
  should be ...);
- results XML and RDF/XML: read by expat with any ``<!DOCTYPE`` refused (no entity, so no "billion
  laughs"), elements nested at most :data:`MAX_XML_DEPTH` deep;
- RDF: parsed by pyoxigraph (strict, fast); CSV and TSV results are refused (CSV cannot say which
  value is an IRI, and we never ask for either).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from xml.parsers import expat

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.errors import QueryError
from kg.terms import triples_to_rdflib

#: The deepest element nesting read in an XML answer (results use 5 levels; RDF/XML rarely 20).
MAX_XML_DEPTH = 128
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
_GRAPH_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
Row = tuple[Node | None, ...]
Results = tuple[tuple[str, ...], list[Row]]


def _malformed(what: str) -> QueryError:
    return QueryError(f"the store's answer is malformed: {what}")


def _refuse_constant(name: str) -> float:
    raise _malformed(f"{name} is not a JSON value")


def _term(cell: object) -> Node:
    """One binding of results JSON (``typed-literal`` is Virtuoso's older form of ``literal``)."""
    if not isinstance(cell, dict):
        raise _malformed("a binding is not an object")
    kind, value = cell.get("type"), cell.get("value")
    if not isinstance(value, str):
        raise _malformed("a binding's value is not a string")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind not in ("literal", "typed-literal"):
        raise _malformed(f"a term of unknown type {kind!r}")
    return _literal(value, cell.get("xml:lang"), cell.get("datatype"))


def _literal(value: str, lang: object, datatype: object) -> Literal:
    if (lang is not None and not isinstance(lang, str)) or (datatype is not None and not isinstance(datatype, str)):
        raise _malformed("a literal's language or datatype is not a string")
    if lang:
        return Literal(value, lang=lang)
    if datatype and datatype != _XSD_STRING:
        return Literal(value, datatype=URIRef(datatype))
    return Literal(value)


def results_json(body: bytes, ask: bool, variables: Sequence[str] = ()) -> Results | bool:
    """The answer of a SELECT (its variables and rows) or an ASK (its boolean) from results JSON.

    Raises:
        QueryError: Not results JSON, or a part of the wrong kind.
    """
    try:
        data: Any = json.loads(body, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError):
        raise QueryError("the store's answer is not SPARQL results JSON") from None
    except RecursionError:
        raise _malformed("JSON nested too deeply") from None
    if not isinstance(data, dict):
        raise _malformed("results JSON is not an object")
    if ask:
        if not isinstance(data.get("boolean"), bool):
            raise _malformed("an ASK's answer has no boolean")
        return bool(data["boolean"])
    head, results = data.get("head", {}), data.get("results")
    if not isinstance(head, dict) or not isinstance(results, dict):
        raise _malformed("results JSON without its head or results")
    names = head.get("vars", list(variables))
    bindings = results.get("bindings")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise _malformed("the variables are not a list of names")
    if not isinstance(bindings, list) or not all(isinstance(b, dict) for b in bindings):
        raise _malformed("the bindings are not a list of objects")
    rows = [tuple(_term(b[v]) if v in b else None for v in names) for b in bindings]
    return tuple(names), rows


class _XmlResults:
    """SPARQL results XML, read by expat (namespaces resolved, DOCTYPE refused, depth bounded)."""

    def __init__(self) -> None:
        self.variables: list[str] = []
        self.rows: list[dict[str, Node]] = []
        self.boolean: bool | None = None
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.binding: str | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.removeprefix(_RESULTS_NS + " ")
        self.stack.append((local, attrs))
        self.text = []
        if local == "variable":
            self.variables.append(_attribute(attrs, "name"))
        elif local == "result":
            self.rows.append({})
        elif local == "binding":
            self.binding = _attribute(attrs, "name")

    def end(self, name: str) -> None:
        local, attrs = self.stack.pop()
        text = "".join(self.text)
        if local in ("uri", "bnode", "literal"):
            if self.binding is None or not self.rows:
                raise _malformed(f"a <{local}> outside a binding")
            term: Node
            if local == "uri":
                term = URIRef(text)
            elif local == "bnode":
                term = BNode(text)
            else:
                term = _literal(text, attrs.get("http://www.w3.org/XML/1998/namespace lang"), attrs.get("datatype"))
            self.rows[-1][self.binding] = term
        elif local == "boolean":
            if text.strip() not in ("true", "false"):
                raise _malformed("an ASK's boolean is neither true nor false")
            self.boolean = text.strip() == "true"
        self.text = []


def _attribute(attrs: dict[str, str], name: str) -> str:
    value = attrs.get(name)
    if not isinstance(value, str):
        raise _malformed(f"an element without its {name}")
    return value


def _expat(body: bytes, reader: _XmlResults | None = None) -> None:
    """Parse XML with expat: any ``<!DOCTYPE`` (and so any entity) refused, nesting bounded.

    Raises:
        QueryError: A DOCTYPE, too deep a nesting, or not well-formed XML.
    """
    parser = expat.ParserCreate(namespace_separator=" ")
    depth = [0]

    def refuse(*_args: object) -> None:
        raise _malformed("XML with a DOCTYPE (entities are never expanded)")

    def start(name: str, attrs: dict[str, str]) -> None:
        depth[0] += 1
        if depth[0] > MAX_XML_DEPTH:
            raise _malformed(f"XML nested more than {MAX_XML_DEPTH} deep")
        if reader is not None:
            reader.start(name, attrs)

    def end(name: str) -> None:
        depth[0] -= 1
        if reader is not None:
            reader.end(name)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    if reader is not None:
        parser.CharacterDataHandler = lambda data: reader.text.append(data)
        parser.buffer_text = True
    try:
        parser.Parse(body, True)
    except expat.ExpatError as exc:
        raise _malformed(f"not well-formed XML ({exc})") from None


def results_xml(body: bytes, ask: bool, variables: Sequence[str] = ()) -> Results | bool:
    """The answer of a SELECT or an ASK from results XML (see :func:`results_json`).

    Raises:
        QueryError: Not results XML, a DOCTYPE, too deep, or a part of the wrong kind.
    """
    reader = _XmlResults()
    _expat(body, reader)
    if ask:
        if reader.boolean is None:
            raise _malformed("an ASK's answer has no boolean")
        return reader.boolean
    names = tuple(reader.variables or variables)
    return names, [tuple(row.get(v) for v in names) for row in reader.rows]


def read_results(body: bytes, content_type: str, ask: bool, variables: Sequence[str] = ()) -> Results | bool:
    """A SELECT's or an ASK's answer, by its media type (JSON when the store does not say).

    Raises:
        QueryError: A format we do not read, or a malformed answer.
    """
    if content_type in ("application/sparql-results+xml", "application/xml", "text/xml"):
        return results_xml(body, ask, variables)
    if content_type in ("text/csv", "text/tab-separated-values"):
        raise QueryError(f"the store answered {content_type}, which diplokg does not read (it cannot tell an IRI "
                         "from a string): it asks for SPARQL results JSON or XML")
    return results_json(body, ask, variables)


def read_graph(body: bytes, content_type: str) -> Graph:
    """A CONSTRUCT's or DESCRIBE's answer: N-Triples, Turtle or RDF/XML (without a DOCTYPE).

    Raises:
        QueryError: Another media type (JSON-LD is refused: it may name contexts to fetch), or RDF
            that does not parse.
    """
    fmt = _GRAPH_FORMATS.get(content_type)
    if fmt is None:
        raise QueryError(f"the store answered {content_type or 'no type'}, not N-Triples, Turtle or RDF/XML")
    if fmt == ox.RdfFormat.RDF_XML:
        _expat(body)
    graph = Graph()
    try:
        for triple in triples_to_rdflib(ox.parse(body, format=fmt)):
            graph.add(triple)
    except (SyntaxError, ValueError, MemoryError) as exc:
        raise QueryError(f"the store's RDF does not parse: {str(exc).splitlines()[0] if str(exc) else exc!r}") from None
    return graph
