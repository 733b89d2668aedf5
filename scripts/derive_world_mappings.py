"""Derive the mapping tables of the two world sources from their own data (run by hand, output committed).

    python scripts/derive_world_mappings.py            # rewrites the tables under sources/*/mapping/

It reads only the copies in ``sources/`` (never the network) and writes:

- ``sources/unga-votes/mapping/members.csv``: every (country_code, country) pair of ``votes.csv.gz``
  and the polity it stands for, with how it was matched;
- ``sources/wikidata-missions/mapping/entities.csv``: every sender (operator) and host (country) QID
  of the missions table and the polity it stands for, or nothing when it is not an ISO 3166-1 entry;
- ``sources/wikidata-missions/mapping/mission-kinds.csv``: every mission type of the table and the
  ontology class it maps to;
- ``sources/wikidata-missions/mapping/missions.csv``: every row's mission identifier, the place it
  sits in (its host), the class written, and the rule that made them;
- ``sources/wikidata-missions/mapping/same-missions.csv``: every row that is a mission another source
  names too, the other source's mission, and why they are one.

A mission's identity is what it is: its sender, the place it sits in and its kind, never a source's
host field as such. The place is the host Wikidata gives, unless the row's city is an ISO 3166-1
territory of that host (Wikidata's "People's Republic of China" with the city Hong Kong: the place is
Hong Kong, ``iso:HKG``, as the closures table gives it). A row whose sender, place and kind of post
(a consulate and a consulate-general are one kind of post: consular) are those of a mission another
source describes (the Turtle of the other source folders) is that mission: it takes that mission's
identifier, and where the two give different kinds (Wikidata's "consulate" in Hong Kong, the closures
table's consulate-general) the row writes no kind of its own beyond ``diplo:DiplomaticMission``.

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
from dataclasses import dataclass
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
    ("Q2724951", "Portuguese colonization of the Americas"): (
        "", "not Portugal: a historical process (a Wikidata error)"),
    ("Q789889", "Ministry of Foreign Affairs of the Russian Federation"): ("", "a ministry of RUS, kept as itself"),
    ("Q1155502", "Ministry of Foreign Affairs of the People's Republic of China"): (
        "", "a ministry of CHN, kept as itself"),
    ("Q16911151", "Ministry of Foreign Affairs and Cooperation of the Republic of Rwanda"): (
        "", "a ministry of RWA, kept as itself"),
    ("Q930729", "Government of Sweden"): ("", "the government of SWE, kept as itself"),
}


#: Cities the place rule cannot read by name, decided by hand: city QID -> (ISO alpha-3, reason).
REVIEWED_PLACES: dict[str, tuple[str, str]] = {
    "Q14767": ("HKG", "the city Central (Q14767) is a district of Hong Kong"),
    "Q312485": ("HKG", "the city Central and Western District (Q312485) is a district of Hong Kong"),
    "Q1135665": ("MAC", "the city Sé (Q1135665) is a parish of Macao"),
}
#: Kinds of post that are one kind for identity (Wikidata's "consulate" and a source's consulate-general).
FAMILIES = {"diplo:ConsulateGeneral": "consular", "diplo:Consulate": "consular"}
#: The world's source folders: every other folder's Turtle is read for the missions it describes.
WORLD = ("unga-votes", "wikidata-missions")


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


def _territories() -> dict[str, str]:
    """ISO alpha-3 of each territory of the gazetteer -> the alpha-3 of the state it belongs to."""
    import sys

    sys.path.insert(0, str(ROOT))
    from kg.namespaces import DIPLO
    from kg.sources.gazetteer import gazetteer_graph

    g = gazetteer_graph()
    code = {s: str(g.value(s, DIPLO.iso3166Alpha3)) for s in g.subjects(DIPLO.iso3166Alpha3, None)}
    return {code[s]: code[o] for s, o in g.subject_objects(DIPLO.territoryOf) if s in code and o in code}


@dataclass(frozen=True)
class OtherMission:
    """A mission other sources describe: their folders, its identifier, sender, place and class."""

    source: str
    ident: str
    sender: str
    place: str
    cls: str


def other_missions() -> dict[tuple[str, str, str], OtherMission]:
    """The missions the other sources describe (not an article's name for another mission, which
    diplo:officialForm marks), keyed by sender, place and kind of post."""
    import sys

    sys.path.insert(0, str(ROOT))
    from rdflib import RDF, Graph, URIRef

    from kg.namespaces import DIPLO, MISSION, source_base

    found: dict[tuple[str, str, str], OtherMission] = {}
    named: dict[URIRef, list[str]] = {}
    g = Graph()
    for folder in sorted(p for p in (ROOT / "sources").iterdir() if p.is_dir() and p.name not in WORLD):
        for ttl in sorted(folder.glob("*.ttl")):
            part = Graph().parse(ttl, format="turtle", publicID=source_base(folder.name))
            for mission in part.subjects(DIPLO.sendingState, None):
                if folder.name not in named.setdefault(mission, []):
                    named[mission].append(folder.name)
            g += part
    aliases = set(g.subjects(DIPLO.officialForm, None))
    for mission, folders in sorted(named.items()):
        source = " and ".join(folders)
        if mission in aliases or not str(mission).startswith(str(MISSION)):
            continue
        sender, host = g.value(mission, DIPLO.sendingState), g.value(mission, DIPLO.host)
        classes = sorted(f"diplo:{str(c).rsplit('#', 1)[1]}" for c in g.objects(mission, RDF.type))
        if sender is None or host is None or len(classes) != 1:
            raise SystemExit(f"{mission}: needs one sender, host and kind to be paired: review it")
        entry = OtherMission(source, str(mission)[len(str(MISSION)):], str(sender).rsplit("/", 1)[1],
                             str(host).rsplit("/", 1)[1], classes[0])
        key = (entry.sender, entry.place, FAMILIES.get(entry.cls, entry.cls))
        if key in found:
            raise SystemExit(f"{mission} and {found[key].ident} share sender, place and kind: review them")
        found[key] = entry
    return found


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


def place(row: dict[str, str], codes: dict[str, str], territories: dict[str, str],
          coco: list[tuple[re.Pattern[str], str]], cache: dict[str, tuple[str, str] | None]) -> tuple[str, str]:
    """The place a row's mission sits in (a code as in ``codes``) and why, when it is not the host
    Wikidata gives: the row's city when that is an ISO 3166-1 territory of the host."""
    host = codes[row["countryQID"]]
    if row["cityQID"] in REVIEWED_PLACES:
        code, reason = REVIEWED_PLACES[row["cityQID"]]
        if territories.get(code) == host:
            return code, f"place {code}: reviewed: {reason}, a territory of {host} (Wikidata's host)"
    if row["city"] not in cache:
        cache[row["city"]] = match_name(row["city"], coco) if row["city"] else None
    found = cache[row["city"]]
    if found is not None and territories.get(found[0]) == host:
        return found[0], (f"place {found[0]}: the city {row['city']} ({row['cityQID']}) is {found[0]}, "
                          f"a territory of {host} (Wikidata's host)")
    return host, ""


