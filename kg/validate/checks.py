"""Quality checks: every ``*-violation.rq`` query in ``queries/checks``; each row is a violation."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import InputError, QueryError
from kg.validate.violations import Locator, Violation

if TYPE_CHECKING:
    from rdflib.term import Node

    from kg.query.engine import BuiltGraph, StartedQueries
    from kg.query.verdicts import Verdicts


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
    runs them on a built graph (see :func:`start_store_checks`)."""
    return start_store_checks(store, checks_dir, locator).violations()


class StartedChecks:
    """The checks running in their child process (:func:`start_store_checks`)."""

    def __init__(self, started: StartedQueries, paths: list[Path], locator: Locator) -> None:
        self.started, self.paths, self.locator = started, paths, locator

    def cancel(self) -> None:
        """Stop the checks (their violations are no longer wanted)."""
        self.started.cancel()

    def violations(self) -> list[Violation]:
        """Wait for the checks; their violations, check by check (call once).

        Raises:
            InputError: Oxigraph failed on a check (the message names it).
        """
        try:
            answers = self.started.answers()
        except QueryError as exc:
            raise InputError(str(exc)) from None
        found: list[Violation] = []
        for path, answer in zip(self.paths, answers, strict=True):
            name = path.name.removesuffix("-violation.rq")
            for record in answer.records():
                found.append(_violation(name, record.get("focus"), record.get("message"), self.locator))
        return found


def start_store_checks(store: ox.Store, checks_dir: Path, locator: Locator,
                       verdicts: Verdicts | None = None) -> StartedChecks:
    """Vet every check (:func:`kg.query.gate.vet`, or through ``verdicts``: the gate's verdicts kept in
    the build folder, :mod:`kg.query.verdicts`), then start them now in one contained child process
    (:class:`kg.query.engine.StartedQueries`: no network; no time limit or memory ceiling, which a
    million-triple build may need).

    The child is forked here, so a caller that queries the store from other threads starts the checks
    first (a child forked while another thread is inside Oxigraph can inherit a held lock and hang).

    Raises:
        InputError: A check query is malformed or refused (its file and position are named), or is not a
            SELECT.
    """
    from rdflib import URIRef

    from kg.query.engine import StartedQueries
    from kg.query.gate import vet
    from kg.query.sandbox import UNLIMITED

    graphs = [URIRef(g.value) for g in store.named_graphs() if isinstance(g, ox.NamedNode)]
    paths = check_files(checks_dir)
    queries = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
            origin = str(path)
            query = verdicts.vet(text, graphs, origin) if verdicts is not None else vet(text, graphs, origin=origin)
        except QueryError as exc:
            raise InputError(str(exc)) from None
        if query.kind != "SELECT":
            raise InputError(f"{path}: a check must be a SELECT query")
        queries.append(query)
    return StartedChecks(StartedQueries(store, queries, UNLIMITED), paths, locator)
