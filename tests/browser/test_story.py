"""The DPRK view as a story (issue 25 item 3, issue 24 item 4), in headless chromium on tests/mapsample.py:
its events in time order with their evidence, the vetoes among them, a time control shared with the
world map, and the network as it stood at the end of the year."""

from __future__ import annotations

import pathlib
from typing import Any

import pytest
from mapsample import VETO_2022, VETO_2024, map_network, map_story, map_view, map_world
from worldsample import HOSTILE_LABEL

from kg.network.page import write_page

from .conftest import PageProbe

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def story_path(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    path = tmp_path_factory.mktemp("story") / "explorer.html"
    write_page(map_network(), path, map_world(), map_view(), map_story())
    return path


@pytest.fixture()
def story(probe: PageProbe, story_path: pathlib.Path) -> PageProbe:
    probe.open(story_path, api="diplokg", fragment="network")
    return probe


def later(page: Any) -> list[str]:
    later_items: list[str] = page.evaluate("Array.from(document.querySelectorAll('#st-list .st-event.st-later'))"
                                           ".map(li => li.dataset.iri)")
    return later_items


def test_the_events_are_listed_in_time_order_with_their_marks(story: PageProbe) -> None:
    page = story.page
    assert page.locator("#st-column").is_visible()
    assert page.locator("#dk-tab-network").inner_text() == "North Korea’s story"
    assert page.evaluate("window.diplokgWorld.started") is False          # the map is drawn when its tab is shown
    years = page.locator("#st-list .st-year").all_inner_texts()
    assert years == ["2017", "2019", "2022", "2023", "2024", "Date not given"]
    groups = page.evaluate("Array.from(document.querySelectorAll('#st-list .st-event')).map(li => li.dataset.group)")
    assert groups == ["sanctions", "summit", "opening", "veto", "announcement", "farewell", "closure", "veto", "other"]
    legend = page.locator("#st-legend").inner_text()
    assert "Veto in the Security Council (2)" in legend and "Closure announced (1)" in legend
    # every mark drawn in the list has its legend entry, shape and all
    marks = set(page.evaluate("Array.from(document.querySelectorAll('#st-list svg[data-group]'))"
                              ".map(s => s.dataset.group)"))
    legend_marks = set(page.evaluate("Array.from(document.querySelectorAll('#st-legend svg[data-group]'))"
                                     ".map(s => s.childNodes.length ? s.dataset.group : null)"))
    assert marks <= legend_marks
    assert story.console_errors == [] and story.page_errors == [] and story.outside_requests == []


def test_a_veto_opens_on_its_evidence(story: PageProbe) -> None:
    page = story.page
    item = page.locator('#st-list li[data-iri="urn:ev:veto-2022"]')
    assert "2022-05-26" in item.inner_text() and "China and Russia veto draft S/2022/431" in item.inner_text()
    item.locator("summary").click()
    assert VETO_2022 in item.inner_text() and "Source: Sample source" in item.inner_text()
    assert page.evaluate("window.diplokgStory.open('urn:ev:veto-2024')") is True
    assert VETO_2024 in page.locator('#st-list li[data-iri="urn:ev:veto-2024"]').inner_text()


def test_the_year_greys_later_events_and_shows_the_network_then(story: PageProbe) -> None:
    page = story.page
    assert later(page) == []                                           # opens on the last year, 2024
    assert page.evaluate("window.diplokg.shownKind('m3')") == "mission-closed"
    page.evaluate("window.diplokgTime.set(2019)")
    assert page.locator("#st-year-label").inner_text() == "2019"
    assert later(page) == ["urn:ev:veto-2022", "urn:ev:india-announced", "urn:ev:farewell", "urn:ev:cuba-closed",
                           "urn:ev:veto-2024"]
    assert page.evaluate("window.diplokg.shownKind('m3')") == "mission-open"     # Havana open in 2019
    assert page.evaluate("window.diplokg.shownKind('s1')") == "summit"
    page.evaluate("window.diplokgTime.set(2018)")
    assert page.evaluate("window.diplokg.shownKind('s1')") is None               # the 2019 summit not yet
    assert page.evaluate("window.diplokg.shown('s1')") is False
    page.evaluate("window.diplokgTime.set(2023)")
    assert page.evaluate("window.diplokg.shownKind('m2')") == "mission-uncertain"
    assert page.locator('.dk-count[data-kind="mission-closed"]').inner_text() == "1"
    text = page.evaluate("window.diplokg.describe('m3', 'edge', true).textContent")
    assert "Status at the end of 2023: closed (closed on or before 2023-12-05)" in text


def test_the_time_control_is_shared_with_the_world_map(story: PageProbe) -> None:
    page = story.page
    page.locator("#st-year").focus()
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    assert page.locator("#st-year-label").inner_text() == "2021"
    page.click("#dk-tab-world")
    page.wait_for_function("() => window.diplokgWorld.ready === true", timeout=10_000)
    assert page.locator("#wv-year-label").inner_text() == "2021"
    page.evaluate("window.diplokgWorld.setYear(2023)")
    page.click("#dk-tab-network")
    assert page.locator("#st-year-label").inner_text() == "2023"
    assert "urn:ev:veto-2024" in later(page)
    assert story.console_errors == [] and story.page_errors == []


def test_a_hostile_event_stays_text(story: PageProbe) -> None:
    page = story.page
    item = page.locator('#st-list li[data-iri="urn:ev:hostile"]')
    assert HOSTILE_LABEL in item.inner_text()
    assert page.locator("#st-list li.st-year").last.inner_text() == "Date not given"
    item.locator("summary").click()
    assert "<script>window.__xssStory=1</script>" in item.inner_text()
    page.wait_for_timeout(200)
    assert page.evaluate("[typeof window.__xss, typeof window.__xssStory]") == ["undefined", "undefined"]
    assert page.evaluate("document.querySelectorAll('#st-list img, #st-list script, #st-list a').length") == 0
