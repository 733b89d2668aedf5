"""A mission's status year by year, as the explorer's world and DPRK views draw it.

The status of a mission as of a date has exactly three values, ``open``, ``closed`` and ``uncertain``,
each with a reason in words (the shared convention; the rule itself lives in one Python function
and one SPARQL question). The page shows a year: it draws each mission in its status *at the end of
that year*. A mission's status changes only on the dates of its events, so the page needs it only
for the years in which one of them falls: :func:`status_steps` asks the rule there and keeps the
years where the answer changes.

The rule comes in as a :class:`MissionStatus` (its ``dates`` and its ``status`` as of a day; ``None``
before the mission existed). Until every mission carries its dated status events,
:class:`EdgeStatus` reads them from the explorer network's mission edges (their kind and their
opening and closing dates), and :data:`NO_EVENTS` says "open" for a mission with no recorded event.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = [
    "NO_EVENTS",
    "STATUSES",
    "EdgeStatus",
    "MissionStatus",
    "Step",
    "edge_status",
    "status_as_of",
    "status_steps",
]

#: The three values, in legend order.
STATUSES = ("open", "uncertain", "closed")
#: ``(year, status or None, reason)``: from the end of *year* on (until the next step) the mission is
#: in *status* (None: not open yet, not drawn).
Step = tuple[int, str | None, str]


class MissionStatus(Protocol):
    """A status rule for missions of one kind (world missions, network edges ...)."""

    def dates(self, mission: Any) -> Iterable[dt.date]:
        """The days on which the mission's status may change (its events' dates, and their bounds)."""

    def status(self, mission: Any, on: dt.date) -> tuple[str, str] | None:
        """``(status, reason)`` as of the end of *on*, or None when it did not exist yet."""


class _NoEvents:
    """Every mission open, with no event: what the world view says of a mission its sources date
    nothing about."""

    def dates(self, mission: Any) -> Iterable[dt.date]:
        return ()

    def status(self, mission: Any, on: dt.date) -> tuple[str, str] | None:
        return ("open", "no closure or announcement recorded")


NO_EVENTS: MissionStatus = _NoEvents()


def _year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def status_steps(rule: MissionStatus, mission: Any, years: Sequence[int]) -> list[Step]:
    """The mission's status at the end of each of *years*, kept where it changes.

    Args:
        rule: The status rule.
        mission: The mission, as the rule knows it.
        years: The years the page can show, ascending.

    Returns:
        The steps (see :data:`Step`): the first is the first year's status; a later one is added only
        for a year in which one of the mission's dates falls and whose status differs.
    """
    if not years:
        return []
    first, last = years[0], years[-1]
    checked = sorted({first} | {d.year for d in rule.dates(mission) if first < d.year <= last})
    steps: list[Step] = []
    for year in checked:
        answer = rule.status(mission, _year_end(year))
        status, reason = answer if answer is not None else (None, "not open yet")
        if not steps or (steps[-1][1], steps[-1][2]) != (status, reason):
            steps.append((year, status, reason))
    return steps


def status_as_of(steps: Sequence[Step], year: int) -> tuple[str | None, str]:
    """The status the steps give for the end of *year* (the page's own rule, written here for the
    export and the tests): the last step at or before it, else the first."""
    chosen = steps[0] if steps else (year, "open", "")
    for step in steps:
        if step[0] <= year:
            chosen = step
    return chosen[1], chosen[2]


# ---------------------------------------------------------------------------------------------
# The interim rule, from the explorer network's mission edges


def _period(text: str) -> tuple[dt.date, dt.date] | None:
    """The first and last day a date as written covers (``2023`` -> the year, ``2023-10`` -> the
    month); the end of an interval ``A/B``; None when it is not a date."""
    match = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", text.split("/")[-1].strip())
    if not match:
        return None
    year = int(match.group(1))
    if match.group(3):
        day = dt.date(year, int(match.group(2)), int(match.group(3)))
        return day, day
    if match.group(2):
        month = int(match.group(2))
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return dt.date(year, month, 1), following - dt.timedelta(days=1)
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def edge_status(attrs: Mapping[str, Any], on: dt.date) -> tuple[str, str] | None:
    """The status of a mission edge of the explorer network as of *on*, from its kind
    (``mission-open``, ``mission-uncertain``, ``mission-closed``) and its ``opened_on`` and
    ``closed_on`` dates as written.

    * before the opening's first day: None (not open yet);
    * closed: ``closed`` from the last day the closing date covers ("closed in 2023-12"), ``uncertain``
      while *on* falls within it, ``open`` before; with no date, ``uncertain`` ("closure recorded
      without a date");
    * closure announced: ``uncertain`` from the announcement's first day, ``open`` before;
    * otherwise ``open``.
    """
    opened = _period(str(attrs.get("opened_on") or ""))
    if opened is not None and on < opened[0]:
        return None
    kind = str(attrs.get("kind") or "")
    closed_text = str(attrs.get("closed_on") or "")
    closed = _period(closed_text)
    if kind == "mission-closed":
        if closed is None:
            return ("uncertain", "closure recorded without a date")
        if on >= closed[1]:
            return ("closed", f"closed on {closed_text}" if closed[0] == closed[1] else f"closed in {closed_text}")
        if on >= closed[0]:
            return ("uncertain", f"closed in {closed_text}, day not given")
    elif kind == "mission-uncertain":
        if closed is None:
            return ("uncertain", "closure announced, date not given")
        if on >= closed[0]:
            return ("uncertain", f"closure announced {closed_text}")
    return ("open", f"opened {opened_text}" if (opened_text := str(attrs.get("opened_on") or "")) else
            "no closure or announcement recorded")


@dataclass(frozen=True)
class EdgeStatus:
    """The interim rule over the explorer network's mission edges (:func:`edge_status`), for the
    network's own edges (keyed by their attributes) and for the world's missions that are the same
    missions (matched by the mission's IRI, written as the world view writes it).

    Attributes:
        by_mission: ``{mission IRI or its short form: edge attributes}``.
    """

    by_mission: Mapping[str, Mapping[str, Any]]

    @classmethod
    def from_edges(cls, edges: Iterable[Mapping[str, Any]], short: Callable[[str], str]) -> EdgeStatus:
        """From mission edges' attributes (those with a ``mission``), keyed by IRI and short form."""
        table: dict[str, Mapping[str, Any]] = {}
        for attrs in edges:
            iri = str(attrs.get("mission") or "")
            if iri:
                table[iri] = attrs
                table[short(iri)] = attrs
        return cls(table)

    def _attrs(self, mission: Any) -> Mapping[str, Any] | None:
        if isinstance(mission, Mapping):
            return mission
        return self.by_mission.get(str(getattr(mission, "ident", "")))

    def dates(self, mission: Any) -> Iterable[dt.date]:
        attrs = self._attrs(mission)
        if attrs is None:
            return ()
        out: list[dt.date] = []
        for key in ("opened_on", "closed_on"):
            period = _period(str(attrs.get(key) or ""))
            if period is not None:
                out.extend(period)
        return out

    def status(self, mission: Any, on: dt.date) -> tuple[str, str] | None:
        attrs = self._attrs(mission)
        if attrs is None:
            return NO_EVENTS.status(mission, on)
        return edge_status(attrs, on)
