"""Browser tests of the explorer page written by :mod:`kg.network.page` (headless Debian chromium)."""

from __future__ import annotations

import pathlib
from typing import Any

import networkx as nx
import pytest

from .conftest import PageProbe

EX = "https://example.org/kg/"
HOSTILE_LABEL = '<img src=x onerror="window.__xss=1">'
HOSTILE_TITLE = (
    'Who talks to Pyongyang? <a href="javascript:window.__xss=4">href</a>'
    "</script><script>window.__xss=5</script>"
)
EVIDENCE_SENTENCE = "Sweden temporarily withdrew its diplomats from Pyongyang in 2020."

NODES: list[tuple[str, str, str, float | None, float]] = [
    # local id, label, kind, tie score, centrality
    ("PRK", "North Korea", "state", 0.95, 0.9),
    ("CHN", "China", "state", 1.0, 0.85),
    ("RUS", "Russia", "state", 1.0, 0.8),
    ("IRN", "Iran", "state", 0.8, 0.35),
    ("BLR", "Belarus", "state", 0.85, 0.2),
    ("SYR", "Syria", "state", 0.75, 0.15),
    ("VNM", "Vietnam", "state", 0.6, 0.25),
    ("MNG", "Mongolia", "state", 0.5, 0.2),
    ("IND", "India", "state", 0.45, 0.3),
    ("BRA", "Brazil", "state", 0.4, 0.2),
    ("SWE", "Sweden", "state", 0.1, 0.35),
    ("DEU", "Germany", "state", 0.1, 0.3),
    ("GBR", "United Kingdom", "state", 0.05, 0.35),
    ("USA", "United States", "state", 0.0, 0.6),
    ("KOR", "South Korea", "state", 0.05, 0.45),
    ("JPN", "Japan", "state", 0.05, 0.3),
    ("ERI", "Eritrea", "state", None, 0.05),
    ("HKG", "Hong Kong", "territory", 0.9, 0.1),
    ("EU", "European Union", "organisation", 0.1, 0.4),
    ("UNSC", "UN Security Council", "organisation", None, 0.5),
    ("ASEAN", "ASEAN Regional Forum", "region", 0.4, 0.2),
    ("KJU", "Kim Jong Un", "person", 0.95, 0.3),
    ("XSS", HOSTILE_LABEL, "other", None, 0.1),
]

EDGES: list[tuple[str, str, str, str, str, str]] = [
    # key, source, target, kind, modality, label
    ("e01", "CHN", "PRK", "mission-open", "reported", "Chinese embassy in Pyongyang"),
    ("e02", "RUS", "PRK", "mission-open", "reported", "Russian embassy in Pyongyang"),
    ("e03", "PRK", "RUS", "mission-open", "reported", "DPRK embassy in Moscow"),
    ("e04", "SWE", "PRK", "mission-closed", "reported", "Swedish embassy (staff withdrawn)"),
    ("e05", "DEU", "PRK", "mission-closed", "reported", "German embassy (closed 2020)"),
    ("e06", "GBR", "PRK", "mission-uncertain", "predicted", "UK embassy reopening planned"),
    ("e07", "RUS", "PRK", "partnership", "reported", "Comprehensive strategic partnership"),
    ("e08", "PRK", "RUS", "summit", "reported", "Vladivostok summit"),
    ("e09", "USA", "PRK", "sanctions-imposes", "reported", "US sanctions"),
    ("e10", "EU", "PRK", "sanctions-imposes", "reported", "EU restrictive measures"),
    ("e11", "UNSC", "PRK", "sanctions-targets", "reported", "UNSC resolution 2397"),
    ("e12", "PRK", "USA", "claim", "claimed", "</script><script>window.__xss=2</script> claim"),
    ("e13", "IND", "MNG", "covers", "reported", "Indian embassy covers Mongolia"),
    ("e14", "IRN", "RUS", "strategy", "estimated", "Strategic realignment"),
    ("e15", "BRA", "PRK", "mission-open", "predicted", "Brazilian embassy may reopen"),
    ("e16", "MNG", "PRK", "cultural-exchange", "reported", "Unknown kind renders with default style"),
    ("e17", "BLR", "PRK", "partnership", "reported", "Belarus-DPRK cooperation"),
    ("e18", "SYR", "PRK", "mission-open", "reported", "Syrian embassy"),
    ("e19", "VNM", "PRK", "mission-open", "reported", "Vietnamese embassy"),
    ("e20", "KOR", "PRK", "claim", "claimed", "Seoul claims troop deployment"),
    ("e21", "JPN", "PRK", "sanctions-imposes", "reported", "Japanese sanctions"),
    ("e22", "HKG", "CHN", "covers", "reported", "Part of China"),
    ("e23", "KJU", "PRK", "strategy", "reported", "Head of state"),
    ("e24", "ASEAN", "PRK", "summit", "estimated", "ARF ministerial"),
    ("e25", "XSS", "PRK", "claim", "claimed", 'quote " and \' and & and \u2028 line'),
    ("e26", "ERI", "PRK", "mission-open", "reported", "Eritrea mission"),
    ("e27", "CHN", "RUS", "partnership", "reported", "No-limits partnership"),
    ("e28", "USA", "KOR", "partnership", "reported", "Alliance"),
]


