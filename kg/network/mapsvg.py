"""The world map as a static SVG for a report: each state filled by its agreement with an anchor in a
year, as the explorer's map draws it (the same atlas, projection, colours, dots and mission styles),
with a title, a legend and the sources, and no script.

Drawn in Python from the atlas's projected outlines (:mod:`kg.network.atlas`), so it needs no browser.
Every text from the data is escaped; the same inputs give the same bytes. Labels name the larger
states (ISO codes; the anchor and the focus by name), placed largest first and never over another.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from kg.network.atlas import atlas
from kg.network.atlaspage import svg_path
from kg.network.timeline import step_at
from kg.network.worldview import AGREEMENT_STOPS, STATUS_STYLES, WorldView, agreement_colour, world_payload

__all__ = ["map_svg"]

WIDTH = 1000.0
UNKNOWN = "#c4c4c4"
NODATA = "#eceff2"
ANCHOR_FILL = "#3a3f47"
FONT = "DejaVu Sans, Arial, sans-serif"


def _path(rings: Sequence[np.ndarray], k: float, dx: float, dy: float) -> str:
    """A shape's rings scaled by ``k`` and moved by ``(dx, dy)``, as the page's paths are written
    (:func:`kg.network.atlaspage.svg_path`: tenths of a unit, relative moves)."""
    return svg_path(ring * k + (dx, dy) for ring in rings)


def _text_width(text: str, size: float) -> float:
    return 0.6 * size * len(text)


def _pale(colour: str) -> str:
    """A fill washed 60% towards white, as the page draws a state-year under the minimum of roll calls."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * 0.6):02x}" for c in rgb)


