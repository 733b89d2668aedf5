"""Laying rows out for a terminal: a table one line a row (cells cut where they tell least, rows that
differ never shown alike), or records one field a line (psql's expanded display), chosen by ``--layout``."""

from __future__ import annotations

import io
import os
import re
import shutil
import sys
import textwrap
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal as TypingLiteral

from rich.cells import cell_len

#: How ``--format table`` lays rows out: ``table`` one line a row (cells cut to the width), ``records``
#: one field a line (psql's expanded display, ``\x``), ``auto`` records when a row does not fit.
Layout = TypingLiteral["auto", "table", "records"]
LAYOUTS: tuple[Layout, ...] = ("auto", "table", "records")

#: Column rules for terminal tables: "a | b" between columns, "--+--" under the header, no edges.
_BOX_RULES = "    \n  | \n -+ \n  | \n -+ \n -+ \n  | \n    \n"
#: A column is never made narrower than this (or its header, if shorter).
_MIN_COLUMN = 8


def is_address(cell: str) -> bool:
    """Whether a cell is a web address (or an IRI in angle brackets): such cells are never cut."""
    return cell.startswith(("http://", "https://", "<http://", "<https://"))


#: A column the terminal table shows is at least this wide (or its widest cell, if narrower).
READABLE_COLUMN = 12


def columns_that_fit(
    variables: Sequence[str], rows: Sequence[Sequence[str]], total: int, always: Sequence[str] = ()
) -> list[int]:
    """The indices of the columns a terminal table of width ``total`` shows readably.

    Columns are taken in the question's order (its most telling first) as long as each can have at least
    :data:`READABLE_COLUMN` characters (or its widest cell, or its header, if that is less); the
    columns named in ``always`` (the evidence references) are kept whatever the width. Rows that differ
    never look the same: when leaving a column out would show two different rows alike, the column
    that tells most of them apart is kept instead of a later one. The others are left to
    ``--format csv`` or ``json`` (or ``--layout records``).
    """
    fixed = [i for i, v in enumerate(variables) if v in always]
    kept = _columns_that_fit(variables, rows, total, fixed)
    distinct = len(set(map(tuple, rows)))
    while len({tuple(r[i] for i in kept) for r in rows}) < distinct:
        left_out = [i for i in range(len(variables)) if i not in kept]
        if not left_out:
            break
        best = max(left_out, key=lambda c: (len({tuple(r[i] for i in [*kept, c]) for r in rows}), -c))
        fixed.append(best)
        kept = _columns_that_fit(variables, rows, total, fixed)
    return kept


def _columns_that_fit(variables: Sequence[str], rows: Sequence[Sequence[str]], total: int,
                      fixed: Sequence[int]) -> list[int]:
    def need(i: int) -> int:
        natural = max([_cell_len(variables[i])] + [_cell_len(r[i]) for r in rows])
        if any(is_address(r[i]) for r in rows):
            return natural
        return min(natural, max(READABLE_COLUMN, min(_cell_len(variables[i]), READABLE_COLUMN + 2)))

    used = sum(need(i) + 3 for i in fixed)
    kept: list[int] = []
    for i in range(len(variables)):
        if i in fixed:
            continue
        if used + need(i) + 3 > total + 3:
            break
        kept.append(i)
        used += need(i) + 3
    return sorted(kept + list(fixed))


def natural_width(variables: Sequence[str], rows: Sequence[Sequence[str]]) -> int:
    """The width of a table that shows every cell whole, one line a row."""
    widths = _whole_widths(variables, rows)
    return sum(widths) + 3 * (len(widths) - 1)


