"""Render a diplomatic knowledge graph as one offline, self-contained HTML page.

Design
------
pyvis is used to build the node/edge records (``Network.add_node`` /
``Network.add_edge`` with ``directed=True``; the undirected path is quadratic)
and the vis-network options (``toggle_physics``, ``toggle_stabilization``,
``inherit_edge_colors`` ...).  pyvis's own HTML template is *not* used: every
``cdn_resources`` mode of pyvis 0.3.2 fetches something from a CDN (vis-network
or bootstrap), it inserts the heading and ``select_menu`` ids unescaped and it
switches all tooltips to raw ``innerHTML`` when any title contains ``href``.
Instead :func:`page_html` fills ``templates/explorer.html`` (Jinja2 with
autoescaping), inlining the vis-network 9.1.2 JS/CSS shipped inside the pyvis
package plus ``templates/explorer.js`` and ``templates/explorer.css``.

Safety: all text reaches the page either through Jinja autoescaping (heading,
caption, filter labels) or inside a ``<script type="application/json">`` block
whose ``<``, ``>``, ``&``, U+2028 and U+2029 are ``\\uXXXX``-escaped.  The page
script builds labels, tooltips and the details panel with ``textContent`` only
and never assigns data to ``innerHTML``.  A Content-Security-Policy meta tag
forbids any network fetch (``default-src 'none'``), so the page is offline.

Speed and determinism: the layout is computed here (seeded Fruchterman-Reingold
in NumPy, see :func:`layout_positions`) and sent as fixed x/y with physics
disabled, so the browser draws a settled network at once.  Nodes and edges are
emitted in sorted order and positions are rounded: the same graph always gives
byte-identical HTML.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import os
import pathlib
import re
import tempfile
from collections import Counter
from typing import Any

import jinja2
import markupsafe
import networkx as nx
import pyvis
from pyvis.network import Network

from kg.network.layout import layout_positions
from kg.network.world import WorldData
from kg.network.worldview import world_context
from kg.query.excerpts import readable

__all__ = [
    "EDGE_STYLES",
    "MODALITY_LABELS",
    "alignment_colour",
    "layout_positions",
    "page_html",
    "safe_json",
    "write_page",
]

TEMPLATE_DIR = pathlib.Path(__file__).resolve().parent / "templates"
VIS_DIR = pathlib.Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"

#: Edge styles by kind: human label, colour, dash pattern (``False`` = solid), width.
EDGE_STYLES: dict[str, dict[str, Any]] = {
    "mission-open": {"label": "Mission open", "color": "#1b9e4b", "dashes": False, "width": 2.0},
    "mission-closure-announced": {
        "label": "Mission closure announced", "color": "#e08214", "dashes": [10, 4, 2, 4], "width": 2.0},
    "mission-closed": {"label": "Mission closed", "color": "#6b6b6b", "dashes": [8, 6], "width": 2.0},
    "partnership": {"label": "Partnership", "color": "#7b3294", "dashes": False, "width": 2.5},
    "summit": {"label": "Summit", "color": "#0f8a8a", "dashes": False, "width": 1.5},
    "sanctions-imposes": {"label": "Imposes sanctions", "color": "#d01c1c", "dashes": False, "width": 2.5},
    "sanctions-targets": {"label": "Sanctions target", "color": "#d01c1c", "dashes": [4, 3], "width": 1.5},
    "claim": {"label": "Claim", "color": "#444444", "dashes": [2, 4], "width": 1.5},
    "covers": {"label": "Mission covers", "color": "#5e9ccf", "dashes": False, "width": 1.0},
    "alignment": {"label": "Alignment", "color": "#c51b7d", "dashes": [1, 3], "width": 1.0},
}
DEFAULT_EDGE_STYLE: dict[str, Any] = {"label": "", "color": "#9a9a9a", "dashes": False, "width": 1.0}

#: Check-box labels for edge modalities.
MODALITY_LABELS: dict[str, str] = {
    "reported": "Reported facts",
    "claimed": "Claims",
    "predicted": "Predictions",
    "estimated": "Estimates",
}

NODE_SHAPES: dict[str, str] = {
    "state": "dot", "territory": "triangle", "organisation": "square",
    "region": "hexagon", "person": "diamond", "other": "triangleDown",
}
KIND_LABELS: dict[str, str] = {
    "state": "State", "territory": "Territory", "organisation": "Organisation",
    "region": "Region", "person": "Person", "other": "Other",
}

#: Colour stops of the alignment scale (0 = distant, 1 = China/Russia).
ALIGNMENT_STOPS: tuple[tuple[float, tuple[int, int, int]], ...] = (
    (0.0, (44, 123, 182)), (0.25, (171, 217, 233)), (0.5, (255, 255, 191)),
    (0.75, (253, 174, 97)), (1.0, (215, 25, 28)),
)
UNKNOWN_COLOUR = "#c4c4c4"
FOCUS_HALO = "rgba(255,191,0,0.95)"

_SCRIPT_END = ("</script", "<\\/script")
_STYLE_END = ("</style", "<\\/style")


def safe_json(value: Any) -> str:
    """Serialise *value* as JSON that is safe to embed inside an HTML ``<script>``.

    Keys are sorted for determinism; ``<``, ``>``, ``&`` and the JS line
    terminators U+2028/U+2029 are replaced by ``\\uXXXX`` escapes, so no data
    string can close the script element or start an HTML comment.
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def scale_position(score: float) -> float:
    """Where a score sits on the colour scale: its square root, so the low scores most nodes have
    (0, 0.1, 0.23) are far apart in colour (0.23 sits near the middle), and 1 stays at the end."""
    return math.sqrt(min(1.0, max(0.0, float(score))))


