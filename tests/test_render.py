"""Unit tests (no browser) of :mod:`kg.network.page`: determinism, offline page, escaping."""

from __future__ import annotations

import json
import pathlib
import re
from html.parser import HTMLParser
from typing import Any

import networkx as nx
import pytest

from kg.network import page as render

HOSTILE = '<img src=x onerror="window.__xss=1">'
TITLE = 'Title with href <a href="javascript:alert(1)">x</a> </script><script>alert(2)</script> & "q"'


def small_graph() -> nx.MultiDiGraph:
    """Three nodes, four edges, hostile strings everywhere."""
    g = nx.MultiDiGraph(title=TITLE, caption="Caption </style> \u2028 & <b>", as_of="2024-01-31")
    g.add_node("urn:x:prk", label="North Korea", kind="state", tie_score=0.9, centrality=1.0, focus=True,
               facts=["fact </script>"], evidence=[{"sentence": "s <!-- c", "source": "src", "modality": "reported"}])
    g.add_node("urn:x:swe", label="Sweden", kind="state", tie_score=0.1, centrality=0.3, focus=False,
               facts=[], evidence=[])
    g.add_node('urn:x:"evil"', label=HOSTILE, kind="weird", tie_score=None, centrality=0.0, focus=False,
               facts=["\u2029"], evidence=[{"sentence": "<script>x</script>", "source": "<i>", "modality": "claimed"}])
    g.add_edge("urn:x:swe", "urn:x:prk", key="k1", kind="mission-closed", modality="reported",
               label="closed", facts=["f"], evidence=[])
    g.add_edge("urn:x:prk", "urn:x:swe", key="k2", kind="claim", modality="claimed",
               label="</script><script>alert(3)</script>", facts=[], evidence=[])
    g.add_edge('urn:x:"evil"', "urn:x:prk", key="k3<>", kind="<b>new-kind</b>", modality="predicted",
               label="x", facts=[], evidence=[])
    g.add_edge("urn:x:prk", "urn:x:prk", key="k4", kind="summit", modality="estimated", label="self", facts=[],
               evidence=[])
    return g


@pytest.fixture(scope="module")
def page() -> str:
    return render.page_html(small_graph())


class _Tags(HTMLParser):
    """Collect start tags with their attributes (script contents are raw text to the parser)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def _data_block(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="dk-data">(.*?)</script>', html, re.S)
    assert match
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def test_byte_identical(page: str, tmp_path: pathlib.Path) -> None:
    assert render.page_html(small_graph()) == page
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    render.write_page(small_graph(), a)
    render.write_page(small_graph(), b)
    assert a.read_bytes() == b.read_bytes() == page.encode("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "b.html"]  # no temp file left


def test_insertion_order_does_not_matter(page: str) -> None:
    g = small_graph()
    shuffled = nx.MultiDiGraph(**g.graph)
    shuffled.add_nodes_from(reversed(list(g.nodes(data=True))))
    shuffled.add_edges_from(reversed(list(g.edges(keys=True, data=True))))
    assert render.page_html(shuffled) == page


def test_no_remote_resources(page: str) -> None:
    tags = _tags(page)
    urls = [a.get(k) or "" for _, a in tags for k in ("src", "href", "action", "srcset", "data")]
    assert not [u for u in urls if u], urls
    assert [t for t, _ in tags if t == "script"] == ["script"] * 4   # the data block, vis-network, util.js, explorer.js
    assert not [t for t, _ in tags if t in {"link", "img", "iframe", "object", "embed", "base", "form"}]
    assert not re.search(r"<(script|link)\b[^>]*(src|href)\s*=\s*[\"']?https?://", page, re.I)
    assert "bootstrap" not in page.lower()
    assert "default-src 'none'" in page


def test_hostile_strings_escaped(page: str) -> None:
    assert HOSTILE not in page
    assert "<script>alert" not in page
    assert "&lt;a href=&#34;javascript:alert(1)&#34;&gt;" in page or "&lt;a href=&quot;" in page
    assert "Caption &lt;/style&gt;" in page
    # the only closing script tags are the four real ones
    assert len(re.findall(r"</script", page, re.I)) == 4
    block = re.search(r'id="dk-data">(.*?)</script>', page, re.S).group(1)  # type: ignore[union-attr]
    assert not set(block) & {"<", ">", "&", "\u2028", "\u2029"}
    data = _data_block(page)
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    assert labels['urn:x:"evil"'] == HOSTILE
    assert {e["id"] for e in data["edges"]} == {"k1", "k2", "k3<>", "k4"}


def test_styles_and_unknowns(page: str) -> None:
    data = _data_block(page)
    edges = {e["id"]: e for e in data["edges"]}
    assert edges["k1"]["dashes"] and edges["k2"]["dashes"] == [2, 4]
    assert edges["k3<>"]["color"]["color"] == render.DEFAULT_EDGE_STYLE["color"]
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes['urn:x:"evil"']["color"]["background"] == render.UNKNOWN_COLOUR
    assert nodes["urn:x:prk"]["borderWidth"] > nodes["urn:x:swe"]["borderWidth"]
    assert nodes["urn:x:prk"]["size"] > nodes["urn:x:swe"]["size"]
    assert data["options"]["physics"]["enabled"] is False
    assert all("x" in n and "y" in n for n in data["nodes"])
    assert "&lt;b&gt;new-kind&lt;/b&gt;" in page  # unknown kind gets an escaped filter row


def test_tie_colour_scale() -> None:
    assert render.tie_colour(1.0) == "#d7191c"
    assert render.tie_colour(0.0) == "#2c7bb6"
    assert render.tie_colour(None) == render.UNKNOWN_COLOUR
    assert render.tie_colour(float("nan")) == render.UNKNOWN_COLOUR
    assert render.tie_colour(7) == "#d7191c"


def test_safe_json() -> None:
    text = render.safe_json({"a": "</script><!-- & \u2028\u2029"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028\u2029"}


def test_empty_graph() -> None:
    html = render.page_html(nx.MultiDiGraph())
    assert "<h1" in html and _data_block(html)["nodes"] == []


def test_the_header_dates_the_facts_not_the_network_drawn(page: str) -> None:
    """The network is drawn as of the year chosen on the slider; the header's date is the latest fact's,
    so it must not read as the date of what is drawn ("As of 2025-02-24" beside a network of 2019)."""
    badge = re.search(r'<span id="dk-asof"[^>]*>([^<]*)</span>', page)
    assert badge is not None and badge.group(1) == "Facts to 2024-01-31"
    assert "As of" not in page
    assert re.search(r'<span id="dk-counts">3 nodes · 4 relations in all</span>', page)
