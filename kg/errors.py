"""Our own error types. The CLI turns them into one-line messages and exit codes."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

#: Every exit code of the command line and what it means. ``diplokg --help`` prints this table, and
#: the README's list is tested against it (tests/test_cli.py): this is the one place to change it.
EXIT_CODES: tuple[tuple[int, str], ...] = (
    (0, "success"),
    (1, "the data has violations"),
    (2, "bad input or usage, or a query refused"),
    (3, "a query ran past --timeout"),
    (4, "a query needed more than --max-memory"),
    (5, "an answer had more rows than a server's cap"),
    (130, "interrupted (Ctrl-C)"),
)


def close_matches(word: str, choices: Iterable[str], cutoff: float = 0.6) -> list[str]:
    """The choices closest to a mistyped ``word``, best first (at most three; difflib's ratio).

    Args:
        word: What the user typed.
        choices: The names there are.
        cutoff: How alike (0 to 1) a choice must be to be offered.
    """
    return difflib.get_close_matches(word, list(choices), n=3, cutoff=cutoff)


def did_you_mean(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str:
    """``"did you mean 'x'?"`` (or ``"'x' or 'y'"``) for a mistyped ``word``, or ``""`` when nothing is close."""
    found = close_matches(word, choices, cutoff)
    if not found:
        return ""
    return "did you mean " + " or ".join(repr(f) for f in found) + "?"


class DiplokgError(Exception):
    """Base class of every error diplokg reports to a user.

    Args:
        message: What is wrong, in one line.
        path: The file the problem is in, if any.
        line: The 1-based line in that file, if known.
    """

    exit_code = 2

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        return f"{where}{self.message}"


class InputError(DiplokgError):
    """A source, ontology, shapes or query file cannot be read or parsed (exit 2)."""


class ReasoningLimit(InputError):
    """Reasoning stopped at one of its limits (time, or the size of a class of ``owl:sameAs``-equal
    nodes): the sources make it blow up (exit 2). The message names the rule and the source."""


class QueryError(DiplokgError):
    """A SPARQL query is malformed, unknown or refused for safety (exit 2)."""


class QueryRefused(QueryError):
    """A query holds something refused for safety: ``SERVICE``, an update, a ``FROM`` outside our graphs,
    too deep a nesting, or a text that parsers could read two ways (exit 2; HTTP 403 for a server)."""


class QueryLimitError(QueryError):
    """A query was stopped at one of its limits (:class:`kg.query.sandbox.Limits`)."""


class QueryTimeout(QueryLimitError):
    """A query ran past its time limit and was stopped (exit 3; HTTP 503 for a server)."""

    exit_code = 3


class QueryMemoryExceeded(QueryLimitError):
    """A query needed more memory than its ceiling and was stopped (exit 4; HTTP 507 for a server)."""

    exit_code = 4


class TooManyRows(QueryLimitError):
    """A query's answer has more rows than its cap allows (exit 5; HTTP 413 for a server)."""

    exit_code = 5


class ValidationFailed(DiplokgError):
    """The data breaks a SHACL shape or a quality check (exit 1)."""

    exit_code = 1


class UndefinedTermWarning(UserWarning):
    """A query names a ``diplo:`` term the ontology does not define (the message names the closest
    defined term); the query still runs, and its answer is what it would be without the warning."""
