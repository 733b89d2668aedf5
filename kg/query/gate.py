"""SPARQL for users: parse and vet a query before any engine sees it.

User queries are untrusted. rdflib would fetch ``SERVICE`` endpoints, ``LOAD`` documents and
``FROM`` graphs from the network or the disk; we refuse all of them here, before execution, for both
engines. A ``FROM``/``FROM NAMED`` naming one of our own graphs is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal as TypingLiteral

from pyparsing import ParseException
from rdflib import URIRef
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query

from kg.errors import QueryError

QueryKind = TypingLiteral["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]

_KINDS: dict[str, QueryKind] = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}


@dataclass(frozen=True)
class VettedQuery:
    """A query that parsed and passed the safety rules.

    Attributes:
        text: The query text, unchanged.
        kind: SELECT, ASK, CONSTRUCT or DESCRIBE.
        algebra: rdflib's translation, ready for rdflib's engine.
        variables: The projected variables of a SELECT, in order.
    """

    text: str
    kind: QueryKind
    algebra: Query
    variables: tuple[str, ...]


def _walk(node: object) -> Iterable[CompValue]:
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _walk(item)


def _position(exc: ParseException, origin: str) -> str:
    return f"{origin}: line {exc.lineno}, column {exc.col}"


def vet(text: str, allowed_graphs: Iterable[URIRef] = (), origin: str = "query") -> VettedQuery:
    """Parse a SPARQL 1.1 query and apply the safety rules.

    Args:
        text: The query.
        allowed_graphs: Graph names a ``FROM``/``FROM NAMED`` clause may use.
        origin: How to name the query in messages (a file path or "query").

    Returns:
        The vetted query.

    Raises:
        QueryError: A syntax error (with its line and column), an update, ``SERVICE``, or a ``FROM``
            naming a graph that is not ours.
    """
    try:
        parsed = parseQuery(text)
    except ParseException as exc:
        try:
            parseUpdate(text)
        except ParseException:
            pass
        else:
            raise QueryError(
                f"{origin}: updates (LOAD, INSERT, DELETE, CLEAR, ...) are not allowed; "
                "only SELECT, ASK, CONSTRUCT and DESCRIBE"
            ) from None
        found = f", found {exc.line[exc.col - 1:exc.col + 19]!r}" if exc.line else ""
        raise QueryError(f"{_position(exc, origin)}: SPARQL syntax error{found}") from None
    try:
        algebra = translateQuery(parsed)
    except Exception as exc:  # rdflib raises plain Exceptions for semantic errors
        raise QueryError(f"{origin}: invalid query: {exc}") from None
    allowed = set(allowed_graphs)
    for node in _walk(algebra.algebra):
        if node.name == "ServiceGraphPattern":
            raise QueryError(f"{origin}: SERVICE is not allowed: queries never reach the network")
    for clause in algebra.algebra.get("datasetClause") or []:
        iri = clause.get("default") or clause.get("named")
        if iri not in allowed:
            raise QueryError(
                f"{origin}: FROM <{iri}> is not allowed: only our own graphs can be named "
                "(see `diplokg graphs`)"
            )
    kind = _KINDS.get(algebra.algebra.name)
    if kind is None:
        raise QueryError(f"{origin}: unsupported query form {algebra.algebra.name}")
    variables: tuple[str, ...] = ()
    if kind == "SELECT":
        variables = tuple(str(v) for v in algebra.algebra.get("PV") or [])
    return VettedQuery(text=text, kind=kind, algebra=algebra, variables=variables)
