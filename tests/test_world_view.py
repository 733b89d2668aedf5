"""Unit tests (no browser) of the world view: places on the map, the data block, the page with a world.

The expected places are worked out by hand from the sample's mission coordinates
(tests/worldsample.py): x = longitude * 7, y = -latitude * 7, from the median of the embassies a state
hosts.
"""

from __future__ import annotations

import json
import pathlib
import re
from typing import Any

import networkx as nx
import pytest
from worldsample import HOSTILE_CITY, HOSTILE_IDENT, HOSTILE_LABEL, HOSTILE_NOTE, sample_world

from kg.network import page as render
from kg.network.world import MIN_GAP, TRAY_TOP, Place, WorldData, WorldMission, WorldState, check_world, place_states
from kg.network.worldview import agreement_colour, mission_group, world_payload


def small_network() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(title="DPRK network", caption="c", as_of="2024-01-31")
    g.add_node("urn:x:prk", label="North Korea", kind="state", tie_score=0.9, centrality=1.0, focus=True,
               facts=[], evidence=[])
    g.add_node("urn:x:chn", label="China", kind="state", tie_score=1.0, centrality=0.5, focus=False,
               facts=[], evidence=[])
    g.add_edge("urn:x:prk", "urn:x:chn", key="k1", kind="mission-open", modality="reported", label="embassy",
               facts=[], evidence=[])
    return g


@pytest.mark.parametrize(("code", "place"), [
    # United States: the three embassies in Washington (-77.00, -77.04, -77.06 at 38.9 N); the
    # consulates general in New York, Los Angeles, San Francisco, Chicago and the EU's delegation do not count
    ("USA", Place(-539.3, -272.3, "missions", 3)),
    # China: four embassies in Beijing, medians 39.935 N 116.445 E; the Shenyang consulate does not count
    ("CHN", Place(815.1, -279.5, "missions", 4)),
    # North Korea: five embassies in Pyongyang, medians 39.01 N 125.76 E
    ("PRK", Place(880.3, -273.1, "missions", 5)),
    ("IND", Place(540.4, -200.2, "missions", 1)),
    ("CUB", Place(-576.8, -161.7, "missions", 1)),
    ("SWE", Place(126.5, -415.3, "missions", 1)),
    # given coordinates win over missions
    ("XSS", Place(-210.0, 70.0, "given", 0)),
    # no coordinates and no mission hosted: the row below the map, in order of label
    ("ERI", Place(-1190.0, TRAY_TOP, "none", 0)),
    ("EUU", Place(-1132.0, TRAY_TOP, "none", 0)),
])
def test_places(code: str, place: Place) -> None:
    assert place_states(sample_world())[code] == place


def test_places_fall_back_to_any_mission_when_no_embassy_has_coordinates() -> None:
    world = WorldData(states=[WorldState("AAA", "A"), WorldState("BBB", "B")], anchors=(), missions=[
        WorldMission("AAA", "BBB", "embassy", "Q1", "Nowhere", None, None),
        WorldMission("AAA", "BBB", "consulate", "Q2", "Port", 10.0, 20.0),
        WorldMission("AAA", "BBB", "honorary consulate", "Q3", "Bay", 12.0, 24.0)])
    assert place_states(world)["BBB"] == Place(154.0, -77.0, "missions", 2)


