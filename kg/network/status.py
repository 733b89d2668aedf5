"""A diplomatic mission's status as of a date: open, closed or uncertain, and why.

This is the rule in Python; ``queries/network-as-of.rq`` holds the same rule in SPARQL, and a test
runs both on every DPRK mission of the real sources at many dates and compares status and reason
word for word. The explorer (its world and network views, its cards) uses :func:`status_as_of` and
:func:`status_timeline` on the events the network rule ``kg/network/rules/mission-events.rq`` gives.

The events of a mission (:class:`StatusEvent`), each from one source: a dated **opening**, a
**closure** (dated, or known only by a bound: on or before a date; a closure a source reports without
a date is bounded by that source's own date), a **closure announcement** (dated, or bounded the same
way), a **farewell visit** (the head of mission was still there), a **listing** by a register (a table
of what stood on its day, such as Wikidata's missions of 2022-11-16: the mission was open that day)
and an **agreement** to open (not an opening). An event with no date is left out.

A date is compared at its precision, never made more exact than the source gives it: a closure in
"2023-10" may have happened on any day of October, so the mission is uncertain during October and
closed from 1 November; a closure on "2023-11-03" counts from that day; "on or before 2023-12" is
certain only once December is over. In order, as of a day:

1. A mission with agreements to open and no other dated event is closed ("agreed to open 2023-07; no
   opening known"). Before its first dated opening (when nothing else is dated before it) a mission is
   closed ("not yet opened"); during the opening's month or year, uncertain ("opened 1979, exact day
   not given").
2. Only what follows the latest opening certain by that day counts (a reopening sets earlier closures
   aside, and the mission is open again: "reopened 2001").
3. Every source's date for the closure holds it: it happened after the latest start of a dated one and
   by the earliest end of any (a bound's end included). Once that end is past, the mission is closed
   ("closed 2023-11-03", "closed 2023-10", "closed on or before 2024-01-30"; of closures that end
   together, a dated one before a bound), unless a source shows it open after that (a register's
   listing or a farewell visit dated later, with no opening dated after the closure to explain it:
   "sources disagree: closed 1995 (A); listed open on 2022-11-16 (B)"), or a dated closure of
   another source has not begun by that end and is still to come ("sources disagree: closed 2023-10
   (A); closed 2023-12-05 (B)"): then it is uncertain.
4. Otherwise, unless a listing or farewell visit shows it open on that day or later, the mission is
   uncertain when a closure announcement is known by then ("closure announced 2023-10"), when the day
   falls in the latest dated closure's period ("closed 2023-10, exact day not given"), or when the
   closure is known only by a bound still to come ("closed on or before 2024-01-30"; a bound later
   than a dated closure's period adds nothing): every such reason is given, in that order, joined by
   "; ".
5. Otherwise it is open ("no closure known by this date").

Keys: a date's period runs from its *low* key (``2023-10-00``, ``1995-00-00``, the day itself) to its
*high* key (``2023-10-99``, ``1995-99-99``, the day itself); a day is compared with keys as text, so no
calendar is needed and SPARQL can do the same (``SUBSTR("-00-00", 1, 10 - STRLEN(?date))``). Where a
rule picks one of several events, it picks the least (or greatest) of the text ``key|...|date|source``,
as SPARQL's MIN and MAX do.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = ["EVENT_KINDS", "OPEN_REASON", "MissionStatus", "Status", "StatusEvent", "high", "low", "status_as_of",
           "status_timeline"]

EventKind = Literal["opening", "closure", "announcement", "farewell", "listed", "agreement"]
#: The kinds of event the rule reads.
EVENT_KINDS: tuple[str, ...] = ("opening", "closure", "announcement", "farewell", "listed", "agreement")
Status = Literal["open", "closed", "uncertain"]
#: A date as sources give it: a year, a month or a day.
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
#: The status of a mission when nothing is known against it.
OPEN_REASON = "no closure known by this date"


@dataclass(frozen=True)
class StatusEvent:
    """One event of a mission's life, as one source gives it.

    Attributes:
        kind: ``opening``, ``closure``, ``announcement`` (of a closure), ``farewell`` (visit),
            ``listed`` (by a register, on its day) or ``agreement`` (to open).
        date: As the source gives it: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (empty: left out).
        bound: The event happened on or before ``date`` (a closure or announcement whose own date the
            source does not give).
        source: The source's name, for the reason when sources disagree.
    """

    kind: EventKind
    date: str = ""
    bound: bool = False
    source: str = ""


@dataclass(frozen=True)
class MissionStatus:
    """A mission's status as of a date.

    Attributes:
        status: ``open``, ``closed`` or ``uncertain``.
        reason: Why, in words (``closure announced 2023-10; closed on or before 2023-12``).
    """

    status: Status
    reason: str


def low(date: str) -> str:
    """The first key of a date's period: ``2023-10`` -> ``2023-10-00``."""
    return date + "-00-00"[: 10 - len(date)]


