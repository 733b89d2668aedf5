"""Browser tests of the explorer's world view (headless Debian chromium), on the hand-made sample
world of tests/worldsample.py: the anchor switch, the year slider, the mission filter, the state's
card with its chart, hostile text, and the tab to the DPRK's network."""

from __future__ import annotations

import pathlib
from typing import Any

import networkx as nx
import pytest
from worldsample import HOSTILE_CITY, HOSTILE_IDENT, HOSTILE_LABEL, HOSTILE_NOTE, sample_world

from kg.network.page import UNKNOWN_COLOUR, write_page

from .conftest import PageProbe

pytestmark = pytest.mark.browser

REPO = pathlib.Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "build" / "screenshots" / "world-synthetic.png"
WORLD = "diplokgWorld"
#: The colour scale's stops (kg.network.page.ALIGNMENT_STOPS), drawn linearly in the world view; the
#: sample's agreement values sit on them.
STOP = {0.0: "#2c7bb6", 0.25: "#abd9e9", 0.5: "#ffffbf", 0.75: "#fdae61", 1.0: "#d7191c"}


def network() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(title="North Korea’s network", caption="Sample", as_of="2024-06-30")
    for node, label, focus in (("urn:x:PRK", "North Korea", True), ("urn:x:CHN", "China", False),
                               ("urn:x:SWE", "Sweden", False)):
        g.add_node(node, label=label, kind="state", alignment=1.0 if focus else 0.5, centrality=0.5, focus=focus,
                   facts=[], evidence=[])
    g.add_edge("urn:x:PRK", "urn:x:CHN", key="e1", kind="mission-open", modality="reported", label="embassy",
               facts=[], evidence=[])
    g.add_edge("urn:x:SWE", "urn:x:PRK", key="e2", kind="mission-closed", modality="reported", label="embassy",
               facts=[], evidence=[])
    return g


