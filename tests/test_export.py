"""``diplokg export``: the explorer's networks written as GEXF, GraphML and node-link JSON and read back
by networkx (the readers Gephi's and Cytoscape's formats have in Python) with every attribute, and the
map as SVG."""

from __future__ import annotations

import json
import math
import pathlib
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import networkx as nx
import pytest
from mapsample import map_network, map_story, map_view, map_world

from kg.network.export import FORMATS, dprk_network, network_text, read_network, world_network

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="module")
def world() -> nx.MultiDiGraph:
    return world_network(map_world(), map_view(), year=2023)


@pytest.fixture(scope="module")
def dprk() -> nx.MultiDiGraph:
    return dprk_network(map_network(), map_story(), map_world(), map_view(), year=2023)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return type(a) is type(b) and math.isclose(a, b, rel_tol=1e-9)
    return type(a) is type(b) and a == b


def assert_same_network(original: nx.MultiDiGraph, back: nx.MultiDiGraph, fmt: str) -> None:
    assert set(back.nodes) == set(original.nodes), fmt
    for node, attrs in original.nodes(data=True):
        got = dict(back.nodes[node])
        assert set(got) == set(attrs), (fmt, node, set(got) ^ set(attrs))
        bad = {k: (v, got[k]) for k, v in attrs.items() if not _same(v, got[k])}
        assert not bad, (fmt, node, bad)
    original_edges = {(u, v, k): a for u, v, k, a in original.edges(keys=True, data=True)}
    back_edges = {(u, v, k): a for u, v, k, a in back.edges(keys=True, data=True)}
    assert set(back_edges) == set(original_edges), fmt
    for key, attrs in original_edges.items():
        got = dict(back_edges[key])
        assert set(got) == set(attrs), (fmt, key, set(got) ^ set(attrs))
        bad = {k: (v, got[k]) for k, v in attrs.items() if not _same(v, got[k])}
        assert not bad, (fmt, key, bad)
    for name, value in original.graph.items():
        if fmt != "gexf":          # GEXF keeps no graph attributes but its mode and direction
            assert _same(back.graph[name], value), (fmt, name)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_world_network_reads_back_with_every_attribute(world: nx.MultiDiGraph, fmt: str) -> None:
    text = network_text(world, fmt)  # type: ignore[arg-type]
    assert_same_network(world, read_network(text, fmt), fmt)  # type: ignore[arg-type]
    assert network_text(world_network(map_world(reverse=True), map_view(), year=2023), fmt) == text  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_dprk_network_reads_back_with_every_attribute(dprk: nx.MultiDiGraph, fmt: str) -> None:
    assert_same_network(dprk, read_network(network_text(dprk, fmt), fmt), fmt)  # type: ignore[arg-type]


def test_the_world_network_holds_agreement_by_year_status_and_evidence(world: nx.MultiDiGraph) -> None:
    prk = world.nodes["PRK"]
    assert prk["agreement_CHN_2019"] == 1.0 and prk["rollCalls_CHN_2019"] == 95
    assert prk["agreement_RUS_2022"] == 1.0 and prk["rollCalls_RUS_2022"] == 9
    assert "agreement_RUS_2015" not in prk                   # no recorded vote: no attribute, not a zero
    assert (prk["label"], prk["kind"], prk["sent"], prk["hosted"], prk["place"]) == (
        "North Korea", "state", 6, 5, "shape")
    assert world.graph["coverage_2022"] == "selected" and world.graph["coverage_2019"] == "all"
    assert world.graph["rollCalls_2022"] == 9 and "coverage_2016" not in world.graph
    assert world.graph["statusYear"] == 2023 and world.graph["minRollCalls"] == 5
    india = world.edges["PRK", "IND", "Q105"]
    assert (india["status"], india["statusReason"]) == ("uncertain", "closure announced 2023-10")
    assert json.loads(india["statusHistory"])[-1] == [2024, "closed", "closed 2024-02-01", True]
    assert india["evidence"] == 3                             # its three dated events
    assert world.edges["PRK", "CHN", "Q101"]["status"] == "open" and world.edges["PRK", "CHN", "Q101"]["evidence"] == 1
    assert world.number_of_edges() == 25 and world.number_of_nodes() == 13


