"""The explorer's network: a networkx graph derived from the built knowledge graph by SPARQL.

Nothing here names a state. Every node and edge comes from the queries in ``kg/network/rules/``
(one question per ``.rq`` file), run over the built graph (asserted and inferred, as one union):

* ``missions.rq``: each diplomatic mission gives an edge sender -> host, with its status as of the
  graph's date (:func:`kg.network.status.status_as_of` on the events ``mission-events.rq`` gives, those of
  another name for the same mission included): kind ``mission-closed`` when closed,
  ``mission-uncertain`` when uncertain, ``mission-open`` when open; the edge also carries
  ``status``, ``status_reason`` and ``status_timeline`` (the status from each day it changes);
* ``ties.rq``: each partnership (``diplo:party``) and summit (``diplo:participant``) ties every pair of
  its parties (kind ``partnership`` / ``summit``); a person stands for a state only through
  ``diplo:leaderOf``; a summit whose collapse is recorded is marked ``broken``;
* ``sanctions.rq``: imposer -> target, ``sanctions-imposes`` for a regime, ``sanctions-targets`` for
  each of its resolutions;
* ``claims.rq``: any other claimed fact, supplier (or actor) -> recipient / target / participant /
  what it concerns, kind ``claim``;
* ``alignment.rq``: strategy shifts and diplomatic priorities, actor -> state, kind ``strategy``,
  with the modality the source gives (a reported pivot, predicted priorities);
* ``covers.rq``: the host of a covering mission -> the host of the closed mission it covers
  (``diplo:coveredBy``), kind ``covers``.

Nodes are the ends of those edges that are states, territories, organisations, regions or persons
(``endpoints.rq``); their facts come from ``node-facts.rq``. Every edge and node carries its facts and
the evidence (sentence or table row, source title, modality) from ``evidence.rq``. :func:`explorer_graph`
adds the analytics (:mod:`kg.network.analytics`) the page draws: tie score, centrality, focus, title, caption.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import networkx as nx
from rdflib.term import Node

from kg.network import analytics
from kg.network.status import EVENT_KINDS, StatusEvent, high, status_as_of, status_timeline
from kg.query.engine import BuiltGraph
from kg.query.entities import initials
from kg.query.verdicts import vet_kept

QUERY_DIR = Path(__file__).resolve().parent / "rules"
NODE_KINDS = {1: "state", 2: "territory", 3: "organisation", 4: "region", 5: "person"}
#: Which modality a many-fact edge shows when its facts differ: the first in this order.
MODALITY_ORDER = ("reported", "estimated", "claimed", "predicted")
#: The edge kind of a mission by its status (the page draws each kind its own way).
MISSION_KINDS = {"open": "mission-open", "uncertain": "mission-uncertain", "closed": "mission-closed"}


@dataclass
class FactInfo:
    """What the page shows of one fact (or mission): label, date, modality and evidence."""

    label: str = ""
    date: str = ""
    modality: str = ""
    evidence: list[dict[str, str]] = field(default_factory=list)

    def line(self, fallback: str) -> str:
        """The fact as one line: its label, and its date when it has one."""
        text = self.label or fallback
        return f"{text} ({self.date})" if self.date else text


def _s(term: Node | None) -> str:
    return "" if term is None else str(term)


def modality_name(term: Node | str | None) -> str:
    """``diplo:Reported`` -> ``"reported"`` (the local name, lower case)."""
    text = _s(term)  # type: ignore[arg-type]
    return re.split(r"[#/]", text)[-1].lower() if text else ""


def run_query(built: BuiltGraph, name: str) -> list[dict[str, Node | None]]:
    """Run ``kg/network/rules/NAME.rq`` over the built graph and return its rows as records."""
    path = QUERY_DIR / f"{name}.rq"
    query = vet_kept(built, path.read_text(encoding="utf-8"), str(path))
    return built.run(query).records()


def _facts(built: BuiltGraph) -> dict[str, FactInfo]:
    facts: dict[str, FactInfo] = {}
    seen: set[tuple[str, str, str]] = set()
    for row in run_query(built, "evidence"):
        iri = _s(row["fact"])
        info = facts.setdefault(iri, FactInfo())
        info.label = info.label or _s(row["label"])
        info.date = info.date or _s(row["date"])
        info.modality = info.modality or modality_name(row["modality"])
        source = _s(row["source"])
        if row["address"] is not None:
            source = f"{source} ({row['address']})" if source else _s(row["address"])
        if (iri, _s(row["text"]), source) not in seen:
            seen.add((iri, _s(row["text"]), source))
            info.evidence.append({"sentence": _s(row["text"]), "source": source, "modality": info.modality,
                                  "title": _s(row["source"])})
    for info in facts.values():
        for item in info.evidence:
            item["modality"] = info.modality
    return facts


def _strongest(modalities: list[str]) -> str:
    present = [m for m in modalities if m]
    for name in MODALITY_ORDER:
        if name in present:
            return name
    return sorted(present)[0] if present else "reported"


class _Edges:
    """Collects edges with their facts, then writes them into a MultiDiGraph."""

    def __init__(self, facts: dict[str, FactInfo]) -> None:
        self.facts = facts
        self.items: dict[str, dict[str, Any]] = {}

    def add(self, u: str, v: str, kind: str, fact_iris: list[str], modality: str, label: str,
            **extra: Any) -> None:
        key = f"{kind}|{fact_iris[0]}|{u}|{v}"
        self.items[key] = {"u": u, "v": v, "kind": kind, "modality": modality, "label": label,
                           "fact_iris": fact_iris, **extra}

    def evidence(self, fact_iris: list[str], modality: str) -> tuple[list[str], list[dict[str, str]]]:
        lines, evidence, seen = [], [], set()
        for iri in fact_iris:
            info = self.facts.get(iri, FactInfo())
            lines.append(info.line(iri))
            for item in info.evidence:
                if (item["sentence"], item["source"]) not in seen:
                    seen.add((item["sentence"], item["source"]))
                    evidence.append({**item, "modality": item["modality"] or modality})
        return lines, evidence


@dataclass
class _Event:
    iri: str
    named: str
    event: StatusEvent
    modality: str


def date_key(text: str) -> tuple[int, ...]:
    """A sortable key for an ``xsd:date``/``gYearMonth``/``gYear`` text (the end of an ``A/B`` interval)."""
    return tuple(int(p) for p in re.findall(r"\d+", text.split("/")[-1])[:3])


def mission_events(built: BuiltGraph) -> dict[str, list[_Event]]:
    """Each mission's dated events (``mission-events.rq``), those of its other names included."""
    events: dict[str, list[_Event]] = defaultdict(list)
    for row in run_query(built, "mission-events"):
        kind = _s(row["kind"])
        if kind not in EVENT_KINDS:
            continue
        event = StatusEvent(kind, _s(row["date"]), _s(row["bound"]) == "1", _s(row["source"]))  # type: ignore[arg-type]
        events[_s(row["mission"])].append(_Event(_s(row["event"]), _s(row["named"]), event,
                                                 modality_name(row["modality"])))
    return events


