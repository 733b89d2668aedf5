"""The network view's layout keeps every node off the edges that do not end at it (issue 25: the
DPRK-Russia edge ran through Nicaragua's node, which reads as a tie Nicaragua does not have)."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import pytest

from kg.network.graph import explorer_graph
from kg.network.layout import CLEARANCE, _segment_gaps, clear_edges, layout_positions


def _crossings(graph: nx.MultiDiGraph, positions: dict[Any, tuple[float, float]]) -> list[tuple[str, str, str]]:
    order = sorted(graph.nodes, key=str)
    index = {n: i for i, n in enumerate(order)}
    xy = np.array([positions[n] for n in order], dtype=np.float64)
    pairs = np.array(sorted({(min(index[u], index[v]), max(index[u], index[v])) for u, v in graph.edges() if u != v}))
    dist, _, t, touching = _segment_gaps(xy, pairs)
    close = (dist < CLEARANCE - 0.5) & ~touching & (t > 0) & (t < 1)
    return [(str(order[i]), str(order[pairs[j][0]]), str(order[pairs[j][1]])) for i, j in zip(*np.nonzero(close))]


def test_no_node_sits_on_an_edge_it_does_not_touch_in_the_dossier(built: Any) -> None:
    graph = explorer_graph(built.graph)
    positions = layout_positions(graph)
    assert _crossings(graph, positions) == []
    assert positions == layout_positions(graph)                       # still deterministic


def test_a_node_on_a_line_steps_off_it() -> None:
    xy = np.array([[0.0, 0.0], [200.0, 0.0], [100.0, 0.0], [100.0, 300.0]])
    moved = clear_edges(xy, np.array([[0, 1], [2, 3]]))
    dist = _segment_gaps(moved, np.array([[0, 1], [2, 3]]))[0]
    assert dist[2, 0] >= CLEARANCE - 1e-6                              # node 2 is off the line 0-1
    assert abs(moved[2, 0] - 100.0) < 1e-6 and moved[0, 1] == pytest.approx(0.0, abs=CLEARANCE)


def test_without_the_pass_the_dossier_has_a_node_on_a_line(built: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test above can fail: the force layout alone leaves a node on someone else's line."""
    import kg.network.layout as layout

    graph = explorer_graph(built.graph)
    monkeypatch.setattr(layout, "clear_edges", lambda xy, pairs, *a, **k: xy)
    assert _crossings(graph, layout.layout_positions(graph)) != []
