"""Quality checks: every ``*-violation.rq`` query in ``queries/checks``; each row is a violation."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import InputError, QueryError
from kg.terms import to_rdflib
from kg.validate.violations import Locator, Violation

if TYPE_CHECKING:
    from rdflib.term import Node

    from kg.query.engine import BuiltGraph

# Strings, IRIs and comments, cut out before looking for a keyword that could reach outside the store.
_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\s]*>'
    r"|#[^\n\r]*",
    re.DOTALL,
)
_REACHING = re.compile(r"\b(SERVICE|FROM|LOAD|INSERT|DELETE|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH|USING)\b|\\[uU]", re.I)


def check_files(checks_dir: Path) -> list[Path]:
    """The check queries, sorted by name."""
    return sorted(checks_dir.glob("*-violation.rq"))


def plainly_local(text: str) -> bool:
    """Whether a query plainly stays in the store: outside its strings, IRIs and comments it has no
    ``SERVICE``, ``FROM``, update keyword or ``\\u`` escape. Such a query needs no full vetting before
    Oxigraph runs it (any other goes through :func:`kg.query.gate.vet`, which refuses what must be refused)."""
    return _REACHING.search(_OPAQUE.sub(" ", text)) is None


def _violation(name: str, focus: Node | None, message: Node | None, locator: Locator) -> Violation:
    where, line = locator.locate(focus) if focus is not None else (None, None)
    return Violation(
        check=f"check {name}",
        focus=str(focus),
        message=str(message) if message is not None else "violates the check",
        path=where,
        line=line,
    )


def run_checks(built: BuiltGraph, checks_dir: Path, locator: Locator) -> list[Violation]:
    """Run every check over the built graph.

    Raises:
        InputError: A check query is malformed (its file and position are named).
    """
    from kg.query.gate import vet

    found: list[Violation] = []
    for path in check_files(checks_dir):
        name = path.name.removesuffix("-violation.rq")
        try:
            query = vet(path.read_text(encoding="utf-8"), built.graph_names(), origin=str(path))
        except QueryError as exc:
            raise InputError(exc.message) from None
        answer = built.run(query)
        for record in answer.records():
            found.append(_violation(name, record.get("focus"), record.get("message"), locator))
    return found


def run_store_checks(store: ox.Store, checks_dir: Path, locator: Locator) -> list[Violation]:
    """Run every check on a store (the union of its graphs as the default graph), as :func:`run_checks`
    runs them on a built graph.

    A check that is :func:`plainly_local` goes straight to Oxigraph; any other, and any check Oxigraph
    cannot parse, is vetted by :func:`kg.query.gate.vet` first, so refusals and syntax errors read as they
    always have.

    Raises:
        InputError: A check query is malformed or refused (its file and position are named).
    """
    found: list[Violation] = []
    for path in check_files(checks_dir):
        name = path.name.removesuffix("-violation.rq")
        text = path.read_text(encoding="utf-8")
        if not plainly_local(text):
            _vet(store, text, path)
        try:
            result = store.query(text, use_default_graph_as_union=True)
        except SyntaxError as exc:
            _vet(store, text, path)
            raise InputError(f"{path}: SPARQL syntax error: {exc}") from None
        if not isinstance(result, ox.QuerySolutions):
            raise InputError(f"{path}: a check must be a SELECT query")
        names = {v.value for v in result.variables}
        for row in result:
            focus = row["focus"] if "focus" in names else None
            message = row["message"] if "message" in names else None
            found.append(
                _violation(
                    name,
                    to_rdflib(focus) if focus is not None else None,  # type: ignore[arg-type]
                    to_rdflib(message) if message is not None else None,  # type: ignore[arg-type]
                    locator,
                )
            )
    return found


def _vet(store: ox.Store, text: str, path: Path) -> None:
    from rdflib import URIRef

    from kg.query.gate import vet

    graphs = [URIRef(g.value) for g in store.named_graphs() if isinstance(g, ox.NamedNode)]
    try:
        vet(text, graphs, origin=str(path))
    except QueryError as exc:
        raise InputError(exc.message) from None
