"""Evidence for people: a table row read as a short record, a sentence as itself.

The loader keeps a table row's text as ``header: value; header: value ...`` (every non-empty cell,
so nothing is lost in the graph). Shown to a reader, that is noise: this module gives the row back
as its cells, in order, with the header words spaced (``covered_by_mission_in`` reads "covered by
mission in"), a date with its precision ("2023-10 (month)"), and without the table's bookkeeping
columns: its address (``source_url``, shown apart, whole) and the date's precision (shown with the date).

A row's ``note`` is its caveat ("an opening, not a closure"; "single source; absent from Seoul's January
2024 confirmed list"; "the article calls it an embassy; it was a consulate-general"): it is part of
what the row says, so it stays with the row wherever the row is shown, as its last cell ("note: ..."),
and is also given apart (:attr:`Excerpt.note`) for a reader that lays it out on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Columns that are bookkeeping, not what the row says: the address is shown apart, the precision with
#: the date, the note last (see the module).
_LEFT_OUT = frozenset({"source_url", "note", "date_precision"})
#: A cell boundary of a row's text: "; " then a header (lower case, digits, underscores) and ": ".
_CELL = re.compile(r"(?:^|; )([a-z][a-z0-9_]*): ")


@dataclass(frozen=True)
class Excerpt:
    """Evidence as a reader sees it.

    Attributes:
        text: The sentence, or the row's cells as a short record (its note, when it has one, last).
        address: Where the row was published (its ``source_url``), when it has one.
        note: The row's caveat (its ``note`` cell), when it has one; it is in ``text`` too.
    """

    text: str
    address: str = ""
    note: str = ""


def row_cells(text: str) -> list[tuple[str, str]] | None:
    """A table row's ``(header, value)`` cells, or None when ``text`` is not a row's text."""
    matches = list(_CELL.finditer(text))
    if not matches or matches[0].start() != 0:
        return None
    cells = []
    for n, match in enumerate(matches):
        end = matches[n + 1].start() if n + 1 < len(matches) else len(text)
        cells.append((match.group(1), text[match.end(): end]))
    return cells


def readable(text: str) -> Excerpt:
    """Evidence text for people: a sentence as it is; a table row as its cells, without the
    bookkeeping columns, its note last, and its address apart."""
    cells = row_cells(text)
    if cells is None or len(cells) < 2:
        return Excerpt(text)
    values = dict(cells)
    parts = []
    for header, value in cells:
        if header in _LEFT_OUT:
            continue
        if header == "date" and values.get("date_precision"):
            value = f"{value} ({values['date_precision']})"
        parts.append(f"{header.replace('_', ' ')}: {value}")
    note = values.get("note", "").strip()
    if note:
        parts.append(f"note: {note}")
    return Excerpt(" · ".join(parts), values.get("source_url", ""), note)