def test_the_dprk_network_holds_status_evidence_and_agreement(dprk: nx.MultiDiGraph) -> None:
    havana = dprk.edges["urn:x:PRK", "urn:x:CUB", "m3"]
    assert (havana["status"], havana["statusReason"]) == ("closed", "closed on or before 2023-12-05")
    # a mission's kind follows its status at the end of the year exported (the graph's is of 2024-06-30)
    india = dprk.edges["urn:x:PRK", "urn:x:IND", "m2"]
    assert (india["kind"], india["status"], india["statusReason"]) == (
        "mission-uncertain", "uncertain", "closure announced 2023-10")
    assert map_network().edges["urn:x:PRK", "urn:x:IND", "m2"]["kind"] == "mission-closed"
    assert havana["evidence"] == 1 and havana["facts"] == 1 and havana["mission"] == "urn:m:3"
    assert dprk.edges["urn:x:PRK", "urn:x:USA", "s1"]["since"] == 2019
    assert dprk.nodes["urn:x:PRK"]["tieScore"] == 1.0 and dprk.nodes["urn:x:PRK"]["focus"] is True
    assert not any("alignment" in k for _, a in dprk.nodes(data=True) for k in a)


def test_a_status_year_before_the_closures_shows_the_missions_open() -> None:
    early = world_network(map_world(), map_view(), year=2019)
    assert early.edges["PRK", "CUB", "Q106"]["status"] == "open"
    assert early.edges["PRK", "RUS", "Q104"]["status"] == "open"
    before = world_network(map_world(), map_view(), year=2018).edges["PRK", "RUS", "Q104"]
    assert (before["status"], before["statusReason"]) == ("closed", "not yet opened (opened 2019-05)")


def test_export_dprk_from_the_command_line(built: Any, cli: Cli, tmp_path: pathlib.Path) -> None:
    target = tmp_path / "dprk.graphml"
    code, out, err = cli("export", "dprk", "-f", "graphml", "-o", str(target))
    assert code == 0, err
    graph = nx.read_graphml(target, force_multigraph=True)
    prk = "https://w3id.org/diplokg/id/iso3166/PRK"
    assert graph.nodes[prk]["label"] == "North Korea" and graph.nodes[prk]["evidence"] >= 1
    statuses = {a.get("status") for _, _, a in graph.edges(data=True) if a.get("mission")}
    assert "closed" in statuses
    code, out, err = cli("export", "dprk", "-f", "json")
    assert code == 0 and json.loads(out)["directed"] is True


@pytest.mark.parametrize(("argv", "message"), [
    (("export", "map", "-f", "gexf"), "the map is exported as svg, not gexf"),
    (("export", "world", "-f", "svg"), "svg is the map's format"),
    (("export", "map"), "the graph holds no world view"),
])
def test_export_refuses_with_one_line(built: Any, cli: Cli, argv: tuple[str, ...], message: str) -> None:
    code, _, err = cli(*argv)
    assert code == 2 and message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_export_the_real_world_and_its_map(world_cli: Cli, tmp_path: pathlib.Path) -> None:
    target = tmp_path / "world.gexf"
    code, _, err = world_cli("export", "world", "-o", str(target))
    assert code == 0, err
    graph = nx.read_gexf(target)
    assert graph.number_of_nodes() > 200 and graph.number_of_edges() > 5000
    assert 0.0 <= graph.nodes["PRK"]["agreement_CHN_2019"] <= 1.0
    svg = tmp_path / "map.svg"
    code, _, err = world_cli("export", "map", "--anchor", "RUS", "--year", "2019", "-o", str(svg))
    assert code == 0, err
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg") and "Agreement with" in svg.read_text(encoding="utf-8")
    code, _, err = world_cli("export", "map", "--year", "1800")
    assert code == 2 and "year 1800 is not on the map" in err