def _mission_edges(built: BuiltGraph, edges: _Edges, day: str) -> None:
    events = mission_events(built)
    for row in run_query(built, "missions"):
        mission = _s(row["mission"])
        every = events.get(mission, [])
        status = status_as_of([e.event for e in every], day)
        own = [e for e in every if e.named == mission and e.event.kind != "listed"]
        closures = [e.event for e in every if e.event.kind == "closure"]
        closing = min(closures, key=lambda e: (high(e.date), e.bound, e.date)).date if closures else ""
        opened = [e.event.date for e in every if e.event.kind == "opening"]
        deciding = [e.modality for e in own if e.event.kind in ("closure", "announcement")] or [e.modality for e in own]
        label = _s(row["label"]) or mission
        edges.add(_s(row["sender"]), _s(row["host"]), MISSION_KINDS[status.status], [*(e.iri for e in own), mission],
                  _strongest(deciding), f"{label}: {status.status} ({status.reason})", mission=mission,
                  status=status.status, status_reason=status.reason,
                  status_timeline=[[since, s.status, s.reason] for since, s in status_timeline(e.event for e in every)],
                  closed_on=closing if status.status != "open" else "",
                  opened_on=max(opened, key=date_key, default=""))


def _tie_edges(built: BuiltGraph, edges: _Edges) -> None:
    parties: dict[tuple[str, str, str, bool], list[str]] = defaultdict(list)
    for row in run_query(built, "ties"):
        key = (_s(row["fact"]), _s(row["kind"]), modality_name(row["modality"]), _s(row["collapsed"]) == "true")
        parties[key].append(_s(row["party"]))
    for (fact, kind, modality, collapsed), members in sorted(parties.items()):
        label = edges.facts.get(fact, FactInfo()).label or fact
        for a, b in combinations(sorted(set(members)), 2):
            edges.add(a, b, kind, [fact], modality, f"{label} (collapsed)" if collapsed else label,
                      broken=collapsed)


