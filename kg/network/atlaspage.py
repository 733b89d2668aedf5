"""The explorer map's shapes as SVG paths, worked out here so that the page draws them as they are and
needs no geographic code of its own (no projection, no TopoJSON, no clipping in the browser).

Every path is made of numbers this module formats and the letters ``M``, ``m``, ``l`` and ``z``: nothing
from the atlas's data but its coordinates reaches the page (its names go as JSON strings, which the page
shows with ``textContent``). Coordinates are in the map's projected units (:func:`kg.network.atlas.project`),
rounded to a tenth of a unit (a pixel and a half at the map's largest zoom, the precision the page has
always drawn at); a point equal to the one before it, once rounded, is dropped, and so is a ring left
with fewer than three points.

The outlines are then simplified (Douglas-Peucker, :data:`TOLERANCE`) the way TopoJSON does it, so that
neighbours still meet exactly: each ring is cut at its junctions (a point where the rings that share it
part ways), and each piece of border is simplified once, in one direction, for both shapes that share it.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable
from typing import Any

import numpy as np

from kg.network.atlas import _countries, atlas, project

__all__ = ["GRATICULE_STEP", "TOLERANCE", "page_atlas", "simplify_shared", "svg_path"]

#: Tenths of a unit.
_GRID = 10
#: Degrees between two lines of the graticule (d3's ``geoGraticule10``).
GRATICULE_STEP = 10
#: Douglas-Peucker's tolerance, in tenths of a unit: 0.06 units, about 0.02 degrees at the equator
#: (the page's tolerance since it was first simplified), a pixel at the map's largest zoom.
TOLERANCE = 0.6

Point = tuple[int, int]


def _number(n: int) -> str:
    """A number of tenths as SVG text: 13 -> "1.3", -2 -> "-.2", 20 -> "2"."""
    whole, tenth = divmod(abs(n), _GRID)
    text = (str(whole) if whole else "") + (f".{tenth}" if tenth else "") or "0"
    return "-" + text if n < 0 else text


def _grid(line: np.ndarray, closed: bool) -> np.ndarray:
    """A line on the grid of tenths, without a point equal to the one before it (nor, closed, the
    first point repeated at its end)."""
    grid = np.round(np.asarray(line, dtype=np.float64) * _GRID).astype(np.int64)
    keep = np.ones(len(grid), dtype=bool)
    keep[1:] = (np.diff(grid, axis=0) != 0).any(axis=1)
    grid = grid[keep]
    if closed and len(grid) > 1 and (grid[0] == grid[-1]).all():
        grid = grid[:-1]
    return grid


def _douglas_peucker(points: list[Point], tolerance: float) -> list[Point]:
    """The points of a line that Douglas-Peucker keeps (its ends always)."""
    if len(points) < 3:
        return points
    xy = np.asarray(points, dtype=np.float64)
    keep = np.zeros(len(xy), dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, len(xy) - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        inner, p, d = xy[a + 1:b], xy[a], xy[b] - xy[a]
        length = float(np.hypot(d[0], d[1]))
        if length == 0.0:
            dist = np.hypot(inner[:, 0] - p[0], inner[:, 1] - p[1])
        else:
            dist = np.abs(d[0] * (inner[:, 1] - p[1]) - d[1] * (inner[:, 0] - p[0])) / length
        i = int(np.argmax(dist))
        if dist[i] > tolerance:
            keep[a + 1 + i] = True
            stack += [(a, a + 1 + i), (a + 1 + i, b)]
    return [points[i] for i in np.flatnonzero(keep)]


def simplify_shared(rings: list[list[Point]], tolerance: float) -> list[list[Point]]:
    """Closed rings simplified so that a border two rings share stays one line.

    A point is a junction where the rings through it do not all have the same two neighbours there (a
    border meets a third shape or the sea). Each ring is cut at its junctions (a ring without one,
    an island, at its smallest point), and each piece is simplified once, from its smaller end, with
    its ends kept.

    Args:
        rings: Rings of grid points (not repeating their first point).
        tolerance: In grid units.

    Returns:
        The rings simplified, in the same order.
    """
    neighbours: dict[Point, set[frozenset[Point]]] = {}
    for ring in rings:
        n = len(ring)
        for i, point in enumerate(ring):
            neighbours.setdefault(point, set()).add(frozenset((ring[i - 1], ring[(i + 1) % n])))
    junction = {point for point, seen in neighbours.items() if len(seen) > 1}
    done: dict[tuple[Point, ...], list[Point]] = {}
    out = []
    for ring in rings:
        cuts = [i for i, point in enumerate(ring) if point in junction]
        start = cuts[0] if cuts else min(range(len(ring)), key=ring.__getitem__)
        ring = ring[start:] + ring[:start]
        cuts = [i - start if i >= start else i - start + len(ring) for i in cuts] or [0]
        bounds = [*sorted(set(cuts)), len(ring)]
        closed = ring + ring[:1]
        simplified: list[Point] = []
        for a, b in itertools.pairwise(bounds):
            piece = tuple(closed[a:b + 1])
            key = min(piece, piece[::-1])
            if key not in done:
                done[key] = _douglas_peucker(list(key), tolerance)
            kept = done[key] if key == piece else done[key][::-1]
            simplified += kept[:-1]
        out.append(simplified)
    return out


def svg_path(lines: Iterable[np.ndarray], closed: bool = True) -> str:
    """SVG path data for projected rings (or open lines): the first point of each absolute, the others
    relative, in tenths of a unit.

    Args:
        lines: ``(n, 2)`` arrays of projected points.
        closed: Close each line (``z``) and drop those left with fewer than three points.

    Returns:
        The path's ``d`` attribute ("" when nothing is left).
    """
    out = []
    for line in lines:
        grid = _grid(line, closed)
        if len(grid) < (3 if closed else 2):
            continue
        steps = np.diff(grid, axis=0).ravel().tolist()
        text = f"M{_number(int(grid[0, 0]))},{_number(int(grid[0, 1]))}l" + ",".join(_number(v) for v in steps)
        out.append(text.replace(",-", "-") + ("z" if closed else ""))
    return "".join(out)


def _meridian(lon: float, lat0: float, lat1: float, step: float = 2.5) -> np.ndarray:
    lat = np.linspace(lat0, lat1, round(abs(lat1 - lat0) / step) + 1)
    x, y = project(np.full(lat.shape, lon), lat)
    return np.column_stack((x, y))


def _parallel(lat: float) -> np.ndarray:
    lon = np.array([-180.0, 180.0])
    x, y = project(lon, np.full(lon.shape, lat))
    return np.column_stack((x, y))


def _graticule() -> list[np.ndarray]:
    """Meridians every 10 degrees between 80 S and 80 N (every 90 degrees from pole to pole), and
    parallels every 10 degrees from 80 S to 80 N: d3's ``geoGraticule10``. Equal Earth draws parallels
    as straight lines and meridians as curves (a point each 2.5 degrees, as d3 samples them)."""
    lines = [_meridian(lon, -90, 90) if lon % 90 == 0 else _meridian(lon, -80, 80)
             for lon in range(-180, 181, GRATICULE_STEP)]
    return lines + [_parallel(lat) for lat in range(-80, 81, GRATICULE_STEP)]


def page_atlas() -> dict[str, Any]:
    """What the page's map draws: ``paths`` (the SVG path of each of the atlas's countries, in the atlas's
    order, ``None`` for one left out, such as Antarctica), ``names`` (Natural Earth's short names, for a
    shape that belongs to no state), ``sphere`` (the world's outline) and ``graticule``. Worked out once
    per process."""
    return _page_atlas()


@functools.lru_cache(maxsize=1)
def _page_atlas() -> dict[str, Any]:
    countries = _countries()["countries"]
    shapes = atlas().shapes
    owners, rings = [], []
    for shape in shapes:
        for polygon in shape.polygons:
            for ring in polygon:
                grid = _grid(ring, closed=True)
                if len(grid) >= 3:
                    owners.append(shape.index)
                    rings.append([(int(x), int(y)) for x, y in grid])
    lines: dict[int, list[np.ndarray]] = {}
    for index, points in zip(owners, simplify_shared(rings, TOLERANCE), strict=True):
        lines.setdefault(index, []).append(np.asarray(points, dtype=np.float64) / _GRID)
    paths: list[str | None] = [None] * len(countries)
    for index, found in lines.items():
        paths[index] = svg_path(found) or None
    outline = np.vstack((_meridian(-180, -90, 90, 1), _meridian(180, 90, -90, 1)))
    return {"paths": paths, "names": [str(c.get("name") or "") for c in countries],
            "sphere": svg_path([outline]), "graticule": svg_path(_graticule(), closed=False)}
