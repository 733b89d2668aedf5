"""The explorer network derived by SPARQL from the built graph, and the ``stats``/``explore`` commands."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest

from kg.build import build
from kg.network import graph as network
from kg.network.page import page_html
from kg.paths import Project
from kg.query.engine import BuiltGraph

ISO = "https://w3id.org/diplokg/id/iso3166/"
PRK = ISO + "PRK"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DRAWABLE = {"state", "territory", "organisation", "region", "person"}


@pytest.fixture(scope="module")
def graph(built) -> nx.MultiDiGraph:  # type: ignore[no-untyped-def]
    return network.explorer_graph(built.graph)


def edges_between(graph: nx.MultiDiGraph, u: str, v: str, kind: str) -> list[dict]:
    return [d for _, d in graph.get_edge_data(u, v, default={}).items() if d["kind"] == kind]


@pytest.mark.parametrize("host", ["UGA", "AGO", "HKG", "ESP"])
def test_closed_missions_of_the_article(graph: nx.MultiDiGraph, host: str) -> None:
    found = edges_between(graph, PRK, ISO + host, "mission-closed")
    assert found, f"no mission-closed edge PRK -> {host}"
    assert all(d["modality"] == "reported" for d in found)
    assert any("farewell" in s["sentence"] or "shutdown" in s["sentence"] for d in found for s in d["evidence"])


def test_weapons_for_technology_is_a_claim(graph: nx.MultiDiGraph) -> None:
    claims = edges_between(graph, PRK, ISO + "RUS", "claim")
    assert [d["modality"] for d in claims] == ["claimed"]
    assert "weapons" in claims[0]["label"] and "technology" in claims[0]["label"]


@pytest.mark.parametrize(("target", "modality"), [
    pytest.param("CHN", "reported", id="pivot-china"),
    pytest.param("RUS", "reported", id="pivot-russia"),
    pytest.param("CHN", "predicted", id="priority-china"),
    pytest.param("RUS", "predicted", id="priority-russia"),
    pytest.param("SYR", "predicted", id="priority-syria"),
    pytest.param("IRN", "predicted", id="priority-iran"),
    pytest.param("CUB", "predicted", id="priority-cuba"),
])
def test_strategy_edges(graph: nx.MultiDiGraph, target: str, modality: str) -> None:
    found = edges_between(graph, PRK, ISO + target, "strategy")
    assert modality in {d["modality"] for d in found}


def test_summits_and_sanctions(graph: nx.MultiDiGraph) -> None:
    summits = edges_between(graph, PRK, ISO + "RUS", "summit")
    assert summits and not summits[0].get("broken")
    hanoi = edges_between(graph, PRK, ISO + "USA", "summit")
    assert hanoi and hanoi[0]["broken"] and "collapsed" in hanoi[0]["label"]
    # The imposer is the Security Council, as the resolutions table says; the article names none (only
    # its heading says "UN Sanctions", and a heading states nothing: issue 22).
    council = "https://w3id.org/diplokg/id/agent/un-security-council"
    assert edges_between(graph, council, PRK, "sanctions-imposes")
    assert "https://w3id.org/diplokg/id/agent/united-nations" not in graph
    assert not [n for n, k in graph.nodes(data="kind") if k == "person"]  # no leaderOf in the article


def test_every_edge_and_node_carries_evidence(graph: nx.MultiDiGraph) -> None:
    assert graph.number_of_edges() >= 15
    for _u, _v, key, d in graph.edges(keys=True, data=True):
        assert d["evidence"], key
        assert d["modality"] in {"reported", "claimed", "predicted", "estimated"}, key
        for item in d["evidence"]:
            assert item["sentence"] and item["source"] and item["modality"], key
        assert d["facts"] and d["label"], key
    for node, d in graph.nodes(data=True):
        assert d["kind"] in DRAWABLE and d["label"], node
        assert d["evidence"], node


def test_explorer_attributes(graph: nx.MultiDiGraph) -> None:
    assert graph.nodes[PRK]["focus"] and sum(bool(f) for _, f in graph.nodes(data="focus")) == 1
    assert graph.nodes[ISO + "CHN"]["tie_score"] == 1.0 and graph.nodes[ISO + "RUS"]["tie_score"] == 1.0
    assert not any("alignment" in d for _, d in graph.nodes(data=True))   # the word means UN GA agreement only
    assert graph.nodes[PRK]["centrality"] == 1.0
    assert graph.graph["as_of"] >= "2023"
    assert "North Korea" in graph.graph["title"] and graph.graph["caption"]


def test_deterministic_page(built, graph: nx.MultiDiGraph) -> None:  # type: ignore[no-untyped-def]
    again = network.explorer_graph(built.graph)
    assert nx.utils.edges_equal(sorted(graph.edges(keys=True, data=False)), sorted(again.edges(keys=True)))
    assert page_html(graph) == page_html(again)


def test_rules_pick_up_a_new_source(project_copy: Callable[..., Project]) -> None:
    """Covering missions, announced closures, leaders and partnerships come from data alone."""
    proj = project_copy(only_sources=[])
    shutil.copytree(FIXTURES / "network-rules-source", proj.sources / "network-rules-source")
    assert build(proj).written
    g = network.explorer_graph(BuiltGraph(proj.built_graph))
    kinds = {(u.removeprefix(ISO), v.removeprefix(ISO), d["kind"], d["modality"]) for u, v, d in g.edges(data=True)}
    assert kinds == {
        ("PRK", "NPL", "mission-closed", "reported"),
        ("PRK", "PER", "mission-uncertain", "reported"),
        ("PRK", "IND", "mission-open", "reported"),
        ("IND", "NPL", "covers", "reported"),
        ("MNG", "PRK", "summit", "reported"),
        ("LAO", "PRK", "partnership", "predicted"),
    }
    assert g.graph["as_of"] == "2031-05"


def test_cli_stats_table(built, cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("stats")
    assert code == 0, err
    assert "North Korea" in out and "iso:PRK" in out and "Communities" in out
    assert "Missions before and after the closures" in out


def test_cli_stats_csv_and_json(built, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("stats", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    by_node = {r["node"]: r for r in rows}
    assert by_node["iso:CHN"]["tie_score"] == "1.000" and by_node["iso:PRK"]["kind"] == "state"
    assert "alignment" not in rows[0]
    code, out, _ = cli("stats", "--format", "json")
    data = json.loads(out)
    prk = next(r for r in data["missions"] if r["sender"] == "iso:PRK")
    assert prk["closed"] >= 4 and prk["before"] >= prk["closed"] + prk["after"] - prk["opened"]
    target = tmp_path / "stats.csv"
    code, out, _err = cli("stats", "-f", "csv", "-t", "missions", "-o", str(target))
    assert code == 0 and out == "" and target.read_text().startswith("sender,label,since,before,after")


def test_cli_explore(built, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "page.html"
    code, out, err = cli("explore", "-o", str(target))
    assert code == 0, err
    assert out.strip() == str(target) and target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    code, out, err = cli("explore")
    assert code == 0, err
    default = built.project.build / "explorer.html"
    assert out.strip() == str(default) and default.read_bytes() == target.read_bytes()


def test_cli_explore_progress(built, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Issue 26: with --progress each step is told on standard error, never in the page or the output."""
    target = tmp_path / "page.html"
    code, out, err = cli("explore", "--progress", "-o", str(target))
    assert code == 0, err
    assert "... explore: the network" in err and "... explore: writing the page" in err
    assert out.strip() == str(target) and "... explore" not in target.read_text(encoding="utf-8")
    code, _out, err = cli("explore", "-o", str(tmp_path / "quiet.html"))
    assert code == 0 and "... explore" not in err