def map_svg(world: Any, view: WorldView | None = None, anchor: str | None = None, year: int | None = None,
            missions_of: str | None = None) -> str:
    """The map of *world* as SVG text.

    Args:
        world: The world (:class:`~kg.network.world.WorldData`).
        view: Coverage, roll calls and how far the years go.
        anchor: The anchor (default: the world's first).
        year: The year (default: the latest year with enough roll calls, as the page starts on).
        missions_of: Whose missions to draw (an ISO code; default: the world's focus, the DPRK; "" for none).

    Raises:
        ValueError: The anchor is not one of the world's anchors, or the year has no slot.
    """
    payload = world_payload(world, view)
    years, info, states = payload["years"], payload["yearInfo"], payload["states"]
    anchors = {a["code"]: a["label"] for a in payload["anchors"]}
    anchor = anchor or (payload["anchors"][0]["code"] if payload["anchors"] else "")
    if anchor not in anchors:
        raise ValueError(f"anchor {anchor!r} is not one of the map's anchors ({', '.join(anchors) or 'none'})")
    yi = payload["startIndex"] if year is None else (years.index(year) if year in years else -1)
    if yi < 0 or not years:
        raise ValueError(f"year {year} is not on the map (its years: {years[0]}-{years[-1]})" if years
                         else "the world has no recorded vote")
    shown = years[yi]
    shapes = atlas()
    x0, y0, x1, y1 = shapes.bbox
    k = WIDTH / (x1 - x0)
    top, legend_h = 64.0, 118.0
    map_h = (y1 - y0) * k
    height = top + map_h + legend_h
    dx, dy = -x0 * k, top - y0 * k
    owner: dict[int, int] = {}
    for i, s in enumerate(states):
        for index in s["shapes"]:
            owner.setdefault(index, i)
    minimum = payload["minRollCalls"]

    def value(i: int) -> tuple[float | None, bool]:
        values, counts = states[i]["ag"].get(anchor), states[i]["n"].get(anchor)
        if not values or values[yi] is None:
            return None, False
        return values[yi], counts[yi] < minimum

    def fill(i: int) -> str:
        if states[i]["code"] == anchor:
            return ANCHOR_FILL
        v, few = value(i)
        if v is None:
            return "url(#none)"
        colour = agreement_colour(v, AGREEMENT_STOPS, UNKNOWN)
        return _pale(colour) if few else colour   # too few roll calls to measure: not filled as if measured

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH:g}" height="{height:.0f}" '
           f'viewBox="0 0 {WIDTH:g} {height:.0f}" font-family="{FONT}">',
           '<defs><pattern id="none" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
           f'<rect width="6" height="6" fill="{UNKNOWN}"/><line x1="0" y1="0" x2="0" y2="6" stroke="#9aa3ad" '
           'stroke-width="1.6"/></pattern><pattern id="flag" width="5" height="5" patternUnits="userSpaceOnUse" '
           'patternTransform="rotate(-45)"><line x1="0" y1="0" x2="0" y2="5" stroke="#1d232b" stroke-width="1.1" '
           'stroke-opacity="0.55"/></pattern></defs>',
           f'<rect width="{WIDTH:g}" height="{height:.0f}" fill="#ffffff"/>']
    info_y = info[yi]
    coverage = {"selected": f", selected key votes: {info_y['rollCalls']} roll calls (not every vote)",
                "none": ": no roll call in the data"}.get(info_y["coverage"], f", {info_y['rollCalls']} roll calls")
    out.append(f'<text x="12" y="26" font-size="19" font-weight="700" fill="#1d232b">'
               f'{escape(f"Agreement with {anchors[anchor]} in the UN General Assembly, {shown}")}</text>')
    out.append(f'<text x="12" y="48" font-size="12.5" fill="#4a5563">'
               f'{escape(f"{shown}{coverage}. Agreement index: 1 same vote, 0.5 one abstains, 0 yes against no.")}'
               '</text>')
    out.append('<g stroke="#ffffff" stroke-width="0.5" stroke-linejoin="round">')
    flags = []
    for shape in shapes.shapes:
        d = "".join(_path(polygon, k, dx, dy) for polygon in shape.polygons)
        if not d:
            continue
        who = owner.get(shape.index)
        colour = NODATA if who is None else fill(who)
        label = shape.name if who is None else states[who]["label"]
        out.append(f'<path d="{d}" fill="{colour}"><title>{escape(label)}</title></path>')
        if who is not None and states[who]["code"] != anchor and value(who)[1]:
            flags.append(f'<path d="{d}" fill="url(#flag)"/>')
    out.append("</g>")
    out.extend(flags)
    # dots for small states and states without a shape (former states only in a year they voted)
    for i, s in enumerate(states):
        if not s["dot"] or not s["pt"] or s["kind"] not in ("state", "territory", "polity", "former state"):
            continue
        if s["kind"] == "former state" and value(i)[0] is None:
            continue
        cx, cy = s["pt"][0] * k + dx, s["pt"][1] * k + dy
        dash = ' stroke-dasharray="2 1.5"' if s["kind"] == "former state" else ""
        out.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3.2" fill="{fill(i)}" stroke="#1d232b" '
                   f'stroke-width="1"{dash}><title>{escape(s["label"])}</title></circle>')
    out.extend(_missions(payload, yi, k, dx, dy, payload["focus"] if missions_of is None else missions_of))
    out.extend(_labels(states, anchor, payload["focus"], k, dx, dy, top, top + map_h))
    out.extend(_legend(payload, top + map_h + 8, anchors[anchor]))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _missions(payload: dict[str, Any], yi: int, k: float, dx: float, dy: float, sender: str | None) -> list[str]:
    if not sender:
        return []
    states, year = payload["states"], payload["years"][yi]
    index = {s["code"]: i for i, s in enumerate(states)}
    if sender not in index:
        raise ValueError(f"no state {sender!r} in the world")
    start = states[index[sender]]["cap"] or states[index[sender]]["pt"]
    if not start:
        return []
    ax, ay = start[0] * k + dx, start[1] * k + dy
    lines, ends = [], []
    for mi, m in enumerate(payload["missions"]):
        if m[0] != index[sender]:
            continue
        step = step_at(payload["status"][mi] or [], year)
        status, reason = (step[1], payload["reasons"][step[2]]) if step else ("open", payload["openReason"])
        end = [m[5], m[6]] if m[5] is not None else (states[m[1]]["cap"] or states[m[1]]["pt"])
        if (step and not step[3]) or not end:     # not opened yet, or nowhere to draw it
            continue
        bx, by = end[0] * k + dx, end[1] * k + dy
        cx, cy = (ax + bx) / 2 - (by - ay) * 0.16, (ay + by) / 2 + (bx - ax) * 0.16
        d = f"M{ax:.1f} {ay:.1f}Q{cx:.1f} {cy:.1f} {bx:.1f} {by:.1f}"
        dash = STATUS_STYLES[status]["dash"]
        title = f"{states[m[0]]['label']} → {states[m[1]]['label']}: {m[3] or payload['kinds'][m[2]]}, {status}"
        title += f" ({reason})" if reason else ""
        lines.append(f'<path d="{d}" fill="none" stroke="#ffffff" stroke-width="3.5" stroke-opacity="0.85"/>')
        lines.append(f'<path d="{d}" fill="none" stroke="#1d232b" stroke-width="1.5" stroke-linecap="round"'
                     f'{f" stroke-dasharray={quoteattr(dash)}" if dash else ""}><title>{escape(title)}</title></path>')
        ends.append(_end_mark(bx, by, status))
    ends.append(f'<circle cx="{ax:.1f}" cy="{ay:.1f}" r="4" fill="#ffd34d" stroke="#1d232b" stroke-width="1.4"/>')
    return lines + ends


def _end_mark(x: float, y: float, status: str) -> str:
    if status == "open":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.8" fill="#1d232b" stroke="#ffffff" stroke-width="0.8"/>'
    if status == "uncertain":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#ffffff" stroke="#1d232b" stroke-width="1.4"/>'
    return (f'<path d="M{x - 3:.1f} {y - 3:.1f}L{x + 3:.1f} {y + 3:.1f}'
            f'M{x + 3:.1f} {y - 3:.1f}L{x - 3:.1f} {y + 3:.1f}" '
            'stroke="#1d232b" stroke-width="1.8"/>')


