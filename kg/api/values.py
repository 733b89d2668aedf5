"""Values between Python and SPARQL: what a caller binds, and what an answer's cells become.

Bound values (``bind={"entity": "Uganda", "asOf": datetime.date(2024, 1, 1)}``, or ``--bind NAME=VALUE``
on the command line) become RDF terms here, and go on as data: the question's declared types, the
entity look-up and the gate's ``VALUES`` block (:func:`kg.query.sparqltext.bind`) take them from there.

An answer's cells become plain Python values (:func:`python_value`):

========================================================  ==============================================
RDF term                                                  Python value
========================================================  ==============================================
IRI                                                       :class:`rdflib.URIRef` (a ``str``)
blank node                                                :class:`rdflib.BNode` (a ``str``)
``xsd:integer`` and its kinds (``xsd:int``, ``xsd:long``)  ``int``
``xsd:decimal``, ``xsd:double``, ``xsd:float``            ``float``
``xsd:boolean``                                           ``bool``
``xsd:date``                                              :class:`datetime.date`
``xsd:dateTime``                                          :class:`datetime.datetime`
anything else (text, ``xsd:gYear``, ``xsd:gYearMonth``)    ``str``, the literal's text as written
unbound                                                   ``None``
========================================================  ==============================================

A year or a month (``xsd:gYear`` "2023", ``xsd:gYearMonth`` "2023-10") stays text: it is not a day, and
reading it as the first of the month would say more than the source. A literal that is not what its
datatype says (ill-typed) is its text too.
"""

from __future__ import annotations

import datetime
import re

import pyoxigraph as ox
from rdflib import XSD, BNode, Literal, URIRef
from rdflib.term import Node

from kg.errors import QueryError
from kg.query.formats import PREFIXES, short
from kg.query.library import quiet_literal

__all__ = ["BindValue", "Value", "parse_binding", "python_value", "to_term"]

#: A cell's value in Python (an IRI is a :class:`rdflib.URIRef`, which is a ``str``).
Value = str | int | float | bool | datetime.date | datetime.datetime | None
#: What a caller may bind to a parameter: Python values, or rdflib terms as they are.
BindValue = str | int | float | bool | datetime.date | URIRef | Literal

_INTEGERS = frozenset(XSD[n] for n in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "negativeInteger",
    "nonPositiveInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"))
_FLOATS = frozenset((XSD.decimal, XSD.double, XSD.float))
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def python_value(term: Node | None) -> Value:
    """An answer's cell as a Python value (the table in the module's docstring)."""
    if term is None:
        return None
    if isinstance(term, URIRef | BNode):
        return term
    if not isinstance(term, Literal):
        return str(term)
    datatype = term.datatype
    if datatype is None or term.ill_typed:
        return str(term)
    value = term.value
    if datatype in _INTEGERS and isinstance(value, int):
        return int(value)
    if datatype in _FLOATS and value is not None:
        return float(value)
    if datatype == XSD.boolean and isinstance(value, bool):
        return value
    if datatype == XSD.dateTime and isinstance(value, datetime.datetime):
        return value
    if datatype == XSD.date and isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    return str(term)


def to_term(name: str, value: object) -> Node:
    """A value bound to the parameter ``name``, as an RDF term.

    A ``str`` is read as ``--bind NAME=VALUE`` reads it (:func:`parse_binding`): ``iso:PRK`` or
    ``<https://...>`` an IRI, ``"2023-06-01"^^xsd:date`` a typed literal, anything else text (typed later
    by the parameter's declared type: ``"2024-01-01"`` for an ``xsd:date`` parameter is a date, and a
    name such as ``"Uganda"`` for an entity is looked up). ``int``, ``float``, ``bool``, ``datetime.date``
    and ``datetime.datetime`` become literals of their XSD type; rdflib's ``URIRef`` and ``Literal`` are
    taken as they are.

    Raises:
        QueryError: The name is not a variable's name, or the value is of no type SPARQL has.
    """
    if not _NAME.fullmatch(name.lstrip("?$")):
        raise QueryError(f"bind {name!r}: not a variable's name")
    if isinstance(value, URIRef):
        return _iri(f"{name}=<{value}>", str(value))
    if isinstance(value, Literal):
        return value
    if isinstance(value, str) and not isinstance(value, BNode):
        return parse_binding(f"{name}={value}")[1]
    if isinstance(value, bool | int):
        return Literal(value)
    if isinstance(value, float):
        return Literal(value, datatype=XSD.double)
    if isinstance(value, datetime.datetime):
        return Literal(value.isoformat(), datatype=XSD.dateTime)
    if isinstance(value, datetime.date):
        return Literal(value.isoformat(), datatype=XSD.date)
    raise QueryError(
        f"bind {name}: a {type(value).__name__} is no SPARQL value (give a str, int, float, bool, date, "
        "datetime, or an rdflib URIRef or Literal)"
    )


def parse_binding(text: str) -> tuple[str, Node]:
    """Parse ``NAME=VALUE``: ``<iri>`` or ``prefix:local`` give an IRI, ``"2023-06-01"^^xsd:date`` (quotes
    optional) a typed literal, anything else a string (typed later by the parameter's declared type).

    Raises:
        QueryError: The binding is not of that form.
    """
    name, sep, value = text.partition("=")
    name = name.lstrip("?$")
    if not sep or not _NAME.fullmatch(name):
        raise QueryError(f"--bind {text!r}: expected NAME=VALUE")
    if value.startswith("<") and value.endswith(">"):
        return name, _iri(text, value[1:-1])
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES and re.fullmatch(r"[^\s<>\"{}|^`\\]*", local):
        return name, URIRef(PREFIXES[prefix] + local)
    if re.match(r"^https?://", value):
        return name, _iri(text, value)
    typed = re.fullmatch(r'"?(.*?)"?\^\^(?:<([^<>]+)>|([A-Za-z][\w-]*):([\w-]+))', value, re.DOTALL)
    if typed:
        lexical, iri, prefix, local = typed.groups()
        if iri is None and prefix not in PREFIXES:
            raise QueryError(f"--bind {text!r}: unknown prefix {prefix!r} in the datatype")
        datatype = _iri(text, iri) if iri is not None else URIRef(PREFIXES[prefix] + local)
        literal = quiet_literal(lexical, datatype)
        if literal.ill_typed:
            raise QueryError(f"--bind {text!r}: {lexical!r} is not a valid {short(datatype)}")
        return name, literal
    return name, Literal(value)


def _iri(given: str, iri: str) -> URIRef:
    """An IRI for ``--bind``, checked as Oxigraph checks it (absolute, no spaces or ``<>"{}|^`\\``).

    Raises:
        QueryError: Not a valid absolute IRI (one line, naming the option).
    """
    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        raise QueryError(f"--bind {given!r}: not a valid IRI ({str(exc).splitlines()[0]})") from None
    return URIRef(iri)