def synthetic_graph() -> nx.MultiDiGraph:
    """A small hostile-text-laden graph following the renderer's input contract."""
    g = nx.MultiDiGraph(title=HOSTILE_TITLE, caption="Synthetic test graph \u2014 diplomatic ties of North Korea",
                        as_of="2024-06-30")
    for local, label, kind, score, centrality in NODES:
        evidence = [{"sentence": f"{label} is listed in the synthetic register.", "source": "test-register",
                     "modality": "reported"}]
        if local == "XSS":
            evidence.append({"sentence": "<script>window.__xss=3</script>", "source": "<b>bold</b>",
                             "modality": "claimed"})
        g.add_node(EX + local, label=label, kind=kind, tie_score=score, centrality=centrality,
                   focus=local == "PRK", facts=[f"Kind: {kind}",
                          "Unicode: Korea \uc870\uc120, \u041a\u043e\u0440\u0435\u044f, Chos\u014fn"],
                   evidence=evidence)
    for key, src, dst, kind, modality, label in EDGES:
        sentence = EVIDENCE_SENTENCE if key == "e04" else f"Evidence for {label}."
        g.add_edge(EX + src, EX + dst, key=key, kind=kind, modality=modality, label=label,
                   facts=[f"{kind} ({modality})"],
                   evidence=[{"sentence": sentence, "source": "https://example.org/source?a=1&b=<2>",
                              "modality": modality}])
    return g


@pytest.fixture(scope="module")
def graph() -> nx.MultiDiGraph:
    return synthetic_graph()


def edge_hidden(page: Any) -> dict[str, bool]:
    """``{relation id: hidden}`` (not shown, neither itself nor in a drawn bundle), with the DataSet
    checked against the drawn network's state."""
    result: dict[str, bool] = page.evaluate("""() => {
        const out = {};
        for (const e of window.diplokg.edges.get()) {
            const drawn = window.diplokg.network.body.edges[e.id];
            if (Boolean(e.hidden) !== Boolean(drawn.options.hidden)) throw new Error('view out of sync: ' + e.id);
            if (e.dk.kind !== 'bundle') out[e.id] = !window.diplokg.shown(e.id);
        }
        return out;
    }""")
    return result


def test_loads_offline_without_errors(opened: PageProbe) -> None:
    opened.page.wait_for_timeout(300)
    assert opened.outside_requests == []
    assert opened.console_errors == []
    assert opened.page_errors == []
    assert opened.page.evaluate("document.querySelectorAll('script[src], link[href]').length") == 0
    assert opened.page.locator("h1").inner_text() == HOSTILE_TITLE
    caption = opened.page.locator("#dk-caption").inner_text()
    assert "Synthetic test graph" in caption and "2024-06-30" in caption


def test_datasets_match_graph(opened: PageProbe, graph: nx.MultiDiGraph) -> None:
    ids = opened.page.evaluate("window.diplokg.nodes.getIds()")
    assert sorted(ids) == sorted(graph.nodes) and len(ids) == graph.number_of_nodes()
    edges = opened.page.evaluate("window.diplokg.edges.get().filter(e => e.dk.kind !== 'bundle')"
                                 ".map(e => [e.id, e.from, e.to])")
    expected = sorted([k, u, v] for u, v, k in graph.edges(keys=True))
    assert sorted(edges) == expected and len(edges) == graph.number_of_edges()
    labels = opened.page.evaluate("Object.fromEntries(window.diplokg.nodes.get().map(n => [n.id, n.label]))")
    assert labels == {n: d["label"] for n, d in graph.nodes(data=True)}
    drawn = opened.page.evaluate("Object.keys(window.diplokg.network.body.nodes).length")
    assert drawn == graph.number_of_nodes()


