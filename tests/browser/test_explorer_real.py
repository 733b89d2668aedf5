"""Browser tests of the real explorer page: the built graph's network, drawn offline in headless chromium."""

from __future__ import annotations

import pathlib
import shutil
from collections.abc import Callable
from typing import Any

import networkx as nx
import pytest

from kg.build import build
from kg.network.graph import MISSION_KINDS, explorer_graph, mission_events
from kg.network.page import write_page
from kg.network.status import status_as_of
from kg.paths import Project
from kg.query.engine import BuiltGraph

from .conftest import PageProbe

REPO = pathlib.Path(__file__).resolve().parents[2]
HOSTILE_SOURCE = REPO / "tests" / "fixtures" / "hostile-source"
HOSTILE_NODE = "https://w3id.org/diplokg/id/agent/hostile-council"
HOSTILE_LABEL = '<img src=x onerror="window.__xss=1">'
ISO = "https://w3id.org/diplokg/id/iso3166/"
CLOSURE_SENTENCE = "The closures were announced by North Korea’s state media"


@pytest.fixture(scope="module")
def graph(built: Any) -> nx.MultiDiGraph:
    return explorer_graph(built.graph)


def _point(page: Any, expression: str, arg: Any) -> dict[str, float]:
    point: dict[str, float] = page.evaluate("""([expr, arg]) => {
        const net = window.diplokg.network;
        const canvas = (new Function('net', 'arg', expr))(net, arg);
        const dom = net.canvasToDOM(canvas);
        const box = document.getElementById('dk-network').getBoundingClientRect();
        return {x: box.left + dom.x, y: box.top + dom.y};
    }""", [expression, arg])
    return point


def _hover(page: Any, point: dict[str, float]) -> None:
    page.mouse.move(point["x"] - 30, point["y"] - 30)
    page.mouse.move(point["x"], point["y"], steps=5)


def _hover_node(page: Any, node: str) -> None:
    _hover(page, _point(page, "return net.getPositions([arg])[arg];", node))


def _hover_edge(page: Any, u: str, v: str) -> None:
    _hover(page, _point(page, "const p = net.getPositions(arg); const [a, b] = arg;"
                              "return {x: (p[a].x + p[b].x) / 2, y: (p[a].y + p[b].y) / 2};", [u, v]))


def test_loads_offline_without_errors(opened: PageProbe, graph: nx.MultiDiGraph) -> None:
    opened.page.wait_for_timeout(300)
    assert opened.outside_requests == []
    assert opened.console_errors == [] and opened.page_errors == []
    assert opened.page.evaluate("document.querySelectorAll('script[src], link[href], img').length") == 0
    assert opened.page.locator("h1").inner_text() == graph.graph["title"]
    assert f"Facts to {graph.graph['as_of']}" in opened.page.locator("#dk-caption").inner_text()


def test_datasets_hold_exactly_the_network(opened: PageProbe, graph: nx.MultiDiGraph) -> None:
    nodes = opened.page.evaluate("window.diplokg.nodes.get().map(n => [n.id, n.label, n.dk.kind])")
    assert sorted(nodes) == sorted([n, d["label"], d["kind"]] for n, d in graph.nodes(data=True))
    edges = opened.page.evaluate("window.diplokg.edges.get().filter(e => e.dk.kind !== 'bundle')"
                                 ".map(e => [e.id, e.from, e.to, e.dk.kind, e.dk.modality])")
    expected = [[k, u, v, d["kind"], d["modality"]] for u, v, k, d in graph.edges(keys=True, data=True)]
    assert sorted(edges) == sorted(expected)
    bundles = opened.page.evaluate("Object.keys(window.diplokg.bundles).length")
    assert opened.page.evaluate("Object.keys(window.diplokg.network.body.edges).length") == (
        graph.number_of_edges() + bundles)