@pytest.fixture(scope="module")
def world_path(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    path = tmp_path_factory.mktemp("world") / "explorer.html"
    write_page(network(), path, sample_world())
    return path


@pytest.fixture()
def world(probe: PageProbe, world_path: pathlib.Path) -> PageProbe:
    probe.open(world_path, api=WORLD)
    return probe


def colour(page: Any, code: str) -> str:
    """The state's fill in the DataSet, checked against what the drawn network holds."""
    result: str = page.evaluate("""(code) => {
        const w = window.diplokgWorld, fill = w.nodes.get(code).color.background;
        const drawn = w.network.body.nodes[code].options.color.background;
        if (drawn !== fill) throw new Error('view out of sync: ' + code);
        return fill; }""", code)
    return result


def drawn_pairs(page: Any) -> list[tuple[str, str]]:
    """(sender, host) of every drawn edge, checked against the network's own edges."""
    rows = page.evaluate("""() => {
        const w = window.diplokgWorld, ids = w.edges.getIds();
        if (ids.length !== Object.keys(w.network.body.edges).length) throw new Error('edges out of sync');
        return w.edges.get().map(e => [e.from, e.to]); }""")
    return sorted((a, b) for a, b in rows)


def click_state(page: Any, code: str) -> None:
    point = page.evaluate("""(code) => {
        const net = window.diplokgWorld.network, dom = net.canvasToDOM(net.getPositions([code])[code]);
        const box = document.getElementById('wv-network').getBoundingClientRect();
        return {x: box.left + dom.x, y: box.top + dom.y}; }""", code)
    page.mouse.move(point["x"] - 30, point["y"] - 30)
    page.mouse.move(point["x"], point["y"], steps=4)
    page.mouse.click(point["x"], point["y"])


def test_opens_on_the_world_view_offline(world: PageProbe) -> None:
    page = world.page
    page.wait_for_timeout(300)
    assert world.outside_requests == [] and world.console_errors == [] and world.page_errors == []
    assert page.evaluate("document.querySelectorAll('script[src], link[href], img, a').length") == 0
    assert page.locator("#wv-title").inner_text() == "Sample world"
    assert page.locator("#wv-main").is_visible() and not page.locator("#dk-main").is_visible()
    assert sorted(page.evaluate("window.diplokgWorld.nodes.getIds()")) == sorted(
        ["CHN", "CUB", "ERI", "EUU", "IND", "PRK", "RUS", "SWE", "USA", "XSS"])
    assert page.evaluate("window.diplokgWorld.network.physics.options.enabled") is False
    assert page.locator("#wv-year-label").inner_text() == "2019"
    # the DPRK's missions first
    assert page.locator("#wv-filter").input_value() == "sender:PRK"
    assert drawn_pairs(page) == [("PRK", "CHN"), ("PRK", "CUB"), ("PRK", "IND"), ("PRK", "RUS")]
    assert page.evaluate("window.diplokgWorld.visibleMissionCount") == 6
    assert "6 missions in 4 pairs" in page.locator("#wv-filter-status").inner_text()


def test_the_anchor_switch_recolours(world: PageProbe) -> None:
    page = world.page
    assert colour(page, "USA") == STOP[0.25]
    assert colour(page, "SWE") == STOP[0.5]
    assert colour(page, "RUS") == STOP[0.75]       # Russia's agreement with China
    assert page.evaluate("window.diplokgWorld.nodes.get('CHN').shape") == "star"
    page.locator("label.wv-seg", has_text="Russia").click()
    assert page.evaluate("window.diplokgWorld.anchor") == "RUS"
    assert colour(page, "USA") == STOP[0.0]
    assert colour(page, "SWE") == STOP[0.25]
    assert colour(page, "IND") == STOP[1.0]
    assert colour(page, "CHN") == STOP[0.75]
    assert colour(page, "XSS") == UNKNOWN_COLOUR              # voted with China only
    assert page.evaluate("window.diplokgWorld.nodes.get('RUS').shape") == "star"
    assert "with Russia in 2019" in page.locator("#wv-year-status").inner_text()


def test_the_slider_changes_the_year(world: PageProbe) -> None:
    page = world.page
    slider = page.locator("#wv-year")
    slider.focus()
    page.keyboard.press("ArrowLeft")
    assert page.locator("#wv-year-label").inner_text() == "2018"
    assert colour(page, "USA") == STOP[0.0]
    assert colour(page, "PRK") == STOP[0.75]
    page.keyboard.press("ArrowLeft")
    assert page.locator("#wv-year-label").inner_text() == "2017"
    assert colour(page, "USA") == STOP[0.25]
    page.keyboard.press("ArrowLeft")                            # 2016 has no vote: the slider skips it
    assert page.locator("#wv-year-label").inner_text() == "2015"
    assert colour(page, "USA") == UNKNOWN_COLOUR
    assert colour(page, "IND") == STOP[0.75]
    assert "2 states" in page.locator("#wv-year-status").inner_text()
    page.click("#wv-year-next")
    assert page.locator("#wv-year-label").inner_text() == "2017"
    assert slider.input_value() == "1"


def test_the_mission_filter(world: PageProbe) -> None:
    page = world.page
    page.select_option("#wv-filter", "all")
    assert len(drawn_pairs(page)) == 18
    assert page.evaluate("window.diplokgWorld.visibleMissionCount") == 24
    page.select_option("#wv-filter", "sender:CHN")
    assert drawn_pairs(page) == [("CHN", "PRK"), ("CHN", "USA")]
    assert page.evaluate("window.diplokgWorld.visibleMissionCount") == 6
    page.select_option("#wv-filter", "none")
    assert drawn_pairs(page) == []
    assert page.locator("#wv-filter-status").inner_text() == "No missions drawn."
    page.select_option("#wv-filter", "sender:PRK")
    assert [a for a, _ in drawn_pairs(page)] == ["PRK"] * 4


def test_the_card_shows_the_chart_and_the_roll_calls(world: PageProbe) -> None:
    page = world.page
    click_state(page, "PRK")
    card = page.locator("#wv-details")
    card.wait_for(state="visible", timeout=5_000)
    assert page.evaluate("window.diplokgWorld.selected") == "PRK"
    assert card.locator(".dk-card-title").inner_text() == "North Korea"
    assert card.locator("svg.wv-chart").count() == 1
    assert card.locator('g.wv-chart-line[data-anchor="CHN"] circle').count() == 4
    assert card.locator('g.wv-chart-line[data-anchor="RUS"] circle').count() == 3
    assert card.locator("g.wv-chart-votes rect").count() == 4
    text = card.inner_text()
    assert "With China in 2019: 1.00 over 95 roll calls" in text
    assert "With Russia in 2019: 0.75 over 95 roll calls" in text
    assert "embassy in China (Beijing)" in text and "Q101" in text
    assert "missions it sends (6)" in text.lower() and "missions it hosts (5)" in text.lower()
    page.click("#wv-year-prev")
    page.click("#wv-year-prev")
    text = card.inner_text()
    assert "With Russia in 2017: 0.50 over 90 roll calls" in text
    card.locator("summary", has_text="Every year").click()
    rows = card.locator("table.wv-table tr").all_inner_texts()
    assert [r.split("\t")[0] for r in rows] == ["Year", "2015", "2017", "2018", "2019"]
    assert rows[1].split("\t") == ["2015", "0.75", "80", "no vote", "0"]
    card.locator("button", has_text="Draw the missions it hosts").click()
    assert [b for _, b in drawn_pairs(page)] == ["PRK"] * 5


def test_a_hostile_label_stays_text(world: PageProbe) -> None:
    page = world.page
    page.fill("#wv-search", "img src")
    page.press("#wv-search", "Enter")
    assert page.evaluate("window.diplokgWorld.selected") == "XSS"
    details = page.locator("#wv-details-body").inner_text()
    assert HOSTILE_LABEL in details and HOSTILE_CITY in details and HOSTILE_IDENT in details
    page.evaluate("window.diplokgWorld.showTooltip('XSS')")
    assert HOSTILE_LABEL in page.locator("#wv-tooltip").inner_text()
    page.select_option("#wv-filter", "sender:XSS")
    assert drawn_pairs(page) == [("XSS", "SWE")]
    assert HOSTILE_NOTE in page.locator(".wv-notes").inner_text()
    page.wait_for_timeout(200)
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.evaluate("document.querySelectorAll('img, a, iframe').length") == 0
    assert page.evaluate("document.querySelectorAll('script').length") == 5
    assert world.console_errors == [] and world.page_errors == [] and world.outside_requests == []


def test_the_dprk_network_is_one_click_away(world: PageProbe) -> None:
    page = world.page
    page.click("#dk-tab-network")
    page.wait_for_function("() => window.diplokg.ready === true", timeout=10_000)
    assert page.locator("#dk-main").is_visible() and not page.locator("#wv-main").is_visible()
    assert page.locator("#dk-title").inner_text() == "North Korea’s network"
    assert sorted(page.evaluate("window.diplokg.nodes.getIds()")) == ["urn:x:CHN", "urn:x:PRK", "urn:x:SWE"]
    assert page.evaluate("Object.keys(window.diplokg.network.body.nodes).length") == 3
    page.click("#dk-tab-world")
    assert page.locator("#wv-main").is_visible() and not page.locator("#dk-main").is_visible()
    assert world.console_errors == [] and world.page_errors == []


def test_network_fragment_opens_the_network(probe: PageProbe, world_path: pathlib.Path) -> None:
    probe.open(world_path, api="diplokg", fragment="network")
    assert probe.page.locator("#dk-main").is_visible()
    assert probe.page.evaluate("window.diplokgWorld.started") is False   # drawn only when shown
    assert probe.console_errors == [] and probe.page_errors == []


def test_screenshot(world: PageProbe) -> None:
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page = world.page
    page.select_option("#wv-filter", "all")
    click_state(page, "PRK")
    page.locator("#wv-details").wait_for(state="visible", timeout=5_000)
    page.wait_for_timeout(700)   # the map's move to keep the state beside the card takes 400 ms
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 20_000
