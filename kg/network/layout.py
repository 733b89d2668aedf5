"""A deterministic force-directed layout for the explorer page, in NumPy.

The page sends fixed x/y positions with physics off, so a large network is interactive at once
(see :mod:`kg.network.page`); the same graph always gets the same positions.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

__all__ = ["layout_positions"]


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
    return {node: (round(float(x[i]) * scale, 1), round(float(y[i]) * scale, 1))
            for i, node in enumerate(order)}
