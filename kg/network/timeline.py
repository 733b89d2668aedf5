"""A mission's status year by year, as the explorer's world and DPRK views (and ``diplokg export``)
give it.

The status of a mission as of a date is the rule of :mod:`kg.network.status`, and only that rule:
open, closed or uncertain, with a reason in words (the same rule as ``queries/network-as-of.rq``).
Its :func:`~kg.network.status.status_timeline` gives the status from each day it changes, as rows
``(first day or "", status, reason)`` (the explorer network's mission edges carry them as
``status_timeline``; a world mission gives them with :func:`timeline_rows`).

The page shows a year and draws each mission in its status **as of the last day of that year**
(``YYYY-12-31``: what ``diplokg ask network-as-of --as-of YYYY-12-31`` answers). A status changes
only on a day of the timeline, so :func:`year_steps` reads it at the end of the first year and of
every year in which such a day falls, and keeps the years where the answer changes.

A step also says whether the mission has **begun**: before its first opening, or when it was only
agreed, the rule calls it closed ("not yet opened (opened 1974)"); the page does not draw it then,
though its card gives that status and reason. The rule calls a mission closed since ever in no other
case, so a mission has begun from the first day its timeline is not closed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from kg.network.status import MissionStatus

__all__ = ["Step", "TimelineRow", "step_at", "timeline_rows", "year_end", "year_steps"]

#: ``(first day or "", status, reason)``: from that day on (until the next row's) the mission has
#: that status; the first row's day is ``""`` (since ever).
TimelineRow = tuple[str, str, str]
#: ``(year, status, reason, begun)``: from the end of *year* on (until the next step's year) the
#: mission has that status and reason; *begun*: it has opened (else it is not drawn).
Step = tuple[int, str, str, bool]


def timeline_rows(timeline: Iterable[tuple[str, MissionStatus]]) -> list[TimelineRow]:
    """:func:`kg.network.status.status_timeline`'s pairs as rows."""
    return [(since, found.status, found.reason) for since, found in timeline]


def year_end(year: int) -> str:
    """The day the page reads a year's status on: ``YYYY-12-31``."""
    return f"{year:04d}-12-31"


def _row_on(rows: Sequence[Sequence[str]], day: str) -> Sequence[str]:
    """The row in force on *day* (``YYYY-MM-DD``): the last whose first day is on or before it."""
    chosen = rows[0]
    for row in rows:
        if row[0] <= day:
            chosen = row
    return chosen


def year_steps(rows: Sequence[Sequence[str]], years: Sequence[int]) -> list[Step]:
    """The mission's status at the end of each of *years*, kept where it changes.

    Args:
        rows: Its status timeline (:data:`TimelineRow`, in order, the first since ever).
        years: The years the page can show, ascending.

    Returns:
        The steps (:data:`Step`): the first is the first year's; a later one only for a year in which
        a day of the timeline falls and whose status, reason or *begun* differ. None without years
        or rows.
    """
    if not years or not rows:
        return []
    first, last = years[0], years[-1]
    begins = next((row[0] for row in rows if row[1] != "closed"), None)
    checked = sorted({first} | {int(row[0][:4]) for row in rows if row[0] and first < int(row[0][:4]) <= last})
    steps: list[Step] = []
    for year in checked:
        day = year_end(year)
        _, status, reason = _row_on(rows, day)
        begun = begins is not None and begins <= day
        if not steps or steps[-1][1:] != (status, reason, begun):
            steps.append((year, status, reason, begun))
    return steps


def step_at(steps: Sequence[Sequence[Any]], year: int) -> Sequence[Any] | None:
    """The step in force at the end of *year*: the last at or before it, else the first (the page's
    own reading, written here for the static map, the export and the tests); None without steps."""
    chosen = steps[0] if steps else None
    for step in steps:
        if step[0] <= year:
            chosen = step
    return chosen
