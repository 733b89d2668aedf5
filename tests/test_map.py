"""The world map without a browser: the vendored files, the atlas (codes, projection, label points,
small shapes), where states go, the data block's coverage and mission status, and the static SVG."""

from __future__ import annotations

import hashlib
import json
import pathlib
import re
import xml.etree.ElementTree as ET
from typing import Any

import numpy as np
import pycountry
import pytest
from mapsample import EVENTS, MIN_ROLL_CALLS, SELECTED, VETO_2022, map_network, map_story, map_view, map_world
from worldsample import HOSTILE_LABEL

from kg.network import atlaskept
from kg.network import page as render
from kg.network.atlas import ATLAS_FILE, VENDOR, Shape, _inside, atlas, iso_code, project
from kg.network.atlaspage import TOLERANCE, page_atlas, simplify_shared, svg_path
from kg.network.mapsvg import map_svg
from kg.network.places import SUCCESSORS
from kg.network.status import status_as_of
from kg.network.worldview import world_payload
from kg.sources.gazetteer import un_members

ROOT = pathlib.Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------------------------------------
# the vendored files


def test_vendored_files_match_their_checksums() -> None:
    sums = dict(reversed(line.split(maxsplit=1)) for line in (VENDOR / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == {"ne_50m_admin_0_countries.json"}
    for name, digest in sums.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name


def test_nothing_vendored_carries_a_licence_other_than_the_projects() -> None:
    """The map's data is Natural Earth's, public domain (CC0 as packaged): no licence file, no code.
    Before, the folder held d3-geo, d3-array, topojson-client and world-atlas, each under ISC."""
    assert sorted(p.name for p in VENDOR.iterdir()) == ["README.md", "SHA256SUMS", "ne_50m_admin_0_countries.json"]
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `ne_50m_admin_0_countries.json`"))
    assert "public domain" in row and "No permission is needed to use Natural Earth" in row and "CC0" in row
    assert "r-cran-rnaturalearthdata" in row and "0.1.0-2" in row
    data = json.loads(ATLAS_FILE.read_text(encoding="utf-8"))
    assert data["source"].startswith("Natural Earth 1:50m Admin 0 Countries") and len(data["countries"]) == 241
    # the page inlines no vendored script, and no script of ours names another licence
    templates = pathlib.Path(render.__file__).resolve().parent / "templates"
    for script in templates.glob("*.js"):
        assert not re.search(r"\b(ISC|GPL|BSD|Apache)\b", script.read_text(encoding="utf-8")), script.name


# ---------------------------------------------------------------------------------------------
# the atlas

#: d3.geoEqualEarth() of d3-geo 3.1.2 (the page's projection before it drew our paths), computed with
#: node for these points: the map keeps d3's frame, so the page's geometry did not move.
D3_POINTS = [
    ((0, 0), (480, 250)),
    ((125.75, 39.02), (778.6999584562676, 115.82189224419781)),
    ((-77.04, 38.9), (296.8698348259075, 116.19731436820513)),
    ((180, 0), (959.5011546516291, 250)),
    ((-180, -60), (118.7641930059977, 442.80119941645137)),
    ((0, 90), (480, 16.618648313190988)),
    ((37.6, 55.75), (558.5985576456818, 67.73926006745432)),
]


@pytest.mark.parametrize(("lonlat", "xy"), D3_POINTS)
def test_the_projection_is_d3s_equal_earth(lonlat: tuple[float, float], xy: tuple[float, float]) -> None:
    x, y = project(*lonlat)
    assert float(x) == pytest.approx(xy[0], abs=1e-9) and float(y) == pytest.approx(xy[1], abs=1e-9)


def test_every_un_member_but_tuvalu_has_a_shape() -> None:
    codes = set(atlas().by_code())
    members = {pycountry.countries.get(alpha_2=code).alpha_3 for code in un_members()}
    assert len(members) == 193
    assert members - codes == {"TUV"}


def test_codes_come_from_natural_earths_iso_fields() -> None:
    shapes = atlas().shapes
    korea = [s for s in shapes if s.numeric == "410"]
    assert [s.code for s in korea] == ["KOR"] == [pycountry.countries.get(numeric="410").alpha_3]
    assert sorted(s.name for s in shapes if not s.code) == [
        "Indian Ocean Ter.", "Kosovo", "N. Cyprus", "Siachen Glacier", "Somaliland"]
    assert [s.name for s in atlas().by_code()["AUS"]] == ["Australia", "Ashmore and Cartier Is."]
    assert not [s for s in shapes if s.code == "ATA"]                    # Antarctica left out
    assert {s.code: s.numeric for s in shapes if s.code in ("FRA", "NOR", "SSD", "ALA", "PSE")} == {
        "FRA": "250", "NOR": "578", "SSD": "728", "ALA": "248", "PSE": "275"}


@pytest.mark.parametrize(("record", "codes"), [
    ({"name": "Korea", "iso_a3": "KOR", "iso_n3": "410", "adm0_a3": "KOR"}, ("KOR", "410")),
    # Natural Earth 4.x's -99 gaps: the ISO fields empty, adm0_a3 the ISO code
    ({"name": "France", "iso_a3": "-99", "iso_n3": "-99", "adm0_a3": "FRA"}, ("FRA", "250")),
    ({"name": "Norway", "iso_a3": "-99", "iso_n3": "-99", "adm0_a3": "NOR"}, ("NOR", "578")),
    # not in ISO 3166-1: no state here, whatever adm0_a3 says
    ({"name": "Kosovo", "iso_a3": "-99", "iso_n3": "-99", "adm0_a3": "KOS"}, ("", "")),
    ({"name": "Kosovo", "iso_a3": None, "iso_n3": None, "adm0_a3": "KOS"}, ("", "")),
    ({"name": "N. Cyprus", "iso_a3": None, "iso_n3": None, "adm0_a3": "CYN"}, ("", "")),
    ({"name": "Somaliland", "iso_a3": "-99", "iso_n3": "-99", "adm0_a3": "SOL"}, ("", "")),
    # the numeric code when alpha-3 is missing (Australia's Ashmore and Cartier Islands)
    ({"name": "Ashmore and Cartier Is.", "iso_a3": None, "iso_n3": "036", "adm0_a3": "ATC"}, ("AUS", "036")),
    # ISO first where adm0_a3 is Natural Earth's own code
    ({"name": "S. Sudan", "iso_a3": "SSD", "iso_n3": "728", "adm0_a3": "SDS"}, ("SSD", "728")),
    ({"name": "Aland", "iso_a3": "ALA", "iso_n3": "248", "adm0_a3": "ALD"}, ("ALA", "248")),
    # an alpha-3 pycountry does not know falls through to the numeric code
    ({"name": "x", "iso_a3": "ZZZ", "iso_n3": "410", "adm0_a3": "ZZZ"}, ("KOR", "410")),
])
def test_iso_codes_from_natural_earths_fields(record: dict[str, Any], codes: tuple[str, str]) -> None:
    assert iso_code(record) == codes


def test_shapes_cut_at_the_antimeridian_stay_on_the_map() -> None:
    """Russia's Chukotka and Fiji cross 180 degrees: cut, not drawn across the whole map."""
    by_code = atlas().by_code()
    russia, fiji = by_code["RUS"][0], by_code["FJI"][0]
    widest = max(float(np.ptp(p[0][:, 0])) for p in russia.polygons)
    assert widest < 700                                  # the mainland; no polygon spans the map (960)
    assert fiji.area < 20 and fiji.small                 # Fiji is small, not a band across the Pacific
    assert russia.area / by_code["CAN"][0].area == pytest.approx(17.1 / 9.98, rel=0.05)   # equal-area


def test_every_label_point_lies_inside_its_shape() -> None:
    outside = []
    for shape in atlas().shapes:
        x, y = np.array([shape.label[0]]), np.array([shape.label[1]])
        if not any(_inside(x, y, polygon)[0] for polygon in shape.polygons):
            outside.append(shape.name)
    assert outside == []


@pytest.mark.parametrize(("code", "small"), [("MLT", True), ("SGP", True), ("KIR", True), ("FRA", False),
                                              ("PRK", False), ("RUS", False)])
def test_small_shapes_get_a_dot(code: str, small: bool) -> None:
    assert atlas().by_code()[code][0].small is small


#: What a page path may hold: numbers (a tenth of a unit at most) and the commands M, l and z.
PATH_GRAMMAR = re.compile(r"(M-?\d*\.?\d+,-?\d*\.?\d+l(?:-?\d*\.?\d+(?:[,-]|(?=z)|$))+z?)+")
NUMBER = re.compile(r"-?\d*\.?\d+")


def _points(d: str) -> list[np.ndarray]:
    """The rings of a page path (absolute first point, relative moves), in map units."""
    rings = []
    for part in re.findall(r"M[^M]+", d):
        start, moves = part[1:].rstrip("z").split("l")
        xy = [float(v) for v in NUMBER.findall(start)] + [float(v) for v in NUMBER.findall(moves)]
        rings.append(np.cumsum(np.asarray(xy).reshape(-1, 2), axis=0))
    return rings


def test_the_page_paths_follow_the_atlas_in_its_order() -> None:
    found = page_atlas()
    names = [c["name"] for c in json.loads(ATLAS_FILE.read_text(encoding="utf-8"))["countries"]]
    assert found["names"] == names and len(found["paths"]) == len(names) == 241
    assert found["paths"][names.index("Antarctica")] is None
    shapes = {s.index: s for s in atlas().shapes}
    drawn = {i for i, d in enumerate(found["paths"]) if d}
    assert drawn <= set(shapes) and len(shapes) == 240
    # a shape left without a path is one whose every ring shrinks to a point or two at a tenth of a unit
    assert sorted(shapes[i].name for i in set(shapes) - drawn) == ["Ashmore and Cartier Is.", "Vatican"]
    assert all(shapes[i].area < 0.01 for i in set(shapes) - drawn)
    for d in [*filter(None, found["paths"]), found["sphere"]]:
        assert PATH_GRAMMAR.fullmatch(d), d[:80]


def test_each_page_path_is_its_shape_to_a_twentieth_of_a_unit() -> None:
    """Every point of the path is a point of the projected outline, rounded to a tenth of a unit."""
    paths = page_atlas()["paths"]
    for code in ("PRK", "FRA", "RUS", "FJI", "CHL"):
        shape = atlas().by_code()[code][0]
        outline = np.concatenate([ring for polygon in shape.polygons for ring in polygon])
        for ring in _points(paths[shape.index]):
            gap = np.abs(ring[:, None, :] - outline[None, :, :]).max(axis=2).min(axis=1)
            assert gap.max() <= 0.05 + 1e-6, code
        assert max(float(np.ptp(r[:, 0])) for r in _points(paths[shape.index])) < 700    # cut, not across the map


def test_each_page_path_keeps_its_outline_within_the_tolerance() -> None:
    """No point of the projected outline lies further from the page's path than Douglas-Peucker's
    tolerance and half a tenth of a unit (the rounding)."""
    paths = page_atlas()["paths"]
    for code in ("PRK", "FRA", "CHL", "NOR"):
        shape = atlas().by_code()[code][0]
        outline = max((p[0] for p in shape.polygons), key=len)
        path = np.concatenate([np.vstack((r, r[:1])) for r in _points(paths[shape.index])])
        a, d = path[:-1], np.diff(path, axis=0)
        t = np.clip(((outline[:, None, :] - a[None]) * d[None]).sum(axis=2) / np.maximum((d * d).sum(axis=1), 1e-12),
                    0, 1)
        gap = np.sqrt(((outline[:, None, :] - (a[None] + t[:, :, None] * d[None])) ** 2).sum(axis=2)).min(axis=1)
        assert gap.max() <= TOLERANCE / 10 + 0.05 + 1e-6, code


def test_a_shared_border_is_simplified_once_for_both_neighbours() -> None:
    """Two squares sharing a wavy edge (x = 10): each keeps the same points of it, so no gap opens."""
    wave = [(10, y) if y % 2 else (11, y) for y in range(1, 10)]     # a zigzag of one unit
    west = [(0, 0), (10, 0), *wave, (10, 10), (0, 10)]
    east = [(10, 0), (20, 0), (20, 10), (10, 10), *wave[::-1]]
    for tolerance in (0.2, 2.0):
        simple_west, simple_east = simplify_shared([west, east], tolerance)
        border_west = [p for p in simple_west if 10 <= p[0] <= 11]
        border_east = [p for p in simple_east if 10 <= p[0] <= 11]
        assert sorted(border_west) == sorted(border_east)
        assert len(border_west) == (11 if tolerance < 1 else 2)       # kept whole, or cut to its two ends
    # an island (no junction) is simplified on its own, from its smallest point
    (island,) = simplify_shared([[(5, 5), (6, 5), (7, 5), (7, 6), (5, 6)]], 0.5)
    assert island == [(5, 5), (7, 5), (7, 6), (5, 6)]


def test_neighbours_share_their_border_points() -> None:
    """The same point of two shapes rounds to the same place: no gap opens along a border."""
    paths = page_atlas()["paths"]
    by_code = atlas().by_code()
    north, south = (np.concatenate(_points(paths[by_code[c][0].index])) for c in ("PRK", "KOR"))
    shared = {tuple(p) for p in np.round(north, 1).tolist()} & {tuple(p) for p in np.round(south, 1).tolist()}
    assert len(shared) >= 10


@pytest.mark.parametrize(("lines", "closed", "expected"), [
    ([np.array([[1.04, 2.0], [1.5, 2.0], [1.5, 2.56], [1.04, 2.0]])], True, "M1,2l.5,0,0,.6z"),
    ([np.array([[0.0, 0.0], [0.01, 0.0], [0.02, 0.01]])], True, ""),         # one point once rounded
    ([np.array([[-3.0, 4.0], [-4.25, 2.0]])], False, "M-3,4l-1.2-2"),          # half to even, as numpy rounds
    ([np.array([[0.0, 0.0], [12.0, -0.3]])], False, "M0,0l12-.3"),
])
def test_svg_path_formats_its_own_numbers(lines: list[np.ndarray], closed: bool, expected: str) -> None:
    assert svg_path(lines, closed=closed) == expected


# ---------------------------------------------------------------------------------------------
# the atlas's results shipped in kg/network/derived (kg.network.atlaskept)


def test_the_shipped_atlas_files_are_the_atlas_worked_out_now() -> None:
    """Worked out again from the vendored file and the code, byte for byte (after a change to either,
    ``python -m kg.network.atlaskept`` writes them again)."""
    for path, text in atlaskept.derived_texts().items():
        assert path.read_text(encoding="utf-8") == text, path.name


def test_the_shipped_places_are_the_atlas_without_its_outlines() -> None:
    atlaskept._kept.cache_clear()
    kept = atlaskept.places_atlas()
    assert atlaskept._kept() is not None   # the shipped files were used
    full = atlas()
    assert kept.bbox == full.bbox
    fields = [f for f in Shape.__dataclass_fields__ if f != "polygons"]
    assert [[getattr(s, f) for f in fields] for s in kept.shapes] == [[getattr(s, f) for f in fields]
                                                                      for s in full.shapes]
    assert all(s.polygons == () for s in kept.shapes)
    assert atlaskept.page_atlas_json() == render.safe_json(page_atlas())


def _places_text(**changes: Any) -> str:
    found = json.loads(atlaskept.PLACES_FILE.read_text(encoding="utf-8"))
    found.update(changes)
    return json.dumps(found)


@pytest.mark.parametrize(("places", "page"), [
    pytest.param(lambda: _places_text(stamp="0" * 64), None, id="another atlas's stamp"),
    pytest.param(None, lambda: atlaskept.PAGE_FILE.read_text(encoding="utf-8").replace("[", "[1,", 1),
                 id="page text altered"),
    pytest.param(None, lambda: "</script><script>alert(1)</script>", id="page text with markup"),
    pytest.param(lambda: _places_text(shapes=[{"index": "0"}]), None, id="a shape of the wrong type"),
    pytest.param(lambda: _places_text(bbox=[0, 0, "x", 1]), None, id="a box of the wrong type"),
    pytest.param(lambda: "not json", None, id="not JSON"),
    pytest.param(lambda: "x" * (atlaskept.MAX_BYTES + 1), None, id="too large"),
])
def test_a_shipped_file_altered_is_not_used(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
                                             places: Any, page: Any) -> None:
    """A file that is not the atlas's is a miss: the atlas is worked out again and the page is the same."""
    for name, make, original in (("PLACES_FILE", places, atlaskept.PLACES_FILE),
                                 ("PAGE_FILE", page, atlaskept.PAGE_FILE)):
        target = tmp_path / original.name
        target.write_text(make() if make is not None else original.read_text(encoding="utf-8"), encoding="utf-8")
        monkeypatch.setattr(atlaskept, name, target)
    atlaskept._kept.cache_clear()
    try:
        assert atlaskept._kept() is None
        assert atlaskept.page_atlas_json() == render.safe_json(page_atlas())
        assert [s.label for s in atlaskept.places_atlas().shapes] == [s.label for s in atlas().shapes]
    finally:
        monkeypatch.undo()
        atlaskept._kept.cache_clear()


def test_a_shipped_file_through_a_link_is_not_used(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    link = tmp_path / "page-atlas.json"
    link.symlink_to(atlaskept.PAGE_FILE)
    monkeypatch.setattr(atlaskept, "PAGE_FILE", link)
    atlaskept._kept.cache_clear()
    try:
        assert atlaskept._kept() is None
    finally:
        monkeypatch.undo()
        atlaskept._kept.cache_clear()


# ---------------------------------------------------------------------------------------------
# the data block


@pytest.fixture(scope="module")
def payload() -> dict[str, Any]:
    return world_payload(map_world(), map_view())


def _state(payload: dict[str, Any], code: str) -> dict[str, Any]:
    return next(s for s in payload["states"] if s["code"] == code)


def test_years_reach_2024_with_their_coverage_and_roll_calls(payload: dict[str, Any]) -> None:
    assert payload["years"] == list(range(2015, 2025))
    info = dict(zip(payload["years"], payload["yearInfo"]))
    assert [info[y]["coverage"] for y in (2015, 2016, 2019, 2020, 2024)] == [
        "all", "none", "all", "selected", "selected"]
    assert {y: info[y]["rollCalls"] for y in SELECTED} == SELECTED
    assert [y for y in payload["years"] if info[y]["flagged"]] == [2020]          # 3 < 5 roll calls
    assert payload["minRollCalls"] == MIN_ROLL_CALLS
    assert payload["years"][payload["startIndex"]] == 2024                       # the latest year ranked


def test_places_of_small_shapeless_and_former_states(payload: dict[str, Any]) -> None:
    malta, tuvalu, czechoslovakia = (_state(payload, c) for c in ("MLT", "TUV", "CSHH"))
    assert malta["shapes"] and malta["dot"] and malta["place"] == "shape"
    assert not tuvalu["shapes"] and tuvalu["dot"] and tuvalu["place"] == "given"
    assert tuvalu["pt"] == pytest.approx([float(v) for v in project(179.2, -8.52)], abs=0.02)
    assert czechoslovakia["place"] == "successors" and czechoslovakia["dot"]
    cze, svk = atlas().by_code()["CZE"][0].label, atlas().by_code()["SVK"][0].label
    assert czechoslovakia["pt"] == pytest.approx([(cze[0] + svk[0]) / 2, (cze[1] + svk[1]) / 2], abs=0.01)
    assert SUCCESSORS["CSHH"] == ("CZE", "SVK")
    # the DPRK's lines start at Pyongyang: the median of the embassies it hosts
    assert _state(payload, "PRK")["cap"] == pytest.approx([float(v) for v in project(125.76, 39.01)], abs=0.02)


def test_mission_status_steps_per_year(payload: dict[str, Any]) -> None:
    # each mission's status at the end of each year, by the rule of kg/network/status.py on its events
    index = {m[4]: i for i, m in enumerate(payload["missions"])}
    reasons = payload["reasons"]

    def steps(ident: str) -> list[tuple[int, str, str, bool]] | None:
        rows = payload["status"][index[ident]]
        return None if rows is None else [(y, s, reasons[r], begun) for y, s, r, begun in rows]

    assert steps("Q101") is None and payload["openReason"] == "no closure known by this date"   # no event
    assert steps("Q105") == [(2015, "open", "no closure known by this date", True),
                             (2023, "uncertain", "closure announced 2023-10", True),
                             (2024, "closed", "closed 2024-02-01", True)]
    assert steps("Q106") == [(2015, "open", "no closure known by this date", True),
                             (2022, "uncertain", "closed on or before 2023-12-05", True),
                             (2023, "closed", "closed on or before 2023-12-05", True)]
    # before its opening the rule calls it closed, and the page does not draw it (begun: false)
    assert steps("Q104") == [(2015, "closed", "not yet opened (opened 2019-05)", False),
                             (2019, "open", "no closure known by this date", True)]
    for ident, events in EVENTS.items():
        for year in payload["years"]:
            found = status_as_of(events, f"{year}-12-31")
            assert [(s, r) for y, s, r, _ in steps(ident) or [] if y <= year][-1] == (found.status, found.reason)


def test_the_page_carries_the_story_with_its_vetoes_and_evidence(tmp_path: pathlib.Path) -> None:
    html = render.page_html(map_network(), map_world(), map_view(), map_story())
    story = json.loads(re.search(r'id="st-data">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    vetoes = [e for e in story["events"] if e["group"] == "veto"]
    assert [e["date"] for e in vetoes] == ["2022-05-26", "2024-03-28"]
    assert vetoes[0]["evidence"][0]["sentence"] == VETO_2022
    assert [e["year"] for e in story["events"]] == [2017, 2019, 2019, 2022, 2023, 2023, 2023, 2024, None]
    assert story["years"] == list(range(1960, 2025))        # from the Havana embassy's opening
    assert HOSTILE_LABEL not in html and "window.__xssStory" in html and "<script>window.__xssStory" not in html
    data = json.loads(re.search(r'id="dk-data">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    edges = {e["id"]: e["dk"] for e in data["edges"]}
    assert edges["m3"]["status"][-1] == [2023, "closed", "closed on or before 2023-12-05", True]
    assert edges["m2"]["status"][-2:] == [[2023, "uncertain", "closure announced 2023-10", True],
                                          [2024, "closed", "closed 2024-02-01", True]]
    assert edges["m3"]["status"][0] == [1960, "uncertain", "opened 1960, exact day not given", True]
    assert edges["m1"]["status"] == [[1960, "open", "no closure known by this date", True]]
    assert edges["s1"]["since"] == 2019 and edges["r1"]["since"] == 2017 and "since" not in edges["m1"]
    assert render.page_html(map_network(), map_world(reverse=True), map_view(), map_story()) == html


def test_page_size_stays_well_under_five_megabytes() -> None:
    html = render.page_html(map_network(), map_world(), map_view(), map_story())
    assert len(html.encode("utf-8")) < 2_500_000      # vis-network 0.7 MB + the atlas 0.74 MB + scripts


# ---------------------------------------------------------------------------------------------
# the static map


@pytest.fixture(scope="module")
def svg() -> str:
    return map_svg(map_world(), map_view(), anchor="RUS", year=2023)


def test_the_static_map_is_valid_svg_with_its_title_and_legend(svg: str) -> None:
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "Agreement with Russia in the UN General Assembly, 2023" in texts
    assert "selected key votes: 7 roll calls (not every vote)" in texts
    for key in ("no recorded vote that year",
                f"under {MIN_ROLL_CALLS} roll calls: too few to measure, pale and not ranked", "not in the data",
                "the anchor", "small state", "Open", "Uncertain", "Closed"):
        assert key in texts, key
    assert "<script" not in svg and HOSTILE_LABEL not in svg and "&lt;img src=x" in svg


def test_the_static_map_fills_and_draws_missions_in_their_status(svg: str) -> None:
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    fills = {p.find(f"{ns}title").text: p.get("fill") for p in root.iter(f"{ns}path")
             if p.find(f"{ns}title") is not None and p.get("fill")}
    assert fills["Russia"] == "#3a3f47"                # the anchor
    assert fills["North Korea"] == "#d7191c"           # 1.0 with Russia in 2023
    assert fills["United States"] == "#2c7bb6"         # 0.0
    assert fills["Sweden"] == "url(#none)"             # no vote in 2023
    assert fills["Brazil"] == "#eceff2"                # not in the data
    titles = [p.find(f"{ns}title").text for p in root.iter(f"{ns}path") if p.find(f"{ns}title") is not None
              and "→" in (p.find(f"{ns}title").text or "")]
    assert "North Korea → India: New Delhi, uncertain (closure announced 2023-10)" in titles
    assert "North Korea → Cuba: Havana, closed (closed on or before 2023-12-05)" in titles
    assert "North Korea → Russia: Vladivostok, open (no closure known by this date)" in titles
    assert map_svg(map_world(reverse=True), map_view(), anchor="RUS", year=2023) == svg


def test_the_static_map_draws_a_mission_only_once_it_has_opened() -> None:
    # the consulate general in Vladivostok opened in 2019-05: at the end of 2018 it is not drawn
    early = map_svg(map_world(), map_view(), anchor="RUS", year=2018)
    assert "Vladivostok" not in early and "North Korea → India: New Delhi, open" in early


def test_the_static_map_labels_never_overlap(svg: str) -> None:
    ns = "{http://www.w3.org/2000/svg}"
    group = next(g for g in ET.fromstring(svg).iter(f"{ns}g") if g.get("id") == "labels")
    boxes = [(float(t.get("x")), float(t.get("y")), t.text or "", float(t.get("font-size") or 10))
             for t in group.iter(f"{ns}text")]
    assert len(boxes) >= 5 and {"North Korea", "Russia"} <= {b[2] for b in boxes}
    rects = []
    for x, y, text, size in boxes:
        w, h = 0.6 * size * len(text) + 4, size + 3
        rects.append((x - w / 2, y - size / 3 - h / 2, w, h))
    for i, a in enumerate(rects):
        for b in rects[i + 1:]:
            assert not (a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3])


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"anchor": "USA"}, "anchor 'USA' is not one of the map's anchors"),
    ({"year": 1990}, "year 1990 is not on the map"),
    ({"missions_of": "ZZZ"}, "no state 'ZZZ'"),
])
def test_the_static_map_refuses_what_it_cannot_draw(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        map_svg(map_world(), map_view(), **kwargs)
