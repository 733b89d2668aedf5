"""The world atlas behind the explorer's map: Natural Earth's 1:50m countries (public domain, vendored in
``kg/network/vendor/``), their ISO codes, and the Equal Earth projection.

This module works out, in projected units, everything the page and the static map
(:mod:`kg.network.mapsvg`) draw: which state each shape belongs to, a point inside each shape for its
label, whether a shape is too small to click (it then gets a dot), the projected outline of every
shape (:mod:`kg.network.atlaspage` writes the page's SVG paths from them).

* **Codes**: each shape's ISO 3166-1 alpha-3 code is Natural Earth's ``ISO_A3`` when pycountry knows it,
  else the code of its ``ISO_N3`` (Ashmore and Cartier Islands: 036, Australia), else its ``ADM0_A3``
  when that is an ISO code (Natural Earth's later releases give France and Norway -99 in both ISO
  fields). Five shapes have none (Kosovo, Northern Cyprus, Somaliland, the Indian Ocean Territories,
  the Siachen Glacier): they belong to no state here. A state may have several shapes (Australia).
* **Projection**: Equal Earth (Šavrič, Patterson and Jenny, 2018), an equal-area projection with a
  familiar look, at scale 177.158 and translate [480, 250] (d3-geo's default frame, which the page has
  always used), y growing downwards. The world spans about 0-960 by 17-483 units.
* Antarctica is left out: no state, and a fifth of the map's height.
"""

from __future__ import annotations

import functools
import json
import math
import pathlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pycountry

__all__ = [
    "ATLAS_FILE",
    "SMALL_AREA",
    "Atlas",
    "Shape",
    "atlas",
    "iso_code",
    "project",
]

VENDOR = pathlib.Path(__file__).resolve().parent / "vendor"
ATLAS_FILE = VENDOR / "ne_50m_admin_0_countries.json"
#: The projection's frame (d3.geoEqualEarth's defaults).
SCALE = 177.158
TRANSLATE = (480.0, 250.0)
_A1, _A2, _A3, _A4 = 1.340264, -0.081106, 0.000893, 0.003796
_M = math.sqrt(3) / 2
#: A shape smaller than this (projected units squared, about 4.5 units a side) or narrower than
#: :data:`SMALL_SIDE` in both directions also gets a dot, so it can be seen and clicked.
SMALL_AREA = 20.0
SMALL_SIDE = 5.0
#: Shapes left out of the map.
LEFT_OUT = frozenset({"ATA"})   # Antarctica (ISO_A3)


def project(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """Equal Earth: degrees in, the map's frame out.

    Args:
        lon: Longitudes in degrees (a number or an array).
        lat: Latitudes in degrees.

    Returns:
        ``(x, y)`` arrays in projected units (y grows downwards).
    """
    lam = np.radians(np.asarray(lon, dtype=np.float64))
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    theta = np.arcsin(_M * np.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * np.cos(theta) / (_M * (_A1 + 3 * _A2 * t2 + t6 * (7 * _A3 + 9 * _A4 * t2)))
    y = theta * (_A1 + _A2 * t2 + t6 * (_A3 + _A4 * t2))
    return TRANSLATE[0] + x * SCALE, TRANSLATE[1] - y * SCALE


@dataclass(frozen=True)
class Shape:
    """One shape of the atlas.

    Attributes:
        index: Its position among the atlas's countries (the page's ``paths[index]``).
        numeric: Its ISO 3166-1 numeric code, or "" when it has none.
        name: Natural Earth's short name (``"N. Cyprus"``).
        code: Its ISO 3166-1 alpha-3 code, or "" when it has no id.
        polygons: Projected polygons, each a list of rings (``(n, 2)`` arrays, the outer ring first).
        area: Projected area (units squared, all its polygons).
        label: A point well inside its largest polygon, projected.
        bbox: ``(x0, y0, x1, y1)``, projected.
        small: Whether it is too small to see or click at the map's scale (it then gets a dot).
        main_box: Width and height of its largest polygon (where its label goes), projected.
        crosses: Whether one of its rings crosses the antimeridian (cut here into its pieces).
    """

    index: int
    numeric: str
    name: str
    code: str
    polygons: tuple[tuple[np.ndarray, ...], ...]
    area: float
    label: tuple[float, float]
    bbox: tuple[float, float, float, float]
    small: bool
    main_box: tuple[float, float] = (0.0, 0.0)
    crosses: bool = False


@dataclass(frozen=True)
class Atlas:
    """The atlas's shapes (Antarctica left out) and the box they fill."""

    shapes: tuple[Shape, ...]
    bbox: tuple[float, float, float, float]

    def by_code(self) -> dict[str, list[Shape]]:
        """``{alpha-3: [shapes]}`` (largest first)."""
        out: dict[str, list[Shape]] = {}
        for shape in self.shapes:
            if shape.code:
                out.setdefault(shape.code, []).append(shape)
        for shapes in out.values():
            shapes.sort(key=lambda s: -s.area)
        return out


def _ring(flat: list[int], steps: float) -> np.ndarray:
    """A ring in degrees from the vendored file's delta-encoded integers (``[x0, y0, dx1, dy1, ...]``)."""
    return np.cumsum(np.asarray(flat, dtype=np.float64).reshape(-1, 2), axis=0) / steps


def _signed_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]) + x[-1] * y[0] - x[0] * y[-1])


