"""Derive the mapping tables of the two world sources from their own data (run by hand, output committed).

    python scripts/derive_world_mappings.py            # rewrites the tables under sources/*/mapping/

It reads only the copies in ``sources/`` (never the network) and writes:

- ``sources/unga-votes/mapping/members.csv``: every (country_code, country) pair of ``votes.csv.gz``
  and the polity it stands for, with how it was matched;
- ``sources/wikidata-missions/mapping/entities.csv``: every sender (operator) and host (country) QID
  of the missions table and the polity it stands for, or nothing when it is not an ISO 3166-1 entry;
- ``sources/wikidata-missions/mapping/mission-kinds.csv``: every mission type of the table and the
  ontology class it maps to.

Matching, in order (the ``match`` column records which rule matched each row):

1. ``iso3166-1 alpha-2``: the row's ISO alpha-2 code is a current ISO 3166-1 entry (pycountry);
2. ``iso3166-3 alpha-2 and name``: a former entry of ISO 3166-3 (pycountry's historic countries) whose
   alpha-2 code and name both agree with the row (Czechoslovakia, the GDR ...);
3. ``pycountry name``: pycountry's lookup of the name (name, official name, common name);
4. ``country_converter regex``: the name matches exactly one regular expression of
   country_converter's table (installed by hand to run this script; neither the package nor its table
   ships: its output, the mapping tables, records only which rule matched);
5. ``reviewed: ...``: a decision written below in REVIEWED with its reason;
6. ``not an ISO 3166-1 entry``: kept as the entity it is (a ministry, a sub-national government, the
   Order of Malta, a state of limited recognition): no polity.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections import Counter
from pathlib import Path

import pycountry

ROOT = Path(__file__).resolve().parent.parent
VOTES = ROOT / "sources" / "unga-votes"
MISSIONS = ROOT / "sources" / "wikidata-missions"

#: Decisions made by reading the rows (QID or code, name) -> (ISO alpha-3 or "", reason).
REVIEWED: dict[tuple[str, str], tuple[str, str]] = {
    # The votes: members without a code in the data stay members of their own (no ISO 3166 entry).
    ("", "Federal Republic of Germany"): ("", "no code in the data; the data codes Germany (DE) apart, from 1991"),
    ("", "Yemen Arab Republic"): ("", "no code in the data (North Yemen, 1947-1990)"),
    ("", "Zanzibar"): ("", "no code in the data (1963-64)"),
    # The data's YU runs from 1946 to 2019 under the name Yugoslavia: kept as ISO 3166-3 YUCS, its name.
    # Wikidata's two Kosovo items: the second is a duplicate item for the same entity; neither is ISO.
    ("Q1231", "Kosovo"): ("", "not an ISO 3166-1 entry (Kosovo has no ISO code)"),
    ("Q1246", "Kosovo"): ("", "not an ISO 3166-1 entry (Kosovo has no ISO code)"),
    ("Q159583", "Vatican"): ("VAT", "the Holy See (Q159583), ISO 3166-1 VA/VAT"),
    ("Q237", "Vatican"): ("VAT", "Vatican City (Q237), ISO 3166-1 VA/VAT"),
    ("Q219060", "Palestine"): ("PSE", "State of Palestine (Q219060), ISO 3166-1 PS/PSE"),
    # country_converter's regular expressions match inside longer names: these are not the state.
    ("Q23681", "Turkish Republic of Northern Cyprus"): ("", "not Cyprus: a state of limited recognition, no ISO code"),
    ("Q34754", "Somaliland"): ("", "not Somalia: a state of limited recognition, no ISO code"),
    ("Q170355", "Indigenous Australians"): ("", "not Australia: the Aboriginal Tent Embassy's operator"),
    ("Q190353", "Sovereign Military Order of Malta"): ("", "not Malta: the Order is a sovereign entity of its own"),
    ("Q2724951", "Portuguese colonization of the Americas"): ("", "not Portugal: a historical process (a Wikidata error)"),
    ("Q789889", "Ministry of Foreign Affairs of the Russian Federation"): ("", "a ministry of RUS, kept as itself"),
    ("Q1155502", "Ministry of Foreign Affairs of the People's Republic of China"): ("", "a ministry of CHN, kept as itself"),
    ("Q16911151", "Ministry of Foreign Affairs and Cooperation of the Republic of Rwanda"): ("", "a ministry of RWA, kept as itself"),
    ("Q930729", "Government of Sweden"): ("", "the government of SWE, kept as itself"),
}


def _iso3_of_alpha2(code: str) -> str | None:
    entry = pycountry.countries.get(alpha_2=code) if code else None
    return entry.alpha_3 if entry else None


def _first_word(name: str) -> str:
    return re.split(r"[^a-z]+", name.lower())[0]


def _historic(code: str, name: str) -> tuple[str, str] | None:
    for entry in pycountry.historic_countries:
        if entry.alpha_2 == code and _first_word(entry.name) == _first_word(name):
            return entry.alpha_3, entry.alpha_4
    return None


def _coco() -> list[tuple[re.Pattern[str], str]]:
    import importlib.metadata

    path = importlib.metadata.distribution("country_converter").locate_file("country_converter/country_data.tsv")
    with Path(str(path)).open(encoding="utf-8", newline="") as handle:
        return [(re.compile(r["regex"], re.IGNORECASE), r["ISO3"]) for r in csv.DictReader(handle, delimiter="\t")]


def match_name(name: str, coco: list[tuple[re.Pattern[str], str]]) -> tuple[str, str] | None:
    """(ISO alpha-3, rule) of a country name, or None."""
    try:
        return pycountry.countries.lookup(name).alpha_3, "pycountry name"
    except LookupError:
        pass
    found = {iso3 for pattern, iso3 in coco if pattern.search(name)}
    if len(found) == 1:
        return found.pop(), "country_converter regex"
    return None


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(buffer.getvalue(), encoding="utf-8")
    tmp.replace(path)


def members(coco: list[tuple[re.Pattern[str], str]]) -> None:
    with gzip.open(VOTES / "votes.csv.gz", "rt", encoding="utf-8", newline="") as handle:
        pairs = Counter((r["country_code"], r["country"]) for r in csv.DictReader(handle))
    rows = []
    for (code, name), count in sorted(pairs.items()):
        iso3 = _iso3_of_alpha2(code)
        if (code, name) in REVIEWED:
            iso3, reason = REVIEWED[(code, name)]
            polity, match = (f"iso:{iso3}" if iso3 else f"unga-member:{_slug(name)}"), f"reviewed: {reason}"
        elif iso3:
            polity, match = f"iso:{iso3}", "iso3166-1 alpha-2"
        elif (old := _historic(code, name)) is not None:
            polity, match = f"iso3166-3:{old[1]}", f"iso3166-3 alpha-2 and name ({old[0]})"
        else:
            raise SystemExit(f"no match for member {code!r} {name!r}: review it")
        rows.append([code, name, polity, match, str(count)])
    _write(VOTES / "mapping" / "members.csv", ["country_code", "country", "polity", "match", "votes"], rows)
    turtle = [
        "# The members of the votes that are no current ISO 3166-1 entry (written by",
        "# scripts/derive_world_mappings.py from mapping/members.csv): former states, named as the data names them.",
        "@prefix diplo: <https://w3id.org/diplokg/ontology#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix iso3166-3: <https://w3id.org/diplokg/id/iso3166-3/> .",
        "@prefix unga-member: <https://w3id.org/diplokg/id/unga-member/> .",
        "",
    ]
    for code, name, polity, match, _count in rows:
        if polity.startswith("iso:"):
            continue
        extra = f' ; diplo:iso3166Alpha4 "{polity.split(":")[1]}"' if polity.startswith("iso3166-3:") else ""
        turtle.append(f'{polity} a diplo:HistoricalPolity ; rdfs:label "{name}"@en{extra} ;')
        turtle.append(f'    rdfs:comment "votes coded {code or "(no code)"}; {match}" .')
    (VOTES / "members.ttl").write_text("\n".join(turtle) + "\n", encoding="utf-8")


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _states() -> set[str]:
    """ISO alpha-3 codes the gazetteer types diplo:State (so a mission of theirs has a sendingState)."""
    import sys

    sys.path.insert(0, str(ROOT))
    from rdflib import RDF

    from kg.namespaces import DIPLO
    from kg.sources.gazetteer import gazetteer_graph

    g = gazetteer_graph()
    return {str(g.value(s, DIPLO.iso3166Alpha3)) for s in g.subjects(RDF.type, DIPLO.State)}


def _missions_table() -> list[dict[str, str]]:
    with gzip.open(MISSIONS / "missions-2022-11-16.csv.gz", "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def entities(coco: list[tuple[re.Pattern[str], str]]) -> dict[str, str]:
    """Write entities.csv and entities.ttl; return QID -> code used in mission identifiers."""
    table = _missions_table()
    states = _states()
    senders: Counter[tuple[str, str]] = Counter()
    hosts: Counter[tuple[str, str]] = Counter()
    first_row: dict[str, int] = {}
    for n, row in enumerate(table, 1):
        senders[(row["operatorQID"], row["operator"])] += 1
        hosts[(row["countryQID"], row["country"])] += 1
        first_row.setdefault(row["operatorQID"], n)
        first_row.setdefault(row["countryQID"], n)
    rows = []
    codes: dict[str, str] = {}
    turtle = [
        "# Senders and hosts of the missions table that are no ISO 3166-1 entry (written by",
        "# scripts/derive_world_mappings.py from mapping/entities.csv): each kept as the entity it is,",
        "# with its Wikidata item and the first row that names it as evidence.",
        "@prefix diplo: <https://w3id.org/diplokg/ontology#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix wd: <http://www.wikidata.org/entity/> .",
        "@prefix entity: <https://w3id.org/diplokg/id/entity/> .",
        "",
    ]
    width = len(str(len(table)))
    for qid, name in sorted(set(senders) | set(hosts), key=lambda k: (int(k[0][1:]), k[1])):
        if (qid, name) in REVIEWED:
            iso3, reason = REVIEWED[(qid, name)]
            match = f"reviewed: {reason}"
        elif (found := match_name(name, coco)) is not None:
            iso3, match = found
        else:
            iso3, match = "", "not an ISO 3166-1 entry"
        if iso3:
            node = f"iso:{iso3}"
            sender_property = "diplo:sendingState" if iso3 in states else "diplo:sender"
            host_property = "diplo:host"
            codes[qid] = iso3
        else:
            node, sender_property, host_property = f"entity:{qid}", "diplo:sender", "diplo:seatedIn"
            codes[qid] = qid
            label = name.replace("\\", "\\\\").replace('"', '\\"')
            turtle.append(
                f'entity:{qid} a diplo:WikidataEntity ; rdfs:label "{label}"@en ; diplo:wikidataItem wd:{qid} ;\n'
                f"    diplo:evidence <missions-2022-11-16-r{first_row[qid]:0{width}d}> ."
            )
        rows.append([qid, name, node, match, sender_property, host_property,
                     str(senders[(qid, name)]), str(hosts[(qid, name)])])
    header = ["qid", "name", "node", "match", "sender_property", "host_property", "as_sender", "as_host"]
    _write(MISSIONS / "mapping" / "entities.csv", header, rows)
    (MISSIONS / "entities.ttl").write_text("\n".join(turtle) + "\n", encoding="utf-8")
    return codes


def missions(codes: dict[str, str]) -> None:
    """Write missions.csv: each mission's identifier, sender-host-kind, with the city (then the QID)
    added only where several missions share sender, host and kind. Keyed by the row's QID, sender,
    host and type: one Wikidata item (Q106686567) is listed twice, with two senders."""
    table = _missions_table()
    slug_of = {r["typeQID"]: r["slug"] for r in csv.DictReader((MISSIONS / "mapping" / "mission-kinds.csv").open())}
    base = [f"{codes[r['operatorQID']]}-{codes[r['countryQID']]}-{slug_of[r['typeQID']]}" for r in table]
    groups = Counter(base)
    with_city = [b if groups[b] == 1 else f"{b}-{_slug(r['city']) or r['QID']}" for b, r in zip(base, table)]
    again = Counter(with_city)
    rows = []
    for b, c, r in zip(base, with_city, table):
        key = [r["QID"], r["operatorQID"], r["countryQID"], r["typeQID"]]
        if codes[r["operatorQID"]] == codes[r["countryQID"]]:
            rows.append([*key, "", "left out: Wikidata gives the sender itself as the host"])
        elif groups[b] == 1:
            rows.append([*key, b, "sender-host-kind"])
        elif again[c] == 1:
            rows.append([*key, c, f"city added ({groups[b]} missions share sender, host and kind)"])
        else:
            rows.append([*key, f"{c}-{r['QID']}", f"city and QID added ({again[c]} share the city too)"])
    header = ["QID", "operatorQID", "countryQID", "typeQID", "mission", "rule"]
    _write(MISSIONS / "mapping" / "missions.csv", header, rows)


#: Wikidata's mission types -> (class, slug used in mission identifiers); the slug is the class's.
KINDS = {
    "embassy": "Embassy",
    "Embassy of the United States": "Embassy",
    "high commission": "HighCommission",
    "British High Commission": "HighCommission",
    "Australian High Commission": "HighCommission",
    "assistant high commission": "HighCommission",
    "consulate general": "ConsulateGeneral",
    "Consulate General of Sweden": "ConsulateGeneral",
    "Consulate General of Belgium": "ConsulateGeneral",
    "consulate": "Consulate",
    "consulates of Sweden": "Consulate",
    "consular office": "Consulate",
    "Consular Agency": "Consulate",
    "honorary consulate": "HonoraryConsulate",
    "apostolic nunciature": "ApostolicNunciature",
    "Apostolic delegation": "ApostolicNunciature",
    "de facto embassy": "RepresentativeOffice",
    "de facto consulate": "RepresentativeOffice",
    "liaison office": "RepresentativeOffice",
    "representative office": "RepresentativeOffice",
    "trade office": "RepresentativeOffice",
    "Taipei Representative Office": "RepresentativeOffice",
    "Quebec Government Office": "RepresentativeOffice",
    "Interests Section": "RepresentativeOffice",
    "permanent mission": "DiplomaticMission",
    "diplomatic mission": "DiplomaticMission",
    "diplomatic mission of El Salvador": "DiplomaticMission",
}
SLUGS = {
    "Embassy": "embassy",
    "HighCommission": "high-commission",
    "ConsulateGeneral": "consulate-general",
    "Consulate": "consulate",
    "HonoraryConsulate": "honorary-consulate",
    "ApostolicNunciature": "nunciature",
    "RepresentativeOffice": "representative-office",
    "DiplomaticMission": "mission",
}


def kinds() -> None:
    with gzip.open(MISSIONS / "missions-2022-11-16.csv.gz", "rt", encoding="utf-8", newline="") as handle:
        found = Counter((r["typeQID"], r["type"]) for r in csv.DictReader(handle))
    rows = []
    for (qid, name), count in sorted(found.items(), key=lambda kv: -kv[1]):
        cls = KINDS[name]
        rows.append([qid, name, f"diplo:{cls}", SLUGS[cls], str(count)])
    _write(MISSIONS / "mapping" / "mission-kinds.csv", ["typeQID", "type", "class", "slug", "missions"], rows)


if __name__ == "__main__":
    coco = _coco()
    members(coco)
    kinds()
    missions(entities(coco))
