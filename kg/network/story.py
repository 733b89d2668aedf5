"""The DPRK view's story: the graph's events and sanctions resolutions in time order, each with its
evidence (``kg/network/rules/story.rq``).

Roll calls are left out (the world view shows the votes as agreement). Each event is filed in one of
a few groups the page draws with a mark of its own (:data:`GROUPS`): openings, closure announcements,
closures, farewell visits, summits, sanctions, vetoes, the Security Council's other votes, weapons,
other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kg.network.graph import date_key, run_query
from kg.query.engine import BuiltGraph

__all__ = ["GROUPS", "StoryEvent", "event_group", "story_events", "story_payload"]

#: The groups of the timeline, in legend order: label and the classes (local names) filed in each.
GROUPS: dict[str, dict[str, Any]] = {
    "opening": {"label": "Opening (or agreement to open)", "classes": ("MissionOpening", "OpeningAgreement")},
    "announcement": {"label": "Closure announced", "classes": ("ClosureAnnouncement",)},
    "closure": {"label": "Closure", "classes": ("MissionClosure",)},
    "farewell": {"label": "Farewell visit", "classes": ("FarewellVisit",)},
    "summit": {"label": "Summit (or its collapse)", "classes": ("Summit", "Collapse")},
    "sanctions": {"label": "Sanctions resolution", "classes": ("SanctionsResolution", "SanctionsRegime")},
    "veto": {"label": "Veto in the Security Council", "classes": ("Veto",)},
    # the Council's other recorded votes on the DPRK's sanctions (adopted 15-0-0); a vetoed draft's vote
    # is a veto (a group before this one wins)
    "council": {"label": "Security Council vote", "classes": ("CouncilVote",)},
    "weapons": {"label": "Weapons test or transfer", "classes": ("WeaponsTest", "ArmsTransfer")},
    "other": {"label": "Other event", "classes": ()},
}


def event_group(class_iri: str) -> str:
    """The timeline group of a class (by its local name; a class named for a veto is a veto)."""
    local = re.split(r"[#/]", class_iri)[-1]
    for group, spec in GROUPS.items():
        if local in spec["classes"]:
            return group
    return "veto" if "Veto" in local else "other"


@dataclass
class StoryEvent:
    """One event of the story.

    Attributes:
        iri: The fact's IRI.
        group: Its timeline group (a key of :data:`GROUPS`).
        kind: Its class's label as the source files it ("mission closure").
        label: Its label.
        date: Its date as written (``2023-10``, ``2024-03-28``), or "".
        precision: How exact the date is (``day``, ``month``, ``year``, ``decade``), or "".
        modality: reported, claimed ...
        evidence: ``{"text", "source", "address"}`` per excerpt, in the source's order.
    """

    iri: str
    group: str
    kind: str
    label: str
    date: str = ""
    precision: str = ""
    modality: str = ""
    evidence: list[dict[str, str]] = field(default_factory=list)

    @property
    def year(self) -> int | None:
        """The calendar year it happened in (the first year of a decade), or None."""
        match = re.match(r"^(\d{4})", self.date)
        return int(match.group(1)) if match else None


def _s(term: Any) -> str:
    return "" if term is None else str(term)


def story_events(built: BuiltGraph) -> list[StoryEvent]:
    """The story's events, dated ones first in time order (a month or a year counts from its start),
    then the undated ones, in the order of their IRIs.

    A fact filed under several classes by its sources takes the most telling group (a veto before
    sanctions before other).
    """
    events: dict[str, StoryEvent] = {}
    seen: set[tuple[str, str, str]] = set()
    order = list(GROUPS)
    for row in run_query(built, "story"):
        iri = _s(row["fact"])
        group = event_group(_s(row["class"]))
        event = events.get(iri)
        if event is None:
            event = events[iri] = StoryEvent(iri, group, _s(row["kind"]), _s(row["label"]) or iri,
                                             _s(row["date"]), _s(row["precision"]), _s(row["modality"]))
        elif order.index(group) < order.index(event.group) and group != "other":
            event.group, event.kind = group, _s(row["kind"])
        key = (iri, _s(row["text"]), _s(row["source"]))
        if key not in seen:
            seen.add(key)
            event.evidence.append({"text": _s(row["text"]), "source": _s(row["source"]),
                                   "address": _s(row["address"])})
    return sorted(events.values(), key=lambda e: (not e.date, date_key(e.date) if e.date else (), e.iri))


def story_payload(events: list[StoryEvent], evidence: Any) -> dict[str, Any]:
    """The story as the page's data block: the groups (label, count) and one row per event.

    Args:
        events: The story's events (:func:`story_events`).
        evidence: Turns a list of excerpts into the page's evidence records (the page's own rule,
            which reads a table row as its cells).
    """
    counts = {g: sum(1 for e in events if e.group == g) for g in GROUPS}
    return {
        "groups": [{"value": g, "label": spec["label"], "count": counts[g]} for g, spec in GROUPS.items()
                   if counts[g]],
        "events": [{"iri": e.iri, "group": e.group, "kind": e.kind, "label": e.label, "date": e.date,
                    "precision": e.precision, "year": e.year, "modality": e.modality,
                    "evidence": evidence([{"sentence": x["text"],
                                           "source": f"{x['source']} ({x['address']})" if x["address"] else x["source"],
                                           "modality": e.modality} for x in e.evidence])}
                   for e in events],
    }
