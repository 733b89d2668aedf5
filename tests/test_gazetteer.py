"""The gazetteer: every ISO 3166-1 entry with its codes, English name and UN M49 region."""

from __future__ import annotations

import csv
from pathlib import Path

import pycountry
import pytest
from rdflib import RDF, RDFS, Graph, URIRef

from kg.namespaces import DIPLO, ISO
from kg.sources.gazetteer import M49_TABLE, gazetteer_graph, region_iri


@pytest.fixture(scope="module")
def gaz() -> Graph:
    return gazetteer_graph()


def _regions(g: Graph, node: URIRef) -> tuple[str | None, str | None]:
    subs = list(g.objects(node, DIPLO.inRegion))
    if not subs:
        return None, None
    assert len(subs) == 1
    parents = list(g.objects(subs[0], DIPLO.subRegionOf))
    assert len(parents) == 1
    return str(g.value(subs[0], RDFS.label)), str(g.value(parents[0], RDFS.label))


@pytest.mark.parametrize(
    ("alpha3", "alpha2", "numeric", "kind", "subregion", "region", "territory_of"),
    [
        pytest.param("PRK", "KP", "408", DIPLO.State, "Eastern Asia", "Asia", None, id="PRK"),
        pytest.param("HKG", "HK", "344", DIPLO.Territory, "Eastern Asia", "Asia", "CHN", id="HKG"),
        pytest.param("ESP", "ES", "724", DIPLO.State, "Southern Europe", "Europe", None, id="ESP"),
        pytest.param("UGA", "UG", "800", DIPLO.State, "Eastern Africa", "Africa", None, id="UGA"),
        pytest.param("NIC", "NI", "558", DIPLO.State, "Central America", "Americas", None, id="NIC"),
        pytest.param("USA", "US", "840", DIPLO.State, "Northern America", "Americas", None, id="USA"),
        # not a UN member, and listed under no state by ISO 3166-2: its status is left open; and M49
        # does not list it (the UN's statistics count it within China), so it has no M49 region
        pytest.param("TWN", "TW", "158", DIPLO.Polity, None, None, None, id="TWN"),
        # M49 files Nauru in Micronesia (country_converter's table had Polynesia)
        pytest.param("NRU", "NR", "520", DIPLO.State, "Micronesia", "Oceania", None, id="NRU"),
        # Antarctica has no UN M49 region
        pytest.param("ATA", "AQ", "010", DIPLO.Polity, None, None, None, id="ATA"),
        # in South America by M49 (country_converter's table filed it under the continent Antarctica)
        pytest.param("SGS", "GS", "239", DIPLO.Polity, "South America", "Americas", None, id="SGS"),
        # in Australia and New Zealand (Oceania) by M49 (country_converter's table said Asia)
        pytest.param("CXR", "CX", "162", DIPLO.Polity, "Australia and New Zealand", "Oceania", None, id="CXR"),
    ],
)
def test_polity(
    gaz: Graph,
    alpha3: str,
    alpha2: str,
    numeric: str,
    kind: URIRef,
    subregion: str | None,
    region: str | None,
    territory_of: str | None,
) -> None:
    node = ISO[alpha3]
    types = set(gaz.objects(node, RDF.type))
    assert types == {kind}, types
    assert str(gaz.value(node, DIPLO.iso3166Alpha2)) == alpha2
    assert str(gaz.value(node, DIPLO.iso3166Alpha3)) == alpha3
    assert str(gaz.value(node, DIPLO.iso3166Numeric)) == numeric
    assert gaz.value(node, RDFS.label) is not None
    assert _regions(gaz, node) == (subregion, region)
    parent = gaz.value(node, DIPLO.territoryOf)
    assert (None if parent is None else str(parent).rsplit("/", 1)[-1]) == territory_of
    assert gaz.value(node, DIPLO.evidence) is not None


def test_every_iso_entry_is_there(gaz: Graph) -> None:
    assert {str(n).rsplit("/", 1)[-1] for n in gaz.subjects(DIPLO.iso3166Alpha3, None)} == {
        c.alpha_3 for c in pycountry.countries
    }


def test_un_members_are_states(gaz: Graph) -> None:
    assert len(set(gaz.subjects(RDF.type, DIPLO.State))) == 193


def test_regions_form_a_tree(gaz: Graph) -> None:
    """Each sub-region has exactly one parent region; the five M49 regions have none."""
    regions = set(gaz.subjects(RDF.type, DIPLO.WorldRegion))
    top = {r for r in regions if not set(gaz.objects(r, DIPLO.subRegionOf))}
    assert top == {region_iri(n) for n in ("Africa", "Americas", "Asia", "Europe", "Oceania")}
    for r in regions - top:
        assert len(set(gaz.objects(r, DIPLO.subRegionOf))) == 1, r


#: The gazetteer's typing and regions as built from country_converter's table (GPL-3.0-or-later), before
#: the regions came from the UN's M49 table and the UN members from the UN's voting records (issue 27).
BEFORE = Path(__file__).resolve().parent / "fixtures" / "gazetteer-before-m49.tsv"
#: Where the two differ, and why: nothing else may change.
CHANGED = {
    "NRU": "M49 files Nauru in Micronesia; country_converter's table said Polynesia",
    "TWN": "M49 does not list Taiwan (the UN's statistics count it within China); country_converter added Eastern Asia",
}


def _typing(g: Graph) -> dict[str, tuple[str, str, str, str]]:
    """ISO alpha-3 -> (kind, sub-region, region, territory of), as the fixture records them."""
    out = {}
    for node in g.subjects(DIPLO.iso3166Alpha3, None):
        sub, region = _regions(g, node)
        parent = g.value(node, DIPLO.territoryOf)
        kind = str(g.value(node, RDF.type)).rsplit("#", 1)[-1]
        out[str(g.value(node, DIPLO.iso3166Alpha3))] = (
            kind, sub or "", region or "", "" if parent is None else str(parent).rsplit("/", 1)[-1])
    return out


def test_same_typing_and_regions_as_before_but_where_m49_says_otherwise(gaz: Graph) -> None:
    with BEFORE.open(encoding="utf-8", newline="") as handle:
        before = {r["ISO3"]: (r["kind"], r["subRegion"], r["region"], r["territoryOf"])
                  for r in csv.DictReader(handle, delimiter="\t")}
    now = _typing(gaz)
    assert set(now) == set(before)
    differ = {code for code in now if now[code] != before[code]}
    assert differ == set(CHANGED), {c: (before[c], now[c]) for c in differ ^ set(CHANGED)}
    # the typing (State, Territory, Polity and whose territory) is the same for every entry
    assert all(now[c][0] == before[c][0] and now[c][3] == before[c][3] for c in now)


def test_m49_areas_are_iso_entries_with_the_same_numeric_code() -> None:
    """The M49 table and pycountry agree: every M49 area with an alpha-3 code is that ISO entry, and
    the M49 code of an area is its ISO 3166-1 numeric code."""
    with M49_TABLE.open(encoding="utf-8", newline="") as handle:
        areas = [r for r in csv.DictReader(handle, delimiter="\t") if r["level"] == "country or area"]
    by_alpha3 = {c.alpha_3: c for c in pycountry.countries}
    assert len(areas) == 248
    for area in areas:
        assert by_alpha3[area["ISO3"]].numeric == area["code"], area


def test_the_package_ships_no_copyleft_data() -> None:
    data = M49_TABLE.parent
    assert sorted(p.name for p in data.iterdir() if p.is_file()) == ["README.md", "un-m49.tsv", "un-members.txt"]
    assert "country_converter" not in M49_TABLE.read_text(encoding="utf-8")
