"""The world view's data block: :class:`~kg.network.world.WorldData` turned into what the page's
scripts (``templates/map.js``, ``templates/world.js``) draw.

The block (``#wv-data``, JSON; every array below is in the order given):

* ``years``: every calendar year the slider shows, from the first year with a vote to the last year
  with a vote or a mission event (``WorldView.through``), none skipped; ``yearInfo[i]`` for
  ``years[i]``: ``coverage`` (``all``: every recorded vote, Voeten's data, 1946-2019; ``selected``:
  a selection of key votes, 2020-2024; ``none``: no roll call that year), ``rollCalls`` (the year's
  roll calls in the data) and ``flagged`` (fewer than ``minRollCalls``: drawn, flagged, not ranked).
* ``states``: one record each: ``code``, ``label``, ``kind``, ``short``; where it is on the map
  (``shapes``: atlas indexes, ``pt``: its point, ``dot``, ``cap``: where its missions' lines start,
  ``place``: how it was placed, see :mod:`kg.network.places`; ``box``: the width and height of the
  polygon its label sits in); ``ag[anchor][i]`` its agreement with
  the anchor in ``years[i]`` (null: no recorded vote) and ``n[anchor][i]`` the roll calls behind it;
  ``sent``/``hosted`` counts.
* ``missions``: ``[sender, host, kind, city, ident, x, y]`` (indexes into ``states`` and ``kinds``;
  ``x, y`` the mission's own place projected, null when it has none: the line then ends at the host's
  capital); ``status[i]``: the mission's status at the end of each year, by the rule of
  :mod:`kg.network.status` read from its events (:mod:`kg.network.timeline`), as steps
  ``[[year, status, reason index, begun], ...]`` (status ``open``, ``closed`` or ``uncertain``; begun
  false before it first opened: not drawn), or null when it is open at every date (no event dates
  anything against it: ``openReason``); ``reasons``: the reasons' text.
* ``pairs``: ``[sender, host, [missions], group]``, the missions of one sender-host pair (drawn as
  one line, its width growing with their number, when every mission is drawn).
* ``frame``: the projected box of the map's shapes; ``stops``,
  ``changeStops``, ``unknown``: the colour scales; ``anchors``, ``senders``, ``focus``,
  ``defaultFilter``, ``startIndex``.

The atlas goes in a block of its own (``#wv-atlas``, :func:`kg.network.atlaspage.page_atlas`).
Everything is emitted in sorted order: the same world always gives the same bytes.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kg.alignment.coverage import DEFAULT_MIN_ROLL_CALLS
from kg.network.atlaskept import places_atlas
from kg.network.places import map_places, projected_point
from kg.network.status import OPEN_REASON
from kg.network.timeline import TimelineRow, timeline_rows, year_steps
from kg.network.world import WorldData, WorldMission, WorldState, capital_like, check_world

__all__ = [
    "AGREEMENT_STOPS",
    "ANCHOR_COLOURS",
    "CHANGE_STOPS",
    "MISSION_GROUPS",
    "STATUS_STYLES",
    "WorldView",
    "agreement_colour",
    "mission_group",
    "mission_timeline",
    "world_context",
    "world_payload",
]

#: Line colours of the anchors in the agreement chart, in anchor order (then repeated).
ANCHOR_COLOURS = ("#b2182b", "#2166ac", "#1b7837", "#762a83")
#: How a pair of states is drawn, by the kind of its missions: label and colour.
MISSION_GROUPS: dict[str, dict[str, str]] = {
    "embassy": {"label": "Embassy, high commission, nunciature", "color": "#1d232b"},
    "consulate": {"label": "Consulate, consulate general", "color": "#0e6f66"},
    "other": {"label": "Other mission (office, delegation ...)", "color": "#6a3d9a"},
}
#: How a mission is drawn in each status (dash pattern in screen pixels; the end mark).
STATUS_STYLES: dict[str, dict[str, str]] = {
    "open": {"label": "Open", "dash": "", "end": "dot"},
    "uncertain": {"label": "Uncertain (closure announced, date or sources open)", "dash": "2 3", "end": "ring"},
    "closed": {"label": "Closed", "dash": "7 4", "end": "cross"},
}
#: The agreement scale of the world map (ColorBrewer RdYlBu, colour-blind safe), drawn linearly.
AGREEMENT_STOPS: tuple[tuple[float, str], ...] = (
    (0.0, "#2c7bb6"), (0.25, "#abd9e9"), (0.5, "#ffffbf"), (0.75, "#fdae61"), (1.0, "#d7191c"))
#: The diverging scale of a change in agreement between two years (ColorBrewer PuOr, colour-blind
#: safe): purple less agreement, orange more, white none.
CHANGE_STOPS: tuple[tuple[float, str], ...] = (
    (-0.3, "#542788"), (-0.15, "#998ec3"), (0.0, "#f7f7f7"), (0.15, "#f1a340"), (0.3, "#b35806"))
#: The fewest roll calls a state-year needs to be ranked (the alignment ranking's default).
MIN_ROLL_CALLS = DEFAULT_MIN_ROLL_CALLS


@dataclass(frozen=True)
class WorldView:
    """What the world view draws besides :class:`WorldData`: how each year's votes were chosen and how
    far the slider goes. (A mission's status is the rule of :mod:`kg.network.status` on its events.)

    Attributes:
        coverage: ``{year: "all" | "selected"}``; a year with votes not listed is ``all``.
        roll_calls: ``{year: roll calls in the data}``; a year not listed counts the most roll calls
            any state has in it.
        min_roll_calls: A state-year with fewer roll calls is drawn flagged and not ranked.
        through: The last year the slider reaches (at least the last year with votes).
    """

    coverage: Mapping[int, str] = field(default_factory=dict)
    roll_calls: Mapping[int, int] = field(default_factory=dict)
    min_roll_calls: int = MIN_ROLL_CALLS
    through: int | None = None


def mission_group(kind: str) -> str:
    """``embassy``, ``consulate`` or ``other``: how a mission of this kind is drawn."""
    if capital_like(kind):
        return "embassy"
    return "consulate" if "consul" in kind.lower() else "other"


def mission_timeline(mission: WorldMission) -> list[TimelineRow]:
    """A world mission's status timeline (the rule of :mod:`kg.network.status` on its events), as rows."""
    return timeline_rows(mission.status_timeline())


def _short(state: WorldState) -> str:
    """The label drawn on the map: the alpha-3 code, else the name cut to 14 characters."""
    code = state.code
    if len(code) == 3 and code.isalpha() and code.isupper():
        return code
    return state.label if len(state.label) <= 14 else state.label[:13] + "\u2026"


def _mission_key(m: WorldMission) -> tuple[str, str, str, str, str]:
    return (m.sender, m.host, m.kind, m.ident, m.city)


def _years(states: Sequence[WorldState], view: WorldView) -> list[int]:
    voted = {int(y) for s in states for per in s.agreement.values() for y in per}
    if not voted:
        return []
    last = max(max(voted), view.through or 0)
    return list(range(min(voted), last + 1))


def _year_info(states: Sequence[WorldState], years: list[int], view: WorldView) -> list[dict[str, Any]]:
    most: Counter[int] = Counter()
    for state in states:
        for per in state.agreement.values():
            for year, (_, n) in per.items():
                most[int(year)] = max(most[int(year)], int(n))
    info = []
    for year in years:
        calls = int(view.roll_calls.get(year, most.get(year, 0)))
        coverage = "none" if not calls and year not in most else view.coverage.get(year, "all")
        info.append({"coverage": coverage, "rollCalls": calls,
                     "flagged": coverage != "none" and calls < view.min_roll_calls})
    return info


def _point(p: tuple[float, float] | None) -> list[float] | None:
    return [p[0], p[1]] if p is not None else None


def world_payload(world: WorldData, view: WorldView | None = None) -> dict[str, Any]:
    """The JSON-ready data block of the world view (see the module's docstring)."""
    view = view or WorldView()
    states = check_world(world)
    shapes = places_atlas()
    places = map_places(world, states, shapes)
    index = {s.code: i for i, s in enumerate(states)}
    years = _years(states, view)
    slot = {y: i for i, y in enumerate(years)}
    missions = sorted(world.missions, key=_mission_key)
    kinds = sorted({m.kind for m in missions})
    kind_index = {k: i for i, k in enumerate(kinds)}
    sent = Counter(m.sender for m in missions)
    hosted = Counter(m.host for m in missions)
    labels = {s.code: s.label for s in states}
    rows: list[dict[str, Any]] = []
    for state in states:
        place = places[state.code]
        ag: dict[str, list[float | None]] = {}
        votes: dict[str, list[int]] = {}
        for anchor in sorted(state.agreement):
            values: list[float | None] = [None] * len(years)
            counts = [0] * len(years)
            for year, (value, n) in state.agreement[anchor].items():
                values[slot[int(year)]] = round(float(value), 4)
                counts[slot[int(year)]] = int(n)
            ag[anchor], votes[anchor] = values, counts
        rows.append({"code": state.code, "label": state.label, "kind": state.kind, "short": _short(state),
                     "shapes": list(place.shapes), "pt": _point(place.point), "dot": place.dot,
                     "cap": _point(place.capital), "place": place.how, "box": _point(place.box),
                     "sent": sent[state.code], "hosted": hosted[state.code], "ag": ag, "n": votes})
    reasons: dict[str, int] = {}
    status_rows: list[list[list[Any]] | None] = []
    mission_rows: list[list[Any]] = []
    for m in missions:
        timeline = mission_timeline(m)
        if len(timeline) == 1 and timeline[0][1] == "open":
            status_rows.append(None)
        else:
            status_rows.append([[y, s, reasons.setdefault(r, len(reasons)), begun]
                                for y, s, r, begun in year_steps(timeline, years)])
        xy = None
        if m.latitude is not None and m.longitude is not None and math.isfinite(m.latitude + m.longitude):
            xy = projected_point(m.latitude, m.longitude)
        mission_rows.append([index[m.sender], index[m.host], kind_index[m.kind], m.city, m.ident,
                             xy[0] if xy else None, xy[1] if xy else None])
    pairs: dict[tuple[int, int], list[int]] = {}
    for i, m in enumerate(missions):
        pairs.setdefault((index[m.sender], index[m.host]), []).append(i)
    order = ("embassy", "consulate", "other")
    pair_rows = [[s, h, members, min((mission_group(missions[i].kind) for i in members), key=order.index)]
                 for (s, h), members in sorted(pairs.items())]
    focus = world.focus if world.focus and sent[world.focus] else None
    senders = sorted(sent, key=lambda c: (labels[c].casefold(), c))
    info = _year_info(states, years, view)
    start = world.start_year if world.start_year in slot else None
    if start is None:
        ranked = [y for y, i in zip(years, info) if i["coverage"] != "none" and not i["flagged"]]
        start = ranked[-1] if ranked else (years[-1] if years else None)
    return {
        "anchors": [{"code": a, "label": labels[a], "colour": ANCHOR_COLOURS[i % len(ANCHOR_COLOURS)]}
                    for i, a in enumerate(world.anchors)],
        "years": years,
        "yearInfo": info,
        "minRollCalls": view.min_roll_calls,
        "states": rows,
        "kinds": kinds,
        "missions": mission_rows,
        "status": status_rows,
        "reasons": sorted(reasons, key=reasons.__getitem__),
        "openReason": OPEN_REASON,
        "statusStyles": STATUS_STYLES,
        "pairs": pair_rows,
        "groups": MISSION_GROUPS,
        "senders": [{"code": c, "label": labels[c], "count": sent[c]} for c in senders],
        "focus": focus,
        "defaultFilter": f"sender:{focus}" if focus else "none",
        "startIndex": slot[start] if start is not None else 0,
        "frame": list(shapes.bbox),
        "changeStops": [[s, c] for s, c in CHANGE_STOPS],
    }


def agreement_colour(value: float | None, stops: Sequence[tuple[float, str]], unknown: str) -> str:
    """The fill of a value: linear between the colour *stops* (value, ``#rrggbb``), as the page's
    script computes it; *unknown* for None."""
    if value is None:
        return unknown
    v = min(stops[-1][0], max(stops[0][0], value))
    for (a, ca), (b, cb) in itertools.pairwise(stops):
        if v <= b:
            f = 0.0 if b == a else (v - a) / (b - a)
            rgb = [int(ca[i:i + 2], 16) + (int(cb[i:i + 2], 16) - int(ca[i:i + 2], 16)) * f for i in (1, 3, 5)]
            return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)
    return stops[-1][1]


