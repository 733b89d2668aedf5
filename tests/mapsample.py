"""A small hand-made world for the map's tests (plain data shared by the unit and browser tests).

Builds on tests/worldsample.py's ten entities and adds what the map draws besides: the years 2020-2024
as a *selection* of key votes (few roll calls each; 2020 under the minimum), Malta (a shape too small
to click: a dot), Tuvalu (no shape: a dot at its coordinates), Czechoslovakia (a former state, voting
in 2015 only), the DPRK's missions with dated status events (a rule of the test's own, standing in
for the real one), the DPRK's story with two vetoes, and a network whose mission edges carry dates.
Agreement values sit on the colour scale's stops so that a test can name the colour.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import networkx as nx
from worldsample import AGREEMENT, HOSTILE_LABEL, MISSIONS, STATES

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

#: The DPRK's missions' dated events: (day, status, reason); before an "opened" event a mission is
#: not open yet.
EVENTS: dict[str, list[tuple[dt.date, str | None, str]]] = {
    "Q104": [(dt.date(2019, 5, 1), "open", "opened 2019-05")],
    "Q105": [(dt.date(2023, 10, 1), "uncertain", "closure announced 2023-10"),
             (dt.date(2024, 2, 1), "closed", "closed on 2024-02-01")],
    "Q106": [(dt.date(2023, 12, 5), "closed", "closed on or before 2023-12-05")],
}


class SampleStatus:
    """The test's own status rule: a mission's last event on or before the day."""

    def dates(self, mission: Any) -> Iterable[dt.date]:
        return [d for d, _, _ in EVENTS.get(mission.ident, [])]

    def status(self, mission: Any, on: dt.date) -> tuple[str, str] | None:
        events = EVENTS.get(mission.ident, [])
        past = [e for e in events if e[0] <= on]
        if not past:
            if events and events[0][2].startswith("opened"):
                return None
            return ("open", "no closure or announcement recorded")
        return (past[-1][1] or "open", past[-1][2])


def map_world(reverse: bool = False) -> WorldData:
    """The sample world (*reverse*: the same data listed in the opposite order)."""
    agreement: dict[str, dict[str, dict[int, tuple[float, int]]]] = {}
    for source in (AGREEMENT, RECENT):
        for code, anchors in source.items():
            for anchor, years in anchors.items():
                agreement.setdefault(code, {}).setdefault(anchor, {}).update(years)
    states = [WorldState(code, label, kind, lat, lon, agreement=agreement.get(code, {}))
              for code, label, kind, lat, lon in [*STATES, *EXTRA_STATES]]
    missions = [WorldMission(s, h, kind, ident, city, lat, lon)
                for s, h, kind, ident, city, lat, lon in [*MISSIONS, *EXTRA_MISSIONS]]
    if reverse:
        states.reverse()
        missions.reverse()
    return WorldData(states=states, missions=missions, anchors=("CHN", "RUS"), focus="PRK",
                     title="Sample map", caption="Hand-made test data",
                     notes=("Agreement index: 1 same vote, 0.5 one abstains, 0 yes against no.",))


def map_view() -> WorldView:
    """How the sample's years were chosen, and its missions' status rule."""
    return WorldView(coverage={y: "selected" for y in SELECTED}, roll_calls=SELECTED,
                     min_roll_calls=MIN_ROLL_CALLS, status=SampleStatus(), through=2024)


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

    edge("urn:x:PRK", "urn:x:CHN", "m1", "mission-open", "embassy in Beijing: open", ["urn:m:1"], mission="urn:m:1")
    edge("urn:x:PRK", "urn:x:IND", "m2", "mission-uncertain", "embassy in New Delhi: closure announced",
         ["urn:ev:india-announced", "urn:m:2"], mission="urn:m:2", closed_on="2023-10", opened_on="1973")
    edge("urn:x:PRK", "urn:x:CUB", "m3", "mission-closed", "embassy in Havana: closed",
         ["urn:ev:cuba-closed", "urn:m:3"],
         mission="urn:m:3", closed_on="2023-12-05", opened_on="1960")
    edge("urn:x:PRK", "urn:x:USA", "s1", "summit", "second Trump-Kim summit", ["urn:ev:hanoi"])
    edge("urn:x:UNSC", "urn:x:PRK", "r1", "sanctions-targets", "resolution 2397", ["urn:ev:res-2397"])
    return g
