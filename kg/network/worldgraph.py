"""The world view's input read from a built graph: :class:`~kg.network.world.WorldData` by SPARQL.

Four queries over the built graph (asserted, inferred and derived, as one union):

* the agreement measures the build derived (``diplo:AgreementMeasure``: ``diplo:state``,
  ``diplo:anchor``, ``diplo:year``, ``diplo:agreement``, ``diplo:rollCalls``; those of one issue are
  left out), China's and Russia's as the anchors;
* every diplomatic mission with its sender (``diplo:sender``) and seat (``diplo:seatedIn``), its most
  specific kind, city, coordinates (``geo:lat``/``geo:long``) and Wikidata item; a mission that is
  another source's name for a mission (``diplo:officialForm``: the article's Hong Kong "embassy") is
  not one of its own: its events go to the mission it names;
* the dated status events of the missions some fact names (the network rule
  ``kg/network/rules/mission-events.rq``: openings, closures, announcements, farewell visits, a
  register's listing, agreements), as :class:`~kg.network.status.StatusEvent`;
* for every state, former state or other entity these name: its code (ISO 3166-1 alpha-3, ISO 3166-3,
  else the last segment of its IRI, a Wikidata QID for Wikidata's entities), label and kind.

A graph with neither agreement measures nor a located mission (the dossier alone) has no world view.
Nothing is computed here that the graph does not hold: a state's place is left to
:func:`kg.network.world.place_states` (the median of the embassies it hosts).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.network.status import EVENT_KINDS, StatusEvent
from kg.network.world import WorldData, WorldMission, WorldState

__all__ = ["ANCHORS", "kind_words", "world_data"]

PREFIXES = """PREFIX diplo: <https://w3id.org/diplokg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
"""
ISO = "https://w3id.org/diplokg/id/iso3166/"
MISSION = "https://w3id.org/diplokg/id/mission/"
#: The anchors of the build's agreement measures, in the order of the view's switch.
ANCHORS = ("CHN", "RUS")
#: A mission's kind: the most specific of its classes, in this order (then any other subclass).
MISSION_CLASSES = ("Embassy", "HighCommission", "ApostolicNunciature", "ConsulateGeneral", "Consulate",
                   "HonoraryConsulate", "RepresentativeOffice")
#: What a node is, by its class, in order of preference.
NODE_KINDS = (("State", "state"), ("Territory", "territory"), ("HistoricalPolity", "former state"),
              ("InternationalOrganisation", "organisation"), ("WikidataEntity", "other entity"),
              ("Polity", "polity"))

AGREEMENT = PREFIXES + """SELECT ?state ?anchor ?year ?agreement ?votes WHERE {
  ?m a diplo:AgreementMeasure ; diplo:state ?state ; diplo:anchor ?anchor ; diplo:year ?year ;
     diplo:agreement ?agreement ; diplo:rollCalls ?votes .
  FILTER NOT EXISTS { ?m diplo:issue ?issue }
}"""

MISSIONS = PREFIXES + """SELECT ?m ?sender ?host (MIN(?rank) AS ?kind) (SAMPLE(?other) AS ?otherKind)
       (MIN(?cityLabel) AS ?city) (MIN(?la) AS ?lat) (MIN(?lo) AS ?long) (MIN(STR(?wd)) AS ?item) WHERE {
  ?m a diplo:DiplomaticMission ; diplo:sender ?sender ; diplo:seatedIn ?host .
  MINUS { ?m diplo:officialForm ?official }
  OPTIONAL { VALUES (?class ?rank) { CLASSES } ?m a ?class }
  OPTIONAL { ?m a ?other . ?other rdfs:subClassOf diplo:DiplomaticMission . FILTER(?other != diplo:DiplomaticMission) }
  OPTIONAL { ?m diplo:city/rdfs:label ?cityLabel }
  OPTIONAL { ?m geo:lat ?la ; geo:long ?lo }
  OPTIONAL { ?m diplo:wikidataItem ?wd }
} GROUP BY ?m ?sender ?host""".replace("CLASSES", " ".join(f"(diplo:{c} {i})" for i, c in enumerate(MISSION_CLASSES)))

NODES = PREFIXES + """SELECT ?node (MIN(?rank) AS ?kind) (SAMPLE(?a3) AS ?alpha3) (SAMPLE(?a4) AS ?alpha4)
       (SAMPLE(?item) AS ?wikidata) WHERE {
  VALUES ?node { NODES }
  OPTIONAL { VALUES (?class ?rank) { CLASSES } ?node a ?class }
  OPTIONAL { ?node diplo:iso3166Alpha3 ?a3 }
  OPTIONAL { ?node diplo:iso3166Alpha4 ?a4 }
  OPTIONAL { ?node diplo:wikidataItem ?item }
} GROUP BY ?node"""


def kind_words(local: str) -> str:
    """A mission class's local name in words: ``ConsulateGeneral`` -> ``consulate general``."""
    if local == "DiplomaticMission":
        return "mission"
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).lower()


#: Runs one of this module's SELECT queries over the union of every graph; its solutions as
#: ``{variable: value or None}`` (a server passes one that runs them through its gate, in its workers).
Rows = Callable[[str], list[dict[str, Any]]]


#: The network rule that gives each mission's dated status events (also read by the explorer's network).
EVENTS_RULE = Path(__file__).resolve().parent / "rules" / "mission-events.rq"


def _events(rows: Rows) -> dict[str, tuple[StatusEvent, ...]]:
    """``{mission IRI: its dated status events}`` (the rule's rows, in its order)."""
    found: dict[str, list[StatusEvent]] = {}
    for row in rows(EVENTS_RULE.read_text(encoding="utf-8")):
        if row["kind"] in EVENT_KINDS:
            found.setdefault(row["mission"], []).append(
                StatusEvent(row["kind"], row["date"] or "", row["bound"] == "1", row["source"] or ""))
    return {mission: tuple(dict.fromkeys(events)) for mission, events in found.items()}


