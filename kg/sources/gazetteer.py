"""The reference gazetteer: every ISO 3166-1 entry as a polity, with its codes and UN M49 region.

Nothing here is typed by hand. The data come from two well-kept libraries:

- pycountry (ISO 3166-1 names and codes; ISO 3166-2 subdivisions), and
- country_converter's data table (UN M49 region and sub-region, UN membership), as an extract kept in
  ``kg/sources/data/un-m49-regions.tsv`` with its provenance and licence (so neither the package nor
  pandas is needed).

Rules, each taken from those tables:

- an entry is a ``diplo:State`` when the table gives a year of UN membership;
- it is a ``diplo:Territory`` of state P when ISO 3166-2 lists it as a subdivision of P whose type marks
  a dependent territory (special administrative region, outlying area, overseas collectivity or
  territory, constituent country); this makes Hong Kong and Macao territories of China;
- any other entry (Taiwan, Palestine, the Holy See, Western Sahara, ...) stays a plain ``diplo:Polity``:
  the tables do not settle its status, and we assert nothing they do not say. Taiwan, for one, is no
  UN member (so not a ``diplo:State`` by the first rule) and ISO 3166-2 lists it under no state (so not
  a ``diplo:Territory`` by the second): its status is disputed, and the graph leaves it open;
- an entry lies in the sub-region the table gives (``UNregion``); that sub-region lies in the region
  most of its entries give (``continent``; "America" is written "Americas", as UN M49 names it). The
  table files a few islands under a continent that M49 does not (Christmas and Cocos Islands under
  Asia, Bouvet Island, South Georgia and Heard Island under Antarctica) while giving their M49
  sub-region (Australia and New Zealand, South America): the majority rule puts them in Oceania and
  the Americas, as M49 does. Antarctica itself has no M49 region and gets none;
- for Africa and Latin America the table's sub-regions (Eastern Africa, Caribbean, South America ...)
  are what M49 calls intermediate regions; M49's sub-regions above them (Sub-Saharan Africa, Latin
  America and the Caribbean) are not in the table and are not added.
"""

from __future__ import annotations

import csv
import importlib.metadata
import re
from collections import Counter
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

#: country_converter writes "America" where the UN M49 geoscheme says "Americas".
_M49_REGION_NAMES = {"America": "Americas"}


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def region_iri(name: str) -> URIRef:
    """The identifier of a UN M49 region or sub-region, by its English name."""
    return REGION[_slug(name)]


#: UN M49 regions and UN membership by ISO 3166-1 alpha-3 code: an extract of country_converter's
#: table, kept in the package with its provenance and licence (data/README.md).
M49_TABLE = Path(__file__).resolve().parent / "data" / "un-m49-regions.tsv"
#: The country_converter release the table was taken from.
M49_TABLE_FROM = "country_converter 1.3.2"


@lru_cache(maxsize=1)
def _coco_rows() -> dict[str, dict[str, str]]:
    with M49_TABLE.open(encoding="utf-8", newline="") as handle:
        return {row["ISO3"]: row for row in csv.DictReader(handle, delimiter="\t")}


def _territory_parents() -> dict[str, str]:
    """Map an alpha-2 code to the alpha-2 code of the state ISO 3166-2 lists it under."""
    parents: dict[str, str] = {}
    for sub in pycountry.subdivisions:
        parent, _, suffix = sub.code.partition("-")
        if sub.type in TERRITORY_TYPES and suffix != parent:
            parents.setdefault(suffix, parent)
    return parents


def _subregion_parents(rows: dict[str, dict[str, str]]) -> dict[str, str]:
    """Map each sub-region to the region most of its entries give (ties: the first name)."""
    votes: dict[str, Counter[str]] = {}
    for row in rows.values():
        subregion, region = row.get("UNregion", ""), row.get("continent", "")
        if subregion and region and subregion != "Antarctica" and region != "Antarctica":
            votes.setdefault(subregion, Counter())[_M49_REGION_NAMES.get(region, region)] += 1
    return {sub: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for sub, c in votes.items()}


def _versions() -> str:
    pc = importlib.metadata.version("pycountry")
    return f"pycountry {pc}, {M49_TABLE_FROM}"


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
                "ISO 3166-1 and ISO 3166-2 as packaged by pycountry; UN M49 regions and UN membership "
                f"as tabulated by country_converter ({_versions()})."
            ),
        )
    )
    rows = _coco_rows()
    parents = _territory_parents()
    alpha2_to_3 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    sub_parents = _subregion_parents(rows)
    member_alpha2 = {c.alpha_2 for c in pycountry.countries if rows.get(c.alpha_3, {}).get("UNmember")}
    regions: dict[str, str] = {}
    for position, country in enumerate(sorted(pycountry.countries, key=lambda c: c.alpha_3), start=1):
        node = ISO[country.alpha_3]
        row = rows.get(country.alpha_3, {})
        name = getattr(country, "common_name", None) or country.name
        excerpt = URIRef(f"{GAZETTEER_SOURCE}{country.alpha_3}")
        member = row.get("UNmember", "")
        parent = parents.get(country.alpha_2) if not member else None
        if parent is not None and parent not in member_alpha2:
            parent = None
        subregion = row.get("UNregion", "")
        region = sub_parents.get(subregion, "")
        text = "\t".join(
            [country.alpha_3, country.alpha_2, country.numeric, country.name, subregion, row.get("continent", ""),
             f"UN member {member}" if member else "",
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
