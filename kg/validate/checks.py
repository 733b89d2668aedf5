"""Quality checks: every ``*-violation.rq`` query in ``queries/checks``; each row is a violation."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import InputError, QueryError
from kg.validate.violations import Locator, Violation

if TYPE_CHECKING:
    from rdflib.term import Node

    from kg.query.engine import BuiltGraph


def check_files(checks_dir: Path) -> list[Path]:
    """The check queries, sorted by name."""
    return sorted(checks_dir.glob("*-violation.rq"))


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
    from kg.query.sandbox import UNLIMITED

    found: list[Violation] = []
    for path in check_files(checks_dir):
        name = path.name.removesuffix("-violation.rq")
        try:
            query = vet(path.read_text(encoding="utf-8"), built.graph_names(), origin=str(path))
        except QueryError as exc:
            raise InputError(exc.message) from None
        answer = built.run(query, limits=UNLIMITED)
        for record in answer.records():
            found.append(_violation(name, record.get("focus"), record.get("message"), locator))
    return found


def run_store_checks(store: ox.Store, checks_dir: Path, locator: Locator) -> list[Violation]:
    """Run every check on a store (the union of its graphs as the default graph), as :func:`run_checks`
    runs them on a built graph: each through the gate (:func:`kg.query.gate.vet`), then Oxigraph runs
    its canonical text in a contained child process (:func:`kg.query.engine.run_in_store`: no network;
    no time limit or memory ceiling, which a million-triple build may need).

    Raises:
        InputError: A check query is malformed or refused (its file and position are named), or is not a
            SELECT.
    """
    from rdflib import URIRef

    from kg.query.engine import run_in_store
    from kg.query.gate import vet
    from kg.query.sandbox import UNLIMITED

    graphs = [URIRef(g.value) for g in store.named_graphs() if isinstance(g, ox.NamedNode)]
    found: list[Violation] = []
    for path in check_files(checks_dir):
        name = path.name.removesuffix("-violation.rq")
        try:
            query = vet(path.read_text(encoding="utf-8"), graphs, origin=str(path))
            if query.kind != "SELECT":
                raise InputError(f"{path}: a check must be a SELECT query")
            answer = run_in_store(store, query, UNLIMITED)
        except QueryError as exc:
            raise InputError(str(exc)) from None
        for record in answer.records():
            found.append(_violation(name, record.get("focus"), record.get("message"), locator))
    return found