def _year_marks(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The slider's marks: one per run of years of the same coverage other than ``all`` (the
    selected votes, the years without a roll call), as a share of the slider's width."""
    years, info = payload["years"], payload["yearInfo"]
    marks: list[dict[str, Any]] = []
    span = max(len(years) - 1, 1)
    for coverage, run in itertools.groupby(range(len(years)), key=lambda i: info[i]["coverage"]):
        members = list(run)
        if coverage == "all":
            continue
        first, last = members[0], members[-1]
        calls = sorted({info[i]["rollCalls"] for i in members})
        marks.append({"coverage": coverage, "from": years[first], "to": years[last],
                      # the coverage changes here: every recorded vote up to the year before
                      "changes": first > 0 and info[first - 1]["coverage"] == "all",
                      "left": round(100 * (first - 0.5) / span, 2) if first else 0.0,
                      "right": round(100 * (last + 0.5) / span, 2) if last < span else 100.0,
                      "rollCalls": calls})
    return marks


def _span(values: list[int]) -> str:
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}–{high}"


def world_context(world: WorldData, stops: Sequence[tuple[float, str]], unknown: str,
                  network_focus: str = "", view: WorldView | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the page template needs for the world view (heading, notes, counts, legend), and the data
    block.

    Args:
        world: The world.
        stops: The agreement scale's stops, (value, ``#rrggbb``), drawn linearly.
        unknown: The fill of a state with no vote that year.
        network_focus: The network view's focus label, to name its tab.
        view: Coverage, roll calls and how far the slider goes.
    """
    payload = world_payload(world, view)
    payload["stops"] = [[s, c] for s, c in stops]
    payload["unknown"] = unknown
    focus = next((s for s in payload["senders"] if s["code"] == payload["focus"]), {"label": "", "count": 0})
    years = payload["years"]
    selected = [y for y, i in zip(years, payload["yearInfo"]) if i["coverage"] == "selected"]
    context = {
        "title": world.title,
        "caption": world.caption,
        "notes": list(world.notes),
        "anchors": payload["anchors"],
        "years": years,
        "start_index": payload["startIndex"],
        "senders": payload["senders"],
        "groups": [{"value": k, **v} for k, v in MISSION_GROUPS.items()],
        "statuses": [{"value": k, **v} for k, v in STATUS_STYLES.items()],
        "focus": payload["focus"],
        "focus_label": focus["label"],
        "focus_count": focus["count"],
        "state_count": len(payload["states"]),
        "mission_count": len(payload["missions"]),
        "pair_count": len(payload["pairs"]),
        "gradient": ", ".join(f"{c} {round(s * 100)}%" for s, c in stops),
        "change_gradient": ", ".join(f"{c} {round((s + 0.3) / 0.6 * 100)}%" for s, c in CHANGE_STOPS),
        "unknown": unknown,
        "marks": _year_marks(payload),
        "selected": {"from": selected[0], "to": selected[-1], "calls": _span(
            [i["rollCalls"] for i in payload["yearInfo"] if i["coverage"] == "selected"])} if selected else None,
        "min_roll_calls": payload["minRollCalls"],
        "unplaced": sum(1 for s in payload["states"] if s["pt"] is None and not s["shapes"]),
        "network_tab": f"{network_focus}’s story" if network_focus else "Network",
    }
    return context, payload
