"""The world view's data block: :class:`~kg.network.world.WorldData` turned into what the page's
script (``templates/world.js``) draws.

Missions are sent once each, as compact rows, and grouped per sender-host pair: the page draws one
edge per pair (its width grows with the number of missions), and filters by rebuilding the edge set
in the browser, so ten thousand missions do not become ten thousand vis-network edges unless the
reader asks for all of them. Agreement values are per state, per anchor, one slot per year with data
(``null`` where the state cast no vote that year), rounded to four decimals. Everything is emitted in
sorted order: the same world always gives the same bytes.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

from kg.network.world import (
    MIN_GAP,
    PX_PER_DEGREE,
    TRAY_TOP,
    WorldData,
    WorldMission,
    WorldState,
    capital_like,
    check_world,
    place_states,
)

__all__ = ["ANCHOR_COLOURS", "MISSION_GROUPS", "agreement_colour", "mission_group", "world_context", "world_payload"]

#: Line colours of the anchors in the agreement chart, in anchor order (then repeated).
ANCHOR_COLOURS = ("#c62828", "#283593", "#2e7d32", "#6a1b9a")
#: How a pair of states is drawn, by the kind of its missions: label and colour.
MISSION_GROUPS: dict[str, dict[str, str]] = {
    "embassy": {"label": "Embassy, high commission, nunciature", "color": "#3b4a5a"},
    "consulate": {"label": "Consulate, consulate general", "color": "#0e8a7e"},
    "other": {"label": "Other mission (office, delegation ...)", "color": "#8e5bb5"},
}


def mission_group(kind: str) -> str:
    """``embassy``, ``consulate`` or ``other``: how a mission of this kind is drawn."""
    if capital_like(kind):
        return "embassy"
    return "consulate" if "consul" in kind.lower() else "other"


def _short(state: WorldState) -> str:
    """The label drawn under a dot: the alpha-3 code, else the name cut to 14 characters."""
    code = state.code
    if len(code) == 3 and code.isalpha() and code.isupper():
        return code
    return state.label if len(state.label) <= 14 else state.label[:13] + "\u2026"


def _size(hosted: int) -> float:
    return round(5.0 + 2.0 * math.log1p(hosted), 2)


def _mission_key(m: WorldMission) -> tuple[str, str, str, str, str]:
    return (m.sender, m.host, m.kind, m.ident, m.city)


def world_payload(world: WorldData) -> dict[str, Any]:
    """The JSON-ready data block of the world view (see the module's docstring)."""
    states = check_world(world)
    places = place_states(world, states)
    index = {s.code: i for i, s in enumerate(states)}
    years = sorted({int(y) for s in states for per in s.agreement.values() for y in per})
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
                     "x": place.x, "y": place.y, "place": place.how, "placeUsed": place.used,
                     "size": _size(hosted[state.code]), "sent": sent[state.code], "hosted": hosted[state.code],
                     "ag": ag, "n": votes})
    pairs: dict[tuple[int, int], list[int]] = {}
    for i, m in enumerate(missions):
        pairs.setdefault((index[m.sender], index[m.host]), []).append(i)
    order = ("embassy", "consulate", "other")
    pair_rows = [[s, h, members, min((mission_group(missions[i].kind) for i in members), key=order.index)]
                 for (s, h), members in sorted(pairs.items())]
    focus = world.focus if world.focus and sent[world.focus] else None
    senders = sorted(sent, key=lambda c: (labels[c].casefold(), c))
    return {
        "anchors": [{"code": a, "label": labels[a], "colour": ANCHOR_COLOURS[i % len(ANCHOR_COLOURS)]}
                    for i, a in enumerate(world.anchors)],
        "years": years,
        "states": rows,
        "kinds": kinds,
        "missions": [[index[m.sender], index[m.host], kind_index[m.kind], m.city, m.ident] for m in missions],
        "pairs": pair_rows,
        "groups": MISSION_GROUPS,
        "senders": [{"code": c, "label": labels[c], "count": sent[c]} for c in senders],
        "focus": focus,
        "defaultFilter": f"sender:{focus}" if focus else "all",
        "startIndex": years.index(world.start_year) if world.start_year in years else len(years) - 1,
        "grid": {"pxPerDegree": PX_PER_DEGREE, "trayTop": TRAY_TOP, "gap": MIN_GAP,
                 "unplaced": sum(1 for r in rows if r["place"] == "none")},
        "options": _options(),
    }


def _options() -> dict[str, Any]:
    """vis-network options: fixed places, physics off, edges hidden while dragging or zooming."""
    return {
        "autoResize": True,
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": True, "hideEdgesOnZoom": True,
                        "multiselect": False, "navigationButtons": False, "selectConnectedEdges": False},
        "nodes": {"shape": "dot", "borderWidth": 1.2,
                  "font": {"size": 12, "color": "#1d232b", "strokeWidth": 3, "strokeColor": "#ffffff",
                           "vadjust": -2},
                  "scaling": {"label": {"drawThreshold": 7}}},
        "edges": {"smooth": {"enabled": False}, "selectionWidth": 1.5, "hoverWidth": 1.0,
                  "arrowStrikethrough": False},
    }


def agreement_colour(value: float | None, stops: Sequence[tuple[float, str]], unknown: str) -> str:
    """The fill of an agreement value: linear between the colour *stops* (value, ``#rrggbb``), as the
    page's script computes it; *unknown* for None."""
    if value is None:
        return unknown
    v = min(1.0, max(0.0, value))
    for (a, ca), (b, cb) in itertools.pairwise(stops):
        if v <= b:
            f = 0.0 if b == a else (v - a) / (b - a)
            rgb = [int(ca[i:i + 2], 16) + (int(cb[i:i + 2], 16) - int(ca[i:i + 2], 16)) * f for i in (1, 3, 5)]
            return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)
    return stops[-1][1]


def world_context(world: WorldData, stops: Sequence[tuple[float, str]], unknown: str,
                  network_focus: str = "") -> tuple[dict[str, Any], dict[str, Any]]:
    """What the page template needs for the world view (heading, notes, counts, legend), and the data
    block.

    Args:
        world: The world.
        stops: The colour scale's stops, (value, ``#rrggbb``), drawn linearly (agreement is spread over
            the whole scale, unlike the network view's scores).
        unknown: The fill of a state with no vote that year.
        network_focus: The network view's focus label, to name its tab.
    """
    payload = world_payload(world)
    payload["stops"] = [[s, c] for s, c in stops]
    payload["unknown"] = unknown
    focus = next((s for s in payload["senders"] if s["code"] == payload["focus"]), {"label": "", "count": 0})
    context = {
        "title": world.title,
        "caption": world.caption,
        "notes": list(world.notes),
        "anchors": payload["anchors"],
        "years": payload["years"],
        "start_index": payload["startIndex"],
        "senders": payload["senders"],
        "groups": [{"value": k, **v} for k, v in MISSION_GROUPS.items()],
        "focus": payload["focus"],
        "focus_label": focus["label"],
        "focus_count": focus["count"],
        "state_count": len(payload["states"]),
        "mission_count": len(payload["missions"]),
        "pair_count": len(payload["pairs"]),
        "gradient": ", ".join(f"{c} {round(s * 100)}%" for s, c in stops),
        "unknown": unknown,
        "network_tab": f"{network_focus}’s network" if network_focus else "Network",
    }
    return context, payload
