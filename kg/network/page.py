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
import os
import pathlib
import re
import tempfile
from collections import Counter
from collections.abc import Sequence
from typing import Any

import jinja2
import markupsafe
import networkx as nx
import pyvis

from kg.network.atlaskept import page_atlas_json
from kg.network.layout import layout_positions
from kg.network.netview import (
    DEFAULT_EDGE_STYLE,
    EDGE_STYLES,
    KIND_LABELS,
    MODALITY_LABELS,
    NODE_SHAPES,
    STATUS_KINDS,
    TIE_STOPS,
    UNKNOWN_COLOUR,
    build_network,
    evidence_records,
    scale_position,
    tie_colour,
)
from kg.network.safejson import safe_json
from kg.network.story import StoryEvent, story_payload
from kg.network.timeline import step_at
from kg.network.world import WorldData
from kg.network.worldview import AGREEMENT_STOPS, WorldView, world_context

__all__ = [
    "EDGE_STYLES",
    "MODALITY_LABELS",
    "UNKNOWN_COLOUR",
    "layout_positions",
    "page_html",
    "safe_json",
    "tie_colour",
    "write_page",
]

TEMPLATE_DIR = pathlib.Path(__file__).resolve().parent / "templates"
VIS_DIR = pathlib.Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"

_SCRIPT_END = ("</script", "<\\/script")
_STYLE_END = ("</style", "<\\/style")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _kinds_shown(edges: list[dict[str, Any]], years: list[int]) -> tuple[Counter[str], set[str]]:
    """How many edges of each kind the network shows in its last year (a mission in its status then,
    once it has begun), and every kind it shows in some year."""
    counts: Counter[str] = Counter()
    seen: set[str] = set()
    for e in edges:
        steps = e["dk"].get("status")
        if not steps:
            counts[e["dk"]["kind"]] += 1
            seen.add(e["dk"]["kind"])
            continue
        seen.update(STATUS_KINDS[step[1]] for step in steps if step[3])
        last = step_at(steps, years[-1])
        if last is not None and last[3]:
            counts[STATUS_KINDS[last[1]]] += 1
    return counts, seen


def _legend_rows(values: Counter[str], known: dict[str, Any], label_of: Any,
                 also: set[str] | None = None) -> list[dict[str, Any]]:
    """Legend and filter rows: the known kinds in their order, then any others; a kind the graph
    does not have (in any year: *also*) gets no row (a row counting 0 only lengthens the legend)."""
    also = also or set()
    rows = [{"value": key, "label": label_of(key), "count": values[key]} for key in known
            if values.get(key) or key in also]
    rows += [{"value": key, "label": label_of(key), "count": values[key]}
             for key in sorted(set(values) | also) if key not in known]
    return rows


def _read_asset(path: pathlib.Path, closing: tuple[str, str]) -> markupsafe.Markup:
    text = path.read_text(encoding="utf-8")
    text = re.sub(re.escape(closing[0]), closing[1].replace("\\", "\\\\"), text, flags=re.IGNORECASE)
    return markupsafe.Markup(text)


def _story_years(story: Sequence[StoryEvent], graph: nx.MultiDiGraph, view: WorldView | None) -> list[int]:
    """The years of the DPRK view's time control: from the first dated event (or day a mission's status
    changes) to the graph's as-of year (or the last dated event, or the world view's last year)."""
    dated = [e.year for e in story if e.year is not None]
    for _, _, attrs in graph.edges(data=True):
        dated.extend(int(row[0][:4]) for row in attrs.get("status_timeline") or () if row[0])
    as_of = re.match(r"^(\d{4})", _text(graph.graph.get("as_of")))
    ends = [*dated, *( [int(as_of.group(1))] if as_of else []), *([view.through] if view and view.through else [])]
    return list(range(min(dated), max(ends) + 1)) if dated else []


