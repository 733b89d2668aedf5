"""The explorer draws every DPRK mission in the status ``diplokg ask network-as-of`` gives it: the page's
data blocks (the DPRK view's ``#dk-data``, the world map's ``#wv-data``), read at the end of a year as
the page reads them, equal the question's answer on that year's last day, mission by mission, status
and reason; and the world map has one mission for each mission the question knows (issue 22)."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from rdflib import XSD, Literal

from kg.network.explorer import explorer_inputs
from kg.network.graph import explorer_graph
from kg.network.page import page_html
from kg.network.timeline import step_at
from kg.query.engine import BuiltGraph
from kg.query.gate import vet

ROOT = Path(__file__).resolve().parent.parent
#: Year ends asked: before, during and after the 2023-24 closures, and Managua's years.
YEARS = (1980, 1995, 2019, 2022, 2023, 2024)
#: Each DPRK mission with the label network-as-of answers it under: its own, or, for another name of a
#: mission (the article's Hong Kong "embassy"), its official form's.
LABELS = """PREFIX diplo: <https://w3id.org/diplokg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?m (MIN(STR(?l)) AS ?label) WHERE {
  ?prk diplo:iso3166Alpha3 "PRK" ; diplo:hasMission ?m .
  OPTIONAL { ?m diplo:officialForm ?official }
  BIND(COALESCE(?official, ?m) AS ?named)
  ?named rdfs:label ?l .
} GROUP BY ?m"""

Answer = dict[str, tuple[str, str]]


def question(graph: BuiltGraph, day: str) -> tuple[Answer, dict[tuple[str, str], set[str]]]:
    """network-as-of on *day*: ``{mission label: (status, reason)}``, and the mission labels under each
    ``(host label, kind)`` (the kind in words: ``consulate general``)."""
    text = (ROOT / "queries" / "network-as-of.rq").read_text(encoding="utf-8")
    answer = graph.run(vet(text, graph.graph_names()), bindings={"asOf": Literal(day, datatype=XSD.date)})
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    where: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in answer.records():
        found[str(r["mission"])].add((str(r["status"]), str(r["statusReason"])))
        where[(str(r["host"]), str(r["kind"]).replace("-", " "))].add(str(r["mission"]))
    assert found and all(len(v) == 1 for v in found.values()), found
    return {label: next(iter(v)) for label, v in found.items()}, where


def block(html: str, ident: str) -> Any:
    match = re.search(rf'<script type="application/json" id="{ident}">(.*?)</script>', html, re.S)
    assert match, ident
    return json.loads(match.group(1))


def network_statuses(html: str, graph: BuiltGraph, explorer: Any, year: int) -> Answer:
    """The DPRK view's mission edges at the end of *year*: ``{mission label: (status, reason)}``."""
    labels = {str(r[0]): str(r[1]) for r in graph.run(vet(LABELS, graph.graph_names())).rows}
    mission_of = {str(k): d["mission"] for _, _, k, d in explorer.edges(keys=True, data=True) if d.get("mission")}
    shown: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for edge in block(html, "dk-data")["edges"]:
        if edge["id"] in mission_of:
            step = step_at(edge["dk"]["status"], year)
            assert step is not None
            shown[labels[mission_of[edge["id"]]]].add((step[1], step[2]))
    assert all(len(v) == 1 for v in shown.values()), shown       # two names of one mission agree
    return {label: next(iter(v)) for label, v in shown.items()}


def test_the_dprk_view_agrees_with_network_as_of(built: Any) -> None:
    explorer = explorer_graph(built.graph)
    html = page_html(explorer)
    years = block(html, "dk-data")["years"]
    compared = 0
    for year in (y for y in YEARS if y in years):
        expected, _ = question(built.graph, f"{year}-12-31")
        shown = network_statuses(html, built.graph, explorer, year)
        assert shown == {label: expected[label] for label in shown}, year
        compared += len(shown)
    assert compared >= 15 * 5


@pytest.fixture(scope="module")
def world_page(request: pytest.FixtureRequest) -> tuple[Any, str, Any]:
    built = request.getfixturevalue("world_built").graph
    inputs = explorer_inputs(built, built.store)
    return built, page_html(inputs.graph, inputs.world, inputs.view, inputs.story), inputs


def world_statuses(data: dict[str, Any], year: int) -> dict[tuple[str, str], list[tuple[str, str, bool]]]:
    """The world map's DPRK missions at the end of *year*: ``{(host label, kind): [(status, reason,
    begun)]}``, read as the page reads them (no steps: open at every date)."""
    states = data["states"]
    prk = next(i for i, s in enumerate(states) if s["code"] == "PRK")
    shown: dict[tuple[str, str], list[tuple[str, str, bool]]] = defaultdict(list)
    for mission, steps in zip(data["missions"], data["status"]):
        if mission[0] == prk:
            step = step_at(steps or [], year)
            status = (step[1], data["reasons"][step[2]], step[3]) if step else ("open", data["openReason"], True)
            shown[(states[mission[1]]["label"], data["kinds"][mission[2]])].append(status)
    return shown


@pytest.mark.slow
def test_the_world_map_agrees_with_network_as_of_once_per_mission(world_page: tuple[Any, str, Any]) -> None:
    built, html, inputs = world_page
    data = block(html, "wv-data")
    for year in YEARS:
        expected, where = question(built, f"{year}-12-31")
        shown = world_statuses(data, year)
        # one line per real mission: every mission the question knows, once (Hong Kong's consulate-general
        # is Wikidata's consulate there: one mission), and no other
        matched = {key: where[key] for key in shown}
        assert all(len(labels) == 1 for labels in matched.values()), matched
        assert all(len(found) == 1 for found in shown.values()), shown
        assert sorted(next(iter(v)) for v in matched.values()) == sorted(expected), year
        for key, [(status, reason, _)] in shown.items():
            assert (status, reason) == expected[next(iter(where[key]))], (year, key)
    # the DPRK view of the same page agrees too
    for year in (2022, 2023, 2024):
        expected, _ = question(built, f"{year}-12-31")
        shown = network_statuses(html, built, inputs.graph, year)
        assert shown == {label: expected[label] for label in shown}, year


@pytest.mark.slow
def test_closed_missions_are_drawn_closed_from_their_date_on(world_page: tuple[Any, str, Any]) -> None:
    _, html, _ = world_page
    data = block(html, "wv-data")
    by_host = {key[0]: found[0] for key, found in world_statuses(data, 2022).items() if key[1] == "embassy"}
    assert {h: by_host[h][0] for h in ("Spain", "Angola", "Uganda")} == dict.fromkeys(("Spain", "Angola", "Uganda"),
                                                                                      "open")
    late = {key[0]: found[0] for key, found in world_statuses(data, 2024).items() if key[1] in ("embassy",
                                                                                                 "consulate general")}
    assert late["Spain"] == ("closed", "closed 2023-11-03", True)
    assert late["Angola"] == ("closed", "closed 2023-10", True)
    assert late["Uganda"] == ("closed", "closed on or before 2023-12", True)
    assert late["Hong Kong"] == ("closed", "closed 2023-11-01", True)
    assert late["Nicaragua"] == ("closed", "closed 1995", True)
    # before it opened (1979) Managua's embassy is closed by the rule and not drawn
    assert world_statuses(data, 1970)[("Nicaragua", "embassy")] == [("closed", "not yet opened (opened 1979)", False)]
