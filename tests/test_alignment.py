"""Alignment measured from the UN General Assembly votes: a hand-checked case, an independent
computation over the raw CSV, the derived graph and its provenance, and ``diplokg alignment``."""

from __future__ import annotations

import csv
import gzip
import json
from collections import defaultdict
from collections.abc import Callable
from fractions import Fraction
from functools import lru_cache

import numpy as np
import pycountry
import pyoxigraph as ox
import pytest
from conftest import ROOT

from kg.alignment import api
from kg.alignment.coverage import coverage_from_rows
from kg.alignment.measures import agreements, dyads, rank_measures
from kg.alignment.votes import VoteMatrix
from kg.errors import InputError

VOTES = ROOT / "sources" / "unga-votes"
KEY_VOTES = ROOT / "sources" / "unga-key-votes-2020-2024"
CHOICE = {"yes": 1, "abstain": 2, "no": 3}
KEY_CHOICE = {"Y": 1, "A": 2, "N": 3}  # X (non-voting) is no vote


# ---------------------------------------------------------------------------
# A case checked by hand
# ---------------------------------------------------------------------------


def test_agreement_and_scotts_pi_by_hand() -> None:
    # Roll calls:   r0   r1   r2   r3   r4   r5
    # anchor A:     yes  yes  no   abst yes  -
    # state S:      yes  no   no   yes  -    yes
    # Both voted on r0-r3: same (1), yes against no (0), same (1), abstain against yes (0.5):
    # agreement 2.5 / 4 = 0.625. Pooled votes of both over r0-r3: yes 4, abstain 1, no 3 of 8;
    # D_e = 2 (1/2*1/8*1 + 1/2*3/8*2 + 1/8*3/8*1) = 31/32, D_o = 3/4, pi = 1 - (3/4)/(31/32) = 7/31.
    choice = np.array([[1, 1, 3, 2, 1, 0], [1, 3, 3, 1, 0, 1]], dtype=np.int8)
    votes = VoteMatrix(["A", "S"], [f"r{j}" for j in range(6)], choice, np.full(6, 2000, dtype=np.int16))
    [found] = agreements(votes, ["A"])
    assert (found.state, found.roll_calls, found.distance) == ("S", 4, 3)
    assert found.agreement == 0.625
    assert found.points == Fraction(5, 2)
    assert found.pi == pytest.approx(7 / 31)


@pytest.mark.parametrize(
    ("state", "anchor", "agreement", "pi"),
    [
        pytest.param([1, 1, 1], [1, 1, 1], 1.0, None, id="always-yes-together: pi undefined"),
        pytest.param([1, 3], [3, 1], 0.0, -1.0, id="always-opposed"),
        pytest.param([2, 2], [1, 3], 0.5, -1 / 3, id="abstains-against-yes-and-no"),
    ],
)
def test_edge_cases(state: list[int], anchor: list[int], agreement: float, pi: float | None) -> None:
    choice = np.array([anchor, state], dtype=np.int8)
    n, distance, pis = dyads(choice, 0)
    assert 1 - distance[1] / (2 * n[1]) == agreement
    if pi is None:
        assert pis is not None and np.isnan(pis[1])
    else:
        assert pis is not None and pis[1] == pytest.approx(pi)


# ---------------------------------------------------------------------------
# A second, simple implementation over the raw CSV (the project's own copy in sources/)
# ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def raw_votes() -> tuple[dict[str, int], dict[str, set[str]], dict[tuple[str, str], int]]:
    """(year of each roll call, issue codes of each, choice of each (roll call, ISO alpha-3)), read from
    the CSV files with the csv module: Voeten's (by rcid; members named by pycountry's alpha-3 of their
    alpha-2 code) and the key votes of 2020-2024 (by resolution; X left out)."""
    with gzip.open(VOTES / "roll-calls.csv.gz", "rt", encoding="utf-8", newline="") as handle:
        year = {r["rcid"]: int(r["date"][:4]) for r in csv.DictReader(handle)}
    issues: dict[str, set[str]] = defaultdict(set)
    with gzip.open(VOTES / "roll-call-issues.csv.gz", "rt", encoding="utf-8", newline="") as handle:
        for r in csv.DictReader(handle):
            issues[r["rcid"]].add(r["short_name"])
    alpha3: dict[str, str] = {}
    choice: dict[tuple[str, str], int] = {}
    with gzip.open(VOTES / "votes.csv.gz", "rt", encoding="utf-8", newline="") as handle:
        for r in csv.DictReader(handle):
            code = r["country_code"]
            if code and code not in alpha3:
                entry = pycountry.countries.get(alpha_2=code)
                alpha3[code] = entry.alpha_3 if entry else ""
            if code and alpha3[code]:
                choice[(r["rcid"], alpha3[code])] = CHOICE[r["vote"]]
    with (KEY_VOTES / "resolutions.csv").open(encoding="utf-8", newline="") as handle:
        year |= {r["resolution"]: int(r["date"][:4]) for r in csv.DictReader(handle)}
    with gzip.open(KEY_VOTES / "votes.csv.gz", "rt", encoding="utf-8", newline="") as handle:
        for r in csv.DictReader(handle):
            if r["vote"] in KEY_CHOICE:
                choice[(r["resolution"], r["state_iso3"])] = KEY_CHOICE[r["vote"]]
    return year, issues, choice