def column_widths(
    variables: Sequence[str], rows: Sequence[Sequence[str]], total: int, at_least: Sequence[int] | None = None
) -> list[int]:
    """The width of each column so that a row fits ``total`` characters on one line.

    Each column starts at its widest cell (headers included) and the widest columns give way first,
    down to their header's width (or 8), then, if need be, to 3; columns holding web addresses keep
    their full width, so an address is never cut. Only an address wider than ``total`` makes the
    table wider, and so do the widths ``at_least`` asks for a column (so that two cells stay told apart).
    """
    natural = [max([_cell_len(v)] + [_cell_len(r[i]) for r in rows]) for i, v in enumerate(variables)]
    least = list(at_least) if at_least is not None else [0] * len(variables)
    fixed = [any(is_address(r[i]) for r in rows) for i in range(len(variables))]
    widths = list(natural)
    budget = total - 3 * (len(variables) - 1)
    # First down to each header's width (or 8); if that is not enough, down to 3 (headers then end
    # in an ellipsis too).
    for floor in (
        [w if f else max(m, min(w, max(_cell_len(v), _MIN_COLUMN)))
         for w, f, v, m in zip(natural, fixed, variables, least)],
        [w if f else max(m, min(w, 3)) for w, f, m in zip(natural, fixed, least)],
    ):
        excess = sum(widths) - budget
        while excess > 0:
            shrinkable = [i for i in range(len(widths)) if widths[i] > floor[i]]
            if not shrinkable:
                break
            widest = max(shrinkable, key=lambda i: widths[i])
            others = [widths[i] for i in shrinkable if i != widest]
            step = min(excess, widths[widest] - floor[widest], max(1, widths[widest] - max(others, default=0)))
            widths[widest] -= step
            excess -= step
    return widths


@dataclass(frozen=True)
class ColumnWords:
    """The words of a column that tell its rows apart least: ``every`` non-empty cell holds them ("of",
    "the", "DPRK", "in" in "Embassy of the DPRK in Angola", "Consulate-General of the DPRK in Hong Kong"),
    or ``most`` do ("Embassy" too, when most missions are embassies; only a leading run of these gives
    way)."""

    every: frozenset[str] = frozenset()
    most: frozenset[str] = frozenset()


