"""Browser test of the real world view: the whole built graph (the world's sources included) drawn by
``diplokg explore``'s page in headless chromium."""

from __future__ import annotations

import pathlib
from typing import Any

import pytest

from kg.network.graph import explorer_graph
from kg.network.page import write_page
from kg.network.worldgraph import world_data

from .conftest import PageProbe

pytestmark = pytest.mark.browser

REPO = pathlib.Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "build" / "screenshots" / "world.png"

def world_build(request: pytest.FixtureRequest) -> Any:
    """The whole project built with the world's sources (``world_built``), or a skip while this
    project has no such fixture (before the world's sources land)."""
    try:
        return request.getfixturevalue("world_built")
    except pytest.FixtureLookupError:
        pytest.skip("no world_built fixture: the world's sources are not in this project")


@pytest.fixture(scope="module")
def world_built_here(request: pytest.FixtureRequest) -> Any:
    return world_build(request)


@pytest.fixture(scope="module")
def world(world_built_here: Any) -> Any:
    return world_data(world_built_here.graph.store)


@pytest.fixture(scope="module")
def world_page(world_built_here: Any, world: Any, tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    path = tmp_path_factory.mktemp("world-real") / "explorer.html"
    write_page(explorer_graph(world_built_here.graph), path, world)
    return path


def test_the_real_world_view(probe: PageProbe, world_page: pathlib.Path, world: Any) -> None:
    probe.open(world_page, api="diplokgWorld")
    page = probe.page
    page.wait_for_timeout(300)
    assert probe.outside_requests == [] and probe.console_errors == [] and probe.page_errors == []
    assert page.locator("#wv-year-label").inner_text() == "2019"
    assert page.evaluate("window.diplokgWorld.nodes.length") == len(world.states)
    prk = sum(1 for m in world.missions if m.sender == "PRK")
    assert page.evaluate("window.diplokgWorld.visibleMissionCount") == prk
    usa_china = page.evaluate("window.diplokgWorld.colourOf('USA')")
    page.locator("label.wv-seg").nth(1).click()
    assert page.evaluate("window.diplokgWorld.anchor") == "RUS"
    assert page.evaluate("window.diplokgWorld.colourOf('USA')") != usa_china
    page.locator("label.wv-seg").nth(0).click()
    page.fill("#wv-search", "PRK")
    page.press("#wv-search", "Enter")
    card = page.locator("#wv-details")
    card.wait_for(state="visible", timeout=5_000)
    value, votes = next(s for s in world.states if s.code == "PRK").agreement["CHN"][2019]
    assert f"in 2019: {value:.2f} over {votes} roll calls" in card.inner_text()
    years = len(next(s for s in world.states if s.code == "PRK").agreement["CHN"])
    assert card.locator('g.wv-chart-line[data-anchor="CHN"] circle').count() == years
    page.click("#dk-tab-network")
    page.wait_for_function("() => window.diplokg.ready === true", timeout=10_000)
    assert page.evaluate("window.diplokg.nodes.length") < 60     # the dossier's network, not the world's
    assert probe.console_errors == [] and probe.page_errors == [] and probe.outside_requests == []


def test_screenshot(probe: PageProbe, world_page: pathlib.Path) -> None:
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    probe.open(world_page, api="diplokgWorld")
    page = probe.page
    page.evaluate("window.diplokgWorld.showCard('PRK'); window.diplokgWorld.fitFree(false)")
    page.wait_for_timeout(400)
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 50_000
