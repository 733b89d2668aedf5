"""Where each state of the world view is on the map (:mod:`kg.network.atlas`'s projected units).

* **Shapes**: a state (or territory) is drawn as the atlas's shapes that carry its ISO 3166-1 code;
  an entity that is not in ISO 3166-1 takes an atlas shape without a code whose name is its label
  (Kosovo, Somaliland).
* **Its point** (its label, its dot, the end of a line to it): the label point of its largest shape;
  without a shape, its own coordinates when the data gives them, else the median of the embassies it
  hosts (:func:`capital_point`), else, for a former state, the middle of its successors' points
  (:data:`SUCCESSORS`); else it has no point (it is reachable by the search and the ranked list).
* **A dot** is drawn for a state whose largest shape is too small to see or click, and for a state
  or former state with a point but no shape (Tuvalu, Czechoslovakia).
* **Its capital** (where the lines of the missions it sends start: Pyongyang for the DPRK): the
  median of the embassies it hosts, when they have coordinates, else its point.

Dots closer than :data:`DOT_GAP` units are pushed apart a little, in a fixed order (the two Germanies
of 1973-1990 share a successor).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kg.network.atlas import Atlas, project
from kg.network.world import WorldData, WorldMission, WorldState, capital_like

__all__ = ["DOT_GAP", "SUCCESSORS", "MapPlace", "capital_point", "map_places", "projected_point"]

#: The states a former state's territory belongs to today (ISO 3166-3's own successor letters where
#: it has them: DDDE -> DE, YDYE -> YE; the rest as the UN's membership records them). Codes the graph
#: gives former states without an ISO 3166-3 code (the last segment of their IRI) are listed too.
SUCCESSORS: dict[str, tuple[str, ...]] = {
    "CSHH": ("CZE", "SVK"), "DDDE": ("DEU",), "YDYE": ("YEM",), "YUCS": ("SRB", "MNE"), "SCG": ("SRB", "MNE"),
    "CSXX": ("SRB", "MNE"), "SUHH": ("RUS",), "federal-republic-of-germany": ("DEU",),
    "yemen-arab-republic": ("YEM",), "zanzibar": ("TZA",),
}
#: Dots closer than this (projected units) are pushed apart.
DOT_GAP = 6.0


@dataclass(frozen=True)
class MapPlace:
    """Where a state is on the map.

    Attributes:
        shapes: The atlas indexes of its shapes (largest first).
        point: Its point ``(x, y)``, or None.
        dot: Whether a dot is drawn at its point.
        capital: Where the lines of its missions start, or None.
        how: ``shape``, ``given``, ``missions``, ``successors`` or ``none``.
        box: Width and height of the polygon its label sits in (none without a shape).
    """

    shapes: tuple[int, ...]
    point: tuple[float, float] | None
    dot: bool
    capital: tuple[float, float] | None
    how: str
    box: tuple[float, float] | None = None


def projected_point(lat: float, lon: float) -> tuple[float, float]:
    """A latitude and longitude (degrees) projected onto the map, rounded to 0.01 units."""
    x, y = project(lon, lat)
    return round(float(x), 2), round(float(y), 2)


def _located(missions: Sequence[WorldMission]) -> list[WorldMission]:
    return [m for m in missions if m.latitude is not None and m.longitude is not None]


def capital_point(hosted: Sequence[WorldMission]) -> tuple[float, float] | None:
    """The median latitude and longitude of the embassy-like missions a state hosts (embassies sit
    in the capital; the median ignores a stray one), projected; None when none has coordinates."""
    located = [m for m in _located(hosted) if capital_like(m.kind)]
    if not located:
        return None
    lat = statistics.median(float(m.latitude) for m in located)  # type: ignore[arg-type]
    lon = statistics.median(float(m.longitude) for m in located)  # type: ignore[arg-type]
    return projected_point(lat, lon)


def _separate(points: dict[str, tuple[float, float]], rounds: int = 40) -> dict[str, tuple[float, float]]:
    codes = sorted(points)
    if len(codes) < 2:
        return points
    xy = np.array([points[c] for c in codes], dtype=np.float64)
    for _ in range(rounds):
        dx = xy[:, None, 0] - xy[None, :, 0]
        dy = xy[:, None, 1] - xy[None, :, 1]
        dist = np.sqrt(dx * dx + dy * dy)
        np.fill_diagonal(dist, np.inf)
        same = dist < 1e-6
        if same.any():
            i, j = np.nonzero(np.triu(same))
            xy[j, 0] += 0.7 * (1 + (j - i) % 3)
            continue
        overlap = np.clip(DOT_GAP - dist, 0.0, None)
        if not overlap.any():
            break
        push = overlap / (2.0 * dist)
        xy[:, 0] += (push * dx).sum(axis=1) * 0.5
        xy[:, 1] += (push * dy).sum(axis=1) * 0.5
    return {c: (round(float(x), 2), round(float(y), 2)) for c, (x, y) in zip(codes, xy)}


def map_places(world: WorldData, states: Sequence[WorldState], atlas: Atlas) -> dict[str, MapPlace]:
    """Every state's place on the map (see the module's docstring)."""
    by_code = atlas.by_code()
    unnamed = {s.name: s for s in atlas.shapes if not s.code}
    hosted: dict[str, list[WorldMission]] = {}
    for mission in world.missions:
        hosted.setdefault(mission.host, []).append(mission)
    draft: dict[str, tuple[tuple[int, ...], tuple[float, float] | None, bool, str]] = {}
    boxes: dict[str, tuple[float, float]] = {}
    taken: set[str] = set()
    for state in sorted(states, key=lambda s: s.code):
        shapes = by_code.get(state.code) or []
        if not shapes and state.label in unnamed and state.label not in taken:
            taken.add(state.label)
            shapes = [unnamed[state.label]]
        if shapes:
            draft[state.code] = (tuple(s.index for s in shapes), shapes[0].label, shapes[0].small, "shape")
            boxes[state.code] = shapes[0].main_box
        elif state.latitude is not None and state.longitude is not None:
            draft[state.code] = ((), projected_point(state.latitude, state.longitude), True, "given")
        else:
            capital = capital_point(hosted.get(state.code, []))
            located = _located(hosted.get(state.code, []))
            if capital is None and located:
                capital = projected_point(statistics.median(float(m.latitude) for m in located),  # type: ignore[arg-type]
                              statistics.median(float(m.longitude) for m in located))  # type: ignore[arg-type]
            draft[state.code] = ((), capital, capital is not None, "missions" if capital else "none")
    for code, successors in SUCCESSORS.items():
        if code in draft and draft[code][1] is None:
            points: list[tuple[float, float]] = []
            for successor in successors:
                found = draft[successor][1] if successor in draft else None
                if found is None and successor in by_code:
                    found = by_code[successor][0].label
                if found is not None:
                    points.append(found)
            if points:
                mean = (round(sum(p[0] for p in points) / len(points), 2),
                        round(sum(p[1] for p in points) / len(points), 2))
                draft[code] = ((), mean, True, "successors")
    dots = _separate({c: d[1] for c, d in draft.items() if d[2] and d[1] is not None})
    places = {}
    for state in states:
        indexes, point, dot, how = draft[state.code]
        if dot and point is not None:
            point = dots[state.code]
        capital = capital_point(hosted.get(state.code, [])) or point
        places[state.code] = MapPlace(indexes, point, dot and point is not None, capital, how, boxes.get(state.code))
    return places
