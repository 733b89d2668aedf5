"""A small hand-made world for the map's tests (plain data shared by the unit and browser tests).

Builds on tests/worldsample.py's ten entities and adds what the map draws besides: the years 2020-2024
as a *selection* of key votes (few roll calls each; 2020 under the minimum), Malta (a shape too small
to click: a dot), Tuvalu (no shape: a dot at its coordinates), Czechoslovakia (a former state, voting
in 2015 only), three DPRK missions with dated status events (read by the one rule,
kg/network/status.py, as the real ones are), the DPRK's story with two vetoes, and a network whose
mission edges carry the same missions' status timelines. Agreement values sit on the colour scale's
stops so that a test can name the colour.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
from worldsample import AGREEMENT, HOSTILE_LABEL, MISSIONS, STATES

from kg.network.status import StatusEvent, status_as_of, status_timeline
from kg.network.story import StoryEvent
from kg.network.world import WorldData, WorldMission, WorldState
from kg.network.worldview import WorldView

MIN_ROLL_CALLS = 5
SELECTED = {2020: 3, 2021: 6, 2022: 9, 2023: 7, 2024: 5}
#: Agreement in the selected years (value, roll calls), per state and anchor.
RECENT: dict[str, dict[str, dict[int, tuple[float, int]]]] = {
    "PRK": {"CHN": {2020: (1.0, 3), 2022: (1.0, 9), 2023: (1.0, 7), 2024: (1.0, 5)},
            "RUS": {2020: (0.75, 3), 2022: (1.0, 9), 2023: (1.0, 7), 2024: (1.0, 5)}},
    "USA": {"CHN": {2022: (0.0, 9), 2023: (0.25, 7)}, "RUS": {2022: (0.0, 9), 2023: (0.0, 7)}},
    "SWE": {"CHN": {2022: (0.25, 9)}, "RUS": {2022: (0.0, 9)}},
    "IND": {"CHN": {2022: (0.75, 9)}, "RUS": {2022: (0.75, 9)}},
    "CUB": {"CHN": {2022: (1.0, 9)}, "RUS": {2022: (1.0, 9)}},
    "MLT": {"CHN": {2019: (0.5, 95), 2022: (0.25, 9)}, "RUS": {2019: (0.25, 95), 2022: (0.0, 9)}},
    "TUV": {"CHN": {2019: (0.75, 40), 2022: (0.5, 4)}, "RUS": {2019: (0.5, 40), 2022: (0.25, 4)}},
    "CSHH": {"CHN": {2015: (0.75, 80)}, "RUS": {2015: (1.0, 80)}},
    "CHN": {"RUS": {2022: (1.0, 9)}},
    "RUS": {"CHN": {2022: (1.0, 9)}},
}
EXTRA_STATES = [("MLT", "Malta", "state", None, None), ("TUV", "Tuvalu", "state", -8.52, 179.2),
                ("CSHH", "Czechoslovakia", "former state", None, None)]
EXTRA_MISSIONS = [("MLT", "CHN", "embassy", "Q130", "Beijing", 39.92, 116.43)]

SOURCE = "Sample source"
#: The DPRK's missions' dated events, as the sources would give them: the consulate general in
#: Vladivostok opened in May 2019; the embassy in New Delhi (opened 1973) announced closed in October
#: 2023, closed on 1 February 2024; the embassy in Havana (opened 1960) listed open by a register on
#: 2022-11-16 and closed on or before 5 December 2023 (a bound, as Uganda's).
EVENTS: dict[str, tuple[StatusEvent, ...]] = {
    "Q104": (StatusEvent("opening", "2019-05", source=SOURCE),),
    "Q105": (StatusEvent("opening", "1973", source=SOURCE), StatusEvent("announcement", "2023-10", source=SOURCE),
             StatusEvent("closure", "2024-02-01", source=SOURCE)),
    "Q106": (StatusEvent("opening", "1960", source=SOURCE),
             StatusEvent("listed", "2022-11-16", source="Sample register"),
             StatusEvent("closure", "2023-12-05", bound=True, source=SOURCE)),
}


def map_world(reverse: bool = False) -> WorldData:
    """The sample world (*reverse*: the same data listed in the opposite order)."""
    agreement: dict[str, dict[str, dict[int, tuple[float, int]]]] = {}
    for source in (AGREEMENT, RECENT):
        for code, anchors in source.items():
            for anchor, years in anchors.items():
                agreement.setdefault(code, {}).setdefault(anchor, {}).update(years)
    states = [WorldState(code, label, kind, lat, lon, agreement=agreement.get(code, {}))
              for code, label, kind, lat, lon in [*STATES, *EXTRA_STATES]]
    missions = [WorldMission(s, h, kind, ident, city, lat, lon, EVENTS.get(ident, ()))
                for s, h, kind, ident, city, lat, lon in [*MISSIONS, *EXTRA_MISSIONS]]
    if reverse:
        states.reverse()
        missions.reverse()
    return WorldData(states=states, missions=missions, anchors=("CHN", "RUS"), focus="PRK",
                     title="Sample map", caption="Hand-made test data",
                     notes=("Agreement index: 1 same vote, 0.5 one abstains, 0 yes against no.",))


def map_view() -> WorldView:
    """How the sample's years were chosen, and how far the slider goes."""
    return WorldView(coverage={y: "selected" for y in SELECTED}, roll_calls=SELECTED,
                     min_roll_calls=MIN_ROLL_CALLS, through=2024)