def high(date: str) -> str:
    """The last key of a date's period: ``2023-10`` -> ``2023-10-99``; a day is itself."""
    return date + "-99-99"[: 10 - len(date)]


def _when(event: StatusEvent) -> str:
    """From when an event counts: a bound's end, else its period's start."""
    return high(event.date) if event.bound else low(event.date)


def _closed_phrase(event: StatusEvent) -> str:
    return f"closed on or before {event.date}" if event.bound else f"closed {event.date}"


def _anchor_phrase(event: StatusEvent) -> str:
    return f"listed open on {event.date}" if event.kind == "listed" else f"farewell visit {event.date}"


def _pick(events: list[StatusEvent], key: dict[StatusEvent, str], greatest: bool = False) -> StatusEvent:
    """The event with the least (or greatest) key text, as SPARQL's MIN (MAX) of that text picks it."""
    return (max if greatest else min)(events, key=lambda e: key[e])


def status_as_of(events: Iterable[StatusEvent], day: str) -> MissionStatus:
    """The status of a mission with these events as of ``day``.

    Args:
        events: The mission's events (every source's; those without a date are left out).
        day: ``YYYY-MM-DD``; a month or year is taken as of its last day.

    Raises:
        ValueError: ``day`` is not a date written so.
    """
    if not _DATE.fullmatch(day):
        raise ValueError(f"not a date (YYYY-MM-DD, YYYY-MM or YYYY): {day!r}")
    d = high(day)
    dated = [e for e in events if e.kind in EVENT_KINDS and _DATE.fullmatch(e.date)]
    agreements = [e for e in dated if e.kind == "agreement"]
    if agreements and len(agreements) == len(dated):
        first = _pick(agreements, {e: f"{low(e.date)}|{e.date}|{e.source}" for e in agreements})
        return MissionStatus("closed", f"agreed to open {first.date}; no opening known")
    openings = [e for e in dated if e.kind == "opening"]
    certain_openings = [e for e in openings if high(e.date) <= d]
    if openings:
        first = _pick(openings, {e: f"{low(e.date)}|{e.date}|{e.source}" for e in openings})
        # Nothing dated before the first opening: the mission did not exist before it (else it is a reopening).
        if all(_when(e) >= low(first.date) for e in dated if e.kind not in ("opening", "agreement")):
            if low(first.date) > d:
                return MissionStatus("closed", f"not yet opened (opened {first.date})")
            if not certain_openings:
                begun = [e for e in openings if low(e.date) <= d]
                first = _pick(begun, {e: f"{low(e.date)}|{e.date}|{e.source}" for e in begun})
                return MissionStatus("uncertain", f"opened {first.date}, exact day not given")
    last_open = ""
    reopened: StatusEvent | None = None
    if certain_openings:
        reopened = _pick(certain_openings, {e: f"{high(e.date)}|{e.date}|{e.source}" for e in certain_openings},
                         greatest=True)
        last_open = high(reopened.date)
    live = [e for e in dated if e.kind not in ("opening", "agreement") and _when(e) > last_open]
    set_aside = any(e.kind == "closure" and _when(e) <= last_open for e in dated)
    closures = [e for e in live if e.kind == "closure"]
    dated_closures = [e for e in closures if not e.bound]
    anchors = [e for e in live if e.kind in ("listed", "farewell")]
    known = (_pick(anchors, {e: f"{low(e.date)}|{e.kind}|{e.date}|{e.source}" for e in anchors}, greatest=True)
             if anchors else None)
    # The closure is in every source's period for it: from the latest start of a dated one (``starts_last``)
    # to the earliest end of any (``ends_first``, a bound's end included).
    ends_first = (_pick(closures, {e: f"{high(e.date)}|{int(e.bound)}|{e.date}|{e.source}" for e in closures})
             if closures else None)
    starts_last = (_pick(dated_closures, {e: f"{low(e.date)}|{high(e.date)}|{e.date}|{e.source}"
                                          for e in dated_closures}, greatest=True) if dated_closures else None)
    if ends_first is not None and high(ends_first.date) <= d:
        reopening = any(low(e.date) > high(ends_first.date) for e in openings)  # explains a later listing
        if known is not None and low(known.date) > high(ends_first.date) and not reopening:
            return MissionStatus("uncertain", f"sources disagree: {_closed_phrase(ends_first)} ({ends_first.source}); "
                                              f"{_anchor_phrase(known)} ({known.source})")
        if starts_last is not None and low(starts_last.date) > high(ends_first.date) and d < high(starts_last.date):
            return MissionStatus("uncertain", f"sources disagree: {_closed_phrase(ends_first)} ({ends_first.source}); "
                                              f"{_closed_phrase(starts_last)} ({starts_last.source})")
        return MissionStatus("closed", _closed_phrase(ends_first))
    if known is None or d > low(known.date):
        parts = []
        announced = [e for e in live if e.kind == "announcement" and _when(e) <= d]
        if announced:
            chosen = _pick(announced, {e: f"{_when(e)}|{int(e.bound)}|{e.date}|{e.source}" for e in announced})
            parts.append(f"closure announced {'on or before ' if chosen.bound else ''}{chosen.date}")
        if starts_last is not None and low(starts_last.date) <= d:
            parts.append(f"closed {starts_last.date}, exact day not given")
        bound_only = starts_last is None or (ends_first is not None and high(ends_first.date) < low(starts_last.date))
        if ends_first is not None and ends_first.bound and bound_only:
            parts.append(_closed_phrase(ends_first))
        if parts:
            return MissionStatus("uncertain", "; ".join(parts))
    if set_aside and reopened is not None:
        return MissionStatus("open", f"reopened {reopened.date}")
    return MissionStatus("open", OPEN_REASON)


