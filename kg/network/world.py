"""The world view's input, and where each state goes on the map.

:class:`WorldData` is all the world view of the explorer draws: the states (ISO 3166 alpha-3 codes,
or another stable code for what is not a state, such as the European Union), each with its
agreement with the anchors (China, Russia ...) per year and the number of roll calls behind each
value, and the diplomatic missions between them. It is deliberately small and typed, so the page can
be written and tested from hand-made data; :mod:`kg.network.worldgraph` fills it from a built graph.

Places (:func:`place_states`): a state's coordinates are its own when the data gives them, else the
median latitude and the median longitude of the embassy-like missions it hosts (embassies sit in
capitals; the median ignores a stray consulate), else of any mission it hosts. They are projected
equirectangularly (x = longitude, y = -latitude, :data:`PX_PER_DEGREE` canvas units a degree) and
then nudged apart, a few units at most, where two dots would overlap (Europe, the Caribbean). A state
with no coordinates at all is not guessed: it goes into a labelled row below the map, in order of
its label.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from kg.network.status import MissionStatus, StatusEvent, status_as_of, status_timeline

__all__ = [
    "PX_PER_DEGREE",
    "TRAY_TOP",
    "Place",
    "WorldData",
    "WorldMission",
    "WorldState",
    "capital_like",
    "check_world",
    "place_states",
]

#: Canvas units per degree of the equirectangular projection.
PX_PER_DEGREE = 7.0
#: Two dots closer than this (canvas units) are pushed apart.
MIN_GAP = 17.0
#: Canvas y of the row of states with no known place (below the southern tip of South America).
TRAY_TOP = 62.0 * PX_PER_DEGREE + 60.0
#: Kinds of mission that sit in the capital, used first to place a host.
CAPITAL_KINDS = ("embassy", "high commission", "nunciature", "permanent mission", "de facto embassy")


@dataclass(frozen=True)
class WorldState:
    """One state (or other entity) of the world view.

    Attributes:
        code: Its stable code: ISO 3166-1 alpha-3 for a state or territory, else any short code.
        label: Its name, shown as text.
        kind: ``state``, ``territory``, ``organisation`` or ``other``.
        latitude: Its latitude in degrees, or None to place it from the missions it hosts.
        longitude: Its longitude in degrees, or None.
        agreement: ``agreement[anchor][year] = (value, roll calls counted)``, the agreement index
            in [0, 1] with each anchor (an alpha-3 code) in each calendar year.
    """

    code: str
    label: str
    kind: str = "state"
    latitude: float | None = None
    longitude: float | None = None
    agreement: Mapping[str, Mapping[int, tuple[float, int]]] = field(default_factory=dict)


@dataclass(frozen=True)
class WorldMission:
    """One diplomatic mission: who sends it, where, what kind, its identifier, and its dated events.

    Attributes:
        sender: The sending state's code (a :class:`WorldState` code).
        host: The host's code.
        kind: What kind of mission, in words (``embassy``, ``consulate general`` ...).
        ident: Its identifier: a Wikidata QID or our IRI.
        city: The city it is in, if known.
        latitude: Its latitude, if known.
        longitude: Its longitude, if known.
        events: Its dated status events (:class:`~kg.network.status.StatusEvent`: openings, closures,
            closure announcements, farewell visits, a register's listing, agreements to open), every
            source's, those of another name for the same mission included; empty when no fact dates
            anything of its life (it is then open at every date). :meth:`status_as_of` and
            :meth:`status_timeline` read them by the rule of :mod:`kg.network.status`.
    """

    sender: str
    host: str
    kind: str
    ident: str
    city: str = ""
    latitude: float | None = None
    longitude: float | None = None
    events: tuple[StatusEvent, ...] = ()

    def status_as_of(self, day: str) -> MissionStatus:
        """Its status (open, closed or uncertain) and the reason, as of ``day`` (``YYYY-MM-DD``, or a
        month or year: as of its last day)."""
        return status_as_of(self.events, day)

    def status_timeline(self) -> list[tuple[str, MissionStatus]]:
        """Its status from each day it changes (``""``: since ever), as :func:`kg.network.status.status_timeline`."""
        return status_timeline(self.events)


@dataclass(frozen=True)
class WorldData:
    """Everything the world view draws.

    Attributes:
        states: The states; a mission's sender or host that is not among them is added as an
            entity of kind ``other`` labelled with its code.
        missions: The missions.
        anchors: The anchors' codes, in the order of the switch (the first is shown first).
        focus: The state whose missions are shown first (the DPRK), if it sends any.
        title: The view's heading.
        caption: One line under the heading.
        notes: Caveats shown with the legend, one paragraph each.
        start_year: The year the slider starts on (default: the latest year with data).
    """

    states: Sequence[WorldState]
    missions: Sequence[WorldMission] = ()
    anchors: Sequence[str] = ("CHN", "RUS")
    focus: str | None = "PRK"
    title: str = "The world's diplomatic network"
    caption: str = ""
    notes: Sequence[str] = ()
    start_year: int | None = None


@dataclass(frozen=True)
class Place:
    """Where a state is drawn: canvas x/y, and how the place was found (``given``, ``missions``,
    ``none``) with the number of mission coordinates used."""

    x: float
    y: float
    how: str
    used: int = 0


def _finite(value: float | None) -> bool:
    return value is not None and isinstance(value, (int, float)) and math.isfinite(value)


def check_world(world: WorldData) -> list[WorldState]:
    """The states of *world*, checked, with a placeholder for every code only a mission names.

    Raises:
        ValueError: Two states share a code, an anchor is not a state, or an agreement value is not
            in [0, 1] or its roll-call count is negative.
    """
    states: list[WorldState] = []
    seen: set[str] = set()
    for state in world.states:
        if state.code in seen:
            raise ValueError(f"world view: state code {state.code!r} appears twice")
        seen.add(state.code)
        for anchor, years in state.agreement.items():
            for year, (value, votes) in years.items():
                if not (_finite(value) and 0.0 <= value <= 1.0) or votes < 0:
                    raise ValueError(f"world view: agreement of {state.code} with {anchor} in {year} is "
                                     f"{value!r} over {votes!r} roll calls (expected 0-1 over 0 or more)")
        states.append(state)
    for code in world.anchors:
        if code not in seen:
            raise ValueError(f"world view: anchor {code!r} is not one of the states")
    for mission in world.missions:
        for code in (mission.sender, mission.host):
            if code not in seen:
                seen.add(code)
                states.append(WorldState(code=code, label=code, kind="other"))
    return sorted(states, key=lambda s: s.code)


def capital_like(kind: str) -> bool:
    lower = kind.lower()
    return any(word in lower for word in CAPITAL_KINDS)


def _median_place(missions: list[WorldMission]) -> tuple[float, float, int] | None:
    """Median latitude and longitude of the missions with coordinates, capital-like kinds first."""
    located = [m for m in missions if _finite(m.latitude) and _finite(m.longitude)]
    capital = [m for m in located if capital_like(m.kind)]
    chosen = capital or located
    if not chosen:
        return None
    lat = statistics.median(float(m.latitude) for m in chosen)  # type: ignore[arg-type]
    lon = statistics.median(float(m.longitude) for m in chosen)  # type: ignore[arg-type]
    return lat, lon, len(chosen)


def _separate(xy: np.ndarray, rounds: int = 60) -> np.ndarray:
    """Push apart dots closer than :data:`MIN_GAP` (half the overlap each, a fixed number of
    rounds, in a fixed order: deterministic)."""
    n = len(xy)
    if n < 2:
        return xy
    pts = xy.astype(np.float64).copy()
    for _ in range(rounds):
        dx = pts[:, None, 0] - pts[None, :, 0]
        dy = pts[:, None, 1] - pts[None, :, 1]
        dist = np.sqrt(dx * dx + dy * dy)
        np.fill_diagonal(dist, np.inf)
        overlap = np.clip(MIN_GAP - dist, 0.0, None)
        if not overlap.any():
            break
        # coincident dots: split them along a fixed direction that depends on their order
        same = dist < 1e-6
        if same.any():
            i, j = np.nonzero(np.triu(same))
            pts[j, 0] += 0.5 + 0.01 * (j - i)
            continue
        push = overlap / (2.0 * dist)
        pts[:, 0] += (push * dx).sum(axis=1) * 0.5
        pts[:, 1] += (push * dy).sum(axis=1) * 0.5
    return pts


def place_states(world: WorldData, states: Sequence[WorldState] | None = None) -> dict[str, Place]:
    """Canvas places of every state (see the module's docstring for the rules).

    Args:
        world: The world.
        states: Its checked states (from :func:`check_world`); computed when omitted.

    Returns:
        ``{code: Place}``, rounded to 0.1 canvas units; the same world always gives the same places.
    """
    states = check_world(world) if states is None else states
    hosted: dict[str, list[WorldMission]] = {}
    for mission in world.missions:
        hosted.setdefault(mission.host, []).append(mission)
    located: list[tuple[str, float, float, str, int]] = []
    unplaced: list[WorldState] = []
    for state in states:
        if _finite(state.latitude) and _finite(state.longitude):
            located.append((state.code, float(state.latitude), float(state.longitude),  # type: ignore[arg-type]
                            "given", 0))
            continue
        found = _median_place(hosted.get(state.code, []))
        if found is None:
            unplaced.append(state)
        else:
            located.append((state.code, found[0], found[1], "missions", found[2]))
    places: dict[str, Place] = {}
    if located:
        xy = np.array([[max(-180.0, min(180.0, lon)) * PX_PER_DEGREE, -max(-90.0, min(90.0, lat)) * PX_PER_DEGREE]
                       for _, lat, lon, _, _ in located])
        xy = _separate(xy)
        for (code, _, _, how, used), (x, y) in zip(located, xy):
            places[code] = Place(round(float(x), 1), round(float(y), 1), how, used)
    per_row = 40
    for i, state in enumerate(sorted(unplaced, key=lambda s: (s.label.casefold(), s.code))):
        places[state.code] = Place(round(-170.0 * PX_PER_DEGREE + (i % per_row) * 58.0, 1),
                                   round(TRAY_TOP + (i // per_row) * 44.0, 1), "none")
    return places