def simple_agreement(state: str, anchor: str, years: set[int], issue: str | None = None) -> tuple[float, int]:
    """Voeten's index the plain way: a loop over roll calls."""
    year, issues, choice = raw_votes()
    score, n = 0.0, 0
    for rcid, y in year.items():
        if y not in years or (issue is not None and issue not in issues.get(rcid, set())):
            continue
        s, a = choice.get((rcid, state)), choice.get((rcid, anchor))
        if s is None or a is None:
            continue
        score += {0: 1.0, 1: 0.5, 2: 0.0}[abs(s - a)]
        n += 1
    return (score / n if n else float("nan")), n


@pytest.mark.parametrize(
    ("source", "votes"),
    [("unga-votes", 870_109), ("unga-key-votes-2020-2024", 4_439 - 458), ("unsc-dprk-votes", 375)],
)
def test_the_graph_holds_every_vote_of_the_csv(world_built, source: str, votes: int) -> None:  # type: ignore[no-untyped-def]
    store = world_built.graph.store
    graph = ox.NamedNode(f"https://w3id.org/diplokg/graph/source/{source}")
    found = 0
    for predicate in ("votedYes", "votedNo", "abstained"):
        pattern = ox.NamedNode(f"https://w3id.org/diplokg/ontology#{predicate}")
        found += sum(1 for _ in store.quads_for_pattern(None, pattern, None, graph))
    assert found == votes


@pytest.mark.parametrize("year", [1975, 1991, 2013, 2019, 2020, 2022])
def test_every_state_of_a_year_agrees_with_the_simple_implementation(world_built, year: int) -> None:  # type: ignore[no-untyped-def]
    rows = api.agreement_table(world_built.graph.store, years=[year])
    assert rows
    _y, _i, choice = raw_votes()
    members = {s for (_rc, s) in choice}
    checked = 0
    for row in rows:
        if row.state not in members:
            continue  # a member the simple reading does not name (no current ISO code)
        expected, n = simple_agreement(row.state, row.anchor, {year})
        assert row.roll_calls == n, row
        assert row.agreement == pytest.approx(expected, abs=5e-5), row
        assert row.coverage == ("all" if year <= 2019 else "selected")
        checked += 1
    assert checked > 100


@pytest.mark.parametrize("issue", ["hr", "nu"])
def test_one_issue_agrees_with_the_simple_implementation(world_built, issue: str) -> None:  # type: ignore[no-untyped-def]
    rows = api.agreement_table(world_built.graph.store, years=[2019], issue=issue, states=["PRK", "USA", "IND"])
    assert {(r.state, r.anchor) for r in rows} == {(s, a) for s in ("PRK", "USA", "IND") for a in ("CHN", "RUS")}
    for row in rows:
        expected, n = simple_agreement(row.state, row.anchor, {2019}, issue)
        assert (row.roll_calls, row.issue) == (n, issue)
        assert row.agreement == pytest.approx(expected, abs=5e-5)


def test_movers_pool_the_roll_calls_of_each_period(world_built) -> None:  # type: ignore[no-untyped-def]
    found = {m.state: m for m in api.movers(world_built.graph.store, "RUS", (2010, 2013), (2016, 2019))}
    for state in ("PRK", "USA", "CHN", "IND"):
        before, n1 = simple_agreement(state, "RUS", {2010, 2011, 2012, 2013})
        after, n2 = simple_agreement(state, "RUS", {2016, 2017, 2018, 2019})
        m = found[state]
        assert (m.roll_calls_before, m.roll_calls_after) == (n1, n2)
        assert m.change == pytest.approx(after - before, abs=1e-4)
        assert (m.coverage_before, m.coverage_after) == ("all", "all")