def shared_words(cells: Sequence[str]) -> ColumnWords:
    """The :class:`ColumnWords` of a column's cells (none when it holds fewer than two values)."""
    values = {c for c in cells if c}
    if len(values) < 2:
        return ColumnWords()
    counts: Counter[str] = Counter(w for v in values for w in set(v.split(" ")) if w)
    every = frozenset(w for w, n in counts.items() if n == len(values))
    most = frozenset(w for w, n in counts.items() if n >= max(2, (len(values) + 1) // 2))
    return ColumnWords(every, most)


def elide(text: str, shared: frozenset[str]) -> str:
    """``text`` with each run of the column's shared words between two other words written "…"
    ("Embassy of the DPRK in Angola" -> "Embassy … Angola"); a leading or trailing run is kept (the end
    of a cell is cut anyway, and :func:`elide_leading` handles a shared beginning)."""
    if not shared:
        return text
    tokens = text.split(" ")
    inside = [i for i, t in enumerate(tokens) if t not in shared]
    if len(inside) < 2:
        return text
    first, last = inside[0], inside[-1]
    words: list[str] = tokens[:first]
    for token in tokens[first:last + 1]:
        if token in shared:
            if words[-1] != "…":
                words.append("…")
        else:
            words.append(token)
    shorter = " ".join(words + tokens[last + 1:])
    return shorter if _cell_len(shorter) < _cell_len(text) else text


def elide_leading(text: str, words: frozenset[str]) -> str:
    """``text`` with its leading run of ``words`` (and "…") written "…", when something is left after it."""
    tokens = text.split(" ")
    i = 0
    while i < len(tokens) and (tokens[i] in words or tokens[i] == "…"):
        i += 1
    return "… " + " ".join(tokens[i:]) if 0 < i < len(tokens) and not (i == 1 and tokens[0] == "…") else text


def fit_cell(text: str, width: int, shared: ColumnWords = ColumnWords()) -> str:
    """A cell cut to ``width`` terminal cells, keeping what tells it apart: the words every cell of the
    column holds give way to "…" first (:func:`elide`: "Embassy … Angola"), then those most cells begin
    with (:func:`elide_leading`: "… Angola"), and only then is the end cut ("Angola, Republ…"). Web
    addresses are never cut."""
    if _cell_len(text) <= width or is_address(text):
        return text
    text = elide(text, shared.every)
    if _cell_len(text) <= width:
        return text
    text = elide_leading(text, shared.most)
    if _cell_len(text) <= width:
        return text
    kept, used = [], 0
    for char in text:
        used += _cell_len(char)
        if used > width - 1:
            break
        kept.append(char)
    return "".join(kept) + "…"


def _shown(
    rows: Sequence[Sequence[str]], widths: Sequence[int], shared: Sequence[ColumnWords]
) -> list[tuple[str, ...]]:
    return [tuple(fit_cell(c, w, s) for c, w, s in zip(row, widths, shared)) for row in rows]


def _widths_that_tell_rows_apart(
    variables: Sequence[str], rows: Sequence[Sequence[str]], total: int, shared: Sequence[ColumnWords]
) -> list[int]:
    """:func:`column_widths`, widened where two different rows would otherwise be shown alike."""
    least = [0] * len(variables)
    # When the rows do not fit whole, the widths aim at the cells with their shared words elided.
    basis = rows if natural_width(variables, rows) <= total else [
        tuple(elide(c, s.every) for c, s in zip(row, shared)) for row in rows]
    widths = column_widths(variables, basis, total)
    for _ in range(len(variables)):
        seen: dict[tuple[str, ...], Sequence[str]] = {}
        clash: tuple[Sequence[str], Sequence[str]] | None = None
        for row, shown in zip(rows, _shown(rows, widths, shared)):
            other = seen.setdefault(shown, row)
            if tuple(other) != tuple(row):
                clash = (other, row)
                break
        if clash is None:
            return widths
        column = next(i for i in range(len(variables)) if clash[0][i] != clash[1][i])
        natural = max(_cell_len(clash[0][column]), _cell_len(clash[1][column]))
        width = widths[column]
        while width < natural and fit_cell(clash[0][column], width, shared[column]) == fit_cell(
                clash[1][column], width, shared[column]):
            width += 1
        least[column] = width
        widths = column_widths(variables, basis, total, least)
    return widths


def table(variables: Sequence[str], rows: Sequence[Sequence[str]], width: int | None = None) -> str:
    """Lay out rows as a plain-text table for a terminal: one line per row, never wrapped.

    Cells too long for their column are cut (:func:`fit_cell`: the words a whole column shares give way
    first, then the end, marked "…"; the full values are in the csv and json formats, and in
    ``--layout records``); web addresses are never cut, and two rows that differ are never shown alike
    (a column is widened until they differ). Drawn by rich, which measures text in terminal cells.

    Args:
        variables: The column headers.
        rows: The rows, each cell as text (line breaks are shown as spaces).
        width: The width to fit, in characters (default: the terminal's, else 120).
    """
    if not variables:
        return ""
    total = width or terminal_width()
    flat = [tuple(c.replace("\n", " ") for c in row) for row in rows]
    whole = _whole_widths(variables, flat)
    # Every cell fits whole: no cell is cut and no two rows can look alike (what follows finds the same).
    if (sum(whole) + 3 * (len(whole) - 1) <= total and _plain_fits(variables, [], whole)
            and not _CONTROL.search(" ".join(c for row in flat for c in row))):
        return _plain_table(variables, flat, whole)
    shared = [shared_words([r[i] for r in flat]) for i in range(len(variables))]
    widths = _widths_that_tell_rows_apart(variables, flat, total, shared)
    shown = _shown(flat, widths, shared)
    if _plain_fits(variables, shown, widths):
        return _plain_table(variables, shown, widths)
    # rich (imported here: most tables are drawn by _plain_table) cuts what does not fit.
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    grid = Table(box=box.Box(_BOX_RULES, ascii=True), show_edge=False, pad_edge=False, highlight=False, expand=False)
    for name, w in zip(variables, widths):
        grid.add_column(name, no_wrap=True, overflow="ellipsis", width=w)
    for row in shown:
        grid.add_row(*(Text(c) for c in row))
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=sum(widths) + 3 * (len(widths) - 1), color_system=None, highlight=False,
        emoji=False, markup=False, soft_wrap=False, legacy_windows=False,
    )
    console.print(grid)
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


def _cell_len(text: str) -> int:
    """The terminal cells ``text`` takes (rich's ``cell_len``; printable ASCII, most cells, counted at once)."""
    return len(text) if text.isascii() and text.isprintable() else cell_len(text)


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _whole_widths(variables: Sequence[str], rows: Sequence[Sequence[str]]) -> list[int]:
    """Each column's widest cell or header (each distinct cell measured once)."""
    return [max([_cell_len(v)] + [_cell_len(c) for c in {r[i] for r in rows}]) for i, v in enumerate(variables)]


def _plain_fits(variables: Sequence[str], shown: Sequence[Sequence[str]], widths: Sequence[int]) -> bool:
    """Whether every header and cell (already fitted) is whole within its column and free of control
    characters: then :func:`_plain_table` draws what rich draws, some 50 times faster (rich took 45 s
    for 5,000 rows of ``diplokg alignment``)."""
    if any(_cell_len(v) > w or _CONTROL.search(v) for v, w in zip(variables, widths)):
        return False
    return not any(_cell_len(c) > w or _CONTROL.search(c) for row in shown for c, w in zip(row, widths))


def _plain_table(variables: Sequence[str], shown: Sequence[Sequence[str]], widths: Sequence[int]) -> str:
    """The table :func:`table` draws with rich (``a | b``, a ``-+-`` rule under the header, no edges,
    trailing spaces dropped), for cells that fit their columns whole."""

    padded: list[dict[str, str]] = [{} for _ in widths]  # each distinct cell of a column padded once

    def pad(cell: str, i: int) -> str:
        found = padded[i].get(cell)
        if found is None:
            found = padded[i][cell] = cell + " " * (widths[i] - _cell_len(cell))
        return found

    def line(cells: Sequence[str]) -> str:
        return " | ".join([pad(c, i) for i, c in enumerate(cells)]).rstrip() + "\n"

    rule = "-+-".join("-" * w for w in widths) + "\n"
    return line(variables) + rule + "".join(line(row) for row in shown)


def terminal_width() -> int:
    """The terminal's width in characters (``$COLUMNS`` first; 120 when there is no terminal)."""
    return shutil.get_terminal_size((120, 24)).columns


#: The width of output that goes to no terminal (a pipe, a file): a table there cuts nothing, and a row
#: always fits, so ``auto`` lays out a table (as psql applies its expanded ``auto`` on a terminal only).
UNBOUNDED = sys.maxsize


def output_width() -> int:
    """The width people's tables fit: ``$COLUMNS`` when set, else the terminal's when standard output is
    one, else :data:`UNBOUNDED` (a pipe or a file: nothing is cut, nothing is laid out as records
    unless asked)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    stream = sys.stdout
    try:
        if stream is not None and stream.isatty():
            return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        pass
    return UNBOUNDED


def records(variables: Sequence[str], rows: Sequence[Sequence[str]], width: int | None = None) -> str:
    """Lay out rows one field a line, as psql's expanded display (``\\x``): nothing is cut.

    Each row starts with a ``-[ RECORD n ]`` rule; a field is its name, ``|`` and its value, which
    wraps at the width with its continuation lines under it (a web address is kept whole on a line of
    its own rather than broken).

    Args:
        variables: The field names.
        rows: The rows, each cell as text.
        width: The width to fit, in characters (default: the terminal's, else 120).
    """
    if not variables:
        return ""
    total = width or terminal_width()
    label = max(_cell_len(v) for v in variables)
    room = max(20, total - label - 3)
    widest = max([0] + [_cell_len(line) for row in rows for cell in row for line in cell.split("\n")])
    out: list[str] = []
    for number, row in enumerate(rows, 1):
        head = f"-[ RECORD {number} ]"
        left = max(len(head), label + 1)
        out.append(head + "-" * (left - len(head)) + "+" + "-" * max(1, min(widest + 1, total - left - 1)))
        for name, cell in zip(variables, row):
            lines: list[str] = []
            for part in cell.split("\n"):
                lines += textwrap.wrap(part, room, break_long_words=False, break_on_hyphens=False) or [""]
            pad = " " * (label - _cell_len(name))
            out.append(f"{name}{pad} | {lines[0]}".rstrip())
            out += [f"{' ' * label} | {line}".rstrip() for line in lines[1:]]
    return "".join(line + "\n" for line in out)


def lay_out(
    variables: Sequence[str], rows: Sequence[Sequence[str]], width: int | None = None, layout: Layout = "auto"
) -> str:
    """Rows in the layout asked: :func:`table`, :func:`records`, or ``auto``: a table when every cell fits
    whole on one line of the width, else records. The width is the terminal's (:func:`output_width`):
    for a pipe or a file it is unbounded, and a table there is every cell whole, one line a row."""
    total = width or output_width()
    return table(variables, rows, total) if chosen_layout(variables, rows, total, layout) == "table" else (
        records(variables, rows, total))


def chosen_layout(variables: Sequence[str], rows: Sequence[Sequence[str]], total: int, layout: Layout) -> Layout:
    """``table`` or ``records``: the layout asked, or for ``auto`` whether a row fits ``total`` whole."""
    if layout != "auto":
        return layout
    flat = [tuple(c.replace("\n", " ") for c in row) for row in rows]
    return "table" if natural_width(variables, flat) <= total else "records"
