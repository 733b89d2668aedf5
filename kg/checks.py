"""Quality checks: every ``*-violation.rq`` query in ``queries/checks``; each row is a violation."""

from __future__ import annotations

from pathlib import Path

from kg.errors import InputError, QueryError
from kg.query import BuiltGraph
from kg.sparql import vet
from kg.validate import Locator, Violation


def check_files(checks_dir: Path) -> list[Path]:
    """The check queries, sorted by name."""
    return sorted(checks_dir.glob("*-violation.rq"))


def run_checks(built: BuiltGraph, checks_dir: Path, locator: Locator) -> list[Violation]:
    """Run every check over the built graph.

    Raises:
        InputError: A check query is malformed (its file and position are named).
    """
    found: list[Violation] = []
    for path in check_files(checks_dir):
        name = path.name.removesuffix("-violation.rq")
        try:
            query = vet(path.read_text(encoding="utf-8"), built.graph_names(), origin=str(path))
        except QueryError as exc:
            raise InputError(exc.message) from None
        answer = built.run(query)
        for record in answer.records():
            focus = record.get("focus")
            message = record.get("message")
            where, line = locator.locate(focus) if focus is not None else (None, None)
            found.append(
                Violation(
                    check=f"check {name}",
                    focus=str(focus),
                    message=str(message) if message is not None else "violates the check",
                    path=where,
                    line=line,
                )
            )
    return found
