"""The explorer map's shapes as SVG paths, worked out here so that the page draws them as they are and
needs no geographic code of its own (no projection, no TopoJSON, no clipping in the browser).

Every path is made of numbers this module formats and the letters ``M``, ``m``, ``l`` and ``z``: nothing
from the atlas's data but its coordinates reaches the page (its names go as JSON strings, which the page
shows with ``textContent``). Coordinates are in the map's projected units (:func:`kg.network.atlas.project`),
rounded to a tenth of a unit (a pixel and a half at the map's largest zoom, the precision the page has
always drawn at); a point equal to the one before it, once rounded, is dropped, and so is a ring left
with fewer than three points. Neighbours share their borders' points, so they still meet exactly.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import numpy as np

from kg.network.atlas import _countries, atlas, project

__all__ = ["GRATICULE_STEP", "page_atlas", "svg_path"]

#: Tenths of a unit.
_GRID = 10
#: Degrees between two lines of the graticule (d3's ``geoGraticule10``).
GRATICULE_STEP = 10


def _number(n: int) -> str:
    """A number of tenths as SVG text: 13 -> "1.3", -2 -> "-.2", 20 -> "2"."""
    whole, tenth = divmod(abs(n), _GRID)
    text = (str(whole) if whole else "") + (f".{tenth}" if tenth else "") or "0"
    return "-" + text if n < 0 else text


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
        grid = np.round(np.asarray(line, dtype=np.float64) * _GRID).astype(np.int64)
        keep = np.ones(len(grid), dtype=bool)
        keep[1:] = (np.diff(grid, axis=0) != 0).any(axis=1)
        grid = grid[keep]
        if closed and len(grid) > 1 and (grid[0] == grid[-1]).all():
            grid = grid[:-1]
        if len(grid) < (3 if closed else 2):
            continue
        steps = np.diff(grid, axis=0).ravel().tolist()
        text = f"M{_number(int(grid[0, 0]))},{_number(int(grid[0, 1]))}l" + ",".join(_number(v) for v in steps)
        out.append(text.replace(",-", "-") + ("z" if closed else ""))
    return "".join(out)


def _meridian(lon: float, lat0: float, lat1: float) -> np.ndarray:
    lat = np.linspace(lat0, lat1, int(abs(lat1 - lat0)) + 1)
    x, y = project(np.full(lat.shape, lon), lat)
    return np.column_stack((x, y))


def _parallel(lat: float) -> np.ndarray:
    lon = np.array([-180.0, 180.0])
    x, y = project(lon, np.full(lon.shape, lat))
    return np.column_stack((x, y))


def _graticule() -> list[np.ndarray]:
    """Meridians every 10 degrees between 80 S and 80 N (every 90 degrees from pole to pole), and
    parallels every 10 degrees from 80 S to 80 N: d3's ``geoGraticule10``. Equal Earth draws parallels
    as straight lines and meridians as curves (a point each degree)."""
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
    paths: list[str | None] = [None] * len(countries)
    for shape in atlas().shapes:
        paths[shape.index] = svg_path(ring for polygon in shape.polygons for ring in polygon) or None
    outline = np.vstack((_meridian(-180, -90, 90), _meridian(180, 90, -90)))
    return {"paths": paths, "names": [str(c.get("name") or "") for c in countries],
            "sphere": svg_path([outline]), "graticule": svg_path(_graticule(), closed=False)}