def test_movers_compare_a_selection_beside_every_vote_but_never_pool_both(world_built) -> None:  # type: ignore[no-untyped-def]
    found = {m.state: m for m in api.movers(world_built.graph.store, "RUS", (2015, 2019), (2022, 2023))}
    prk = found["PRK"]
    assert (prk.coverage_before, prk.coverage_after) == ("all", "selected")
    assert prk.roll_calls_after == simple_agreement("PRK", "RUS", {2022, 2023})[1] == 11
    with pytest.raises(InputError, match="mixes every recorded vote"):
        api.movers(world_built.graph.store, "RUS", (2015, 2019), (2018, 2021))


# ---------------------------------------------------------------------------
# The derived graph
# ---------------------------------------------------------------------------


def test_measures_live_in_their_own_graph_with_provenance(world_built) -> None:  # type: ignore[no-untyped-def]
    store = world_built.graph.store
    derived = ox.NamedNode("https://w3id.org/diplokg/graph/derived/alignment")
    node = ox.NamedNode("https://w3id.org/diplokg/id/agreement/PRK-CHN-2019")
    props = {q.predicate.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]: q.object for q in
             store.quads_for_pattern(node, None, None, derived)}
    expected, n = simple_agreement("PRK", "CHN", {2019})
    assert int(props["rollCalls"].value) == n  # type: ignore[union-attr]
    assert float(props["agreement"].value) == pytest.approx(expected, abs=5e-5)  # type: ignore[union-attr]
    assert props["coverage"].value.endswith("#AllRecordedVotes")  # type: ignore[union-attr]
    activity = props["prov#wasGeneratedBy"] if "prov#wasGeneratedBy" in props else props["wasGeneratedBy"]
    about = {q.predicate.value.rsplit("#", 1)[-1]: q.object for q in
             store.quads_for_pattern(activity, None, None, derived)}  # type: ignore[arg-type]
    used = sorted(q.object.value for q in store.quads_for_pattern(activity, None, None, derived)  # type: ignore[arg-type]
                  if q.predicate.value.endswith("prov#used"))
    assert used == [f"https://w3id.org/diplokg/id/source/{s}/" for s in ("unga-key-votes-2020-2024", "unga-votes")]
    assert int(about["minimumRollCalls"].value) == 10  # type: ignore[union-attr]
    elsewhere = [q for q in store.quads_for_pattern(node, None, None) if q.graph_name != derived]
    assert elsewhere == []


@pytest.mark.parametrize(
    ("year", "coverage", "sources"),
    [
        pytest.param(2019, "AllRecordedVotes", ["unga-votes"], id="2019-every-vote"),
        pytest.param(2020, "SelectedVotes", ["unga-key-votes-2020-2024", "unga-votes"], id="2020-both-a-selection"),
        pytest.param(2022, "SelectedVotes", ["unga-key-votes-2020-2024"], id="2022-the-key-votes"),
    ],
)
def test_each_measure_says_its_coverage_and_the_sources_of_its_year(world_built, year: int, coverage: str,  # type: ignore[no-untyped-def]
                                                                     sources: list[str]) -> None:
    store = world_built.graph.store
    node = ox.NamedNode(f"https://w3id.org/diplokg/id/agreement/PRK-RUS-{year}")
    props: dict[str, list[str]] = {}
    for q in store.quads_for_pattern(node, None, None):
        props.setdefault(q.predicate.value.rsplit("#", 1)[-1], []).append(q.object.value)
    assert props["coverage"] == [f"https://w3id.org/diplokg/ontology#{coverage}"]
    assert sorted(props["wasDerivedFrom"]) == [f"https://w3id.org/diplokg/id/source/{s}/" for s in sources]
    assert int(props["rollCalls"][0]) == simple_agreement("PRK", "RUS", {year})[1]


def test_the_world_build_has_no_violations(world_built) -> None:  # type: ignore[no-untyped-def]
    report = world_built.report
    assert report.violations == []
    assert report.derived > 100_000
    assert {"unga-votes", "wikidata-missions", "unga-key-votes-2020-2024", "unsc-dprk-votes"} <= set(report.sources)


