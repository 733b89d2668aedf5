"""The explorer's networks to take away: as networkx graphs, and written as GEXF (Gephi), GraphML
(Cytoscape, yEd) or node-link JSON (d3, networkx).

Two networks, each a ``networkx.MultiDiGraph`` whose attributes are plain values (text, whole numbers,
decimals, true/false), so that every format holds all of them and reads them back with their types:

* **world** (:func:`world_network`): a node per state or entity of the world view (its ISO code), an
  edge per diplomatic mission from sender to host (keyed by the mission's identifier). A node holds
  its label, kind, how it is placed on the map and its projected ``x``/``y`` (Equal Earth, the map's
  units), the missions it sends and hosts, and its agreement by year: ``agreement_CHN_2019``,
  ``rollCalls_CHN_2019`` for every anchor and year with a recorded vote. An edge holds the mission's
  kind, group, city, identifier, its ``status`` and ``statusReason`` as of the last day of the year
  exported, ``statusHistory`` (the year-end steps ``[year, status, reason, begun]``, as JSON text) and
  ``evidence`` (the number of records behind it: its dated events, a register's listing included, or
  its register entry when it has none).
* **dprk** (:func:`dprk_network`): the DPRK view's network (:func:`kg.network.graph.explorer_graph`):
  a node per state, organisation or person with its label, kind, tie score, centrality, focus and
  ``evidence``/``facts`` counts, plus its agreement by year where the world view has it; an edge per
  relation with its kind, modality, label, ``evidence`` and ``facts`` counts, ``since`` (the first
  year its facts are dated) and, for a mission, its status at the end of the year exported (its kind
  follows it: ``mission-open``, ``mission-uncertain``, ``mission-closed``).

A mission's status is the rule of :mod:`kg.network.status` (``open``, ``closed`` or ``uncertain``, with
its reason), as the page and ``diplokg ask network-as-of --as-of YEAR-12-31`` give it.

The graph itself holds the title, the year exported, the anchors and each year's coverage
(``coverage_2022``: ``all`` or ``selected``) and roll calls.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import networkx as nx

from kg.network.atlaskept import places_atlas
from kg.network.netview import STATUS_KINDS
from kg.network.places import map_places
from kg.network.story import StoryEvent
from kg.network.timeline import Step, TimelineRow, step_at, year_steps
from kg.network.world import WorldData, check_world
from kg.network.worldview import WorldView, mission_group, mission_timeline, world_payload

__all__ = ["FORMATS", "Format", "dprk_network", "network_text", "read_network", "world_network"]

Format = Literal["gexf", "graphml", "json"]
FORMATS: tuple[Format, ...] = ("gexf", "graphml", "json")
ISO_PREFIX = "https://w3id.org/diplokg/id/iso3166/"


def _clean(attrs: dict[str, Any]) -> dict[str, Any]:
    """The attributes with a value (None and empty text left out: GraphML and GEXF have no null)."""
    return {k: v for k, v in attrs.items() if v is not None and v != ""}


def _agreement(per_anchor: dict[str, dict[int, tuple[float, int]]] | Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for anchor in sorted(per_anchor):
        for year in sorted(per_anchor[anchor]):
            value, calls = per_anchor[anchor][year]
            out[f"agreement_{anchor}_{int(year)}"] = round(float(value), 4)
            out[f"rollCalls_{anchor}_{int(year)}"] = int(calls)
    return out


def _graph_attrs(graph: nx.MultiDiGraph, payload: dict[str, Any] | None, year: int | None, title: str) -> None:
    graph.graph["title"] = title
    if year is not None:
        graph.graph["statusYear"] = int(year)
    if payload is None:
        return
    graph.graph["anchors"] = " ".join(a["code"] for a in payload["anchors"])
    graph.graph["minRollCalls"] = int(payload["minRollCalls"])
    for y, info in zip(payload["years"], payload["yearInfo"]):
        if info["coverage"] != "none":
            graph.graph[f"coverage_{y}"] = info["coverage"]
            graph.graph[f"rollCalls_{y}"] = int(info["rollCalls"])


def _status_attrs(rows: Sequence[Sequence[str]], years: Sequence[int], year: int | None) -> dict[str, Any]:
    """A mission's ``status`` and ``statusReason`` at the end of *year*, and ``statusHistory``."""
    steps: list[Step] = year_steps(rows, years)
    now = step_at(steps, year) if year is not None else None
    if now is None:
        return {}
    return {"status": now[1], "statusReason": now[2],
            "statusHistory": json.dumps([list(step) for step in steps], ensure_ascii=False)}


