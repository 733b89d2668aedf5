"""The explorer as a new user meets it (issue 17): one edge with a count per pair of nodes
(expandable), a pinned card of bounded height that the hover card never covers, "DPRK" found by
search, the caption counting the sources loaded, no zero-count legend rows."""

from __future__ import annotations

import re
from typing import Any

import networkx as nx
import pytest

from kg.network.graph import explorer_graph

from .conftest import VIEWPORT, PageProbe

ISO = "https://w3id.org/diplokg/id/iso3166/"
COUNCIL = "https://w3id.org/diplokg/id/agent/un-security-council"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def graph(built: Any) -> nx.MultiDiGraph:
    return explorer_graph(built.graph)


def _between(graph: nx.MultiDiGraph, a: str, b: str) -> int:
    return graph.number_of_edges(a, b) + graph.number_of_edges(b, a)


def test_parallel_relations_are_one_edge_with_their_count(opened: PageProbe, graph: nx.MultiDiGraph) -> None:
    page = opened.page
    drawn = page.evaluate("""() => window.diplokg.edges.get().filter(e => !e.hidden)
        .map(e => [e.from < e.to ? e.from + ' ' + e.to : e.to + ' ' + e.from, e.label || ''])""")
    pairs = [pair for pair, _ in drawn]
    assert len(pairs) == len(set(pairs)), "two edges drawn between one pair of nodes"
    labels = dict(drawn)
    council = _between(graph, COUNCIL, ISO + "PRK")
    russia = _between(graph, ISO + "PRK", ISO + "RUS")
    assert council >= 9 and russia >= 6
    key = lambda a, b: f"{a} {b}" if a < b else f"{b} {a}"  # noqa: E731
    assert labels[key(COUNCIL, ISO + "PRK")] == f"×{council}"
    assert labels[key(ISO + "PRK", ISO + "RUS")] == f"×{russia}"


def test_a_bundle_expands_into_its_relations_and_collapses_again(opened: PageProbe, graph: nx.MultiDiGraph) -> None:
    page = opened.page
    bundle = page.evaluate(f"""() => Object.values(window.diplokg.bundles)
        .find(b => b.members.length === {_between(graph, ISO + "PRK", ISO + "RUS")} && b.key.includes('RUS'))""")
    page.evaluate(f"window.diplokg.showDetails({bundle['id']!r}, 'edge')")
    card = page.locator("#dk-details-body").inner_text()
    assert f"{len(bundle['members'])} relations" in card
    page.locator("#dk-details button.dk-expand").click()
    shown = page.evaluate(f"() => {bundle['members']!r}.filter(id => !window.diplokg.edges.get(id).hidden).length")
    assert shown == len(bundle["members"])
    assert page.evaluate(f"window.diplokg.edges.get({bundle['id']!r}).hidden") is True
    page.evaluate(f"window.diplokg.setExpanded({bundle['key']!r}, false)")
    assert page.evaluate(f"window.diplokg.edges.get({bundle['id']!r}).hidden") is False


def test_the_pinned_card_has_a_bounded_height_and_scrolls(opened: PageProbe) -> None:
    page = opened.page
    page.evaluate(f"window.diplokg.showDetails({ISO + 'PRK'!r}, 'node')")
    box = page.locator("#dk-details").bounding_box()
    assert box is not None and box["height"] <= VIEWPORT["height"]
    assert box["y"] + box["height"] <= VIEWPORT["height"]
    scrolls = page.evaluate("(() => { const d = document.getElementById('dk-details');"
                            " return d.scrollHeight > d.clientHeight && getComputedStyle(d).overflowY === 'auto'; })()")
    assert scrolls


def test_the_hover_card_does_not_cover_the_pinned_card(opened: PageProbe) -> None:
    page = opened.page
    page.evaluate(f"window.diplokg.showDetails({ISO + 'PRK'!r}, 'node')")
    pinned = page.locator("#dk-details").bounding_box()
    assert pinned is not None
    for x in (pinned["x"] - 40, pinned["x"] + 20, VIEWPORT["width"] - 30):
        page.mouse.move(x, 300)
        page.evaluate(f"window.diplokg.showTooltip({ISO + 'RUS'!r}, 'node')")
        tip = page.locator("#dk-tooltip").bounding_box()
        assert tip is not None
        assert tip["x"] + tip["width"] <= pinned["x"], (x, tip, pinned)


@pytest.mark.parametrize("query", ["DPRK", "dprk", "PRK", "KP", "Democratic People's Republic of Korea"])
def test_search_finds_north_korea_by_its_other_names(opened: PageProbe, query: str) -> None:
    assert opened.page.evaluate(f"window.diplokg.search({query!r})[0]") == ISO + "PRK"


def test_the_caption_counts_the_sources_loaded(opened: PageProbe, built: Any) -> None:
    loaded = len(built.report.sources)
    assert loaded >= 5
    caption = opened.page.locator("#dk-caption").inner_text()
    assert f"as the {loaded} sources loaded record them" in caption


def test_no_legend_row_counts_zero(opened: PageProbe) -> None:
    # The rows shown: a kind without a relation in the year shown leaves the legend (its count is 0).
    counts = opened.page.locator(".dk-filters li:not([hidden]) .dk-count").all_inner_texts()
    assert counts and all(re.fullmatch(r"[1-9]\d*", c) for c in counts)
    hidden = opened.page.locator(".dk-filters li[hidden] .dk-count").all_text_contents()
    assert all(c == "0" for c in hidden)


def test_table_rows_read_as_cells_on_the_page(opened: PageProbe) -> None:
    page = opened.page
    page.evaluate(f"window.diplokg.showDetails({ISO + 'AGO'!r}, 'node')")
    text = page.locator("#dk-details-body").inner_text()
    assert "host: Angola · city: Luanda" in text
    assert "source_url:" not in text and "date_precision:" not in text and "note:" not in text