def _inside(px: np.ndarray, py: np.ndarray, rings: tuple[np.ndarray, ...]) -> np.ndarray:
    """Which of the points (px, py) lie inside a polygon (even-odd rule over its rings, holes included)."""
    inside = np.zeros(px.shape, dtype=bool)
    for ring in rings:
        xs, ys = ring[:, 0][:, None], ring[:, 1][:, None]
        xj, yj = np.roll(ring[:, 0], 1)[:, None], np.roll(ring[:, 1], 1)[:, None]
        dy = np.where(yj == ys, 1e-12, yj - ys)
        crossing = ((ys > py) != (yj > py)) & (px < (xj - xs) * (py - ys) / dy + xs)
        inside ^= (np.count_nonzero(crossing, axis=0) % 2).astype(bool)
    return inside


def _edge_distance(px: np.ndarray, py: np.ndarray, rings: tuple[np.ndarray, ...]) -> np.ndarray:
    """The distance of each point (px, py) to the nearest edge of a polygon."""
    best = np.full(px.shape, np.inf)
    for ring in rings:
        ax, ay = ring[:, 0][:, None], ring[:, 1][:, None]
        dx, dy = np.roll(ring[:, 0], -1)[:, None] - ax, np.roll(ring[:, 1], -1)[:, None] - ay
        length2 = np.maximum(dx * dx + dy * dy, 1e-12)
        t = np.clip(((px - ax) * dx + (py - ay) * dy) / length2, 0.0, 1.0)
        ex, ey = ax + t * dx - px, ay + t * dy - py
        best = np.minimum(best, np.sqrt((ex * ex + ey * ey).min(axis=0)))
    return best


def _label_point(rings: tuple[np.ndarray, ...]) -> tuple[float, float]:
    """A point well inside a polygon: its centroid when that lies inside and far enough from the
    edge, else the inside point of a 16x16 grid (then a finer one around it) farthest from the edge
    (a coarse "pole of inaccessibility": a label there does not sit on a border). Rings are thinned to
    at most 300 points first: a label needs no more."""
    rings = tuple(r[:: max(1, math.ceil(len(r) / 300))] for r in rings)
    outer = rings[0]
    x0, y0 = outer.min(axis=0)
    x1, y1 = outer.max(axis=0)
    area = _signed_area(outer)
    if abs(area) > 1e-9:
        x, y = outer[:, 0], outer[:, 1]
        cross = x * np.roll(y, -1) - np.roll(x, -1) * y
        cx = float(((x + np.roll(x, -1)) * cross).sum() / (6 * area))
        cy = float(((y + np.roll(y, -1)) * cross).sum() / (6 * area))
    else:
        cx, cy = float((x0 + x1) / 2), float((y0 + y1) / 2)
    size = max(float(x1 - x0), float(y1 - y0), 1e-9)
    here_x, here_y = np.array([cx]), np.array([cy])
    if _inside(here_x, here_y, rings)[0] and _edge_distance(here_x, here_y, rings)[0] > 0.12 * size:
        return cx, cy
    best, best_d = (cx, cy), -1.0
    span_x, span_y = float(x1 - x0), float(y1 - y0)
    lo_x, lo_y = float(x0), float(y0)
    steps = (np.arange(16) + 0.5) / 16
    for _ in range(2):
        grid_x, grid_y = np.meshgrid(lo_x + steps * span_x, lo_y + steps * span_y)
        gx, gy = grid_x.ravel(), grid_y.ravel()
        keep = _inside(gx, gy, rings)
        if keep.any():
            d = _edge_distance(gx[keep], gy[keep], rings)
            k = int(np.argmax(d))
            if d[k] > best_d:
                best, best_d = (float(gx[keep][k]), float(gy[keep][k])), float(d[k])
        span_x, span_y = span_x / 4, span_y / 4
        lo_x, lo_y = best[0] - span_x / 2, best[1] - span_y / 2
    return best


def _known(alpha_3: str | None) -> str:
    return alpha_3 if alpha_3 and pycountry.countries.get(alpha_3=alpha_3) is not None else ""


