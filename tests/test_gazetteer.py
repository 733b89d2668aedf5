"""The gazetteer: every ISO 3166-1 entry with its codes, English name and UN M49 region."""

from __future__ import annotations

import pycountry
import pytest
from rdflib import RDF, RDFS, Graph, URIRef

from kg.namespaces import DIPLO, ISO
from kg.sources.gazetteer import gazetteer_graph, region_iri


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
        # not a UN member, and listed under no state by ISO 3166-2: its status is left open
        pytest.param("TWN", "TW", "158", DIPLO.Polity, "Eastern Asia", "Asia", None, id="TWN"),
        # Antarctica has no UN M49 region
        pytest.param("ATA", "AQ", "010", DIPLO.Polity, None, None, None, id="ATA"),
        # filed under the continent Antarctica by the table, in South America by M49
        pytest.param("SGS", "GS", "239", DIPLO.Polity, "South America", "Americas", None, id="SGS"),
        # filed under Asia by the table, in Australia and New Zealand (Oceania) by M49
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