# ---------------------------------------------------------------------------
# diplokg alignment
# ---------------------------------------------------------------------------


def test_cli_csv_has_one_row_per_state_and_anchor(world_cli: Callable) -> None:
    code, out, err = world_cli("alignment", "--year", "2019", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(out.splitlines()))
    assert list(rows[0]) == ["state", "label", "anchor", "year", "agreement", "rollCalls", "scottsPi", "coverage",
                             "rank", "flag"]
    keys = [(r["state"], r["anchor"]) for r in rows]
    assert len(keys) == len(set(keys)) > 300
    prk = {r["anchor"]: r for r in rows if r["state"] == "PRK"}
    for anchor in ("CHN", "RUS"):
        expected, n = simple_agreement("PRK", anchor, {2019})
        assert int(prk[anchor]["rollCalls"]) == n
        assert float(prk[anchor]["agreement"]) == pytest.approx(expected, abs=5e-5)
        assert (prk[anchor]["coverage"], prk[anchor]["flag"]) == ("all", "")


def test_cli_json_state_and_range(world_cli: Callable) -> None:
    code, out, err = world_cli("alignment", "--state", "prk", "--anchor", "RUS", "--from", "2017", "--to", "2019",
                               "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["state"], r["anchor"], r["year"]) for r in rows] == [("PRK", "RUS", y) for y in (2017, 2018, 2019)]
    assert set(rows[0]) == {"state", "label", "anchor", "year", "agreement", "rollCalls", "scottsPi", "coverage",
                            "rank", "flag"}


@pytest.mark.parametrize(
    ("args", "says"),
    [
        pytest.param(("--year", "1900"), "year 1900", id="no-year"),
        pytest.param(("--anchor", "CHN", "--year", "1950"), "anchor CHN", id="china-before-1971"),
        pytest.param(("--state", "XYZ",), "'XYZ'", id="unknown-state"),
        pytest.param(("--state", "PRK", "--year", "1985"), "state PRK", id="dprk-before-1991"),
        pytest.param(("--year", "2019", "--from", "2018"), "not both", id="year-and-range"),
        pytest.param(("--year", "2024"), "year 2024", id="2024-no-key-vote"),
        pytest.param(("--pool", "--from", "2018", "--to", "2021"), "mixes every recorded vote",
                     id="pool-across-coverages"),
        pytest.param(("--pool", "--year", "2022"), "--pool needs", id="pool-without-range"),
    ],
)
def test_cli_no_data_is_one_line_and_exit_2(world_cli: Callable, args: tuple[str, ...], says: str) -> None:
    code, out, err = world_cli("alignment", *args)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and says in err


def test_a_code_two_polities_share_names_the_smallest_iri() -> None:
    """As the endpoint version does (kg.alignment.remote: the smallest IRI), whatever order the store
    keeps its quads in."""
    import pyoxigraph as ox

    from kg.alignment.api import member_iri

    code = ox.NamedNode("https://w3id.org/diplokg/ontology#iso3166Alpha3")
    store = ox.Store()
    for local in ("zz", "aa", "mm"):
        store.add(ox.Quad(ox.NamedNode(f"https://example.org/{local}"), code, ox.Literal("XYZ")))
    assert member_iri(store, "xyz") == "https://example.org/aa"


# ---------------------------------------------------------------------------
# Coverage and the minimum number of roll calls
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "years"),
    [
        pytest.param("1946", "2019", (1946, 2019), id="gyears-whole"),
        pytest.param("2020-12-07", "2025-02-24", (2021, 2024), id="dates-within-years"),
        pytest.param("2020-01-01", "2020-12-31", (2020, 2020), id="one-whole-year"),
    ],
)
def test_a_source_covers_the_whole_years_of_its_period(start: str, end: str, years: tuple[int, int]) -> None:
    rows = [{"coverage": "https://w3id.org/diplokg/ontology#AllRecordedVotes", "start": start, "end": end}]
    covered = coverage_from_rows(rows)
    assert min(covered.complete) == years[0] and max(covered.complete) == years[1]
    assert covered.of(years[0] - 1) == "selected"