def _simple_edges(built: BuiltGraph, edges: _Edges, query: str, kind: str | None,
                  ends: tuple[str, str]) -> None:
    for row in run_query(built, query):
        fact = _s(row["fact"])
        info = edges.facts.get(fact, FactInfo())
        modality = modality_name(row.get("modality")) or info.modality or "claimed"
        edges.add(_s(row[ends[0]]), _s(row[ends[1]]), kind or _s(row["kind"]), [fact], modality,
                  info.label or fact)


def _cover_edges(built: BuiltGraph, edges: _Edges, labels: dict[str, str]) -> None:
    for row in run_query(built, "covers"):
        closure, cover = _s(row["closure"]), _s(row["cover"])
        cover_label = edges.facts.get(cover, FactInfo()).label or labels.get(_s(row["coverHost"]), cover)
        host_label = labels.get(_s(row["host"]), _s(row["host"]))
        edges.add(_s(row["coverHost"]), _s(row["host"]), "covers", [closure, cover],
                  modality_name(row["modality"]), f"{cover_label} covers {host_label} after the closure")


def network_graph(built: BuiltGraph) -> nx.MultiDiGraph:
    """The network of the built graph: nodes and edges derived by the rules above, with evidence.

    Args:
        built: The built knowledge graph.

    Returns:
        A MultiDiGraph whose nodes are IRIs (attributes label, kind, facts, evidence) and whose edges
        have unique keys (attributes kind, modality, label, facts, evidence, fact_iris, and for
        missions ``mission``, ``status`` and ``status_reason`` (as of the graph's date),
        ``status_timeline`` (``[first day or "", status, reason]`` from each day it changes), ``closed_on``
        (the date of the closure that ends earliest, when not open) and ``opened_on`` (dates, or ""), for
        ties ``broken``).
    """
    facts = _facts(built)
    endpoints = {_s(r["node"]): (NODE_KINDS.get(int(_s(r["rank"]) or 0), "other"), _s(r["label"]))
                 for r in run_query(built, "endpoints")}
    labels = {iri: label for iri, (_, label) in endpoints.items()}
    edges = _Edges(facts)
    day = as_of(built)
    # The missions' status as of the graph's date (its last day, at the date's precision); with no
    # date at all, as of the end of time.
    _mission_edges(built, edges, day[:10] if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", day[:10]) else "9999")
    _tie_edges(built, edges)
    _simple_edges(built, edges, "sanctions", None, ("imposer", "target"))
    _simple_edges(built, edges, "claims", "claim", ("from", "to"))
    _simple_edges(built, edges, "alignment", "strategy", ("from", "to"))
    _cover_edges(built, edges, labels)

    graph = nx.MultiDiGraph()
    for key in sorted(edges.items):
        item = edges.items[key]
        if item["u"] not in endpoints or item["v"] not in endpoints:
            continue
        for end in (item["u"], item["v"]):
            if end not in graph:
                kind, label = endpoints[end]
                graph.add_node(end, label=label or end, kind=kind, facts=[], evidence=[])
        lines, evidence = edges.evidence(item["fact_iris"], item["modality"])
        attrs = {k: v for k, v in item.items() if k not in ("u", "v")}
        graph.add_edge(item["u"], item["v"], key=key, facts=lines, evidence=evidence, **attrs)
    node_facts: dict[str, list[str]] = defaultdict(list)
    for row in run_query(built, "node-facts"):
        node_facts[_s(row["node"])].append(_s(row["fact"]))
    for node, attrs in graph.nodes(data=True):
        attrs["facts"], attrs["evidence"] = edges.evidence(sorted(set(node_facts.get(node, []))), "")
    graph.graph["as_of"] = day
    return graph


def as_of(built: BuiltGraph) -> str:
    """The latest date a fact or a source carries, as written (``""`` when there is none)."""
    dates = [_s(r["date"]) for r in run_query(built, "dates")]
    dates = [d for d in dates if re.match(r"^-?\d{4}", d)]
    return max(dates, key=lambda d: (date_key(d), d)) if dates else ""


#: The named graphs of the sources start with this.
SOURCE_GRAPH_PREFIX = "https://w3id.org/diplokg/graph/source/"


def pick_focus(graph: nx.MultiDiGraph) -> str | None:
    """The state with the most edges (ties broken by IRI): the network is about it."""
    states = [n for n, k in graph.nodes(data="kind") if k == "state"] or list(graph.nodes)
    return min(states, key=lambda n: (-graph.degree(n), str(n))) if states else None


def explorer_graph(built: BuiltGraph, anchors: tuple[str, ...] = analytics.ANCHORS) -> nx.MultiDiGraph:
    """The network with what the page draws: tie score, centrality, focus, title, caption and as-of date.

    Args:
        built: The built knowledge graph.
        anchors: The IRIs that anchor the tie score at 1.0 (China and Russia by default).
    """
    graph = network_graph(built)
    scores = analytics.tie_scores(graph, anchors)
    central = analytics.centrality(graph)
    focus = pick_focus(graph)
    for node, attrs in graph.nodes(data=True):
        attrs["tie_score"] = scores.get(node)
        attrs["centrality"] = central[node]["size"] if node in central else 0.0
        attrs["focus"] = node == focus
    focus_label = graph.nodes[focus]["label"] if focus is not None else "the"
    anchor_labels = " and ".join(graph.nodes[a]["label"] for a in anchors if a in graph) or "the anchors"
    aliases: dict[str, list[str]] = {}
    for row in run_query(built, "aliases"):
        aliases.setdefault(_s(row["node"]), []).append(_s(row["alias"]))
    for node, attrs in graph.nodes(data=True):
        names = [*aliases.get(str(node), []), attrs.get("label") or ""]
        attrs["aliases"] = sorted(set(aliases.get(str(node), [])) | {a for n in names for a in initials(n)})
    # The sources loaded (each is a named graph of its own), not only those cited by a drawn relation.
    sources = [g for g in built.graph_names() if str(g).startswith(SOURCE_GRAPH_PREFIX)]
    graph.graph["title"] = f"{focus_label}’s diplomatic network and its ties to {anchor_labels}"
    graph.graph["caption"] = (
        f"Missions (open, uncertain, closed), partnerships and summits, sanctions, claims, covering "
        f"missions and strategy shifts, as the {len(sources)} source{'' if len(sources) == 1 else 's'} loaded "
        f"record{'s' if len(sources) == 1 else ''} them. Colour: tie score towards "
        f"{anchor_labels} (anchors = 1.0); size: degree centrality; {focus_label} is highlighted."
    )
    return graph