def alignment_colour(score: float | None) -> str:
    """Fill colour for an alignment score in [0, 1] (placed by :func:`scale_position`); grey for
    ``None``/NaN."""
    if score is None or not isinstance(score, (int, float)) or math.isnan(score):
        return UNKNOWN_COLOUR
    s = scale_position(score)
    for (a, ca), (b, cb) in itertools.pairwise(ALIGNMENT_STOPS):
        if s <= b:
            f = 0.0 if b == a else (s - a) / (b - a)
            return _hex(tuple(x + (y - x) * f for x, y in zip(ca, cb)))  # type: ignore[arg-type]
    return _hex(ALIGNMENT_STOPS[-1][1])


def _darker(colour: str, factor: float = 0.62) -> str:
    rgb = tuple(int(colour[i:i + 2], 16) * factor for i in (1, 3, 5))
    return _hex(rgb)  # type: ignore[arg-type]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _lines(items: Any) -> list[str]:
    """Fact lines as strings (a bare string counts as one line)."""
    if items is None:
        return []
    if isinstance(items, (str, bytes)):
        return [_text(items)]
    return [_text(item) for item in items]


def _evidence(items: Any) -> list[dict[str, str]]:
    """Evidence for the page: a table row's text as its cells (no internal notes), its address apart."""
    out = []
    for item in [items] if isinstance(items, dict) else items or []:
        if isinstance(item, dict):
            record = {k: _text(item.get(k)) for k in ("sentence", "source", "modality")}
        else:
            record = {"sentence": _text(item), "source": "", "modality": ""}
        excerpt = readable(record["sentence"])
        record["sentence"] = excerpt.text
        record["address"] = excerpt.address
        if excerpt.address and record["source"].endswith(f" ({excerpt.address})"):
            record["source"] = record["source"].removesuffix(f" ({excerpt.address})")
        out.append(record)
    return out


