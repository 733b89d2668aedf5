"""The gate every query passes before an engine sees it: user queries, library questions and checks.

Contract (what :func:`vet` guarantees, for the CLI and for ``diplokg serve``):

- :func:`vet` returns a :class:`VettedQuery` or raises :class:`~kg.errors.QueryError` (a syntax error
  with its line and column, exit 2 / HTTP 400) or :class:`~kg.errors.QueryRefused` (a construct we
  refuse for safety, exit 2 / HTTP 403). Its message is one line.
- ``VettedQuery.text`` is the canonical text (:mod:`kg.query.canonical`): the only text any engine may
  execute. A query may use the project's usual prefixes (:data:`kg.namespaces.PREFIXES`: ``diplo:``,
  ``iso:``, ``rdfs:`` ...) without declaring them, as on the Wikidata Query Service: the canonical text
  declares those it uses, one ``PREFIX`` a line before the query's own first line, so it runs unchanged
  on any SPARQL engine (a query's own declarations win: a prefix it declares is never declared again).
  The declarations are added before vetting: what is vetted is what runs. Messages give lines and
  columns in the query as written. It is what rdflib's parser read when vetting, and it holds nothing that rdflib and
  Oxigraph read differently as far as we know (no comments, no carriage returns, no ``\\u`` escapes,
  one string syntax). ``VettedQuery.algebra`` is rdflib's parse of that very text.
- Refused: updates (``LOAD``, ``INSERT`` ...), ``SERVICE`` anywhere (any case, any nesting), ``FROM``
  or ``FROM NAMED`` naming a graph that is not in ``allowed_graphs``, nesting deeper than
  :data:`~kg.query.canonical.MAX_DEPTH`, and what :mod:`kg.query.canonical` cannot read one way.
- ``VettedQuery.default_graphs``/``named_graphs`` are the query's ``FROM``/``FROM NAMED`` graphs (all
  ours); engines must give the query exactly that dataset (and never fetch anything).

Vetting is pure: it reads no file and opens no connection. It costs what rdflib's parser costs (tens
to hundreds of milliseconds for a library question), and on hostile text far more (minutes and
gigabytes for a 10 MB ``VALUES`` block): a server vets what clients send in its contained workers, within
their time limit and memory ceiling (:mod:`kg.query.gated`), never in its own process.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal as TypingLiteral

import rdflib.plugins.sparql.parser as _sparql_parser
from pyparsing import ParseException
from rdflib import Literal, URIRef
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query

from kg.errors import QueryError, QueryRefused, did_you_mean
from kg.namespaces import PREFIXES
from kg.query.canonical import Ambiguous, Canonical, canonical, line_column

QueryKind = TypingLiteral["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]

_KINDS: dict[str, QueryKind] = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}


@dataclass(frozen=True)
class VettedQuery:
    """A query that passed the gate.

    Attributes:
        text: The canonical text: what every engine executes.
        kind: SELECT, ASK, CONSTRUCT or DESCRIBE.
        algebra: rdflib's translation of ``text``, for rdflib's engine.
        variables: The projected variables of a SELECT, in order.
        default_graphs: The graphs named by ``FROM`` (empty: the engine's default graph).
        named_graphs: The graphs named by ``FROM NAMED``.
        origin: How messages name the query (a file, or "query").
    """

    text: str
    kind: QueryKind
    algebra: Query
    variables: tuple[str, ...]
    default_graphs: tuple[URIRef, ...] = ()
    named_graphs: tuple[URIRef, ...] = ()
    origin: str = "query"

    @property
    def has_dataset(self) -> bool:
        """Whether the query names its dataset with ``FROM``/``FROM NAMED``."""
        return bool(self.default_graphs or self.named_graphs)


def _walk(node: object) -> Iterable[CompValue]:
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _walk(item)


def _parse(text: str, origin: str, added: int = 0) -> object:
    """rdflib's parse of ``text``, whose first ``added`` lines are the declarations the gate added
    (a syntax error's line is given in the query as written)."""
    try:
        return parseQuery(text)
    except ParseException as exc:
        try:
            parseUpdate(text)
        except (ParseException, RecursionError):
            pass
        else:
            raise QueryRefused(
                f"{origin}: updates (LOAD, INSERT, DELETE, CLEAR, ...) are not allowed; "
                "only SELECT, ASK, CONSTRUCT and DESCRIBE"
            ) from None
        found = f", found {exc.line[exc.col - 1:exc.col + 19]!r}" if exc.line else ""
        raise QueryError(f"{origin}: line {exc.lineno - added}, column {exc.col}: SPARQL syntax error{found}") from None
    except RecursionError:
        raise QueryRefused(f"{origin}: the query is nested too deeply to read") from None
    except Exception as exc:  # rdflib's parse actions raise what they raise (TypeError, ValueError ...)
        raise QueryError(f"{origin}: rdflib cannot read the query ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else ''})") from None


def _negative(literal: Literal) -> Literal:
    """rdflib's parse action for a negative number, which fails on a decimal (``-1.0``: "Not a number"):
    the negated value, with the literal's datatype."""
    if isinstance(literal.value, Decimal):
        return Literal(-literal.value, datatype=literal.datatype)
    return _rdflib_negative(literal)


# SPARQL's ``-1.0`` (syntax-general-08 of the W3C suite) is a valid query that rdflib's parser could not
# read: its parse actions call the module's ``neg``, which is replaced by one that also negates decimals.
_rdflib_negative = _sparql_parser.neg
_sparql_parser.neg = _negative


#: rdflib's SPARQL parser (pyparsing) is not thread-safe: two threads parsing at once get spurious
#: syntax errors and crashes. The gate reads one query at a time, whichever thread asks (a server's
#: pages and reports; a server's requests are vetted in its workers, :mod:`kg.query.gated`).
_PARSER = threading.RLock()
# A process is never forked in the middle of a parse: a worker forked then would inherit the lock held
# (and the parser's state half-way), and wait for ever on its first query.
if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_PARSER.acquire, after_in_parent=_PARSER.release, after_in_child=_PARSER.release)


def vet(
    text: str,
    allowed_graphs: Iterable[URIRef | str] = (),
    origin: str = "query",
) -> VettedQuery:
    """Put a query through the gate (see the module's contract).

    Args:
        text: The query as written.
        allowed_graphs: The graphs ``FROM``/``FROM NAMED`` may name (ours, see ``diplokg graphs``).
        origin: How to name the query in messages (a file path or "query").

    Raises:
        QueryError: A syntax error (line and column) or an invalid query.
        QueryRefused: An update, ``SERVICE``, a ``FROM`` outside ``allowed_graphs``, too deep a
            nesting, or a text without one reading.
    """
    allowed = frozenset(str(g) for g in allowed_graphs)
    with _PARSER:
        if len(text) <= _KEEP_CHARS:
            return _vet_kept(text, allowed, origin)
        return _vet(text, allowed, origin)


#: The longest text whose verdict is kept. A library question is vetted again and again in one
#: process (each command, the report's sections, the explorer's rules, a server's pages), and rdflib's
#: parse of the longest (network-as-of) costs seconds on a busy machine; a client's large text is read
#: once and let go.
_KEEP_CHARS = 65_536


@functools.lru_cache(maxsize=256)
def _vet_kept(text: str, allowed: frozenset[str], origin: str) -> VettedQuery:
    """:func:`_vet`, its passes kept (refusals are raised again each time): the verdict depends on
    nothing but these arguments, and a :class:`VettedQuery` is never changed (rdflib evaluates a
    parsed query as often as asked, as its ``prepareQuery`` is meant to be)."""
    return _vet(text, allowed, origin)


def declarations(canon: Canonical, text: str, origin: str = "query") -> str:
    """The ``PREFIX`` lines for the usual prefixes that ``canon`` uses without declaring them (one a
    line, each ending with a line feed; empty when there are none).

    Args:
        canon: The canonical reading of ``text``.
        text: The query as written (for the position of an unknown prefix).
        origin: How to name the query in messages.

    Raises:
        QueryError: The query uses a prefix that it does not declare and that is not a usual one
            (its line and column in ``text``).
    """
    missing = sorted((at, prefix) for prefix, at in canon.used.items() if prefix not in canon.declared)
    for at, prefix in missing:
        if prefix not in PREFIXES:
            line, column = line_column(text, at)
            hint = did_you_mean(prefix + ":", [p + ":" for p in PREFIXES])
            raise QueryError(f"{origin}: line {line}, column {column}: the prefix {prefix}: is not declared "
                             f"and is not one of the usual prefixes ({hint + '; ' if hint else ''}"
                             "`diplokg query --help` lists them)")
    return "".join(f"PREFIX {prefix}: <{PREFIXES[prefix]}>\n" for prefix in sorted(p for _, p in missing))


def _vet(text: str, allowed_graphs: Iterable[URIRef | str], origin: str) -> VettedQuery:
    try:
        canon = canonical(text, PREFIXES)
    except Ambiguous as exc:
        raise QueryRefused(f"{origin}: line {exc.line}, column {exc.column}: {exc.message}") from None
    prologue = declarations(canon, text, origin)
    runs = prologue + canon.text  # what is vetted below, and the only text an engine runs
    parsed = _parse(runs, origin, prologue.count("\n"))
    for node in _walk(parsed):
        if node.name == "ServiceGraphPattern":
            raise QueryRefused(f"{origin}: SERVICE is not allowed: queries never reach the network")
    try:
        algebra = translateQuery(parsed)  # type: ignore[arg-type]
    except RecursionError:
        raise QueryRefused(f"{origin}: the query is nested too deeply to read") from None
    except Exception as exc:  # rdflib raises plain Exceptions for semantic errors
        raise QueryError(f"{origin}: invalid query: {str(exc).splitlines()[0] if str(exc) else exc!r}") from None
    for node in _walk(algebra.algebra):
        if node.name == "ServiceGraphPattern":
            raise QueryRefused(f"{origin}: SERVICE is not allowed: queries never reach the network")
    allowed = {str(g) for g in allowed_graphs}  # URIRefs or plain strings alike
    defaults: list[URIRef] = []
    named: list[URIRef] = []
    for clause in algebra.algebra.get("datasetClause") or []:
        # CompValue.get answers a missing key with the key's name: look keys up as a dict's.
        keyword = "FROM" if "default" in dict(clause) else "FROM NAMED"
        iri = dict(clause)["default" if keyword == "FROM" else "named"]
        if str(iri) not in allowed:
            hint = did_you_mean(str(iri), sorted(allowed), cutoff=0.9)
            raise QueryRefused(
                f"{origin}: {keyword} <{iri}> is not allowed: only the graphs of this build can be "
                f"named (see `diplokg graphs`{'; ' + hint if hint else ''}); nothing is ever fetched"
            )
        (defaults if keyword == "FROM" else named).append(URIRef(iri))
    kind = _KINDS.get(algebra.algebra.name)
    if kind is None:
        raise QueryError(f"{origin}: unsupported query form {algebra.algebra.name}")
    variables: tuple[str, ...] = ()
    if kind == "SELECT":
        variables = tuple(str(v) for v in algebra.algebra.get("PV") or [])
    return VettedQuery(
        text=runs,
        kind=kind,
        algebra=algebra,
        variables=variables,
        default_graphs=tuple(dict.fromkeys(defaults)),
        named_graphs=tuple(dict.fromkeys(named)),
        origin=origin,
    )
