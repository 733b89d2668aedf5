"""Where a Turtle statement that lacks its end began.

A parser notices a missing ``.`` (or ``]``, ``)``) only where the next statement starts, or at the end of
the file: pyoxigraph reports "A dot is expected at the end of statements" on the line after the one
that lacks it, and "Triples should be followed by a dot" on the file's last line. A person wants the
line to fix. :func:`unfinished_statement` reads the text up to the parser's position, with Turtle's
lexical rules (comments, IRIs, strings, names and numbers that hold dots), and answers the line where
the unfinished statement (or the unclosed bracket) began.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: pyoxigraph's messages for a statement or bracket the parser found unfinished.
_UNFINISHED = re.compile(
    r"A dot is expected at the end of statements|Triples should be followed by a dot|should end with a '[\])]'"
)
_NAME_CHAR = re.compile(r"[\w:%\-\u00b7\u0300-\u036f\u203f-\u2040]")


@dataclass(frozen=True)
class Unfinished:
    """A statement or bracket the parser found unfinished.

    Attributes:
        line: The 1-based line where it began.
        what: ``"statement"``, or the bracket left open (``"["`` or ``"("``).
    """

    line: int
    what: str


def unfinished_statement(text: str, line: int, column: int) -> Unfinished | None:
    """The statement (or innermost open bracket) still unfinished at ``line``:``column`` of ``text``.

    Args:
        text: The Turtle document.
        line: The 1-based line where the parser stopped.
        column: The 1-based column there.

    Returns:
        Where it began, or ``None`` when nothing is open there (the error is of another kind).
    """
    start: int | None = None  # line of the first token of the statement being read
    brackets: list[tuple[str, int]] = []
    directive_ends_at_iri = False  # SPARQL-style PREFIX and BASE end with their IRI, not a dot
    i, n, row, line_start = 0, len(text), 1, 0
    while i < n:
        if (row, i - line_start + 1) >= (line, column):
            break
        c = text[i]
        if c == "\n":
            row, line_start, i = row + 1, i + 1, i + 1
            continue
        if c in " \t\r":
            i += 1
            continue
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if start is None:
            start = row
            directive_ends_at_iri = bool(re.match(r"(?i)(PREFIX|BASE)\b", text[i:i + 7])) and c != "@"
        if c == "<":
            end = text.find(">", i + 1)
            i = n if end < 0 else end + 1
            if directive_ends_at_iri:
                start, directive_ends_at_iri = None, False
            continue
        if c in "\"'":
            i, row, line_start = _skip_string(text, i, row, line_start)
            continue
        if c in "[(":
            brackets.append((c, row))
        elif c in "])":
            if brackets:
                brackets.pop()
        elif c == "." and not brackets and not _inside_token(text, i):
            start = None
        i += 1
    if brackets:
        return Unfinished(brackets[-1][1], brackets[-1][0])
    return None if start is None else Unfinished(start, "statement")


def _inside_token(text: str, i: int) -> bool:
    """Whether the dot at ``i`` belongs to a name (``ex:a.b``) or a number (``1.5``, ``.5``)."""
    after = text[i + 1] if i + 1 < len(text) else ""
    before = text[i - 1] if i > 0 else ""
    if after.isdigit():
        return True
    return bool(before and after and _NAME_CHAR.match(before) and _NAME_CHAR.match(after))


def _skip_string(text: str, i: int, row: int, line_start: int) -> tuple[int, int, int]:
    """Past the string literal that starts at ``i`` (short or long, either quote), counting lines."""
    quote = text[i] * 3 if text.startswith(text[i] * 3, i) else text[i]
    j = i + len(quote)
    while j < len(text):
        if text[j] == "\\":
            j += 2
            continue
        if text.startswith(quote, j):
            return j + len(quote), row, line_start
        if text[j] == "\n":
            if len(quote) == 1:  # a short string cannot span lines: the parser says so itself
                return j, row, line_start
            row, line_start = row + 1, j + 1
        j += 1
    return j, row, line_start


def explain(data: bytes, exc: SyntaxError, message: str) -> tuple[int | None, str]:
    """The line to name and the message for pyoxigraph's ``exc``: for a statement or bracket left
    unfinished, the line where it began; for any other error, the parser's own line and message."""
    if not _UNFINISHED.search(str(exc)) or exc.lineno is None:
        return exc.lineno, message
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return exc.lineno, message
    found = unfinished_statement(text, exc.lineno, exc.offset or 1)
    if found is None or found.line == exc.lineno:
        return exc.lineno, message
    where = f"the parser stopped at {message}" if message.startswith("line ") else (
        f"the parser stopped at line {exc.lineno}: {message}")
    if found.what == "statement":
        return found.line, f"the statement that begins on this line does not end with '.' ({where})"
    closing = "]" if found.what == "[" else ")"
    return found.line, f"the '{found.what}' opened on this line is not closed with '{closing}' ({where})"
