"""The vote records after 2019 (issue 24): the General Assembly's key votes of 2020-2024 and the
Security Council's votes on the DPRK. Each copy against the original's checksum, each table recounted
as the data sets' own check.py recount it (their checks kept here, so the shared folder is never
needed), and the graph each folder makes: one roll call per resolution on the same state nodes as
Voeten's votes, non-voting kept but no vote, the Council's votes apart from the General Assembly's,
one node per real resolution and the vetoed drafts as facts of their own."""

from __future__ import annotations

import csv
import gzip
import hashlib
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ROOT
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.alignment.votes import read_votes
from kg.namespaces import DIPLO, ISO, source_base
from kg.sources.folder import SourceFolder, load_source, parse_turtle
from kg.sources.load import load_source_into

KEY = ROOT / "sources" / "unga-key-votes-2020-2024"
COUNCIL = ROOT / "sources" / "unsc-dprk-votes"
ORIGINALS = Path(__file__).resolve().parent / "fixtures" / "originals.sha256"
RESOLUTIONS = source_base("unsc-dprk-resolutions")
EVENTS = source_base("dprk-summits-and-events")


def _rows(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:  # type: ignore[operator]
        return list(csv.DictReader(handle))


def _digests() -> dict[str, str]:
    lines = ORIGINALS.read_text(encoding="utf-8").splitlines()
    return {path: digest for digest, path in (line.split() for line in lines if line and not line.startswith("#"))}


@pytest.fixture(scope="module")
def key_graph() -> Graph:
    return load_source(SourceFolder(KEY.name, KEY))


@pytest.fixture(scope="module")
def council_graph() -> Graph:
    return load_source(SourceFolder(COUNCIL.name, COUNCIL))


# ---------------------------------------------------------------------------
# The copies: byte for byte the originals (a gzipped table decompressed)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("original", sorted(p for p in _digests() if p.split("/")[0] in (KEY.name, COUNCIL.name)))
def test_each_copy_is_the_original(original: str) -> None:
    path = ROOT / "sources" / original
    data = path.read_bytes() if path.is_file() else gzip.decompress(path.with_suffix(".csv.gz").read_bytes())
    assert hashlib.sha256(data).hexdigest() == _digests()[original]


def test_every_file_of_the_two_data_sets_is_kept() -> None:
    kept = {p for p in _digests() if p.split("/")[0] in (KEY.name, COUNCIL.name)}
    assert kept == {f"{KEY.name}/{n}" for n in ("README.md", "resolutions.csv", "votes.csv")} | {
        f"{COUNCIL.name}/{n}" for n in ("README.md", "composition.csv", "drafts.csv", "votes.csv")}


# ---------------------------------------------------------------------------
# The key votes recounted (the data set's check.py, kept here)
# ---------------------------------------------------------------------------


def test_key_votes_recount_to_their_totals() -> None:
    votes = _rows(KEY / "votes.csv.gz")
    members = {m["state_iso3"] for m in _rows(KEY / "mapping" / "members.csv")}
    assert len(members) == 193
    for resolution in _rows(KEY / "resolutions.csv"):
        mine = [v for v in votes if v["resolution"] == resolution["resolution"]]
        assert {v["state_iso3"] for v in mine} == members and len(mine) == 193, resolution["resolution"]
        assert all(v["date"] == resolution["date"] for v in mine)
        tally = Counter(v["vote"] for v in mine)
        assert set(tally) <= set("YNAX")
        assert [tally[c] for c in "YNAX"] == [int(resolution[k]) for k in ("yes", "no", "abstain", "absent")]


def test_one_roll_call_per_resolution_on_the_gazetteers_state_nodes(key_graph: Graph) -> None:
    calls = set(key_graph.subjects(RDF.type, DIPLO.RollCall))
    assert len(calls) == 23
    symbols = {str(key_graph.value(c, DIPLO.resolutionSymbol)) for c in calls}
    assert symbols == {r["resolution"] for r in _rows(KEY / "resolutions.csv")}
    members = {o for p in (DIPLO.votedYes, DIPLO.votedNo, DIPLO.abstained, DIPLO.nonVoting)
               for o in key_graph.objects(None, p)}
    assert ISO["PRK"] in members and all(str(m).startswith(str(ISO)) for m in members)
    es11 = [c for c in calls if key_graph.value(c, DIPLO.emergencySpecialSession) == Literal(11)]
    assert len(es11) == 7 and not any((c, DIPLO.session, None) in key_graph for c in es11)
    every = next(c for c in calls if str(key_graph.value(c, DIPLO.resolutionSymbol)) == "A/RES/75/29")
    assert key_graph.value(every, DIPLO.session) == Literal(75)
    assert (every, DIPLO.evidence, URIRef(source_base(KEY.name) + "resolutions-r01")) in key_graph


def test_non_voting_is_kept_and_is_no_vote(key_graph: Graph) -> None:
    """X ("non-voting") is recorded as diplo:nonVoting; the measures read no vote from it, as Voeten's
    data records no absence."""
    x = sum(1 for v in _rows(KEY / "votes.csv.gz") if v["vote"] == "X")
    assert len(list(key_graph.triples((None, DIPLO.nonVoting, None)))) == x == 458
    store = ox.Store()
    load_source_into(store, SourceFolder(KEY.name, KEY))
    matrix = read_votes(store)
    assert len(matrix.roll_calls) == 23
    assert int((matrix.choice > 0).sum()) == 4_439 - x
    # Venezuela: non-voting on every vote of 2022-2025 (arrears, says the README): no vote of those years.
    ven = matrix.member_index(str(ISO["VEN"]))
    assert ven is not None and not (matrix.choice[ven][matrix.year >= 2022] > 0).any()


def test_the_source_declares_a_selection_and_voeten_every_vote(key_graph: Graph) -> None:
    me = URIRef(source_base(KEY.name))
    assert key_graph.value(me, DIPLO.coverage) == DIPLO.SelectedVotes
    voeten = parse_turtle(ROOT / "sources" / "unga-votes" / "source.ttl", source_base("unga-votes"))
    assert voeten.value(URIRef(source_base("unga-votes")), DIPLO.coverage) == DIPLO.AllRecordedVotes
    assert (URIRef(source_base("unga-votes")), DCTERMS.temporal, None) in voeten


# ---------------------------------------------------------------------------
# The Security Council's votes recounted (the data set's check.py, kept here)
# ---------------------------------------------------------------------------


def test_council_votes_recount_and_sit_with_each_years_members() -> None:
    votes = _rows(COUNCIL / "votes.csv.gz")
    seats: dict[str, set[str]] = {}
    permanent: dict[str, set[str]] = {}
    for row in _rows(COUNCIL / "composition.csv.gz"):
        seats.setdefault(row["year"], set()).add(row["state_iso3"])
        if row["permanent"] == "yes":
            permanent.setdefault(row["year"], set()).add(row["state_iso3"])
    drafts = _rows(COUNCIL / "drafts.csv")
    assert len(drafts) == 25 and len(votes) == 375
    for draft in drafts:
        mine = [v for v in votes if v["symbol"] == draft["symbol"]]
        year = draft["date"][:4]
        assert {v["state_iso3"] for v in mine} == seats[year] and len(mine) == 15, draft["symbol"]
        tally = Counter(v["vote"] for v in mine)
        assert [tally[c] for c in "YNA"] == [int(draft[k]) for k in ("yes", "no", "abstain")]
        vetoes = sorted(v["state_iso3"] for v in mine if v["vote"] == "N" and v["state_iso3"] in permanent[year])
        assert vetoes == sorted(c for c in draft["vetoed_by"].split(";") if c)
        assert (draft["outcome"] == "adopted") == (not vetoes and tally["Y"] >= 9)


def test_the_council_votes_are_not_general_assembly_roll_calls(council_graph: Graph) -> None:
    votes = set(council_graph.subjects(RDF.type, DIPLO.CouncilVote))
    assert len(votes) == 25 and not set(council_graph.subjects(RDF.type, DIPLO.RollCall))
    store = ox.Store()
    load_source_into(store, SourceFolder(COUNCIL.name, COUNCIL))
    assert read_votes(store).roll_calls == []  # their votes use the same properties, but they are no roll calls
    assert len(list(council_graph.triples((None, DIPLO.votedYes, None)))) == 371


def _vote(graph: Graph, symbol: str) -> URIRef:
    symbolled = graph.subjects(DIPLO.documentSymbol, Literal(symbol))
    [vote] = [v for v in symbolled if (v, RDF.type, DIPLO.CouncilVote) in graph]
    return vote  # type: ignore[return-value]


def test_one_node_per_real_resolution_and_the_2024_veto_is_the_events_tables(council_graph: Graph) -> None:
    graph = council_graph
    table = ROOT / "sources" / "unsc-dprk-resolutions" / "unsc-dprk-resolutions.csv"
    described = {r["resolution"] for r in _rows(table)}
    for row in _rows(COUNCIL / "mapping" / "council-votes.csv"):
        text = graph.value(_vote(graph, row["symbol"]), DIPLO.votedOn)
        number = row["symbol"].removeprefix("S/RES/").split(" ")[0]
        if number in described:
            assert str(text) == f"{RESOLUTIONS}resolution-{number}"
            assert (text, RDF.type, None) not in graph  # the resolutions table types it, not this source
        elif row["symbol"].startswith("S/RES/"):
            assert (text, RDF.type, DIPLO.SanctionsResolution) in graph
            assert (text, DIPLO.resolutionOf, URIRef(f"{RESOLUTIONS}regime-1718")) in graph
        else:
            assert (text, RDF.type, DIPLO.DraftResolution) in graph
        assert row["match"]
    veto = _vote(graph, "S/2024/255")
    assert str(veto) == f"{EVENTS}panel-veto"
    assert (veto, RDF.type, DIPLO.CouncilVote) in graph and (veto, DIPLO.outcome, DIPLO.Vetoed) in graph


@pytest.mark.parametrize(
    ("symbol", "vetoers", "action", "date"),
    [
        pytest.param("S/2022/431", {"CHN", "RUS"}, DIPLO.TightensSanctions, "2022-05-26", id="2022-new-sanctions"),
        pytest.param("S/2024/255", {"RUS"}, DIPLO.RenewsPanel, "2024-03-28", id="2024-panel-of-experts"),
    ],
)
def test_a_vetoed_draft_is_a_fact_of_its_own(council_graph: Graph, symbol: str, vetoers: set[str],
                                             action: URIRef, date: str) -> None:
    [draft] = [d for d in council_graph.subjects(RDF.type, DIPLO.DraftResolution)
               if str(council_graph.value(d, DIPLO.documentSymbol)) == symbol]
    assert {str(v).rsplit("/", 1)[-1] for v in council_graph.objects(draft, DIPLO.vetoedBy)} == vetoers
    assert council_graph.value(draft, DIPLO.councilAction) == action
    assert str(council_graph.value(draft, DIPLO.date)) == date
    assert council_graph.value(draft, DIPLO.concernsRegime) == URIRef(f"{RESOLUTIONS}regime-1718")
    row = next(r for r in _rows(COUNCIL / "drafts.csv") if r["symbol"] == symbol)
    assert str(council_graph.value(draft, DCTERMS.description)) == row["title"]  # what it would have done, verbatim
    assert council_graph.value(draft, DIPLO.evidence) is not None


def test_every_row_of_the_votes_table_is_cited(council_graph: Graph) -> None:
    rows = {s for s in council_graph.subjects(RDF.type, DIPLO.TableRow)
            if str(s).rsplit("/", 1)[-1].startswith("drafts-r")}
    assert len(rows) == 25
    assert all(set(council_graph.subjects(DIPLO.evidence, r)) for r in rows)