def missions(codes: dict[str, str], coco: list[tuple[re.Pattern[str], str]]) -> None:
    """Write missions.csv and same-missions.csv: each row's mission identifier (sender-place-kind, with
    the city, then the QID, added only where several missions share sender, place and kind; another
    source's identifier where that source describes the same mission), its place, the class written and
    the rule. Keyed by the row's QID, sender, host and type: one Wikidata item (Q106686567) is listed
    twice, with two senders."""
    table = _missions_table()
    kinds = {r["typeQID"]: r for r in csv.DictReader((MISSIONS / "mapping" / "mission-kinds.csv").open())}
    entities = {r["qid"]: r for r in csv.DictReader((MISSIONS / "mapping" / "entities.csv").open())}
    territories, cache = _territories(), {}
    others = other_missions()
    places = [place(r, codes, territories, coco, cache) for r in table]
    base = [f"{codes[r['operatorQID']]}-{p}-{kinds[r['typeQID']]['slug']}" for r, (p, _) in zip(table, places)]
    paired: list[OtherMission | None] = []
    for r, (p, _) in zip(table, places):
        cls = kinds[r["typeQID"]]["class"]
        paired.append(others.get((codes[r["operatorQID"]], p, FAMILIES.get(cls, cls))))
    twice = [o.ident for o, n in Counter(o for o in paired if o).items() if n > 1]
    if twice:
        raise SystemExit(f"several rows pair with one mission ({twice}): review them")
    groups = Counter(b for b, o in zip(base, paired) if o is None)
    with_city = [b if groups[b] == 1 else f"{b}-{_slug(r['city']) or r['QID']}" for b, r in zip(base, table)]
    again = Counter(c for c, o in zip(with_city, paired) if o is None)
    rows, same = [], []
    for b, c, r, (p, why), other in zip(base, with_city, table, places, paired):
        key = [r["QID"], r["operatorQID"], r["countryQID"], r["typeQID"]]
        cls = kinds[r["typeQID"]]["class"]
        host = entities[r["countryQID"]] if p == codes[r["countryQID"]] else None
        node = host["node"] if host else f"iso:{p}"
        host_property = host["host_property"] if host else "diplo:host"
        notes = f"; {why}" if why else ""
        if codes[r["operatorQID"]] == p:
            rows.append([*key, "", "", "", "", "left out: Wikidata gives the sender itself as the host" + notes])
        elif other is not None:
            written = cls if cls == other.cls else "diplo:DiplomaticMission"
            rows.append([*key, other.ident, node, host_property, written,
                         f"same mission as {other.source}'s (see same-missions.csv){notes}"])
            same.append(same_row(r, other, p, why, cls))
        elif groups[b] == 1:
            rows.append([*key, b, node, host_property, cls, "sender-place-kind" + notes])
        elif again[c] == 1:
            rows.append([*key, c, node, host_property, cls,
                         f"city added ({groups[b]} missions share sender, place and kind){notes}"])
        else:
            rows.append([*key, f"{c}-{r['QID']}", node, host_property, cls,
                         f"city and QID added ({again[c]} share the city too){notes}"])
    header = ["QID", "operatorQID", "countryQID", "typeQID", "mission", "host", "host_property", "class", "rule"]
    _write(MISSIONS / "mapping" / "missions.csv", header, rows)
    _write(MISSIONS / "mapping" / "same-missions.csv",
           ["QID", "mission", "source", "sender", "place", "wikidata_kind", "source_kind", "reason"], same)


def same_row(row: dict[str, str], other: OtherMission, place_code: str, why: str, cls: str) -> list[str]:
    """One line of same-missions.csv: a Wikidata row that is a mission another source describes."""
    where = f"place {place_code}" + (f" ({why.split(': ', 1)[1]})" if why else "")
    if cls == other.cls:
        kind = f"kind {cls.removeprefix('diplo:')}"
        written = "one identifier"
    else:
        kind = (f"kind of post {FAMILIES[cls]} (Wikidata: {row['type']}; {other.source}: "
                f"{other.cls.removeprefix('diplo:')})")
        written = (f"one identifier, {other.source}'s; Wikidata's row writes no kind of its own "
                   f"(diplo:DiplomaticMission), so the node keeps {other.source}'s")
    reason = f"same sender {other.sender}, {where} and {kind}: {written}"
    return [row["QID"], other.ident, other.source, other.sender, place_code, cls, other.cls, reason]


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
    missions(entities(coco), coco)