def _labels(states: list[dict[str, Any]], anchor: str, focus: str | None, k: float, dx: float, dy: float,
            top: float, bottom: float) -> list[str]:
    """Codes of the states whose label polygon is wide enough, the anchor and the focus by name;
    largest first, none over another."""
    candidates = []
    for s in states:
        if not s["shapes"] or not s["pt"] or not s["box"]:
            continue
        strong = s["code"] in (anchor, focus)
        width = s["box"][0] * k
        text = s["label"] if strong or _text_width(s["label"], 10) < width * 0.85 else s["short"]
        if not strong and _text_width(text, 10) > width * 1.1:
            continue
        candidates.append((not strong, -s["box"][0] * s["box"][1], s["code"], text, s["pt"], strong))
    placed: list[tuple[float, float, float, float]] = []
    out = ['<g id="labels" font-size="10" font-weight="600" fill="#1d232b" stroke="#ffffff" stroke-width="2.6" '
           'stroke-opacity="0.85" paint-order="stroke" text-anchor="middle">']
    for _, _, _, text, pt, strong in sorted(candidates):
        size = 11.5 if strong else 10
        x, y = pt[0] * k + dx, pt[1] * k + dy
        w, h = _text_width(text, size) + 4, size + 3
        box = (x - w / 2, y - h / 2, w, h)
        if box[1] < top or box[1] + h > bottom or box[0] < 0 or box[0] + w > WIDTH:
            continue
        if any(box[0] < o[0] + o[2] and o[0] < box[0] + w and box[1] < o[1] + o[3] and o[1] < box[1] + h
               for o in placed):
            continue
        placed.append(box)
        weight = ' font-size="11.5" font-weight="700"' if strong else ""
        out.append(f'<text x="{x:.1f}" y="{y + size / 3:.1f}"{weight}>{escape(text)}</text>')
    out.append("</g>")
    return out


def _legend(payload: dict[str, Any], y: float, anchor_label: str) -> list[str]:
    out = [f'<g transform="translate(12 {y:.1f})" font-size="11" fill="#1d232b">',
           '<defs><linearGradient id="scale">' + "".join(
               f'<stop offset="{round(s * 100)}%" stop-color="{c}"/>' for s, c in AGREEMENT_STOPS)
           + "</linearGradient></defs>",
           '<text x="0" y="10" font-weight="700">Agreement with ' + escape(anchor_label) + "</text>",
           '<rect x="0" y="16" width="240" height="11" fill="url(#scale)" stroke="#c9ced4"/>',
           '<text x="0" y="40">0 always opposed</text><text x="120" y="40" text-anchor="middle">0.5</text>'
           '<text x="240" y="40" text-anchor="end">1 always agreed</text>']
    keys = [('<rect width="18" height="11" fill="url(#none)" stroke="#8b949e"/>', "no recorded vote that year"),
            (f'<rect width="18" height="11" fill="{_pale("#fdae61")}" stroke="#8b949e"/>'
             '<rect width="18" height="11" fill="url(#flag)"/>',
             f"under {payload['minRollCalls']} roll calls: too few to measure, pale and not ranked"),
            (f'<rect width="18" height="11" fill="{NODATA}" stroke="#c3c9d0"/>', "not in the data"),
            (f'<rect width="18" height="11" fill="{ANCHOR_FILL}"/>', "the anchor"),
            ('<circle cx="9" cy="6" r="3.5" fill="#fdae61" stroke="#1d232b"/>', "small state"),
            ('<circle cx="9" cy="6" r="3.5" fill="#fdae61" stroke="#1d232b" stroke-dasharray="2 1.5"/>',
             "former state (today's borders)")]
    for n, (mark, text) in enumerate(keys):
        x, yy = 270 + (n % 2) * 190, 4 + (n // 2) * 18
        out.append(f'<g transform="translate({x} {yy})">{mark}<text x="24" y="10">{escape(text)}</text></g>')
    if payload["focus"]:
        label = next(s["label"] for s in payload["states"] if s["code"] == payload["focus"])
        out.append(f'<text x="660" y="10" font-weight="700">{escape(label)}’s missions at the end of the year</text>')
        for n, (status, style) in enumerate(STATUS_STYLES.items()):
            yy = 16 + n * 18
            dash = f' stroke-dasharray="{style["dash"]}"' if style["dash"] else ""
            out.append(f'<g transform="translate(660 {yy})"><line x1="0" y1="6" x2="26" y2="6" stroke="#1d232b" '
                       f'stroke-width="1.6"{dash}/>{_end_mark(29, 6, status)}'
                       f'<text x="38" y="10">{escape(style["label"].split(" (")[0])}</text></g>')
    out.append('<text x="0" y="88" fill="#5a6472" font-size="10">Sources: UN General Assembly roll calls (Voeten et '
               'al.; 2020-2024 a selection of key votes where marked); the missions\' sources as recorded in the '
               'graph.</text>')
    out.append('<text x="0" y="101" fill="#5a6472" font-size="10">Shapes: Natural Earth 1:50m (public domain), '
               'Equal Earth projection; today\'s borders. Made by diplokg.</text>')
    out.append("</g>")
    return out
