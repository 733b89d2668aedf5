"""Browser test of the real world map: the whole built graph (the world's sources included) drawn by
``diplokg explore``'s page in headless chromium, at 1400x900 and 1024x768."""

from __future__ import annotations

import pathlib
from typing import Any

import pytest

from kg.network.explorer import explorer_inputs
from kg.network.page import write_page

from .conftest import PageProbe
from .test_world_map import LEGEND_OF, assert_no_overlap, label_boxes, set_year

pytestmark = pytest.mark.browser


def world_build(request: pytest.FixtureRequest) -> Any:
    """The whole project built with the world's sources (``world_built``), or a skip while this
    project has no such fixture (before the world's sources land)."""
    try:
        return request.getfixturevalue("world_built")
    except pytest.FixtureLookupError:
        pytest.skip("no world_built fixture: the world's sources are not in this project")


@pytest.fixture(scope="module")
def inputs(request: pytest.FixtureRequest) -> Any:
    built = world_build(request).graph
    return explorer_inputs(built, built.store)


@pytest.fixture(scope="module")
def world_page(inputs: Any, tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    path = tmp_path_factory.mktemp("world-real") / "explorer.html"
    write_page(inputs.graph, path, inputs.world, inputs.view, inputs.story)
    return path


def test_the_real_world_map(probe: PageProbe, world_page: pathlib.Path, inputs: Any) -> None:
    probe.open(world_page, api="diplokgWorld")
    page = probe.page
    page.wait_for_timeout(300)
    assert probe.outside_requests == [] and probe.console_errors == [] and probe.page_errors == []
    assert page.locator("#wv-year-label").inner_text() == "2019"
    assert page.evaluate("window.diplokgWorld.raw.years.slice(-1)[0]") >= 2024     # the slider reaches 2024
    filled = page.evaluate("""() => Array.from(document.querySelectorAll('#wv-shapes path'))
        .filter(p => /^#/.test(p.getAttribute('fill')) && p.getAttribute('fill') !== '#eceff2').length""")
    assert filled > 170
    world = inputs.world
    prk = next(s for s in world.states if s.code == "PRK")
    value, votes = prk.agreement["CHN"][2019]
    usa_china = page.evaluate("window.diplokgWorld.fillOf('USA')")
    page.locator("label.wv-seg").nth(1).click()
    assert page.evaluate("window.diplokgWorld.anchor") == "RUS"
    assert page.evaluate("window.diplokgWorld.fillOf('USA')") != usa_china
    page.locator("label.wv-seg").nth(0).click()
    page.fill("#wv-search", "PRK")
    page.press("#wv-search", "Enter")
    card = page.locator("#wv-details")
    card.wait_for(state="visible", timeout=5_000)
    assert f"in 2019: {value:.2f} over {votes} roll calls" in card.inner_text()
    years = len(prk.agreement["CHN"])
    assert card.locator('g.wv-chart-line[data-anchor="CHN"] circle').count() == years
    # the DPRK's missions: fewer open at the end of 2024 than of 2019
    set_year(page, 2019)
    before = page.evaluate("window.diplokgWorld.statusTally")
    set_year(page, 2024)
    after = page.evaluate("window.diplokgWorld.statusTally")
    assert after["open"] < before["open"] and after["closed"] > before["closed"]
    legend = set(page.evaluate("Array.from(document.querySelectorAll('[data-legend]')).map(e => e.dataset.legend)"))
    marks = set(page.evaluate("""() => Array.from(document.querySelectorAll('#wv-map [data-mark]'))
        .map(e => e.dataset.mark)
        .concat(Array.from(document.querySelectorAll('#wv-map [data-group]')).map(e => 'group-' + e.dataset.group))"""))
    marks.discard("casing")
    assert {m for m in marks if LEGEND_OF.get(m, m) not in legend} == set()
    page.click("#dk-tab-network")
    page.wait_for_function("() => window.diplokg.ready === true", timeout=10_000)
    assert page.evaluate("window.diplokg.nodes.length") < 60     # the dossier's network, not the world's
    vetoes = page.evaluate("window.diplokgStory.events.filter(e => e.group === 'veto').map(e => e.date)")
    assert "2024-03-28" in vetoes
    assert probe.console_errors == [] and probe.page_errors == [] and probe.outside_requests == []


def drawn_missions(page: Any) -> dict[str, list[str]]:
    """The DPRK's missions drawn on the map: ``{host code: [status mark, ...]}`` (one per mission line)."""
    found: dict[str, list[str]] = page.evaluate("""() => { const w = window.diplokgWorld, out = {};
        document.querySelectorAll('#wv-lines path[data-mission]').forEach(p => {
            const m = w.raw.missions[Number(p.dataset.mission)], host = w.raw.states[m[1]].code;
            (out[host] = out[host] || []).push(p.dataset.mark); });
        return out; }""")
    return found


def test_the_slider_closes_the_dprks_missions_from_their_date_on(probe: PageProbe, world_page: pathlib.Path) -> None:
    probe.open(world_page, api="diplokgWorld")
    page = probe.page
    assert page.locator("#wv-filter").input_value() == "sender:PRK"
    set_year(page, 2022)
    before = drawn_missions(page)
    page.locator("#wv-year").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.locator("#wv-year-label").inner_text() == "2024"
    after = drawn_missions(page)
    # one line per mission (Hong Kong's consulate-general once, not once per source), open in 2022 and
    # closed at the end of 2024, as `diplokg ask network-as-of --as-of 2024-12-31` has them
    for host in ("ESP", "UGA", "HKG", "AGO"):
        assert (before[host], after[host]) == (["status-open"], ["status-closed"]), host
    assert after["CHN"] == ["status-open"] and after["RUS"] == ["status-open"]
    assert sum(len(v) for v in after.values()) == sum(len(v) for v in before.values())
    # the cards say so, with the rule's reason
    page.evaluate("window.diplokgWorld.select('UGA')")
    card = page.locator("#wv-details").inner_text()
    assert "closed closed on or before 2023-12" in card
    page.evaluate("window.diplokgWorld.select('ESP')")
    assert "closed closed 2023-11-03" in page.locator("#wv-details").inner_text()
    set_year(page, 2022)
    assert "open no closure known by this date" in page.locator("#wv-details").inner_text()
    assert probe.console_errors == [] and probe.page_errors == [] and probe.outside_requests == []


def test_labels_never_overlap_on_the_real_map_and_screenshots(sized_probe: PageProbe, world_page: pathlib.Path,
                                                              artefacts: pathlib.Path) -> None:
    sized_probe.open(world_page, api="diplokgWorld")
    page = sized_probe.page
    size = page.viewport_size
    stage = page.locator("#wv-map").bounding_box()
    assert stage is not None
    for year in (1985, 2019, 2024):
        set_year(page, year)
        boxes = label_boxes(page)
        assert len(boxes) >= 20 and "North Korea" in {b["text"] for b in boxes}
        assert_no_overlap(boxes, stage)
    page.evaluate("window.diplokgWorld.map.zoomAt(560, 140, 4)")      # Europe, crowded
    page.wait_for_timeout(100)
    assert_no_overlap(label_boxes(page), stage)
    page.evaluate("window.diplokgWorld.map.reset(); window.diplokgWorld.setYear(2024);"
                  "window.diplokgWorld.select('PRK')")
    page.wait_for_timeout(300)
    shot = artefacts / f"world-real-{size['width']}x{size['height']}.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 80_000
    page.click("#dk-tab-network")
    page.wait_for_function("() => window.diplokg.ready === true", timeout=10_000)
    page.wait_for_timeout(300)
    story_shot = artefacts / f"story-real-{size['width']}x{size['height']}.png"
    page.screenshot(path=str(story_shot))
    assert story_shot.stat().st_size > 40_000
    assert sized_probe.console_errors == [] and sized_probe.page_errors == [] and sized_probe.outside_requests == []


def test_the_selected_years_say_so_on_the_real_map(probe: PageProbe, world_page: pathlib.Path, inputs: Any,
                                                   request: pytest.FixtureRequest) -> None:
    # 1946-2019 is every recorded vote (Voeten), 2020-2024 a selection of key votes (issue 24): the
    # alignment API says which year is which and how many roll calls it has; the page marks where the
    # coverage changes and says "selected key votes" with the roll calls on every card, legend and
    # ranking of such a year; a state-year under the minimum is not filled as if measured
    from kg.alignment import api
    from kg.alignment.coverage import DEFAULT_MIN_ROLL_CALLS
    from kg.network.mapsvg import _pale
    from kg.network.worldview import AGREEMENT_STOPS, agreement_colour

    store = world_build(request).graph.store
    years = {v.year: v for v in api.vote_years(store)}
    assert years[2019].coverage == "all" and years[2022].coverage == "selected"
    calls = years[2022].roll_calls
    assert 0 < calls < DEFAULT_MIN_ROLL_CALLS
    probe.open(world_page, api="diplokgWorld")
    page = probe.page
    change = page.locator(".wv-coverage-change")
    assert change.count() == 1 and change.get_attribute("data-year") == "2020"
    assert "selected key votes from 2020" in (change.get_attribute("title") or "")
    assert page.locator(".wv-ends-selected").inner_text().startswith("2020–")
    assert page.locator(".wv-ends-selected").inner_text().endswith(": selected key votes")
    legend = page.locator('[data-legend="selected"]').inner_text()
    assert "selected key votes" in legend and "roll calls a year" in legend
    # 2019: every recorded vote, ranked
    set_year(page, 2019)
    assert "selected" not in page.locator("#wv-year-note").inner_text()
    assert page.locator("#wv-rank li").count() > 100
    # 2022: selected key votes, every state under the minimum: none ranked, none filled as measured
    set_year(page, 2022)
    assert page.locator("#wv-year-note").inner_text() == f"selected key votes: {calls}"
    assert f"2022: selected key votes ({calls} roll calls), not every vote" in page.locator("#wv-status").inner_text()
    assert f"(selected key votes, {calls} roll calls)" in (page.locator("#wv-rank-title").text_content() or "")
    assert f"2022 on selected key votes ({calls} roll calls)" in page.locator("#wv-rank-note").inner_text()
    assert page.locator("#wv-rank li").count() == 0
    assert page.locator("#wv-unranked-list li").count() > 150
    usa = next(s for s in inputs.world.states if s.code == "USA")
    value, n = usa.agreement["CHN"][2022]
    assert n <= calls
    measured = agreement_colour(value, AGREEMENT_STOPS, "#ffffff")
    assert page.evaluate("window.diplokgWorld.fillOf('USA')") == _pale(measured) != measured
    assert page.locator("#wv-flags path").count() > 150                       # hatched too
    page.evaluate("window.diplokgWorld.select('PRK')")
    card = page.locator("#wv-details").inner_text()
    assert "selected key votes" in card and f"fewer than {DEFAULT_MIN_ROLL_CALLS} roll calls: not ranked" in card
    prk_value, prk_n = next(s for s in inputs.world.states if s.code == "PRK").agreement["CHN"][2022]
    assert f"in 2022: {prk_value:.2f} over {prk_n} roll calls" in card
    assert probe.console_errors == [] and probe.page_errors == [] and probe.outside_requests == []