def world_network(world: WorldData, view: WorldView | None = None, year: int | None = None) -> nx.MultiDiGraph:
    """The world's missions and agreement as a MultiDiGraph (see the module's docstring).

    Args:
        world: The world.
        view: Coverage, roll calls and how far the years go.
        year: The year whose year-end status the edges' ``status`` gives (default: the last year).
    """
    view = view or WorldView()
    payload = world_payload(world, view)
    years = payload["years"]
    year = year if year is not None else (years[-1] if years else None)
    states = check_world(world)
    places = map_places(world, states, places_atlas())
    sent: dict[str, int] = {}
    hosted: dict[str, int] = {}
    for m in world.missions:
        sent[m.sender] = sent.get(m.sender, 0) + 1
        hosted[m.host] = hosted.get(m.host, 0) + 1
    graph = nx.MultiDiGraph()
    _graph_attrs(graph, payload, year, world.title)
    for state in states:
        place = places[state.code]
        graph.add_node(state.code, **_clean({
            "label": state.label, "kind": state.kind, "place": place.how,
            "x": place.point[0] if place.point else None, "y": place.point[1] if place.point else None,
            "sent": sent.get(state.code, 0), "hosted": hosted.get(state.code, 0), **_agreement(state.agreement)}))
    seen: dict[str, int] = {}
    for m in sorted(world.missions, key=lambda m: (m.sender, m.host, m.kind, m.ident, m.city)):
        key = m.ident or f"{m.sender}-{m.host}"
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = f"{key}#{seen[key]}"
        rows: list[TimelineRow] = mission_timeline(m)
        graph.add_edge(m.sender, m.host, key=key, **_clean({
            "kind": m.kind, "group": mission_group(m.kind), "city": m.city, "ident": m.ident,
            "latitude": m.latitude, "longitude": m.longitude, **_status_attrs(rows, years, year),
            "evidence": len(m.events) or 1}))
    return graph


def _iso(node: str) -> str:
    return node[len(ISO_PREFIX):] if node.startswith(ISO_PREFIX) else ""


def dprk_network(graph: nx.MultiDiGraph, story: Sequence[StoryEvent] = (), world: WorldData | None = None,
                 view: WorldView | None = None, year: int | None = None) -> nx.MultiDiGraph:
    """The DPRK view's network as a MultiDiGraph of plain attributes (see the module's docstring).

    Args:
        graph: The explorer network (:func:`kg.network.graph.explorer_graph`).
        story: Its events (for each relation's first dated year).
        world: The world, for the states' agreement by year (optional).
        view: How the world's years were chosen.
        year: The year whose year-end status mission edges give (default: the graph's as-of year).
    """
    view = view or WorldView()
    payload = world_payload(world, view) if world is not None else None
    agreement = {s.code: s.agreement for s in world.states} if world is not None else {}
    since = {e.iri: e.year for e in story if e.year is not None}
    match = re.match(r"^(\d{4})", str(graph.graph.get("as_of") or ""))
    last = int(match.group(1)) if match else None
    dated = [y for y in since.values()] + ([last] if last else [])
    years = list(range(min(dated), max(dated) + 1)) if dated else []
    year = year if year is not None else (years[-1] if years else None)
    out = nx.MultiDiGraph()
    _graph_attrs(out, payload, year, str(graph.graph.get("title") or ""))
    if graph.graph.get("as_of"):
        out.graph["asOf"] = str(graph.graph["as_of"])
    for node, attrs in sorted(graph.nodes(data=True), key=lambda n: str(n[0])):
        out.add_node(str(node), **_clean({
            "label": attrs.get("label"), "kind": attrs.get("kind"), "iso": _iso(str(node)),
            "tieScore": attrs.get("tie_score"), "centrality": float(attrs.get("centrality") or 0.0),
            "focus": bool(attrs.get("focus")), "evidence": len(attrs.get("evidence") or []),
            "facts": len(attrs.get("facts") or []), **_agreement(agreement.get(_iso(str(node)), {}))}))
    for u, v, key, attrs in sorted(graph.edges(keys=True, data=True), key=lambda e: (str(e[2]), str(e[0]), str(e[1]))):
        extra: dict[str, Any] = {}
        if attrs.get("mission"):
            extra = {"mission": str(attrs["mission"]), **_status_attrs(attrs.get("status_timeline") or (), years, year)}
            if extra.get("status") in STATUS_KINDS:   # drawn in its status at the end of the year exported
                extra["kind"] = STATUS_KINDS[extra["status"]]
        firsts = [since[i] for i in attrs.get("fact_iris") or () if i in since]
        out.add_edge(str(u), str(v), key=str(key), **_clean({
            "kind": attrs.get("kind"), "modality": attrs.get("modality"), "label": attrs.get("label"),
            "evidence": len(attrs.get("evidence") or []), "facts": len(attrs.get("facts") or []),
            "since": min(firsts) if firsts else None, **extra}))
    return out