def iso_code(record: dict[str, Any]) -> tuple[str, str]:
    """A country's ISO 3166-1 ``(alpha-3, numeric)`` codes from Natural Earth's fields, or ``("", "")``.

    ``ISO_A3`` when pycountry knows it; else the country of ``ISO_N3``; else ``ADM0_A3`` when it is an
    ISO code (Natural Earth's "-99" gaps: France, Norway in its later releases); else none (Kosovo,
    Northern Cyprus, Somaliland: not in ISO 3166-1).
    """
    code = _known(record.get("iso_a3"))
    numeric = str(record.get("iso_n3") or "")
    if not code and numeric.isdigit():
        country = pycountry.countries.get(numeric=numeric)
        code = country.alpha_3 if country is not None else ""
    country = pycountry.countries.get(alpha_3=code or _known(record.get("adm0_a3")) or "-")
    return (country.alpha_3, country.numeric) if country is not None else ("", "")


@functools.lru_cache(maxsize=1)
def _countries() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ATLAS_FILE.read_text(encoding="utf-8"))
    return data


def _clip(ring: np.ndarray, keep_east: bool) -> np.ndarray:
    """Sutherland-Hodgman against the half-plane lon >= 180 (*keep_east*) or lon <= 180."""
    prev = np.roll(ring, 1, axis=0)
    inside = (ring[:, 0] >= 180) if keep_east else (ring[:, 0] <= 180)
    prev_in = np.roll(inside, 1)
    cross = inside != prev_in
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(cross, (180 - prev[:, 0]) / (ring[:, 0] - prev[:, 0]), 0.0)
    hit = np.column_stack((np.full(len(ring), 180.0), prev[:, 1] + t * (ring[:, 1] - prev[:, 1])))
    both = np.stack((hit, ring), axis=1).reshape(-1, 2)
    keep = np.column_stack((cross, inside)).reshape(-1)
    return both[keep]


def _cut(ring: np.ndarray) -> list[np.ndarray]:
    """A ring (degrees) that crosses the antimeridian (a jump of more than 180 degrees between two
    points: Russia's Chukotka, Fiji) cut into its western and eastern pieces; any other ring as it is."""
    jumps = np.diff(ring[:, 0])
    if not (np.abs(jumps) > 180).any():
        return [ring]
    unwrapped = ring.copy()
    unwrapped[1:, 0] -= 360 * np.cumsum(np.round(jumps / 360))
    if unwrapped[:, 0].mean() < 0:
        unwrapped[:, 0] += 360
    pieces = []
    for east in (False, True):
        piece = _clip(unwrapped, east)
        if len(piece) >= 3:
            if east:
                piece[:, 0] -= 360
            pieces.append(piece)
    return pieces


def _projected(ring: np.ndarray) -> np.ndarray:
    x, y = project(ring[:, 0], ring[:, 1])
    return np.column_stack((x, y))


@functools.lru_cache(maxsize=1)
def atlas() -> Atlas:
    """The atlas, projected (read and worked out once per process)."""
    data = _countries()
    steps = float(data["steps_per_degree"])
    shapes = []
    for index, record in enumerate(data["countries"]):
        if record.get("iso_a3") in LEFT_OUT:
            continue
        code, numeric = iso_code(record)
        polygons: list[tuple[np.ndarray, ...]] = []
        crosses = False
        for polygon in record["polygons"]:
            rings = [_ring(r, steps) for r in polygon]
            pieces = _cut(rings[0])
            crosses = crosses or len(pieces) > 1
            if len(pieces) == 1:
                polygons.append(tuple(_projected(r) for r in rings))
            else:   # a ring cut in two: its pieces, without holes (none crosses the antimeridian)
                polygons.extend((_projected(piece),) for piece in pieces)
        if not polygons:
            continue
        areas = [abs(_signed_area(p[0])) - sum(abs(_signed_area(h)) for h in p[1:]) for p in polygons]
        main = polygons[int(np.argmax(areas))]
        points = np.concatenate([p[0] for p in polygons])
        box = (float(points[:, 0].min()), float(points[:, 1].min()), float(points[:, 0].max()),
               float(points[:, 1].max()))
        area = float(sum(areas))
        small = area < SMALL_AREA or (box[2] - box[0] < SMALL_SIDE and box[3] - box[1] < SMALL_SIDE)
        lx, ly = _label_point(main)
        span = main[0].max(axis=0) - main[0].min(axis=0)
        shapes.append(Shape(index, numeric, str(record.get("name") or ""), code, tuple(polygons), round(area, 2),
                            (round(lx, 2), round(ly, 2)),
                            tuple(round(v, 2) for v in box), small,  # type: ignore[arg-type]
                            (round(float(span[0]), 2), round(float(span[1]), 2)), crosses))
    xs = [s.bbox[0] for s in shapes] + [s.bbox[2] for s in shapes]
    ys = [s.bbox[1] for s in shapes] + [s.bbox[3] for s in shapes]
    return Atlas(tuple(shapes), (min(xs), min(ys), max(xs), max(ys)))
