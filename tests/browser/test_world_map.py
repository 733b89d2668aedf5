"""The world map as people see it (issue 25), in headless chromium on the hand-made world of
tests/mapsample.py: shapes filled by agreement, the anchor switch, the year slider with the selected
years marked, compare two years, search, a click on a country, the keyboard, labels that never
overlap at 1400x900 and 1024x768, a legend for every mark, cards that never cover each other, the
DPRK's missions in their status as of the year, nothing fetched, no console error; screenshots at
both sizes kept as test artefacts."""

from __future__ import annotations

import pathlib
from typing import Any

import pytest
from mapsample import MIN_ROLL_CALLS, map_network, map_story, map_view, map_world
from worldsample import HOSTILE_CITY, HOSTILE_IDENT, HOSTILE_LABEL

from kg.network.page import write_page

from .conftest import PageProbe

pytestmark = pytest.mark.browser

WORLD = "diplokgWorld"
#: The agreement scale's stops (kg.network.worldview.AGREEMENT_STOPS); the sample's values sit on them.
STOP = {0.0: "#2c7bb6", 0.25: "#abd9e9", 0.5: "#ffffbf", 0.75: "#fdae61", 1.0: "#d7191c"}
NONE, NODATA, ANCHOR = "url(#wv-hatch-none)", "#eceff2", "#3a3f47"
#: Which legend entry explains each mark the map draws (data-mark); a line's colour by its data-group.
LEGEND_OF = {"fill": "fill", "none": "none", "flag": "flag", "nodata": "nodata", "anchor": "anchor", "dot": "dot",
             "former": "former", "bundle": "bundle", "capital": "capital", "wv-selected-outline": "wv-selected-outline",
             "wv-hover-outline": "wv-selected-outline", "wv-focus-outline": "wv-focus-outline",
             "status-open": "status-open", "status-uncertain": "status-uncertain", "status-closed": "status-closed"}


