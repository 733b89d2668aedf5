"""A deterministic force-directed layout for the explorer page, in NumPy.

The page sends fixed x/y positions with physics off, so a large network is interactive at once
(see :mod:`kg.network.page`); the same graph always gets the same positions.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

__all__ = ["CLEARANCE", "clear_edges", "layout_positions"]

#: How far (canvas units) a node is kept from an edge that does not end at it: a node's radius
#: (up to 40 with its halo) and a little more, so that no line seems to run into a node it does
#: not touch (issue 25: the DPRK-Russia edge ran through Nicaragua's node).
CLEARANCE = 46.0


def layout_positions(graph: nx.MultiDiGraph, seed: int = 7,
                     iterations: int | None = None) -> dict[str, tuple[float, float]]:
    """Deterministic force-directed layout (Fruchterman-Reingold) in canvas units.

    Runs on the undirected simple view of *graph* with NumPy (no SciPy needed),
    repulsion computed blockwise in float32 (O(n^2) per iteration, about 1 s
    for 2,000 nodes).  Returns ``{node: (x, y)}`` rounded to 0.1.
    """
    order = sorted(graph.nodes, key=str)
    n = len(order)
    if n == 0:
        return {}
    if n == 1:
        return {order[0]: (0.0, 0.0)}
    index = {node: i for i, node in enumerate(order)}
    pairs = sorted({(min(index[u], index[v]), max(index[u], index[v]))
                    for u, v in graph.edges() if u != v})
    src = np.array([p[0] for p in pairs], dtype=np.intp)
    dst = np.array([p[1] for p in pairs], dtype=np.intp)
    if iterations is None:
        iterations = 200 if n <= 300 else 100 if n <= 1000 else 50
    rng = np.random.default_rng(seed)
    start = rng.random((n, 2)).astype(np.float32)
    x, y = start[:, 0].copy(), start[:, 1].copy()
    k = np.float32(1.0 / math.sqrt(n))
    k2 = np.float32(k * k)
    temperature, cooling = 0.1, 0.1 / (iterations + 1)
    block = min(n, 1024)
    bx = np.empty((block, n), np.float32)
    by = np.empty((block, n), np.float32)
    for _ in range(iterations):
        dx = np.empty(n, np.float32)
        dy = np.empty(n, np.float32)
        for s in range(0, n, block):
            b = min(block, n - s)
            inv, ey = bx[:b], by[:b]
            np.subtract(x[s:s + b, None], x[None, :], out=inv)
            np.subtract(y[s:s + b, None], y[None, :], out=ey)
            np.multiply(inv, inv, out=inv)
            np.multiply(ey, ey, out=ey)
            inv += ey
            np.maximum(inv, np.float32(1e-6), out=inv)
            np.divide(k2, inv, out=inv)          # k^2 / d^2: repulsion per unit offset
            rows = inv.sum(axis=1)
            dx[s:s + b] = x[s:s + b] * rows - inv @ x
            dy[s:s + b] = y[s:s + b] * rows - inv @ y
        if len(pairs):
            ax, ay = x[src] - x[dst], y[src] - y[dst]
            pull = np.sqrt(ax * ax + ay * ay) / k
            fx, fy = ax * pull, ay * pull
            dx += (np.bincount(dst, fx, n) - np.bincount(src, fx, n)).astype(np.float32)
            dy += (np.bincount(dst, fy, n) - np.bincount(src, fy, n)).astype(np.float32)
        dx -= (x - x.mean()) * np.float32(0.05 * n * k)   # weak gravity keeps islands near
        dy -= (y - y.mean()) * np.float32(0.05 * n * k)
        length = np.maximum(np.sqrt(dx * dx + dy * dy), np.float32(1e-9))
        step = np.minimum(length, np.float32(temperature)) / length
        x += dx * step
        y += dy * step
        temperature -= cooling
    x -= x.mean()
    y -= y.mean()
    scale = 190.0 * math.sqrt(n) / max(float(np.abs(x).max()), float(np.abs(y).max()), 1e-9) / 2
    xy = np.column_stack((x, y)).astype(np.float64) * scale
    if len(pairs) and n * len(pairs) <= 250_000:   # a dossier's network; in a dense one every node is on some line
        xy = clear_edges(xy, np.array(pairs, dtype=np.intp))
    return {node: (round(float(xy[i, 0]), 1), round(float(xy[i, 1]), 1)) for i, node in enumerate(order)}


def _segment_gaps(xy: np.ndarray, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For every node and every edge: the distance from the node to the edge's segment, the offset
    from the nearest point of the segment to the node, and where along the segment that point is."""
    a, b = xy[pairs[:, 0]], xy[pairs[:, 1]]
    d = b - a
    length2 = np.maximum((d * d).sum(axis=1), 1e-9)
    rel = xy[:, None, :] - a[None, :, :]
    t = np.clip((rel * d[None, :, :]).sum(axis=2) / length2[None, :], 0.0, 1.0)
    offset = rel - t[:, :, None] * d[None, :, :]
    dist = np.sqrt((offset * offset).sum(axis=2))
    touching = (pairs[None, :, 0] == np.arange(len(xy))[:, None]) | (pairs[None, :, 1] == np.arange(len(xy))[:, None])
    return dist, offset, t, touching


def clear_edges(xy: np.ndarray, pairs: np.ndarray, clearance: float = CLEARANCE, rounds: int = 80) -> np.ndarray:
    """Move nodes off the edges that do not end at them: each round, a node closer than *clearance*
    to such an edge steps straight away from it (by the shortfall), nodes closer than *clearance* to
    each other step apart; a fixed number of rounds in a fixed order (deterministic).

    Args:
        xy: ``(n, 2)`` node positions in canvas units.
        pairs: ``(m, 2)`` node indexes of the edges (one per pair, no self-loop).

    Returns:
        The new positions (a copy).
    """
    xy = xy.astype(np.float64).copy()
    n = len(xy)
    for _ in range(rounds):
        dist, offset, t, touching = _segment_gaps(xy, pairs)
        close = (dist < clearance) & ~touching & (t > 0.0) & (t < 1.0)
        gap = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
        np.fill_diagonal(gap, np.inf)
        crowded = gap < clearance
        if not close.any() and not crowded.any():
            break
        move = np.zeros_like(xy)
        if close.any():
            # a node on the line itself steps along the line's normal, to a side fixed by its index
            along = xy[pairs[:, 1]] - xy[pairs[:, 0]]
            normal = np.stack((-along[:, 1], along[:, 0]), axis=1)
            normal /= np.maximum(np.sqrt((normal * normal).sum(axis=1)), 1e-9)[:, None]
            side = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)[:, None, None] * normal[None, :, :]
            direction = np.where(dist[:, :, None] > 1e-6, offset / np.maximum(dist, 1e-9)[:, :, None], side)
            step = np.where(close, clearance - dist, 0.0)[:, :, None] * direction
            move += step.sum(axis=1)
        if crowded.any():
            delta = xy[:, None, :] - xy[None, :, :]
            share = np.zeros_like(gap)
            np.divide(clearance - gap, 2 * np.maximum(gap, 1e-9), out=share, where=crowded)
            push = share[:, :, None] * delta
            move += push.sum(axis=1)
        xy += np.clip(move, -clearance, clearance)
    return xy