VETO_2022 = ("On 26 May 2022 China and the Russian Federation voted against draft resolution S/2022/431, "
             "which would have tightened the sanctions on the DPRK; 13 members voted in favour.")
VETO_2024 = "Russia vetoed draft resolution S/2024/255 renewing the Panel of Experts; China abstained."


def _event(iri: str, group: str, kind: str, label: str, date: str, text: str, source: str = "Sample source",
           precision: str = "day") -> StoryEvent:
    return StoryEvent(f"urn:ev:{iri}", group, kind, label, date, precision if date else "", "reported",
                      [{"text": text, "source": source, "address": ""}])


def map_story() -> list[StoryEvent]:
    """The DPRK's story, in time order (undated last), with a hostile label among them."""
    return [
        _event("res-2397", "sanctions", "sanctions resolution", "UN Security Council resolution 2397 (2017)",
               "2017-12-22", "resolution: 2397; adopted: 2017-12-22"),
        _event("hanoi", "summit", "summit", "second Trump-Kim summit", "2019-02-27",
               "The summit in Hanoi ended early."),
        _event("vladivostok", "opening", "mission opening", "consulate general in Vladivostok opens", "2019-05",
               "The consulate opened in May 2019.", precision="month"),
        _event("veto-2022", "veto", "veto", "China and Russia veto draft S/2022/431", "2022-05-26", VETO_2022),
        _event("india-announced", "announcement", "closure announcement", "closure of the embassy in India announced",
               "2023-10", "The closure was announced in October 2023.", precision="month"),
        _event("farewell", "farewell", "farewell visit", "farewell call in New Delhi", "2023-11",
               "The ambassador paid a farewell call.", precision="month"),
        _event("cuba-closed", "closure", "mission closure", "embassy in Havana closed", "2023-12-05",
               "Closed on or before 5 December 2023."),
        _event("veto-2024", "veto", "veto", "Russia vetoes draft S/2024/255", "2024-03-28", VETO_2024),
        _event("hostile", "other", "event", HOSTILE_LABEL, "", "<script>window.__xssStory=1</script>"),
    ]


def map_network() -> nx.MultiDiGraph:
    """The DPRK's network for the sample page: missions with dates, a summit, sanctions."""
    g = nx.MultiDiGraph(title="North Korea’s network", caption="Sample", as_of="2024-06-30")
    for node, label, focus in (("urn:x:PRK", "North Korea", True), ("urn:x:CHN", "China", False),
                               ("urn:x:IND", "India", False), ("urn:x:CUB", "Cuba", False),
                               ("urn:x:USA", "United States", False), ("urn:x:UNSC", "Security Council", False)):
        g.add_node(node, label=label, kind="state", tie_score=1.0 if focus else 0.5, centrality=0.5, focus=focus,
                   facts=[f"{label} (fact)"], evidence=[{"sentence": f"About {label}.", "source": "Sample source",
                                                         "modality": "reported"}])

    def edge(u: str, v: str, key: str, kind: str, label: str, iris: list[str], **extra: Any) -> None:
        g.add_edge(u, v, key=key, kind=kind, modality="reported", label=label, facts=[label], fact_iris=iris,
                   evidence=[{"sentence": f"{label}.", "source": "Sample source", "modality": "reported"}], **extra)

    def mission(u: str, v: str, key: str, label: str, iris: list[str], events: tuple[StatusEvent, ...]) -> None:
        # as kg/network/graph.py writes a mission edge: its status as of the graph's date, its timeline
        now = status_as_of(events, g.graph["as_of"])
        edge(u, v, key, f"mission-{now.status}", f"{label}: {now.status} ({now.reason})", iris, mission=iris[-1],
             status=now.status, status_reason=now.reason,
             status_timeline=[[since, found.status, found.reason] for since, found in status_timeline(events)])

    mission("urn:x:PRK", "urn:x:CHN", "m1", "embassy in Beijing", ["urn:m:1"], ())
    mission("urn:x:PRK", "urn:x:IND", "m2", "embassy in New Delhi", ["urn:ev:india-announced", "urn:m:2"],
            EVENTS["Q105"])
    mission("urn:x:PRK", "urn:x:CUB", "m3", "embassy in Havana", ["urn:ev:cuba-closed", "urn:m:3"], EVENTS["Q106"])
    edge("urn:x:PRK", "urn:x:USA", "s1", "summit", "second Trump-Kim summit", ["urn:ev:hanoi"])
    edge("urn:x:UNSC", "urn:x:PRK", "r1", "sanctions-targets", "resolution 2397", ["urn:ev:res-2397"])
    return g
