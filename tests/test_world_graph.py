"""The world view's input read from a built graph: none for the dossier alone; for the whole world,
the agreement the votes give, the missions Wikidata lists, and a place for every state that hosts a
located mission."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path
from typing import Any

import pytest

from kg.network.worldgraph import kind_words, world_data

VOTES = Path(__file__).resolve().parent.parent / "sources" / "unga-votes"

def world_build(request: pytest.FixtureRequest) -> Any:
    """The whole project built with the world's sources (``world_built``), or a skip while this
    project has no such fixture (before the world's sources land)."""
    try:
        return request.getfixturevalue("world_built")
    except pytest.FixtureLookupError:
        pytest.skip("no world_built fixture: the world's sources are not in this project")


@pytest.mark.parametrize(("local", "words"), [
    ("Embassy", "embassy"), ("ConsulateGeneral", "consulate general"), ("HighCommission", "high commission"),
    ("ApostolicNunciature", "apostolic nunciature"), ("DiplomaticMission", "mission"),
])
def test_kind_words(local: str, words: str) -> None:
    assert kind_words(local) == words


def test_the_dossier_alone_has_no_world_view(built: Any) -> None:
    assert world_data(built.graph.store) is None


@pytest.fixture(scope="module")
def world(request: pytest.FixtureRequest) -> Any:
    found = world_data(world_build(request).graph.store)
    assert found is not None
    return found


def _index(year: int, state: str, anchor: str) -> tuple[float, int]:
    """Voeten's agreement index straight from the committed CSVs: a second, simple implementation."""
    with gzip.open(VOTES / "roll-calls.csv.gz", "rt", encoding="utf-8") as f:
        calls = {r["rcid"] for r in csv.DictReader(f) if r["date"].startswith(f"{year}-")}
    votes: dict[str, dict[str, str]] = {}
    with gzip.open(VOTES / "votes.csv.gz", "rt", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["rcid"] in calls and r["country_code"] in (state, anchor):
                votes.setdefault(r["rcid"], {})[r["country_code"]] = r["vote"]
    points = []
    for both in votes.values():
        if len(both) == 2:
            a, b = both[state], both[anchor]
            points.append(1.0 if a == b else 0.5 if "abstain" in (a, b) else 0.0)
    return sum(points) / len(points), len(points)


def test_the_view_shows_the_index_the_votes_give(world: Any) -> None:
    prk = next(s for s in world.states if s.code == "PRK")
    value, votes = prk.agreement["CHN"][2019]
    expected, counted = _index(2019, "KP", "CN")
    assert votes == counted and value == pytest.approx(expected, abs=5e-5)
    # the DPRK joined the United Nations in September 1991: no vote of it before
    assert min(prk.agreement["CHN"]) == 1991 and min(prk.agreement["RUS"]) == 1991


def test_the_world(world: Any) -> None:
    codes = {s.code for s in world.states}
    assert tuple(world.anchors) == ("CHN", "RUS") and world.focus == "PRK"
    assert {m.sender for m in world.missions} | {m.host for m in world.missions} <= codes
    # Wikidata lists 26 DPRK missions (the data's README); the dossier's own missions come too
    assert sum(1 for m in world.missions if m.sender == "PRK" and m.ident.startswith("Q")) == 26
    # China's seat before October 1971 was the Republic of China's: China's series starts in 1971
    assert min(min(s.agreement["CHN"]) for s in world.states if "CHN" in s.agreement) == 1971
    assert world.start_year == 2019
    chn = next(s for s in world.states if s.code == "CHN")
    assert chn.kind == "state" and "RUS" in chn.agreement and "CHN" not in chn.agreement


def test_a_mission_carries_its_dated_status_events(world: Any) -> None:
    from kg.network.status import MissionStatus, StatusEvent

    # Wikidata's consulate, the closures table's consulate-general and the article's "embassy" in Hong
    # Kong: one mission, with every source's events.
    hong_kong = [m for m in world.missions if m.sender == "PRK" and m.host == "HKG"]
    assert [(m.ident, m.kind) for m in hong_kong] == [("Q15885438", "consulate general")]
    events = hong_kong[0].events
    assert StatusEvent("listed", "2022-11-16", False, "Diplomatic missions in Wikidata, 2022-11-16") in events
    assert StatusEvent("closure", "2023-11-01", False, "DPRK mission closures and openings, 2023-24") in events
    assert StatusEvent("closure", "2023", True, "North Korea’s Diplomatic Shift") in events  # the article's, undated
    assert hong_kong[0].status_as_of("2023-01-01") == MissionStatus("open", "no closure known by this date")
    assert hong_kong[0].status_as_of("2024-06-01") == MissionStatus("closed", "closed 2023-11-01")
    uganda = next(m for m in world.missions if m.sender == "PRK" and m.host == "UGA")
    assert uganda.status_as_of("2023-11-15") == MissionStatus(
        "uncertain", "closure announced 2023-10; closed on or before 2023-12")
    assert [s.status for _, s in uganda.status_timeline()] == ["open", "uncertain", "closed"]
    # A mission no fact dates has no events: open at every date.
    austria = next(m for m in world.missions if m.sender == "PRK" and m.host == "AUT")
    assert austria.events == () and austria.status_as_of("2024-06-01").status == "open"