def _first_day(key: str, after: bool = False) -> str | None:
    """The first calendar day on or after a key (strictly after it, with ``after``, where the key is
    itself a day); None past the calendar's end or for a key that names no day."""
    year, month, day = (int(part) for part in key.split("-"))
    try:
        if month == 0:
            found = datetime.date(year, 1, 1)
        elif month == 99:
            found = datetime.date(year + 1, 1, 1)
        elif day == 0:
            found = datetime.date(year, month, 1)
        elif day == 99:
            found = datetime.date(year + month // 12, month % 12 + 1, 1)
        else:
            found = datetime.date(year, month, day) + datetime.timedelta(days=1 if after else 0)
    except (ValueError, OverflowError):
        return None
    return found.isoformat()


def status_timeline(events: Iterable[StatusEvent]) -> list[tuple[str, MissionStatus]]:
    """The mission's status over time: ``(first day, status)`` pairs in order, each status holding until
    the next pair's day; the first pair's day is ``""`` (since ever). Made by :func:`status_as_of` on
    every day where a comparison of the rule can change (the first day of each event's period, the
    first day after it, and for a listing or farewell visit the day after its own), so the two never
    disagree.
    """
    chosen = [e for e in events if e.kind in EVENT_KINDS and _DATE.fullmatch(e.date)]
    days = set()
    for event in chosen:
        days |= {_first_day(low(event.date)), _first_day(high(event.date))}
        if event.kind in ("listed", "farewell"):
            days.add(_first_day(low(event.date), after=True))
    timeline: list[tuple[str, MissionStatus]] = [("", status_as_of(chosen, "0000-01-01"))]
    for day in sorted(d for d in days if d is not None):
        status = status_as_of(chosen, day)
        if status != timeline[-1][1]:
            timeline.append((day, status))
    return timeline