def store_rows(store: ox.Store, query: str) -> list[dict[str, Any]]:
    """The solutions of a SELECT over the union of every graph, as ``{variable: value or None}``."""
    result = store.query(query, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]  # type: ignore[union-attr]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in result]  # type: ignore[union-attr]


def _local(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/"))[-1]


def _short_iri(iri: str) -> str:
    """Our mission IRIs written with their prefix (``mission:PRK-AGO-embassy``); others whole."""
    return "mission:" + iri[len(MISSION):] if iri.startswith(MISSION) else iri


def _nodes(rows: Rows, iris: set[str]) -> dict[str, tuple[str, str, str]]:
    """``{iri: (code, label, kind)}`` for the nodes the measures and missions name."""
    if not iris:
        return {}
    values = " ".join(f"<{iri}>" for iri in sorted(iris))
    classes = " ".join(f"(diplo:{name} {rank})" for rank, (name, _) in enumerate(NODE_KINDS))
    labels: dict[str, list[str]] = {}
    gazetteer = "https://w3id.org/diplokg/graph/gazetteer"
    query = PREFIXES + f"""SELECT ?node ?label ?g WHERE {{ VALUES ?node {{ {values} }}
        GRAPH ?g {{ ?node rdfs:label ?label }} FILTER(LANG(?label) = "" || LANGMATCHES(LANG(?label), "en")) }}"""
    for row in rows(query):
        # the gazetteer's name first (as the rest of the graph names states), else the smallest label
        labels.setdefault(row["node"], []).append(("0" if row["g"] == gazetteer else "1") + row["label"])
    found: dict[str, tuple[str, str, str]] = {}
    for row in rows(NODES.replace("NODES", values).replace("CLASSES", classes)):
        iri = row["node"]
        item = row["wikidata"]
        code = row["alpha3"] or row["alpha4"] or (_local(item) if item and not iri.startswith(ISO) else _local(iri))
        label = min(labels[iri])[1:] if iri in labels else code
        kind = NODE_KINDS[int(row["kind"])][1] if row["kind"] is not None else "other entity"
        found[iri] = (code, label, kind)
    return found


def world_data(source: ox.Store | Rows, focus: str = "PRK") -> WorldData | None:
    """The world view of the built graph, or None when it holds neither agreement measures nor a
    located mission (a graph of the dossier alone: the page then shows the network only).

    Args:
        source: The built graph's store (queried here), or what runs the queries (:data:`Rows`).
        focus: The code of the state whose missions the view draws first.
    """
    rows: Rows = functools.partial(store_rows, source) if isinstance(source, ox.Store) else source
    measures = rows(AGREEMENT)
    missions = rows(MISSIONS)
    if not measures and not any(m["lat"] is not None for m in missions):
        return None
    nodes = _nodes(rows, {r["state"] for r in measures} | {r["anchor"] for r in measures}
                   | {m["sender"] for m in missions} | {m["host"] for m in missions} | {ISO + a for a in ANCHORS})
    agreement: dict[str, dict[str, dict[int, tuple[float, int]]]] = {}
    most: dict[int, int] = {}
    for r in measures:
        year, votes = int(r["year"][:4]), int(r["votes"])
        anchor = nodes[r["anchor"]][0]
        agreement.setdefault(nodes[r["state"]][0], {}).setdefault(anchor, {})[year] = (float(r["agreement"]), votes)
        most[year] = max(most.get(year, 0), votes)
    states = [WorldState(code, label, kind, agreement=agreement.get(code, {}))
              for code, label, kind in sorted(set(nodes.values()))]
    events = _events(rows)
    world_missions = []
    for m in sorted(missions, key=lambda m: m["m"]):
        other = _local(m["otherKind"] or "DiplomaticMission")
        kind = MISSION_CLASSES[int(m["kind"])] if m["kind"] is not None else other
        lat, long = (float(m["lat"]), float(m["long"])) if m["lat"] is not None else (None, None)
        if m["sender"] != m["host"]:
            world_missions.append(WorldMission(nodes[m["sender"]][0], nodes[m["host"]][0], kind_words(kind),
                                               _local(m["item"]) if m["item"] else _short_iri(m["m"]),
                                               m["city"] or "", lat, long, events.get(m["m"], ())))
    years = sorted(most)
    full = [y for y, n in most.items() if n >= 10]   # 2020 holds one roll call, in January
    focus_label = next((s.label for s in states if s.code == focus), focus)
    listed = sum(1 for m in world_missions if m.sender == focus and re.fullmatch(r"Q\d+", m.ident))
    notes = [
        "Agreement index (Voeten's): 1 when both cast the same vote, 0.5 when one abstains and the other votes "
        "yes or no, 0 for yes against no, averaged over the roll calls of the year both took part in. Absences "
        "are not recorded: a state that did not vote is not counted.",
        "China's seat before October 1971 was held by the Republic of China, so China's series starts in 1971; "
        "the USSR and the Russian Federation are one member.",
        f"Votes {years[0]}-{years[-1]}." if years else "",
        "Missions: Wikidata as recorded on 2022-11-16, with the dossier's own; a mission Wikidata does not list "
        f"may still exist (it lists {listed} of {focus_label}'s).",
    ]
    return WorldData(
        states=states, missions=world_missions, anchors=ANCHORS, focus=focus,
        title="The world: alignment in the UN General Assembly and diplomatic missions",
        caption="Colour: agreement with the anchor in the chosen year; lines: diplomatic missions, sender to host.",
        notes=tuple(n for n in notes if n), start_year=max(full) if full else None)