@pytest.mark.parametrize(("selector", "attribute", "value"), [
    ("input.dk-kind", "kind", "mission-closed"),
    ("input.dk-kind", "kind", "cultural-exchange"),
    ("input.dk-modality", "modality", "claimed"),
    ("input.dk-modality", "modality", "predicted"),
])
def test_filter_checkbox_hides_and_shows(opened: PageProbe, graph: nx.MultiDiGraph,
                                         selector: str, attribute: str, value: str) -> None:
    targets = {k for _, _, k, d in graph.edges(keys=True, data=True) if d[attribute] == value}
    assert targets
    assert not any(edge_hidden(opened.page).values())
    box = opened.page.locator(f'{selector}[value="{value}"]')
    box.uncheck()
    hidden = edge_hidden(opened.page)
    assert {k for k, h in hidden.items() if h} == targets
    assert opened.page.evaluate("window.diplokg.visibleEdgeCount") == graph.number_of_edges() - len(targets)
    box.check()
    assert not any(edge_hidden(opened.page).values())


def test_all_none_toggle(opened: PageProbe, graph: nx.MultiDiGraph) -> None:
    opened.page.click('button[data-toggle="dk-kind"]')
    assert all(edge_hidden(opened.page).values())
    opened.page.click('button[data-toggle="dk-kind"]')
    assert not any(edge_hidden(opened.page).values())


def _hover_node(page: Any, node_id: str) -> None:
    point = page.evaluate("""(id) => {
        const net = window.diplokg.network;
        const dom = net.canvasToDOM(net.getPositions([id])[id]);
        const box = document.getElementById('dk-network').getBoundingClientRect();
        return {x: box.left + dom.x, y: box.top + dom.y};
    }""", node_id)
    page.mouse.move(point["x"] - 40, point["y"] - 40)
    page.mouse.move(point["x"], point["y"], steps=4)


def test_node_tooltip_shows_evidence_on_hover(opened: PageProbe) -> None:
    _hover_node(opened.page, EX + "SWE")
    tip = opened.page.locator("#dk-tooltip")
    tip.wait_for(state="visible", timeout=5_000)
    text = tip.inner_text()
    assert "Sweden" in text and "Sweden is listed in the synthetic register." in text
    assert "test-register" in text and "reported" in text


def test_edge_tooltip_builder_shows_evidence(opened: PageProbe) -> None:
    text = opened.page.evaluate("window.diplokg.describe('e04', 'edge', false).textContent")
    assert EVIDENCE_SENTENCE in text
    assert "https://example.org/source?a=1&b=<2>" in text
    assert "Mission closed" in text and "reported" in text
    assert opened.page.evaluate("window.diplokg.describe('e04', 'edge', false).querySelectorAll('a, img').length") == 0


def test_hostile_label_is_text_and_inert(opened: PageProbe) -> None:
    page = opened.page
    _hover_node(page, EX + "XSS")
    page.locator("#dk-tooltip").wait_for(state="visible", timeout=5_000)
    assert HOSTILE_LABEL in page.locator("#dk-tooltip").inner_text()
    assert "<script>window.__xss=3</script>" in page.locator("#dk-tooltip").inner_text()
    page.fill("#dk-search", "img src")
    page.press("#dk-search", "Enter")
    assert page.evaluate("window.diplokg.selected") == EX + "XSS"
    assert HOSTILE_LABEL in page.locator("#dk-details-body").inner_text()
    page.evaluate("window.diplokg.showTooltip('e12', 'edge')")
    page.evaluate("window.diplokg.showTooltip('e25', 'edge')")
    page.wait_for_timeout(200)
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.evaluate("document.querySelectorAll('img, a').length") == 0
    assert page.evaluate("document.querySelectorAll('script').length") == 4
    assert opened.console_errors == [] and opened.page_errors == [] and opened.outside_requests == []


@pytest.mark.parametrize(("query", "local"), [
    ("North Korea", "PRK"), ("north korea", "PRK"), ("swed", "SWE"), ("Union", "EU"),
])
def test_search_finds_node(opened: PageProbe, query: str, local: str) -> None:
    opened.page.fill("#dk-search", query)
    opened.page.press("#dk-search", "Enter")
    assert opened.page.evaluate("window.diplokg.network.getSelectedNodes()") == [EX + local]
    assert "Selected" in opened.page.locator("#dk-search-status").inner_text()


def test_search_reports_no_match(opened: PageProbe) -> None:
    opened.page.fill("#dk-search", "Atlantis")
    opened.page.press("#dk-search", "Enter")
    assert "No node matches" in opened.page.locator("#dk-search-status").inner_text()
    assert opened.page.evaluate("window.diplokg.network.getSelectedNodes()") == []


def test_screenshot(opened: PageProbe, artefacts: pathlib.Path) -> None:
    shot = artefacts / "explorer-synthetic.png"
    opened.page.evaluate("id => window.diplokg.showDetails(id, 'node')", EX + "PRK")
    opened.page.wait_for_timeout(200)
    _hover_node(opened.page, EX + "SWE")
    opened.page.locator("#dk-tooltip").wait_for(state="visible", timeout=5_000)
    opened.page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