@pytest.mark.parametrize(("host", "status", "reason", "kind"), [
    pytest.param("UGA", "closed", "closed on or before 2023-12", "mission-closed", id="uganda"),
    pytest.param("LBY", "closed", "closed on or before 2024-01-30", "mission-closed", id="libya"),
    pytest.param("NIC", "closed", "closed 1995", "mission-closed", id="nicaragua"),
    pytest.param("ETH", "open", "no closure known by this date", "mission-open", id="ethiopia"),
])
def test_mission_edges_carry_their_status_as_of_the_graphs_date(graph: nx.MultiDiGraph, host: str, status: str,
                                                                 reason: str, kind: str) -> None:
    # The explorer's status is the rule of kg/network/status.py, as of the graph's date (2024-06-19).
    edges = [d for _, v, d in graph.edges(data=True) if v == ISO + host and d["kind"].startswith("mission")]
    assert [(d["status"], d["status_reason"], d["kind"]) for d in edges] == [(status, reason, kind)]
    timeline = edges[0]["status_timeline"]
    assert timeline[0][0] == "" and timeline[-1][1:] == [status, reason]


def test_the_articles_hong_kong_embassy_has_the_consulate_generals_status(graph: nx.MultiDiGraph) -> None:
    # Another name for the same mission (diplo:officialForm): the same events, so the same status; its
    # evidence stays the article's own.
    edges = {d["mission"].rsplit("/", 1)[-1]: d for _, v, d in graph.edges(data=True) if v == ISO + "HKG"
             and d["kind"].startswith("mission")}
    assert set(edges) == {"PRK-HKG-embassy", "PRK-HKG-consulate-general"}
    assert edges["PRK-HKG-embassy"]["status_timeline"] == edges["PRK-HKG-consulate-general"]["status_timeline"]
    assert edges["PRK-HKG-embassy"]["status_reason"] == "closed 2023-11-01"
    assert {e["title"] for e in edges["PRK-HKG-embassy"]["evidence"]} == {"North Korea’s Diplomatic Shift"}
