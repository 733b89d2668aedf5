"""The explorer's network view: the records vis-network draws for the explorer network (a networkx
MultiDiGraph from :mod:`kg.network.graph`), built with pyvis in directed mode.

Nodes are coloured by their *tie score* towards China and Russia (:func:`kg.network.analytics.tie_scores`:
a score of the network's ties, not agreement in the UN General Assembly, which the world view shows),
sized by centrality. Edges are styled by kind; a mission edge also carries its status at the end of
each year (:func:`kg.network.timeline.year_steps` on its ``status_timeline``: the rule of
:mod:`kg.network.status`) and any other relation the first year its facts are dated (``since``), so
that the DPRK view can show the network as it stood at the end of a year.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import networkx as nx
from pyvis.network import Network

from kg.network.layout import layout_positions
from kg.network.timeline import year_steps
from kg.query.excerpts import readable

__all__ = [
    "DEFAULT_EDGE_STYLE",
    "EDGE_STYLES",
    "KIND_LABELS",
    "MODALITY_LABELS",
    "NODE_SHAPES",
    "STATUS_KINDS",
    "TIE_STOPS",
    "UNKNOWN_COLOUR",
    "build_network",
    "evidence_records",
    "tie_colour",
]

#: Edge styles by kind: human label, colour, dash pattern (``False`` = solid), width.
EDGE_STYLES: dict[str, dict[str, Any]] = {
    "mission-open": {"label": "Mission open", "color": "#1b9e4b", "dashes": False, "width": 2.0},
    "mission-uncertain": {"label": "Mission uncertain", "color": "#e08214", "dashes": [10, 4, 2, 4], "width": 2.0},
    "mission-closed": {"label": "Mission closed", "color": "#6b6b6b", "dashes": [8, 6], "width": 2.0},
    "partnership": {"label": "Partnership", "color": "#7b3294", "dashes": False, "width": 2.5},
    "summit": {"label": "Summit", "color": "#0f8a8a", "dashes": False, "width": 1.5},
    "sanctions-imposes": {"label": "Imposes sanctions", "color": "#d01c1c", "dashes": False, "width": 2.5},
    "sanctions-targets": {"label": "Sanctions target", "color": "#d01c1c", "dashes": [4, 3], "width": 1.5},
    "claim": {"label": "Claim", "color": "#444444", "dashes": [2, 4], "width": 1.5},
    "covers": {"label": "Mission covers", "color": "#5e9ccf", "dashes": False, "width": 1.0},
    "strategy": {"label": "Strategy shift or priority partner", "color": "#c51b7d", "dashes": [1, 3], "width": 1.0},
}
#: The edge kind that draws a mission in each status (open, uncertain, closed) in the year shown.
STATUS_KINDS: dict[str, str] = {"open": "mission-open", "uncertain": "mission-uncertain", "closed": "mission-closed"}
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

#: Colour stops of the tie score's scale (0 = no tie to the anchors, 1 = China/Russia).
TIE_STOPS: tuple[tuple[float, tuple[int, int, int]], ...] = (
    (0.0, (44, 123, 182)), (0.25, (171, 217, 233)), (0.5, (255, 255, 191)),
    (0.75, (253, 174, 97)), (1.0, (215, 25, 28)),
)
UNKNOWN_COLOUR = "#c4c4c4"
FOCUS_HALO = "rgba(255,191,0,0.95)"

def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def scale_position(score: float) -> float:
    """Where a score sits on the colour scale: its square root, so the low scores most nodes have
    (0, 0.1, 0.23) are far apart in colour (0.23 sits near the middle), and 1 stays at the end."""
    return math.sqrt(min(1.0, max(0.0, float(score))))


def tie_colour(score: float | None) -> str:
    """Fill colour for a tie score in [0, 1] (placed by :func:`scale_position`); grey for
    ``None``/NaN."""
    if score is None or not isinstance(score, (int, float)) or math.isnan(score):
        return UNKNOWN_COLOUR
    s = scale_position(score)
    for (a, ca), (b, cb) in itertools.pairwise(TIE_STOPS):
        if s <= b:
            f = 0.0 if b == a else (s - a) / (b - a)
            return _hex(tuple(x + (y - x) * f for x, y in zip(ca, cb)))  # type: ignore[arg-type]
    return _hex(TIE_STOPS[-1][1])


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


def evidence_records(items: Any) -> list[dict[str, str]]:
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
    score = _number(attrs.get("tie_score"))
    centrality = min(1.0, max(0.0, _number(attrs.get("centrality")) or 0.0))
    kind = _text(attrs.get("kind")) or "other"
    fill = tie_colour(score)
    focus = bool(attrs.get("focus"))
    record: dict[str, Any] = {
        "size": round(8.0 + 24.0 * math.sqrt(centrality), 2) + (8.0 if focus else 0.0),
        "borderWidth": 4 if focus else 1.5,
        "font": {"size": 20 if focus else 14, "color": "#111111",
                 "strokeWidth": 4, "strokeColor": "#ffffff"},
        "dk": {"kind": kind, "tieScore": score, "centrality": centrality, "focus": focus,
               "facts": _lines(attrs.get("facts")),
               "evidence": evidence_records(attrs.get("evidence")), "iri": _text(node),
               "aliases": _lines(attrs.get("aliases"))},
    }
    if score is None:
        record["shapeProperties"] = {"borderDashes": [3, 3]}
    if focus:
        record["color"] = {"background": fill, "border": "#111111",
                           "highlight": {"background": fill, "border": "#000000"},
                           "hover": {"background": fill, "border": "#000000"}}
        record["shadow"] = {"enabled": True, "color": FOCUS_HALO, "size": 28, "x": 0, "y": 0}
    elif big:
        record["font"] = {"size": 14, "color": "#111111"}
    return record


def _edge_record(key: str, attrs: dict[str, Any], time: _Time) -> dict[str, Any]:
    kind = _text(attrs.get("kind"))
    style = EDGE_STYLES.get(kind, DEFAULT_EDGE_STYLE)
    when: dict[str, Any] = {}
    if attrs.get("status_timeline") and time.years:
        when["status"] = [list(step) for step in year_steps(attrs["status_timeline"], time.years)]
    else:
        dated = [time.since[i] for i in attrs.get("fact_iris") or () if i in time.since]
        if dated:
            when["since"] = min(dated)
    return {
        "id": key, "arrows": {"to": {"enabled": True, "scaleFactor": 0.55}},
        "color": {"color": style["color"], "highlight": style["color"], "hover": style["color"],
                  "opacity": 0.85},
        "dashes": style["dashes"], "width": style["width"],
        "dk": {"kind": kind, "modality": _text(attrs.get("modality")),
               "label": _text(attrs.get("label")),
               "facts": _lines(attrs.get("facts")),
               "evidence": evidence_records(attrs.get("evidence")), **when},
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


class _Time:
    """What the edges need to be shown year by year: the years and the first year of each dated fact."""

    def __init__(self, years: Sequence[int], since: Mapping[str, int]) -> None:
        self.years = list(years)
        self.since = since


Records = list[dict[str, Any]]


def build_network(graph: nx.MultiDiGraph, years: Sequence[int] = (),
                  since: Mapping[str, int] | None = None) -> tuple[Records, Records, dict[str, Any]]:
    """Build node/edge records and options with pyvis (directed mode).

    Args:
        graph: The explorer network.
        years: The years the DPRK view's time control shows: each mission edge with a
            ``status_timeline`` gets its status at the end of each (:func:`kg.network.timeline.year_steps`);
            none, and no edge carries a status.
        since: ``{fact IRI: year}``: a relation other than a mission gets the first year of its facts.
    """
    time = _Time(years, since or {})
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
        fill = tie_colour(record["dk"]["tieScore"])
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
        record = _edge_record(edge_id, attrs, time)
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