@pytest.fixture(scope="module")
def map_path(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    path = tmp_path_factory.mktemp("map") / "explorer.html"
    write_page(map_network(), path, map_world(), map_view(), map_story())
    return path


@pytest.fixture()
def world(probe: PageProbe, map_path: pathlib.Path) -> PageProbe:
    probe.open(map_path, api=WORLD)
    return probe


def fill(page: Any, code: str) -> str:
    """The fill of a state's first shape as drawn (checked against the page's own rule)."""
    result: str = page.evaluate("""(code) => {
        const w = window.diplokgWorld, s = w.raw.states.find(s => s.code === code);
        const drawn = w.map.paths[s.shapes[0]].getAttribute('fill');
        if (drawn !== w.fillOf(code)) throw new Error('map out of sync: ' + code);
        return drawn; }""", code)
    return result


def set_year(page: Any, year: int) -> None:
    page.evaluate("(y) => window.diplokgWorld.setYear(y)", year)


def label_boxes(page: Any) -> list[dict[str, float]]:
    boxes: list[dict[str, float]] = page.evaluate("""() => Array.from(document.querySelectorAll('#wv-labels text'))
        .map(t => { const r = t.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height,
                                                                  text: t.textContent}; })""")
    return boxes


def assert_no_overlap(boxes: list[dict[str, Any]], stage: dict[str, float]) -> None:
    for i, a in enumerate(boxes):
        assert stage["x"] <= a["x"] and a["x"] + a["w"] <= stage["x"] + stage["width"] + 0.5, a
        for b in boxes[i + 1:]:
            overlap = a["x"] < b["x"] + b["w"] - 0.5 and b["x"] < a["x"] + a["w"] - 0.5 and \
                a["y"] < b["y"] + b["h"] - 0.5 and b["y"] < a["y"] + a["h"] - 0.5
            assert not overlap, (a, b)


def point_of(page: Any, code: str) -> dict[str, float]:
    point: dict[str, float] = page.evaluate("""(code) => {
        const w = window.diplokgWorld, s = w.raw.states.find(s => s.code === code);
        const p = w.map.toScreen(s.pt[0], s.pt[1]);
        const box = document.getElementById('wv-map').getBoundingClientRect();
        return {x: box.left + p[0], y: box.top + p[1]}; }""", code)
    return point


def test_the_map_opens_offline_with_its_shapes_filled(world: PageProbe) -> None:
    page = world.page
    page.wait_for_timeout(300)
    assert world.outside_requests == [] and world.console_errors == [] and world.page_errors == []
    assert page.evaluate("document.querySelectorAll('script[src], link[href], img, a, iframe').length") == 0
    assert "default-src 'none'" in page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert page.locator("#wv-main").is_visible() and not page.locator("#dk-main").is_visible()
    assert page.locator("#wv-year-label").inner_text() == "2024"           # the latest year ranked
    shapes = page.evaluate("window.diplokgWorld.map.paths.filter(p => p).length")
    # every shape but Antarctica's, and Vatican's and Ashmore and Cartier's, smaller than a tenth of a
    # unit (the Vatican is drawn as a dot; Ashmore is Australia's)
    assert shapes == 238
    set_year(page, 2019)
    assert (fill(page, "USA"), fill(page, "SWE"), fill(page, "PRK"), fill(page, "IND")) == (
        STOP[0.25], STOP[0.5], STOP[1.0], STOP[0.75])
    assert fill(page, "CHN") == ANCHOR and fill(page, "ERI") == NONE
    filled = page.evaluate("""() => Array.from(document.querySelectorAll('#wv-shapes path'))
        .filter(p => p.getAttribute('fill').startsWith('#') && p.getAttribute('fill') !== '#eceff2').length""")
    assert filled == 8      # CHN (anchor), RUS, PRK, USA, SWE, IND, CUB, MLT: the states with a value, and the anchor
    brazil = page.evaluate("window.diplokgWorld.map.paths.find((p, i) => p && "
                           "window.diplokgWorld.map.names[i] === 'Brazil').getAttribute('fill')")
    assert brazil == NODATA


def test_the_anchor_switch_recolours_and_reorders_the_ranking(world: PageProbe) -> None:
    page = world.page
    set_year(page, 2019)
    assert page.locator("#wv-rank li").first.inner_text().split("\n")[1:3] == ["Cuba", "1.00"] or \
        "North Korea" in page.locator("#wv-rank li").first.inner_text()
    page.locator("label.wv-seg", has_text="Russia").click()
    assert page.evaluate("window.diplokgWorld.anchor") == "RUS"
    assert (fill(page, "USA"), fill(page, "IND"), fill(page, "RUS")) == (STOP[0.0], STOP[1.0], ANCHOR)
    assert fill(page, "CHN") == STOP[0.75]
    assert page.locator("#wv-rank-title").inner_text() == "WITH RUSSIA IN 2019"
    assert page.locator("#wv-rank li").first.inner_text().split("\n")[1] == "India"
    assert page.locator("#wv-rank li").last.inner_text().split("\n")[1] == "United States"
    assert "Agreement with Russia in 2019" in page.locator("#wv-status").inner_text()


def test_the_slider_reaches_2024_and_marks_the_selected_years(world: PageProbe) -> None:
    page = world.page
    slider = page.locator("#wv-year")
    assert slider.get_attribute("max") == "9"                              # 2015 ... 2024
    marks = page.evaluate("""() => Array.from(document.querySelectorAll('.wv-mark'))
        .map(m => [m.dataset.coverage, m.title])""")
    assert ["selected",
            "2020–2024: selected key votes (3, 5, 6, 7, 9 roll calls a year), not every recorded vote"] in marks
    assert ["none", "2016: no roll call in the data"] in marks
    # where the coverage changes (2019 every recorded vote, 2020 selected key votes): one tick
    change = page.locator(".wv-coverage-change")
    assert change.count() == 1 and change.get_attribute("data-year") == "2020"
    assert "2020–2024: selected key votes" in page.locator("#wv-toolbar .wv-ends").inner_text()
    legend = page.locator("#wv-legend").inner_text()
    assert "2020–2024: selected key votes (3–9 roll calls a year), not every vote" in legend
    slider.focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert page.locator("#wv-year-label").inner_text() == "2022"
    assert page.locator("#wv-year-note").inner_text() == "selected key votes: 9"
    assert slider.get_attribute("aria-valuetext") == "2022, selected key votes: 9 roll calls"
    status = page.locator("#wv-status").inner_text()
    assert "9 roll calls in 2022" in status and "2022: selected key votes (9 roll calls), not every vote" in status
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")                                          # 2020: 3 roll calls, under 5
    flagged = f"fewer than {MIN_ROLL_CALLS} roll calls in 2020: flagged, not ranked"
    assert flagged in page.locator("#wv-status").inner_text()
    assert page.evaluate("document.querySelectorAll('#wv-flags path[data-mark=flag]').length") == 1    # PRK
    assert "North Korea" not in page.locator("#wv-rank").inner_text()
    assert "Not ranked: 1 with few roll calls" in page.locator("#wv-unranked-title").inner_text()
    page.keyboard.press("ArrowLeft")
    assert page.locator("#wv-year-label").inner_text() == "2019"
    assert "selection" not in page.locator("#wv-status").inner_text()        # 2019: every recorded vote


def test_the_card_says_the_year_is_a_selection_with_its_roll_calls(world: PageProbe) -> None:
    page = world.page
    set_year(page, 2022)
    page.evaluate("window.diplokgWorld.select('USA')")
    card = page.locator("#wv-details")
    card.wait_for(state="visible", timeout=5_000)
    text = card.inner_text()
    assert "With China in 2022: 0.00 over 9 roll calls" in text and "selected key votes" in text
    assert card.locator("rect.wv-chart-selected").count() == 1                    # the selected years, shaded
    # the line breaks where the coverage changes: 2019 and 2022 are not joined
    path = card.locator('g.wv-chart-line[data-anchor="CHN"] path').get_attribute("d")
    assert path.count("M") == 2
    card.locator("summary", has_text="Every year").click()
    assert "* a selection of key votes, not every recorded vote" in card.inner_text()


def test_compare_two_years_fills_the_change(world: PageProbe) -> None:
    page = world.page
    set_year(page, 2022)
    page.locator("#wv-compare").check()
    page.select_option("#wv-compare-year", label="2019")
    assert page.evaluate("window.diplokgWorld.compareIndex") == 4
    # USA: 0.0 in 2022, 0.25 in 2019: -0.25, a third of the way from -0.3 (84,39,136) to -0.15 (153,142,195):
    # (107, 73.3, 155.7)
    assert fill(page, "USA") == "#6b499c"
    assert fill(page, "PRK") == "#f7f7f7"                                       # 1.0 both years: no change
    assert fill(page, "SWE") == "#6b499c"                                       # 0.5 -> 0.25: -0.25 too
    assert page.locator("#wv-gradient-change").is_visible() and not page.locator("#wv-gradient").is_visible()
    status = page.locator("#wv-status").inner_text()
    assert "Change in agreement with China, 2019 → 2022" in status
    assert "are not measured on the same kind of vote selection" in status
    assert page.locator("#wv-rank-title").inner_text() == "CHANGE WITH CHINA, 2019–2022"
    assert page.locator("#wv-rank li").last.inner_text().split("\n")[1] == "United States"
    page.evaluate("window.diplokgWorld.select('USA')")
    assert "With China, 2019 → 2022: −0.25 (0.25 over 95 → 0.00 over 9 roll calls)" in \
        page.locator("#wv-details").inner_text()
    page.locator("#wv-compare").uncheck()
    assert fill(page, "USA") == STOP[0.0]


def test_search_selects_a_state_and_the_ranking_follows(world: PageProbe) -> None:
    page = world.page
    set_year(page, 2022)
    page.fill("#wv-search", "malt")
    page.press("#wv-search", "Enter")
    assert page.evaluate("window.diplokgWorld.selected") == "MLT"
    assert page.locator("#wv-details .dk-card-title").inner_text() == "Malta"
    assert page.locator('#wv-rank button[aria-current="true"]').inner_text().split("\n")[1] == "Malta"
    assert page.evaluate("document.querySelectorAll('#wv-outlines path[data-mark=wv-selected-outline]').length") == 1
    page.fill("#wv-search", "Atlantis")
    page.press("#wv-search", "Enter")
    assert "No state matches “Atlantis”" in page.locator("#wv-status").inner_text()


def test_clicking_a_country_opens_its_card(world: PageProbe) -> None:
    page = world.page
    point = point_of(page, "IND")
    page.mouse.move(point["x"] - 20, point["y"] - 20)
    page.mouse.move(point["x"], point["y"], steps=3)
    tip = page.locator("#wv-tooltip")
    tip.wait_for(state="visible", timeout=5_000)
    assert "India" in tip.inner_text()
    page.mouse.click(point["x"], point["y"])
    assert page.evaluate("window.diplokgWorld.selected") == "IND"
    card = page.locator("#wv-details")
    assert card.is_visible() and card.locator(".dk-card-title").inner_text() == "India"
    assert "Missions it sends (2)" in card.inner_text() or "missions it sends (2)" in card.inner_text().lower()
    # a dot is clickable too: Tuvalu has no shape
    point = point_of(page, "TUV")
    page.mouse.click(point["x"], point["y"])
    assert page.evaluate("window.diplokgWorld.selected") == "TUV"


def test_the_keyboard_drives_the_map_with_visible_focus(world: PageProbe) -> None:
    page = world.page
    set_year(page, 2019)
    page.locator("#wv-search").focus()
    steps = 0
    while page.evaluate("document.activeElement.id") != "wv-map" and steps < 12:
        page.keyboard.press("Tab")
        steps += 1
    assert page.evaluate("document.activeElement.id") == "wv-map"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    before = page.evaluate("window.diplokgWorld.map.zoom")
    page.keyboard.press("+")
    assert page.evaluate("window.diplokgWorld.map.zoom") == pytest.approx(before * 1.5)
    tx = page.evaluate("window.diplokgWorld.map.tx")
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("window.diplokgWorld.map.tx") == pytest.approx(tx + 60)
    page.keyboard.press("0")
    assert page.evaluate("window.diplokgWorld.map.zoom") == pytest.approx(1.0)
    # the ranking: Tab into it, arrows move between rows, Enter selects, Escape closes the card
    page.locator("#wv-rank button").first.focus()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") not in ("none", "")
    page.keyboard.press("ArrowDown")
    second = page.locator("#wv-rank button").nth(1).get_attribute("data-code")
    assert page.evaluate("document.activeElement.dataset.code") == second
    page.keyboard.press("Enter")
    assert page.evaluate("window.diplokgWorld.selected") == second
    page.keyboard.press("Escape")
    assert page.evaluate("window.diplokgWorld.selected") is None and not page.locator("#wv-details").is_visible()
    for selector in ("#wv-year", "input.wv-anchor", "#wv-compare", "#wv-filter", "#wv-rank-order"):
        page.locator(selector).first.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") not in ("none", ""), selector


def test_the_dprks_missions_take_their_status_as_of_the_year(world: PageProbe) -> None:
    page = world.page

    def drawn() -> dict[str, int]:
        tally: dict[str, int] = page.evaluate("""() => { const t = {};
            document.querySelectorAll('#wv-lines path[data-mark^=status-]').forEach(p => {
                t[p.dataset.mark] = (t[p.dataset.mark] || 0) + 1; }); return t; }""")
        return tally

    assert page.locator("#wv-filter").input_value() == "sender:PRK"
    set_year(page, 2018)
    assert drawn() == {"status-open": 5}                         # Vladivostok not open yet: not drawn
    page.evaluate("window.diplokgWorld.select('RUS')")
    assert "closed not yet opened (opened 2019-05)" in page.locator("#wv-details").inner_text()
    set_year(page, 2022)
    # Havana: listed open on 2022-11-16, closed on or before 2023-12-05: uncertain from the listing on
    assert drawn() == {"status-open": 5, "status-uncertain": 1}
    set_year(page, 2023)
    assert drawn() == {"status-open": 4, "status-uncertain": 1, "status-closed": 1}
    assert "4 open, 1 uncertain, 1 closed" in page.locator("#wv-status").inner_text()
    set_year(page, 2024)
    assert drawn() == {"status-open": 4, "status-closed": 2}
    page.evaluate("window.diplokgWorld.select('CUB')")
    assert "closed on or before 2023-12-05" in page.locator("#wv-details").inner_text()


def test_small_and_former_states_are_dots(world: PageProbe) -> None:
    page = world.page

    def dots() -> list[str]:
        return sorted(page.evaluate("Array.from(document.querySelectorAll('#wv-dots circle'))"
                                    ".map(c => c.dataset.code)"))

    set_year(page, 2019)
    assert {"MLT", "TUV", "XSS"} <= set(dots()) and "CSHH" not in dots()
    set_year(page, 2015)
    assert "CSHH" in dots()                                      # Czechoslovakia, in a year it voted


def test_every_mark_has_a_legend_entry(world: PageProbe) -> None:
    page = world.page
    seen: set[str] = set()
    legend = set(page.evaluate("Array.from(document.querySelectorAll('[data-legend]')).map(e => e.dataset.legend)"))
    for year, filt, selected in ((2015, "sender:PRK", "PRK"), (2020, "sender:PRK", None), (2024, "all", "USA"),
                                 (2023, "sender:PRK", "MLT")):
        set_year(page, year)
        page.select_option("#wv-filter", filt)
        page.evaluate("(c) => window.diplokgWorld.select(c)", selected)
        marks = page.evaluate("""() => Array.from(document.querySelectorAll('#wv-map [data-mark]'))
            .map(e => e.dataset.mark).concat(Array.from(document.querySelectorAll('#wv-map [data-group]'))
            .map(e => 'group-' + e.dataset.group))""")
        seen |= set(marks)
    seen.discard("casing")
    missing = {m for m in seen if LEGEND_OF.get(m, m) not in legend}
    assert missing == set()
    assert {"fill", "none", "flag", "nodata", "anchor", "dot", "former", "status-open", "status-uncertain",
            "status-closed", "bundle", "capital", "wv-focus-outline", "wv-selected-outline", "group-embassy",
            "group-consulate"} <= seen


def test_cards_never_cover_each_other(world: PageProbe) -> None:
    page = world.page
    page.evaluate("window.diplokgWorld.select('PRK')")
    card = page.locator("#wv-details").bounding_box()
    stage = page.locator("#wv-stage").bounding_box()
    assert card and stage and card["x"] >= stage["x"] + stage["width"] - 1          # the card is beside the map
    for code in ("RUS", "CHN", "SWE", "USA", "TUV"):
        point = point_of(page, code)
        page.mouse.move(point["x"], point["y"])
        page.evaluate("([c, x, y]) => window.diplokgWorld.showTooltip(c, x, y)", [code, point["x"], point["y"]])
        tip = page.locator("#wv-tooltip").bounding_box()
        assert tip is not None
        assert tip["x"] + tip["width"] <= card["x"] + 0.5, (code, tip, card)
        assert stage["x"] <= tip["x"] and tip["y"] + tip["height"] <= stage["y"] + stage["height"] + 0.5


def test_a_hostile_label_stays_text(world: PageProbe) -> None:
    page = world.page
    page.fill("#wv-search", "img src")
    page.press("#wv-search", "Enter")
    assert page.evaluate("window.diplokgWorld.selected") == "XSS"
    text = page.locator("#wv-details-body").inner_text()
    assert HOSTILE_LABEL in text and HOSTILE_CITY in text and HOSTILE_IDENT in text
    page.evaluate("window.diplokgWorld.showTooltip('XSS')")
    assert HOSTILE_LABEL in page.locator("#wv-tooltip").inner_text()
    page.wait_for_timeout(200)
    assert page.evaluate("[typeof window.__xss, typeof window.__xssStory]") == ["undefined", "undefined"]
    assert page.evaluate("document.querySelectorAll('img, a, iframe').length") == 0
    assert world.console_errors == [] and world.page_errors == [] and world.outside_requests == []


def test_labels_never_overlap_and_screenshots(sized_probe: PageProbe, map_path: pathlib.Path,
                                              artefacts: pathlib.Path) -> None:
    """At 1400x900 and 1024x768: labels in the map, none over another, before and after zooming."""
    sized_probe.open(map_path, api=WORLD)
    page = sized_probe.page
    size = page.viewport_size
    stage = page.locator("#wv-map").bounding_box()
    assert stage is not None
    for year in (2019, 2023):
        set_year(page, year)
        boxes = label_boxes(page)
        assert {"North Korea", "China"} <= {b["text"] for b in boxes}
        assert len(boxes) >= 5
        assert_no_overlap(boxes, stage)
    page.evaluate("window.diplokgWorld.map.zoomAt(300, 150, 3)")
    page.wait_for_timeout(100)
    assert_no_overlap(label_boxes(page), stage)
    page.evaluate("window.diplokgWorld.map.reset(); window.diplokgWorld.select('PRK')")
    page.wait_for_timeout(300)
    shot = artefacts / f"world-map-{size['width']}x{size['height']}.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 40_000
    assert sized_probe.console_errors == [] and sized_probe.page_errors == [] and sized_probe.outside_requests == []


def test_the_outline_of_the_world_is_a_curve(world: PageProbe) -> None:
    """The sphere and the graticule are sampled along their curves (kg/network/atlaspage.py): Equal
    Earth's outline is curved, not the hexagon six points would draw."""
    points = world.page.evaluate(
        "document.getElementById('wv-sphere').getAttribute('d').match(/-?[0-9]*[.]?[0-9]+/g).length / 2")
    assert points > 40         # without resampling: 6 (a hexagon)
