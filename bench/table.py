"""One table per bench run, with the machine's load average beside every figure.

The machine the benches run on is shared: a figure measured while other jobs ran says little without
the load it was measured under. Every bench script collects its figures in one :class:`Table` and
prints it once at the end: a Markdown table whose last column is the one-minute load average
(``os.getloadavg``) when the row's figures were taken, under a line with the load average (1, 5 and
15 minutes) at the start and at the end of the run, so that a reader can tell a quiet run from a busy
one. Baselines are rows of the same table, measured in the same run.

Usage::

    from bench.table import Table, ms

    table = Table("diplokg report on the world build", ["command", "baseline", "new"])
    table.row("report", ms(9.4), ms(1.8))
    table.note("medians of 3")
    table.print()
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from typing import TextIO


def load_average() -> tuple[float, float, float]:
    """The machine's load average over 1, 5 and 15 minutes (zeros where the system has none)."""
    try:
        return os.getloadavg()
    except OSError:
        return (0.0, 0.0, 0.0)


def load_text(values: tuple[float, float, float] | None = None) -> str:
    """A load average as ``1.2 / 0.9 / 0.7`` (1, 5 and 15 minutes)."""
    return " / ".join(f"{v:.1f}" for v in (values or load_average()))


def ms(seconds: float | None) -> str:
    """Seconds as milliseconds below 10 s, else as seconds; ``-`` for None."""
    if seconds is None:
        return "-"
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def secs(seconds: float | None) -> str:
    """Seconds with two decimals; ``-`` for None."""
    return "-" if seconds is None else f"{seconds:.2f} s"


class Table:
    """The figures of one run, printed as one Markdown table with the load average beside each row.

    Args:
        title: What the run measures (printed as the table's heading).
        columns: The column names; a ``load (1 min)`` column is added at the end.
    """

    def __init__(self, title: str, columns: Sequence[str]) -> None:
        self.title = title
        self.columns = list(columns)
        self.rows: list[list[str]] = []
        self.notes: list[str] = []
        self.started = load_average()
        self._start = time.monotonic()

    def row(self, *cells: object) -> None:
        """Add a row (cells as text; missing cells are left empty), with the load average now."""
        texts = [str(c) for c in cells][: len(self.columns)]
        texts += [""] * (len(self.columns) - len(texts))
        self.rows.append([*texts, f"{load_average()[0]:.1f}"])
        print("  " + " | ".join(texts), file=sys.stderr, flush=True)  # progress while the run goes on

    def note(self, text: str) -> None:
        """A line printed under the table (how the figures were taken, a goal met or not)."""
        self.notes.append(text)

    def render(self) -> str:
        """The table as Markdown, with the load average at the start and the end of the run."""
        ended = load_average()
        head = [*self.columns, "load (1 min)"]
        lines = [
            f"### {self.title}",
            "",
            f"load average (1 / 5 / 15 min): {load_text(self.started)} at the start, {load_text(ended)} at the "
            f"end ({time.monotonic() - self._start:.0f} s); {os.cpu_count()} cores",
            "",
            "| " + " | ".join(head) + " |",
            "|" + " --- |" * len(head),
        ]
        lines += ["| " + " | ".join(cells) + " |" for cells in self.rows]
        if self.notes:
            lines += ["", *self.notes]
        return "\n".join(lines) + "\n"

    def print(self, out: TextIO | None = None) -> None:
        """Print the table (to standard output unless ``out`` is given)."""
        print("\n" + self.render(), file=out or sys.stdout, flush=True)
