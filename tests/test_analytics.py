"""Tie score, centrality, communities and mission counts on small hand-made graphs."""

from __future__ import annotations

import networkx as nx
import pytest

from kg.network import analytics

CHN, RUS = analytics.ANCHORS


def make(*edges: tuple, nodes: tuple[str, ...] = ()) -> nx.MultiDiGraph:
    """Edges as (u, v, kind, modality[, broken])."""
    g = nx.MultiDiGraph()
    g.add_nodes_from(nodes)
    for i, (u, v, kind, modality, *rest) in enumerate(edges):
        g.add_edge(u, v, key=f"e{i}", kind=kind, modality=modality, broken=bool(rest and rest[0]))
    return g


CASES = [
    pytest.param(make((CHN, RUS, "partnership", "reported")), {CHN: 1.0, RUS: 1.0}, id="anchors"),
    pytest.param(make(("X", "Y", "covers", "reported"), nodes=("Z",)), {"X": None, "Y": None, "Z": None},
                 id="no-weighted-tie"),
    # X: partnership to China (3) and a closed mission (1): 3 / 4.  U: only a cut tie.
    pytest.param(make(("X", CHN, "partnership", "reported"), ("X", "U", "mission-closed", "reported")),
                 {"X": 0.75, "U": 0.0}, id="direct-and-cut"),
    # X: a strategy shift towards China (2) and a summit with Y (2); direct(X) = 0.5, direct(Y) = 0.
    # score(X) = (2 * 1 + 2 * 0) / 4; score(Y) = 2 * direct(X) / 2.
    pytest.param(make(("X", CHN, "strategy", "reported"), ("X", "Y", "summit", "reported")),
                 {"X": 0.5, "Y": 0.5}, id="two-hops"),
    # X: a claim to Russia (1 * 0.5) and sanctions on Z (2): 0.5 / 2.5.
    pytest.param(make(("X", RUS, "claim", "claimed"), ("X", "Z", "sanctions-imposes", "reported")),
                 {"X": 0.2, "Z": 0.0}, id="claim-and-sanctions"),
    pytest.param(make(("X", CHN, "summit", "reported", True)), {"X": 0.0}, id="collapsed-summit"),
    # X: predicted priority to China (2 * 0.5 = 1) and an open mission to W (1): 1 / 2; W: 1 * 0.5 / 1.
    pytest.param(make(("X", CHN, "strategy", "predicted"), ("X", "W", "mission-open", "reported")),
                 {"X": 0.5, "W": 0.5}, id="predicted-and-open"),
    # X: an estimated strategy shift towards Russia (2 * 0.75) and an uncertain mission (1): 1.5 / 2.5.
    pytest.param(make(("X", RUS, "strategy", "estimated"), ("X", "V", "mission-uncertain", "reported")),
                 {"X": 0.6, "V": 0.0}, id="estimated-and-announced"),
]


@pytest.mark.parametrize(("graph", "expected"), CASES)
def test_tie_scores(graph: nx.MultiDiGraph, expected: dict) -> None:
    scores = analytics.tie_scores(graph)
    for node, value in expected.items():
        assert scores[node] == (pytest.approx(value) if value is not None else None), node


def test_scores_stay_in_range_and_are_deterministic() -> None:
    g = make(("A", CHN, "partnership", "reported"), ("A", "B", "summit", "reported"),
             ("B", "C", "mission-open", "reported"), ("C", RUS, "claim", "claimed"),
             ("D", "A", "sanctions-targets", "reported"))
    first = analytics.tie_scores(g)
    assert first == analytics.tie_scores(g)
    assert all(v is None or 0.0 <= v <= 1.0 for v in first.values())


def test_centrality_of_a_star() -> None:
    g = make(*[("H", leaf, "mission-open", "reported") for leaf in "abcd"], ("H", "a", "summit", "reported"))
    c = analytics.centrality(g)
    assert c["H"]["degree"] == 4 and c["H"]["size"] == 1.0 and c["H"]["betweenness"] == 1.0
    assert c["a"]["degree_centrality"] == 0.25 and c["a"]["betweenness"] == 0.0


def test_communities_two_triangles() -> None:
    tri = [("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z"), ("c", "x")]
    g = make(*[(u, v, "partnership", "reported") for u, v in tri])
    assert analytics.communities(g) == [["a", "b", "c"], ["x", "y", "z"]]


def test_mission_counts_before_and_after() -> None:
    g = make(("S", "A", "mission-closed", "reported"), ("S", "B", "mission-uncertain", "reported"),
             ("S", "C", "mission-open", "reported"), ("S", "D", "mission-open", "reported"),
             ("S", "E", "summit", "reported"), ("S", "F", "mission-closed", "reported"),
             ("S", "G", "mission-closed", "reported"))
    dates = {"e0": ("2024-01-30", ""), "e1": ("2023-11", ""), "e2": ("", "1974"), "e3": ("", "2023-07"),
             "e5": ("1995", "1979"), "e6": ("", "")}
    for key, (closed_on, opened_on) in dates.items():
        u, v = next((a, b) for a, b, k in g.edges(keys=True) if k == key)
        g.edges[u, v, key].update(closed_on=closed_on, opened_on=opened_on)
    assert analytics.mission_counts(g) == [{
        "sender": "S", "recorded": 6, "before": 4, "after": 2, "closed": 2, "uncertain": 1,
        "closed_earlier": 1, "opened": 1, "since": 2023}]
