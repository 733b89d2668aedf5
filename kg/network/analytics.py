"""Analytics on the explorer network (a networkx MultiDiGraph from :mod:`kg.network.graph`).

Tie score towards the anchors A (China and Russia)
--------------------------------------------------
A score of the network's recorded ties, *not* agreement in the UN General Assembly (which the word
"alignment" names everywhere else: ``diplokg alignment``, the world view).

Every edge e is a tie between its two ends, whichever way it points. Its weight is

    w(e) = k(kind) * m(modality)

with k = 3 partnership, 2 summit, 2 strategy shift or priority partner, 2 sanctions (imposes or
targets), 1 mission (open, uncertain or closed), 1 claim, 0 covers (a covering arrangement
is the sender's paperwork, not a tie between the two hosts), and m = 1 reported, 0.75 estimated,
0.5 claimed, 0.5 predicted.
A tie is *positive* (it draws the two ends together) unless it is a closed or uncertain
mission, a sanction, or a summit/partnership whose collapse the graph records (``broken``).

For a node s with ties E(s) and W(s) = sum of w(e) over E(s):

    direct(s) = sum over positive e in E(s) whose other end is in A of w(e), divided by W(s)
    score(s)  = sum over positive e in E(s) of w(e) * v(other end of e), divided by W(s)

where v(t) = 1 for an anchor and v(t) = direct(t) otherwise: a tie to China or Russia counts fully,
a tie to a state counts as much as that state is itself tied to them, and cut ties, sanctions and
collapsed summits count against (they weigh in W(s) but add nothing above it). The anchors score 1.0;
a node with no weighted tie scores ``None``. Every score lies in [0, 1] and is rounded to 3 places.

Also here: degree and betweenness centrality (normalised, on the undirected simple graph),
communities (networkx greedy modularity, deterministic), and each sending state's missions before
and after its closures (:func:`mission_counts`).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any

import networkx as nx

ANCHORS: tuple[str, ...] = (
    "https://w3id.org/diplokg/id/iso3166/CHN",
    "https://w3id.org/diplokg/id/iso3166/RUS",
)
KIND_WEIGHTS: dict[str, float] = {
    "partnership": 3.0, "summit": 2.0, "strategy": 2.0,
    "sanctions-imposes": 2.0, "sanctions-targets": 2.0,
    "mission-open": 1.0, "mission-uncertain": 1.0, "mission-closed": 1.0,
    "claim": 1.0, "covers": 0.0,
}
MODALITY_WEIGHTS: dict[str, float] = {"reported": 1.0, "estimated": 0.75, "claimed": 0.5, "predicted": 0.5}
NEGATIVE_KINDS = frozenset({"mission-closed", "mission-uncertain", "sanctions-imposes", "sanctions-targets"})
MISSION_KINDS = ("mission-open", "mission-uncertain", "mission-closed")


def tie_weight(attrs: dict[str, Any]) -> float:
    """w(e) = k(kind) * m(modality); unknown kinds weigh 1, unknown modalities 0.5."""
    return KIND_WEIGHTS.get(str(attrs.get("kind")), 1.0) * MODALITY_WEIGHTS.get(str(attrs.get("modality")), 0.5)


def is_positive(attrs: dict[str, Any]) -> bool:
    """Whether a tie draws its ends together (not cut, not a sanction, not a collapsed summit)."""
    return str(attrs.get("kind")) not in NEGATIVE_KINDS and not attrs.get("broken")


def _ties(graph: nx.MultiDiGraph) -> dict[Any, list[tuple[Any, float, bool]]]:
    ties: dict[Any, list[tuple[Any, float, bool]]] = defaultdict(list)
    for u, v, attrs in graph.edges(data=True):
        if u == v:
            continue
        w = tie_weight(attrs)
        if w <= 0:
            continue
        positive = is_positive(attrs)
        ties[u].append((v, w, positive))
        ties[v].append((u, w, positive))
    return ties


def tie_scores(graph: nx.MultiDiGraph, anchors: tuple[str, ...] = ANCHORS) -> dict[Any, float | None]:
    """The tie score of every node towards the anchors (see the module docstring).

    Args:
        graph: The network.
        anchors: The nodes that score 1.0.

    Returns:
        ``{node: score}`` with a float in [0, 1], or ``None`` for a node with no weighted tie.
    """
    anchor_set = set(anchors)
    ties = _ties(graph)
    direct: dict[Any, float] = {}
    for node, items in ties.items():
        total = sum(w for _, w, _ in items)
        direct[node] = sum(w for t, w, p in items if p and t in anchor_set) / total
    scores: dict[Any, float | None] = {}
    for node in graph.nodes:
        if node in anchor_set:
            scores[node] = 1.0
            continue
        items = ties.get(node, [])
        total = sum(w for _, w, _ in items)
        if total <= 0:
            scores[node] = None
            continue
        pull = sum(w * (1.0 if t in anchor_set else direct.get(t, 0.0)) for t, w, p in items if p)
        scores[node] = round(min(1.0, max(0.0, pull / total)), 3)
    return scores


def simple_graph(graph: nx.MultiDiGraph) -> nx.Graph:
    """The undirected simple view (one edge per pair, no self-loops), built in sorted order."""
    simple = nx.Graph()
    simple.add_nodes_from(sorted(graph.nodes, key=str))
    pairs = sorted({tuple(sorted((str(u), str(v)))) for u, v in graph.edges() if u != v})
    simple.add_edges_from(pairs)
    return simple


def centrality(graph: nx.MultiDiGraph) -> dict[Any, dict[str, float]]:
    """Degree and betweenness centrality of every node (networkx, normalised), and a drawing size.

    Returns:
        ``{node: {"degree": ties, "degree_centrality": ..., "betweenness": ..., "size": ...}}`` where
        ``degree`` counts distinct neighbours, both centralities are networkx's normalised ones and
        ``size`` is the degree centrality divided by the largest one (so the most connected node is 1).
    """
    simple = simple_graph(graph)
    degree = nx.degree_centrality(simple) if len(simple) > 1 else {n: 0.0 for n in simple}
    between = nx.betweenness_centrality(simple, normalized=True)
    top = max(degree.values(), default=0.0) or 1.0
    return {node: {"degree": float(simple.degree(node)), "degree_centrality": round(degree[node], 4),
                   "betweenness": round(between[node], 4), "size": round(degree[node] / top, 4)}
            for node in simple.nodes}


def communities(graph: nx.MultiDiGraph) -> list[list[Any]]:
    """Communities by greedy modularity on the undirected simple graph (deterministic).

    Returns:
        Lists of nodes, largest community first (ties by their first node); nodes sorted inside.
    """
    simple = simple_graph(graph)
    if simple.number_of_edges() == 0:
        return [[n] for n in sorted(simple.nodes, key=str)]
    found = nx.algorithms.community.greedy_modularity_communities(simple)
    groups = [sorted(c, key=str) for c in found]
    return sorted(groups, key=lambda c: (-len(c), str(c[0])))


def _year(date: str) -> int | None:
    match = re.match(r"^(-?\d{4})", date or "")
    return int(match.group(1)) if match else None


def mission_counts(graph: nx.MultiDiGraph, wave_years: int = 2) -> list[dict[str, Any]]:
    """Each sending state's recorded missions, before and after its closures.

    The closures are the sender's closed or uncertain missions whose closing is undated or
    dated within ``wave_years`` calendar years up to its latest dated closing (a mission closed long
    before, such as one shut in 1995, is ``closed_earlier`` and counts neither before nor after).
    *Before* counts the missions open just before the closures: those closed in them, and the open
    ones not opened during them. *After* counts the open missions (``opened`` counts those opened
    during the closures).

    Returns:
        One dict per sender (sorted by IRI): sender, recorded, before, after, closed,
        uncertain, closed_earlier, opened, since (the first year of the closures, or None).
    """
    by_sender: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for u, _v, attrs in graph.edges(data=True):
        if attrs.get("kind") in MISSION_KINDS:
            by_sender[u].append(attrs)
    out = []
    for sender in sorted(by_sender, key=str):
        missions = by_sender[sender]
        closing_years = [y for a in missions if a["kind"] != "mission-open"
                         and (y := _year(str(a.get("closed_on") or ""))) is not None]
        since = max(closing_years) - wave_years + 1 if closing_years else None
        c: Counter[str] = Counter()
        for attrs in missions:
            kind = attrs["kind"]
            if kind == "mission-open":
                opened = _year(str(attrs.get("opened_on") or ""))
                new = since is not None and opened is not None and opened >= since
                c["opened" if new else "open_before"] += 1
                continue
            closed = _year(str(attrs.get("closed_on") or ""))
            if closed is not None and since is not None and closed < since:
                c["closed_earlier"] += 1
            else:
                c["closed" if kind == "mission-closed" else "uncertain"] += 1
        out.append({"sender": sender, "recorded": len(missions),
                    "before": c["closed"] + c["uncertain"] + c["open_before"],
                    "after": c["open_before"] + c["opened"], "closed": c["closed"],
                    "uncertain": c["uncertain"], "closed_earlier": c["closed_earlier"],
                    "opened": c["opened"], "since": since})
    return out