def test_overlapping_states_are_pushed_apart_deterministically() -> None:
    states = [WorldState(c, c, latitude=50.0, longitude=5.0 + 0.1 * i) for i, c in enumerate(("AAA", "BBB", "CCC"))]
    states.append(WorldState("DDD", "D", latitude=50.0, longitude=5.0))   # on top of AAA
    world = WorldData(states=states, anchors=())
    places = place_states(world)
    assert places == place_states(world)
    points = [(p.x, p.y) for p in places.values()]
    for i, (x1, y1) in enumerate(points):
        for x2, y2 in points[i + 1:]:
            assert ((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5 > MIN_GAP * 0.9
    # nudged, not moved away: each stays within a few dots of its true place
    assert all(abs(p.x - 35.0) < 4 * MIN_GAP and abs(p.y + 350.0) < 4 * MIN_GAP for p in places.values())


@pytest.mark.parametrize(("world", "message"), [
    (WorldData(states=[WorldState("AAA", "A"), WorldState("AAA", "A again")], anchors=()), "appears twice"),
    (WorldData(states=[WorldState("AAA", "A")], anchors=("CHN",)), "anchor 'CHN'"),
    (WorldData(states=[WorldState("CHN", "China"), WorldState("AAA", "A", agreement={"CHN": {2019: (1.5, 3)}})]),
     "expected 0-1"),
    (WorldData(states=[WorldState("CHN", "China"), WorldState("AAA", "A", agreement={"CHN": {2019: (0.5, -1)}})]),
     "expected 0-1"),
])
def test_check_world_refuses(world: WorldData, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_world(world)


def test_a_code_only_a_mission_names_becomes_an_other_entity() -> None:
    world = WorldData(states=[WorldState("AAA", "A")], anchors=(),
                      missions=[WorldMission("ZZZ", "AAA", "embassy", "Q9")])
    assert [(s.code, s.label, s.kind) for s in check_world(world)] == [("AAA", "A", "state"), ("ZZZ", "ZZZ", "other")]


@pytest.mark.parametrize(("kind", "group"), [
    ("embassy", "embassy"), ("High Commission", "embassy"), ("apostolic nunciature", "embassy"),
    ("consulate general", "consulate"), ("honorary consulate", "consulate"), ("delegation", "other"),
    ("representative office", "other"),
])
def test_mission_group(kind: str, group: str) -> None:
    assert mission_group(kind) == group


@pytest.fixture(scope="module")
def payload() -> dict[str, Any]:
    return world_payload(sample_world())


def test_payload_years_and_agreement(payload: dict[str, Any]) -> None:
    # every year from the first vote to the last, 2016 (no vote) included and marked so
    assert payload["years"] == [2015, 2016, 2017, 2018, 2019]
    assert [i["coverage"] for i in payload["yearInfo"]] == ["all", "none", "all", "all", "all"]
    assert [i["rollCalls"] for i in payload["yearInfo"]] == [80, 0, 90, 88, 95]
    prk = next(s for s in payload["states"] if s["code"] == "PRK")
    assert prk["ag"] == {"CHN": [0.75, None, 1.0, 0.75, 1.0], "RUS": [None, None, 0.5, 0.75, 0.75]}
    assert prk["n"] == {"CHN": [80, 0, 90, 88, 95], "RUS": [0, 0, 90, 88, 95]}
    assert (prk["sent"], prk["hosted"]) == (6, 5)
    eri = next(s for s in payload["states"] if s["code"] == "ERI")
    assert eri["ag"] == {} and eri["place"] == "shape"
    eu = next(s for s in payload["states"] if s["code"] == "EUU")
    assert eu["place"] == "none" and eu["pt"] is None and eu["shapes"] == []
    assert [a["code"] for a in payload["anchors"]] == ["CHN", "RUS"]
    assert [a["label"] for a in payload["anchors"]] == ["China", "Russia"]


def test_payload_pairs(payload: dict[str, Any]) -> None:
    codes = [s["code"] for s in payload["states"]]
    assert codes == sorted(codes)
    pairs = {(codes[s], codes[h]): (len(members), group) for s, h, members, group in payload["pairs"]}
    assert len(payload["missions"]) == 24 and len(pairs) == 18
    assert pairs[("PRK", "CHN")] == (2, "embassy")       # embassy and consulate general: drawn as embassy
    assert pairs[("CHN", "USA")] == (5, "embassy")
    assert pairs[("EUU", "USA")] == (1, "other")
    assert sum(n for n, _ in pairs.values()) == 24
    assert payload["focus"] == "PRK" and payload["defaultFilter"] == "sender:PRK"
    assert [s["code"] for s in payload["senders"]] == ["XSS", "CHN", "CUB", "EUU", "IND", "PRK", "RUS", "SWE", "USA"]
    assert [s["count"] for s in payload["senders"]] == [1, 6, 1, 1, 2, 6, 2, 3, 2]
    # no status rule: every mission open throughout, sent as null
    assert payload["status"] == [None] * 24 and payload["reasons"] == []


@pytest.mark.parametrize(("start", "index"), [(None, 4), (2017, 2), (2016, 1), (2013, 4)])
def test_the_slider_starts_on_the_start_year_if_it_is_a_year_of_the_slider(start: int | None, index: int) -> None:
    world = sample_world()
    payload = world_payload(WorldData(states=world.states, missions=world.missions, start_year=start))
    assert payload["startIndex"] == index


def test_no_focus_when_it_sends_nothing() -> None:
    world = sample_world()
    payload = world_payload(WorldData(states=world.states, missions=world.missions, focus="ERI"))
    assert payload["focus"] is None and payload["defaultFilter"] == "none"


def _block(html: str, ident: str) -> Any:
    match = re.search(rf'<script type="application/json" id="{ident}">(.*?)</script>', html, re.S)
    assert match
    return json.loads(match.group(1))


@pytest.fixture(scope="module")
def page() -> str:
    return render.page_html(small_network(), sample_world())


def test_page_is_byte_identical_whatever_the_order(page: str, tmp_path: pathlib.Path) -> None:
    assert render.page_html(small_network(), sample_world(reverse=True)) == page
    out = tmp_path / "p.html"
    render.write_page(small_network(), out, sample_world())
    assert out.read_bytes() == page.encode("utf-8")


def test_page_escapes_every_text(page: str) -> None:
    for text in (HOSTILE_LABEL, HOSTILE_CITY, HOSTILE_IDENT, HOSTILE_NOTE):
        assert text not in page
    assert "<script>window" not in page
    # the blocks dk-data, wv-data, wv-atlas; vis-network, util, explorer; map, cards, world (no vendored script)
    assert len(re.findall(r"</script", page, re.I)) == 9
    assert "Note &lt;/style&gt;&lt;script&gt;window.__xss=4&lt;/script&gt; &amp; more" in page
    data = _block(page, "wv-data")
    assert {s["label"] for s in data["states"]} >= {HOSTILE_LABEL}
    assert [m[3:5] for m in data["missions"] if m[4] == HOSTILE_IDENT] == [[HOSTILE_CITY, HOSTILE_IDENT]]
    block = re.search(r'id="wv-data">(.*?)</script>', page, re.S).group(1)  # type: ignore[union-attr]
    assert not set(block) & {"<", ">", "&", "\u2028", "\u2029"}


def test_page_stays_offline(page: str) -> None:
    assert "default-src 'none'" in page
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*(src|href)\s*=", page, re.I)
    assert not re.search(r"\shref\s*=", page, re.I)


def test_page_has_both_views(page: str) -> None:
    assert 'id="dk-tab-world"' in page and 'id="dk-tab-network"' in page
    assert "North Korea’s story" in page
    assert re.search(r'<main id="dk-main" hidden>', page)
    assert _block(page, "dk-data")["nodes"][0]["id"] in {"urn:x:chn", "urn:x:prk"}
    stops = _block(page, "wv-data")["stops"]
    assert stops == [[0.0, "#2c7bb6"], [0.25, "#abd9e9"], [0.5, "#ffffbf"], [0.75, "#fdae61"], [1.0, "#d7191c"]]
    atlas = _block(page, "wv-atlas")
    assert set(atlas) == {"paths", "names", "sphere", "graticule"} and len(atlas["paths"]) == len(atlas["names"]) == 241
    assert "d3-geo" not in page and "topojson" not in page


@pytest.mark.parametrize(("value", "colour"), [
    (None, "#c4c4c4"), (0.0, "#2c7bb6"), (0.25, "#abd9e9"), (1.0, "#d7191c"), (1.7, "#d7191c"),
    (0.125, "#6caad0"),   # half-way from (44,123,182) to (171,217,233): (107.5,170,207.5), rounded half to even
])
def test_agreement_colour_is_linear(value: float | None, colour: str) -> None:
    stops = [(0.0, "#2c7bb6"), (0.25, "#abd9e9"), (0.5, "#ffffbf"), (0.75, "#fdae61"), (1.0, "#d7191c")]
    assert agreement_colour(value, stops, "#c4c4c4") == colour


def test_page_without_world_has_no_world_view() -> None:
    html = render.page_html(small_network())
    assert "wv-data" not in html and "dk-tab-world" not in html and "wv-atlas" not in html
    assert "d3-geo" not in html
    assert len(re.findall(r"</script", html, re.I)) == 4