def page_html(graph: nx.MultiDiGraph, world: WorldData | None = None, view: WorldView | None = None,
              story: Sequence[StoryEvent] | None = None) -> str:
    """Return the explorer page for *graph* as one self-contained HTML string.

    The page inlines vis-network, draws the precomputed layout with physics off
    and exposes ``window.diplokg = {network, nodes, edges, ready, ...}``. With *world*, the page
    opens on the world map (``window.diplokgWorld``, see :mod:`kg.network.worldview`; *view* says how
    each year's votes were chosen and how far the slider goes) and the network of *graph* is one
    click away (a tab; ``#network`` opens it directly). With *story* (the graph's events, see
    :mod:`kg.network.story`), the network's tab tells them in time order beside the network, with a
    time control it shares with the world map. Both views draw every mission in its status at the end
    of the year shown, by the one rule of :mod:`kg.network.status` (:mod:`kg.network.timeline`).
    """
    story = list(story or [])
    years = _story_years(story, graph, view)
    since = {e.iri: e.year for e in story if e.year is not None}
    nodes, edges, options = build_network(graph, years, since)
    kinds, seen = _kinds_shown(edges, years)
    modalities = Counter(e["dk"]["modality"] for e in edges)
    edge_rows = _legend_rows(kinds, EDGE_STYLES, lambda k: EDGE_STYLES.get(k, {}).get("label") or k or "(none)", seen)
    for row in edge_rows:
        style = EDGE_STYLES.get(row["value"], DEFAULT_EDGE_STYLE)
        row["color"] = style["color"]
        row["dash"] = " ".join(str(d) for d in style["dashes"]) if style["dashes"] else ""
        row["width"] = style["width"]
    modality_rows = _legend_rows(modalities, MODALITY_LABELS, lambda m: MODALITY_LABELS.get(m) or m or "(none)")
    gradient = ", ".join(f"{tie_colour(s * s)} {round(s * 100)}%" for s, _ in TIE_STOPS)
    ticks = [{"label": f"{s:g}", "left": round(scale_position(s) * 100, 1)} for s in (0, 0.1, 0.25, 0.5, 1)]
    node_kinds = sorted({n["dk"]["kind"] for n in nodes} | {"state"},
                        key=lambda k: (list(NODE_SHAPES).index(k) if k in NODE_SHAPES else 99, k))
    data = {"nodes": nodes, "edges": edges, "options": options,
            "kindLabels": {r["value"]: r["label"] for r in edge_rows},
            "modalityLabels": {r["value"]: r["label"] for r in modality_rows},
            "nodeKindLabels": KIND_LABELS, "years": years,
            "statusKinds": STATUS_KINDS,
            "edgeStyles": {k: {"color": EDGE_STYLES[k]["color"], "dashes": EDGE_STYLES[k]["dashes"],
                               "width": EDGE_STYLES[k]["width"]} for k in STATUS_KINDS.values()}}
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
                             autoescape=True, keep_trailing_newline=True)
    extra: dict[str, Any] = {"world": None, "story": None,
                             "world_css": _read_asset(TEMPLATE_DIR / "world.css", _STYLE_END)}
    if world is not None:
        focus = next((_text(d.get("label")) for _, d in sorted(graph.nodes(data=True), key=lambda n: str(n[0]))
                      if d.get("focus")), "")
        context, payload = world_context(world, AGREEMENT_STOPS, UNKNOWN_COLOUR, focus, view)
        extra.update({
            "world": context, "world_json": markupsafe.Markup(safe_json(payload)),
            "atlas_json": markupsafe.Markup(page_atlas_json()),
            "world_js": [_read_asset(TEMPLATE_DIR / name, _SCRIPT_END) for name in ("map.js", "cards.js", "world.js")]})
    if story and years:
        extra["story"] = {"groups": story_payload(story, evidence_records)["groups"], "years": years}
        extra["story_json"] = markupsafe.Markup(safe_json({**story_payload(story, evidence_records), "years": years}))
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
        util_js=_read_asset(TEMPLATE_DIR / "util.js", _SCRIPT_END),
        app_js=_read_asset(TEMPLATE_DIR / "explorer.js", _SCRIPT_END),
        story_js=_read_asset(TEMPLATE_DIR / "story.js", _SCRIPT_END),
    )


def write_page(graph: nx.MultiDiGraph, path: pathlib.Path, world: WorldData | None = None,
               view: WorldView | None = None, story: Sequence[StoryEvent] | None = None) -> None:
    """Write :func:`page_html` of *graph* (and *world*, *view*, *story*) to *path* atomically (temp file
    + ``os.replace``)."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    content = page_html(graph, world, view, story).encode("utf-8")
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