def test_hiding_a_kind_hides_its_edges(opened: PageProbe, graph: nx.MultiDiGraph, built: Any) -> None:
    # a mission is drawn in its status at the end of the year shown (the last), by the rule of
    # kg/network/status.py on the mission's events, as `diplokg ask network-as-of --as-of YEAR-12-31` answers
    year = opened.page.evaluate("window.diplokg.year")
    assert year == int(graph.graph["as_of"][:4])
    shown = opened.page.evaluate("Object.fromEntries(window.diplokg.edges.get().filter(e => e.dk.kind !== 'bundle')"
                                 ".map(e => [e.id, window.diplokg.shownKind(e.id)]))")
    events = mission_events(built.graph)
    expected = {k: MISSION_KINDS[status_as_of([e.event for e in events.get(d["mission"], [])], f"{year}-12-31").status]
                for _, _, k, d in graph.edges(keys=True, data=True) if d.get("mission")}
    assert {k: shown[k] for k in expected} == expected
    by_host = {v.rsplit("/", 1)[-1]: shown[k] for _, v, k, d in graph.edges(keys=True, data=True) if d.get("mission")}
    # Uganda ("closed on or before 2023-12") and Libya ("on or before 2024-01-30"): closed by the end of 2024
    assert by_host["UGA"] == by_host["LBY"] == by_host["ESP"] == "mission-closed"
    closed = {k for k, kind in shown.items() if kind == "mission-closed"}
    assert len(closed) >= 4
    # a relation drawn inside a bundle (one edge with a count) is shown too
    hidden = ("() => window.diplokg.edges.get().filter(e => e.dk.kind !== 'bundle' && !window.diplokg.shown(e.id))"
              ".map(e => e.id)")
    assert opened.page.evaluate(hidden) == []
    opened.page.locator('input.dk-kind[value="mission-closed"]').uncheck()
    assert set(opened.page.evaluate(hidden)) == closed
    opened.page.locator('input.dk-kind[value="mission-closed"]').check()
    assert opened.page.evaluate(hidden) == []


def test_edge_tooltip_shows_the_evidence_sentence(opened: PageProbe) -> None:
    _hover_edge(opened.page, ISO + "PRK", ISO + "UGA")
    tip = opened.page.locator("#dk-tooltip")
    tip.wait_for(state="visible", timeout=5_000)
    text = tip.inner_text()
    assert CLOSURE_SENTENCE in text
    assert "North Korea’s Diplomatic Shift" in text and "reported" in text
    # the sources bound Uganda's closure ("confirmed closed by early December 2023"): on or before 2023-12
    assert "Status at the end of 2024: closed (closed on or before 2023-12)" in text


def test_node_tooltip_shows_evidence(opened: PageProbe) -> None:
    _hover_node(opened.page, ISO + "ESP")
    tip = opened.page.locator("#dk-tooltip")
    tip.wait_for(state="visible", timeout=5_000)
    assert "Spain" in tip.inner_text() and CLOSURE_SENTENCE in tip.inner_text()


def test_hostile_label_from_a_test_source_is_inert(project_copy: Callable[..., Project], probe: PageProbe,
                                                   tmp_path: pathlib.Path) -> None:
    proj = project_copy(only_sources=["dprk-embassy-closures-2023"])
    shutil.copytree(HOSTILE_SOURCE, proj.sources / "hostile-source")
    assert build(proj).written
    hostile = explorer_graph(BuiltGraph(proj.built_graph))
    assert hostile.nodes[HOSTILE_NODE]["label"] == HOSTILE_LABEL
    path = tmp_path / "hostile.html"
    write_page(hostile, path)
    probe.open(path)
    page = probe.page
    _hover_node(page, HOSTILE_NODE)
    page.locator("#dk-tooltip").wait_for(state="visible", timeout=5_000)
    text = page.locator("#dk-tooltip").inner_text()
    assert HOSTILE_LABEL in text and "<script>window.__xssFact=1</script>" in text
    assert '<img src=x onerror="window.__xssSentence=1">' in text
    page.fill("#dk-search", "img src")
    page.press("#dk-search", "Enter")
    assert page.evaluate("window.diplokg.selected") == HOSTILE_NODE
    assert HOSTILE_LABEL in page.locator("#dk-details-body").inner_text()
    page.wait_for_timeout(200)
    assert page.evaluate("[window.__xss, window.__xssFact, window.__xssSentence, window.__xssTitle]") == [None] * 4
    assert page.evaluate("document.querySelectorAll('img, a').length") == 0
    assert probe.console_errors == [] and probe.page_errors == [] and probe.outside_requests == []


def test_screenshot(opened: PageProbe, artefacts: pathlib.Path) -> None:
    shot = artefacts / "explorer.png"
    _hover_node(opened.page, ISO + "SYR")
    opened.page.locator("#dk-tooltip").wait_for(state="visible", timeout=5_000)
    opened.page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