def network_text(graph: nx.MultiDiGraph, fmt: Format) -> str:
    """The network written in *fmt* (deterministic: nodes and edges in the graph's order)."""
    if fmt == "json":
        return json.dumps(nx.node_link_data(graph, edges="edges"), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    buffer = io.BytesIO()
    if fmt == "gexf":
        # each edge's GEXF id is its key (networkx would number them), so Gephi shows it and a reader finds it
        keyed = nx.MultiDiGraph(**graph.graph)
        keyed.add_nodes_from(graph.nodes(data=True))
        keyed.add_edges_from((u, v, k, {**a, "id": str(k)}) for u, v, k, a in graph.edges(keys=True, data=True))
        nx.write_gexf(keyed, buffer, encoding="utf-8", prettyprint=True)
    else:
        nx.write_graphml(graph, buffer, encoding="utf-8", prettyprint=True, named_key_ids=True)
    text = buffer.getvalue().decode("utf-8")
    # networkx stamps GEXF with today's date: the same graph must give the same bytes
    return re.sub(r'lastmodifieddate="[^"]*"', 'lastmodifieddate="1970-01-01"', text, count=1)


def read_network(text: str, fmt: Format) -> nx.MultiDiGraph:
    """Read a network written by :func:`network_text` back, as its tool's reader does (networkx's)."""
    if fmt == "json":
        graph: nx.MultiDiGraph = nx.node_link_graph(json.loads(text), directed=True, multigraph=True, edges="edges")
        return graph
    data = io.BytesIO(text.encode("utf-8"))
    if fmt == "gexf":
        # the edge's GEXF id is its key (network_text); networkx reads a file without parallel edges as
        # a DiGraph, the id among the attributes
        read = nx.read_gexf(data, node_type=str, relabel=False)
        multi = nx.MultiDiGraph(**read.graph)
        multi.add_nodes_from(read.nodes(data=True))
        edges = (read.edges(keys=True, data=True) if read.is_multigraph()
                 else ((u, v, None, d) for u, v, d in read.edges(data=True)))
        for u, v, key, attrs in edges:
            attrs = dict(attrs)
            multi.add_edge(u, v, key=attrs.pop("id", key), **attrs)
        return multi
    return nx.read_graphml(data, node_type=str, force_multigraph=True)  # type: ignore[no-any-return]


def attribute_names(graph: nx.MultiDiGraph) -> Iterable[str]:
    """Every node and edge attribute name the network uses (for a listing)."""
    names = {k for _, a in graph.nodes(data=True) for k in a} | {k for _, _, a in graph.edges(data=True) for k in a}
    return sorted(names)