def _number(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _node_record(node: Any, attrs: dict[str, Any], big: bool) -> dict[str, Any]:
    """vis-network node properties (besides id/label/shape/colour) for pyvis."""
    alignment = _number(attrs.get("alignment"))
    centrality = min(1.0, max(0.0, _number(attrs.get("centrality")) or 0.0))
    kind = _text(attrs.get("kind")) or "other"
    fill = alignment_colour(alignment)
    focus = bool(attrs.get("focus"))
    record: dict[str, Any] = {
        "size": round(8.0 + 24.0 * math.sqrt(centrality), 2) + (8.0 if focus else 0.0),
        "borderWidth": 4 if focus else 1.5,
        "font": {"size": 20 if focus else 14, "color": "#111111",
                 "strokeWidth": 4, "strokeColor": "#ffffff"},
        "dk": {"kind": kind, "alignment": alignment, "centrality": centrality, "focus": focus,
               "facts": _lines(attrs.get("facts")),
               "evidence": _evidence(attrs.get("evidence")), "iri": _text(node),
               "aliases": _lines(attrs.get("aliases"))},
    }
    if alignment is None:
        record["shapeProperties"] = {"borderDashes": [3, 3]}
    if focus:
        record["color"] = {"background": fill, "border": "#111111",
                           "highlight": {"background": fill, "border": "#000000"},
                           "hover": {"background": fill, "border": "#000000"}}
        record["shadow"] = {"enabled": True, "color": FOCUS_HALO, "size": 28, "x": 0, "y": 0}
    elif big:
        record["font"] = {"size": 14, "color": "#111111"}
    return record


def _edge_record(key: str, attrs: dict[str, Any]) -> dict[str, Any]:
    kind = _text(attrs.get("kind"))
    style = EDGE_STYLES.get(kind, DEFAULT_EDGE_STYLE)
    return {
        "id": key, "arrows": {"to": {"enabled": True, "scaleFactor": 0.55}},
        "color": {"color": style["color"], "highlight": style["color"], "hover": style["color"],
                  "opacity": 0.85},
        "dashes": style["dashes"], "width": style["width"],
        "dk": {"kind": kind, "modality": _text(attrs.get("modality")),
               "label": _text(attrs.get("label")),
               "facts": _lines(attrs.get("facts")),
               "evidence": _evidence(attrs.get("evidence"))},
    }


def _parallel_bends(graph: nx.MultiDiGraph) -> dict[tuple[Any, Any, Any], float]:
    """Curvature for edges that share their two ends (either way), so none hides another.

    The edges of one pair fan out symmetrically: 0 (straight, only when their number is odd),
    then +-u, +-2u ... with u = min(0.2, 0.8 / n) (positive = clockwise seen from the pair's first end in sorted order).
    """
    groups: dict[tuple[str, str], list[tuple[Any, Any, Any]]] = {}
    for u, v, key in graph.edges(keys=True):
        if u != v:
            groups.setdefault((min(str(u), str(v)), max(str(u), str(v))), []).append((u, v, key))
    bends: dict[tuple[Any, Any, Any], float] = {}
    for (first, _), members in groups.items():
        if len(members) < 2:
            continue
        members.sort(key=lambda e: (str(e[2]), str(e[0]), str(e[1])))
        offsets = [0.0] if len(members) % 2 else []
        step, unit = 1, min(0.2, 0.8 / len(members))
        while len(offsets) < len(members):
            offsets += [unit * step, -unit * step]
            step += 1
        for (u, v, key), offset in zip(members, offsets):
            bends[(u, v, key)] = round(offset if str(u) == first else -offset, 3)
    return bends


def _build_network(graph: nx.MultiDiGraph) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """Build node/edge records and options with pyvis (directed mode)."""
    big = graph.number_of_nodes() > 400
    net = Network(height="100%", width="100%", directed=True)
    net.toggle_physics(False)
    net.toggle_stabilization(False)
    net.inherit_edge_colors(False)
    net.options.edges.smooth.enabled = False
    net.toggle_hide_edges_on_drag(big)
    positions = layout_positions(graph)
    for node in sorted(graph.nodes, key=str):
        attrs = graph.nodes[node]
        record = _node_record(node, attrs, big)
        x, y = positions[node]
        fill = alignment_colour(record["dk"]["alignment"])
        colour = record.pop("color", {"background": fill, "border": _darker(fill),
                                      "highlight": {"background": fill, "border": "#000000"},
                                      "hover": {"background": fill, "border": "#000000"}})
        net.add_node(str(node), label=_text(attrs.get("label")) or str(node),
                     shape=NODE_SHAPES.get(record["dk"]["kind"], "dot"), color=colour,
                     x=x, y=y, **record)
    seen: set[str] = set()
    bends = _parallel_bends(graph)
    for u, v, key, attrs in sorted(graph.edges(keys=True, data=True),
                                   key=lambda e: (str(e[2]), str(e[0]), str(e[1]))):
        edge_id = str(key)
        suffix = 1
        while edge_id in seen:           # contract says keys are unique; stay robust anyway
            suffix += 1
            edge_id = f"{key}#{suffix}"
        seen.add(edge_id)
        record = _edge_record(edge_id, attrs)
        bend = bends.get((u, v, key))
        if bend:
            record["smooth"] = {"enabled": True, "type": "curvedCW" if bend > 0 else "curvedCCW",
                                "roundness": abs(bend)}
        net.add_edge(str(u), str(v), **record)
    nodes, edges, _heading, _h, _w, options_json = net.get_network_data()
    options: dict[str, Any] = json.loads(options_json)
    options.pop("configure", None)
    options["interaction"].update({"hover": True, "hideEdgesOnZoom": big, "tooltipDelay": 120,
                                   "multiselect": False, "navigationButtons": False})
    options["layout"] = {"improvedLayout": False, "randomSeed": 7}
    options["nodes"] = {"scaling": {"label": {"drawThreshold": 7}}}
    options["edges"]["selectionWidth"] = 2.5
    return nodes, edges, options


def _legend_rows(values: Counter[str], known: dict[str, Any], label_of: Any) -> list[dict[str, Any]]:
    """Legend and filter rows: the known kinds in their order, then any others; a kind the graph
    does not have gets no row (a row counting 0 only lengthens the legend)."""
    rows = [{"value": key, "label": label_of(key), "count": values[key]} for key in known if values.get(key)]
    rows += [{"value": key, "label": label_of(key), "count": values[key]}
             for key in sorted(values) if key not in known]
    return rows


def _read_asset(path: pathlib.Path, closing: tuple[str, str]) -> markupsafe.Markup:
    text = path.read_text(encoding="utf-8")
    text = re.sub(re.escape(closing[0]), closing[1].replace("\\", "\\\\"), text, flags=re.IGNORECASE)
    return markupsafe.Markup(text)


def page_html(graph: nx.MultiDiGraph, world: WorldData | None = None) -> str:
    """Return the explorer page for *graph* as one self-contained HTML string.

    The page inlines vis-network, draws the precomputed layout with physics off
    and exposes ``window.diplokg = {network, nodes, edges, ready, ...}``. With *world*, the page
    opens on the world view (``window.diplokgWorld``, see :mod:`kg.network.worldview`) and the
    network of *graph* is one click away (a tab; ``#network`` opens it directly).
    """
    nodes, edges, options = _build_network(graph)
    kinds = Counter(e["dk"]["kind"] for e in edges)
    modalities = Counter(e["dk"]["modality"] for e in edges)
    edge_rows = _legend_rows(kinds, EDGE_STYLES, lambda k: EDGE_STYLES.get(k, {}).get("label") or k or "(none)")
    for row in edge_rows:
        style = EDGE_STYLES.get(row["value"], DEFAULT_EDGE_STYLE)
        row["color"] = style["color"]
        row["dash"] = " ".join(str(d) for d in style["dashes"]) if style["dashes"] else ""
        row["width"] = style["width"]
    modality_rows = _legend_rows(modalities, MODALITY_LABELS, lambda m: MODALITY_LABELS.get(m) or m or "(none)")
    gradient = ", ".join(f"{alignment_colour(s * s)} {round(s * 100)}%" for s, _ in ALIGNMENT_STOPS)
    ticks = [{"label": f"{s:g}", "left": round(scale_position(s) * 100, 1)} for s in (0, 0.1, 0.25, 0.5, 1)]
    node_kinds = sorted({n["dk"]["kind"] for n in nodes} | {"state"},
                        key=lambda k: (list(NODE_SHAPES).index(k) if k in NODE_SHAPES else 99, k))
    data = {"nodes": nodes, "edges": edges, "options": options,
            "kindLabels": {r["value"]: r["label"] for r in edge_rows},
            "modalityLabels": {r["value"]: r["label"] for r in modality_rows},
            "nodeKindLabels": KIND_LABELS}
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
                             autoescape=True, keep_trailing_newline=True)
    extra: dict[str, Any] = {"world": None}
    if world is not None:
        focus = next((_text(d.get("label")) for _, d in sorted(graph.nodes(data=True), key=lambda n: str(n[0]))
                      if d.get("focus")), "")
        context, payload = world_context(world, [(s, _hex(c)) for s, c in ALIGNMENT_STOPS], UNKNOWN_COLOUR, focus)
        extra = {"world": context, "world_json": markupsafe.Markup(safe_json(payload)),
                 "world_css": _read_asset(TEMPLATE_DIR / "world.css", _STYLE_END),
                 "world_js": _read_asset(TEMPLATE_DIR / "world.js", _SCRIPT_END)}
    return env.get_template("explorer.html").render(
        **extra,
        title=_text(graph.graph.get("title")) or "Diplomatic network",
        caption=_text(graph.graph.get("caption")),
        as_of=_text(graph.graph.get("as_of")),
        node_count=len(nodes), edge_count=len(edges),
        edge_rows=edge_rows, modality_rows=modality_rows, gradient=gradient, ticks=ticks,
        node_kinds=[{"kind": k, "label": KIND_LABELS.get(k, k), "shape": NODE_SHAPES.get(k, "dot")}
                    for k in node_kinds],
        unknown_colour=UNKNOWN_COLOUR,
        data_json=markupsafe.Markup(safe_json(data)),
        vis_css=_read_asset(VIS_DIR / "vis-network.css", _STYLE_END),
        vis_js=_read_asset(VIS_DIR / "vis-network.min.js", _SCRIPT_END),
        app_css=_read_asset(TEMPLATE_DIR / "explorer.css", _STYLE_END),
        app_js=_read_asset(TEMPLATE_DIR / "explorer.js", _SCRIPT_END),
    )


def write_page(graph: nx.MultiDiGraph, path: pathlib.Path, world: WorldData | None = None) -> None:
    """Write :func:`page_html` of *graph* (and *world*) to *path* atomically (temp file + ``os.replace``)."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    content = page_html(graph, world).encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(path.parent))
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the page the usual permissions
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise

