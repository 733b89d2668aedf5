"""The world's sources (UN General Assembly votes, Wikidata's missions): tables mapped to RDF by a
declared mapping, the mapping tables, and the reference engines agreeing on a small world."""

from __future__ import annotations

import csv
import gzip
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ROOT, copy_project, write_small_world

from kg.build import build
from kg.errors import InputError
from kg.paths import Project
from kg.reference.build import build_rdflib
from kg.reference.load import load_project
from kg.reference.reason import fast_closure, owlrl_closure
from kg.sources.load import load_project_store
from kg.sources.tables import mapped_lines

DIPLO = "https://w3id.org/diplokg/ontology#"
MISSION = "https://w3id.org/diplokg/id/mission/"
VOTES = ROOT / "sources" / "unga-votes"
MISSIONS = ROOT / "sources" / "wikidata-missions"


def _rows(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:  # type: ignore[operator]
        return list(csv.DictReader(handle))


# ---------------------------------------------------------------------------
# The mapping tables: every value mapped, and how
# ---------------------------------------------------------------------------


def test_every_member_of_the_votes_is_mapped_once() -> None:
    members = _rows(VOTES / "mapping" / "members.csv")
    keys = [(m["country_code"], m["country"]) for m in members]
    assert len(keys) == len(set(keys))
    assert all(m["polity"] and m["match"] for m in members)
    by_code = {m["country_code"]: m["polity"] for m in members if m["country_code"]}
    assert by_code["RU"] == "iso:RUS"  # the USSR and Russia: one member, as the data codes them
    assert by_code["CN"] == "iso:CHN"
    assert by_code["TW"] == "iso:TWN"  # the seat of China before 1971, as the data codes it
    assert by_code["KP"] == "iso:PRK"
    assert sum(int(m["votes"]) for m in members) == 870_109


@pytest.mark.parametrize(
    ("qid", "expected"),
    [
        pytest.param("Q423", "iso:PRK", id="north-korea"),
        pytest.param("Q148", "iso:CHN", id="china"),
        pytest.param("Q159", "iso:RUS", id="russia"),
        pytest.param("Q190353", "entity:Q190353", id="order-of-malta-is-not-malta"),
        pytest.param("Q176", "entity:Q176", id="quebec-stays-quebec"),
        pytest.param("Q23681", "entity:Q23681", id="northern-cyprus-is-not-cyprus"),
        pytest.param("Q1155502", "entity:Q1155502", id="a-ministry-stays-a-ministry"),
    ],
)
def test_wikidata_senders_and_hosts_map_to_the_gazetteer_or_stay_what_they_are(qid: str, expected: str) -> None:
    entities = {e["qid"]: e for e in _rows(MISSIONS / "mapping" / "entities.csv")}
    assert entities[qid]["node"] == expected
    assert entities[qid]["match"]
    if expected.startswith("entity:"):
        assert entities[qid]["sender_property"] == "diplo:sender"


def test_every_mission_row_has_one_identifier_or_a_reason_to_be_left_out() -> None:
    table = _rows(MISSIONS / "missions-2022-11-16.csv.gz")
    missions = _rows(MISSIONS / "mapping" / "missions.csv")
    assert len(table) == len(missions) == 9_852
    named = [m["mission"] for m in missions if m["mission"]]
    assert len(named) == len(set(named))
    left_out = [m for m in missions if not m["mission"]]
    assert all(m["rule"].startswith("left out") for m in left_out)
    prk = {m["mission"] for m, row in zip(missions, table) if row["operatorQID"] == "Q423"}
    assert len(prk) == 26
    assert "PRK-ESP-embassy" in prk  # the closures table's mission: the same identifier
    # Wikidata's consulate "in People's Republic of China", city Hong Kong, is the closures table's
    # consulate-general in Hong Kong (issue 22): one mission, not a second one still open.
    assert "PRK-HKG-consulate-general" in prk and "PRK-CHN-consulate" not in prk


def test_every_pairing_with_another_sources_mission_is_recorded_with_its_reason() -> None:
    missions = {m["QID"]: m for m in _rows(MISSIONS / "mapping" / "missions.csv")}
    same = {s["QID"]: s for s in _rows(MISSIONS / "mapping" / "same-missions.csv")}
    assert set(same) == {q for q, m in missions.items() if m["rule"].startswith("same mission as")}
    for qid, pairing in same.items():
        assert missions[qid]["mission"] == pairing["mission"] and pairing["reason"]
    hong_kong = same["Q15885438"]
    assert (hong_kong["mission"], hong_kong["place"], hong_kong["wikidata_kind"], hong_kong["source_kind"]) == (
        "PRK-HKG-consulate-general", "HKG", "diplo:Consulate", "diplo:ConsulateGeneral")
    assert "Hong Kong (Q8646)" in hong_kong["reason"] and "consular" in hong_kong["reason"]
    # The row writes no kind of its own (two disjoint kinds on one node would be a contradiction), and
    # its place is Hong Kong, not China (diplo:host is functional: two hosts would merge the two).
    assert (missions["Q15885438"]["class"], missions["Q15885438"]["host"]) == ("diplo:DiplomaticMission", "iso:HKG")
    # The place rule moves Hong Kong's and Macao's missions from China to them, each with its reason.
    moved = [m for m in missions.values() if "a territory of CHN" in m["rule"]]
    assert {m["host"] for m in moved} == {"iso:HKG", "iso:MAC"} and len(moved) == 22


def test_the_hong_kong_mission_is_one_node_with_one_host_and_one_kind(small_world: Project) -> None:
    loaded = load_project_store(small_world)
    node = ox.NamedNode(MISSION + "PRK-HKG-consulate-general")
    hosts = {q.object.value for q in loaded.store.quads_for_pattern(node, ox.NamedNode(DIPLO + "host"), None)}
    assert hosts == {"https://w3id.org/diplokg/id/iso3166/HKG"}
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    kinds = {q.object.value for q in loaded.store.quads_for_pattern(node, rdf_type, None)}
    assert DIPLO + "ConsulateGeneral" in kinds and DIPLO + "Consulate" not in kinds
    items = [q.object.value for q in loaded.store.quads_for_pattern(node, ox.NamedNode(DIPLO + "wikidataItem"), None)]
    assert items == ["http://www.wikidata.org/entity/Q15885438"]
    assert not list(loaded.store.quads_for_pattern(ox.NamedNode(MISSION + "PRK-CHN-consulate"), None, None))


# ---------------------------------------------------------------------------
# The mapping engine
# ---------------------------------------------------------------------------


def _broken_world(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    copy_project(root, only_sources=[])
    write_small_world(root, years=("2019",))
    return root / "sources" / "unga-votes"


def test_a_value_the_mapping_does_not_know_names_the_table_and_line(tmp_path: Path) -> None:
    folder = _broken_world(tmp_path)
    votes = folder / "votes.csv.gz"
    text = gzip.decompress(votes.read_bytes()).decode("utf-8").splitlines()
    text[3] = text[3].rsplit(",", 1)[0] + ",maybe"
    votes.write_bytes(gzip.compress(("\n".join(text) + "\n").encode("utf-8"), mtime=0))
    with pytest.raises(InputError) as caught:
        list(mapped_lines(folder, "https://example.org/"))
    assert caught.value.line == 4
    assert "votes.csv.gz" in str(caught.value) and "'maybe'" in str(caught.value)


@pytest.mark.parametrize(
    ("replace", "expected"),
    [
        pytest.param(('"{session}"', '"{sesion}"'), "no column 'sesion'", id="unknown-column"),
        pytest.param(("{@choice}", "{@choise}"), "unknown look-up 'choise'", id="unknown-lookup"),
        pytest.param(("[prefixes]", "[prefixes"), "invalid TOML", id="bad-toml"),
        pytest.param(("time:unitDay", "tyme:unitDay"), "unknown prefix 'tyme'", id="unknown-prefix"),
    ],
)
def test_a_malformed_mapping_is_one_input_error(tmp_path: Path, replace: tuple[str, str], expected: str) -> None:
    folder = _broken_world(tmp_path)
    mapping = folder / "mapping.toml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace(*replace), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        list(mapped_lines(folder, "https://example.org/"))
    assert expected in str(caught.value)
    assert "mapping.toml" in str(caught.value)


# ---------------------------------------------------------------------------
# The small world: what the loader makes, and the reference engines agree
# ---------------------------------------------------------------------------


def test_one_triple_per_vote_from_the_roll_call_to_the_member(small_world: Project) -> None:
    loaded = load_project_store(small_world)
    votes = _rows(small_world.sources / "unga-votes" / "votes.csv.gz")
    graph = ox.NamedNode("https://w3id.org/diplokg/graph/source/unga-votes")
    found = 0
    for choice in ("votedYes", "votedNo", "abstained"):
        found += sum(1 for _ in loaded.store.quads_for_pattern(None, ox.NamedNode(DIPLO + choice), None, graph))
    assert found == len(votes) > 100
    # The roll call's row is its excerpt, with the rcid and the resolution symbol.
    first = _rows(small_world.sources / "unga-votes" / "roll-calls.csv.gz")[0]
    rc = ox.NamedNode(f"https://w3id.org/diplokg/id/source/unga-votes/rc{first['rcid']}")
    evidence = next(iter(loaded.store.quads_for_pattern(rc, ox.NamedNode(DIPLO + "evidence"), None, graph))).object
    text = next(iter(loaded.store.quads_for_pattern(evidence, ox.NamedNode(DIPLO + "text"), None, graph))).object
    assert f"rcid: {first['rcid']}" in text.value and f"unres: {first['unres']}" in text.value  # type: ignore[union-attr]


def test_a_wikidata_mission_and_the_closures_table_share_one_node(small_world: Project) -> None:
    loaded = load_project_store(small_world)
    node = ox.NamedNode(MISSION + "PRK-ESP-embassy")
    graphs = {q.graph_name.value for q in loaded.store.quads_for_pattern(node, ox.NamedNode(DIPLO + "evidence"), None)}
    assert graphs >= {
        "https://w3id.org/diplokg/graph/source/wikidata-missions",
        "https://w3id.org/diplokg/graph/source/dprk-mission-closures-2023-2024",
    }
    items = list(loaded.store.quads_for_pattern(node, ox.NamedNode(DIPLO + "wikidataItem"), None))
    assert [q.object.value for q in items] == ["http://www.wikidata.org/entity/Q62089090"]  # type: ignore[union-attr]
    same_as = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
    assert not list(loaded.store.quads_for_pattern(None, same_as, None))


def test_both_loaders_give_the_same_quads_on_the_small_world(small_world: Project) -> None:
    asserted = load_project(small_world)
    loaded = load_project_store(small_world)
    assert loaded.asserted == len(asserted.ontology) + sum(len(g) for g in asserted.graphs.values())


@pytest.mark.slow
def test_fast_closure_equals_owlrl_on_the_small_world(tmp_path: Path) -> None:
    root = tmp_path / "project"
    project = copy_project(root, only_sources=[])
    write_small_world(root, years=("2019",))
    shutil.copytree(ROOT / "sources" / "dprk-mission-closures-2023-2024", root / "sources" / "closures")
    asserted = load_project(project)
    fast = set(fast_closure(asserted.ontology, asserted.data()))
    reference = set(owlrl_closure(asserted.ontology, asserted.data()))
    assert fast == reference
    assert len(fast) > 1000


def test_the_store_build_writes_the_bytes_of_the_rdflib_build_on_the_small_world(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "project"
    project = copy_project(root)
    write_small_world(root, years=("2019",))
    monkeypatch.setenv("DIPLOKG_BUILD", str(root / "build"))
    report = build(project)
    assert report.written, [str(v) for v in report.violations]
    ours = project.built_graph.read_bytes()
    project.built_graph.unlink()
    assert build_rdflib(project).written
    assert project.built_graph.read_bytes() == ours