def test_a_selection_declares_no_complete_year_and_a_mixed_period_is_refused() -> None:
    rows = [{"coverage": "https://w3id.org/diplokg/ontology#AllRecordedVotes", "start": "1946", "end": "2019"},
            {"coverage": "https://w3id.org/diplokg/ontology#SelectedVotes", "start": "2020", "end": "2025"}]
    covered = coverage_from_rows(rows)
    assert (covered.of(2019), covered.of(2020), covered.of(2025)) == ("all", "selected", "selected")
    assert covered.of_period(2015, 2019) == "all" and covered.of_period(2022, 2023) == "selected"
    with pytest.raises(InputError, match="2019-2020 mixes"):
        covered.of_period(2019, 2020)


def test_ranks_skip_the_flagged_and_share_places_on_ties() -> None:
    # r0..r3 all voted yes by the anchor A; S1, S2 agree on all four (tie), S3 on two, S4 on one of one.
    choice = np.array([[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 3, 3], [1, 0, 0, 0]], dtype=np.int8)
    votes = VoteMatrix(["A", "S1", "S2", "S3", "S4"], [f"r{j}" for j in range(4)], choice,
                       np.full(4, 2000, dtype=np.int16))
    found = agreements(votes, ["A"])
    ranks = rank_measures(found, 2)
    by_state = {g.state: ranks.get(id(g)) for g in found}
    assert by_state == {"S1": 1, "S2": 1, "S3": 3, "S4": None}  # S4: one roll call, under the minimum of 2


def test_the_2019_ranking_ranks_no_state_of_8_roll_calls(world_cli: Callable) -> None:
    """Issue 22: Dominica (8 of the year's 90 roll calls) topped 2019's ranking with Russia."""
    code, out, err = world_cli("alignment", "--year", "2019", "--anchor", "RUS", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(out.splitlines()))
    dma = next(r for r in rows if r["state"] == "DMA")
    assert (dma["rollCalls"], dma["rank"], dma["flag"]) == ("8", "", "under 10 roll calls")
    assert rows[0]["rank"] == "1" and int(rows[0]["rollCalls"]) >= 10
    ranked = [r for r in rows if r["rank"]]
    assert rows[: len(ranked)] == ranked  # the flagged come after every ranked state
    code, out, err = world_cli("alignment", "--year", "2019", "--anchor", "RUS", "--min-roll-calls", "5",
                               "--format", "csv")
    assert next(r for r in csv.DictReader(out.splitlines()) if r["state"] == "DMA")["rank"] == "1"


def test_a_year_of_the_selection_is_flagged_and_says_so(world_cli: Callable) -> None:
    code, out, err = world_cli("alignment", "--year", "2022")
    assert code == 0, err
    assert "under 10 roll calls" in out and "selected" in out
    assert "Roll calls in the graph per selected year: 2022: 8." in out
    code, out, err = world_cli("alignment", "--year", "2022", "--format", "csv")
    rows = list(csv.DictReader(out.splitlines()))
    assert {(r["coverage"], r["rank"], r["flag"]) for r in rows} == {("selected", "", "under 10 roll calls")}
    prk = {r["anchor"]: r for r in rows if r["state"] == "PRK"}
    assert prk["RUS"]["agreement"] == "1.0000" and prk["RUS"]["rollCalls"] == "8"


def test_the_selected_years_pooled_are_ranked(world_cli: Callable) -> None:
    code, out, err = world_cli("alignment", "--from", "2022", "--to", "2023", "--pool", "--anchor", "RUS",
                               "--format", "csv")
    assert code == 0, err
    rows = {r["state"]: r for r in csv.DictReader(out.splitlines())}
    expected, n = simple_agreement("PRK", "RUS", {2022, 2023})
    assert rows["PRK"]["year"] == "2022-2023" and int(rows["PRK"]["rollCalls"]) == n == 11
    assert float(rows["PRK"]["agreement"]) == pytest.approx(expected, abs=5e-5)
    assert (rows["PRK"]["rank"], rows["PRK"]["coverage"]) == ("1", "selected")


def test_one_state_keeps_its_rank_among_all(world_cli: Callable) -> None:
    _code, out, _ = world_cli("alignment", "--year", "2019", "--format", "csv")
    everyone = {(r["state"], r["anchor"]): r["rank"] for r in csv.DictReader(out.splitlines())}
    _code, out, _ = world_cli("alignment", "--year", "2019", "--state", "PRK", "--format", "csv")
    assert {(r["state"], r["anchor"]): r["rank"] for r in csv.DictReader(out.splitlines())} == {
        k: v for k, v in everyone.items() if k[0] == "PRK"}
