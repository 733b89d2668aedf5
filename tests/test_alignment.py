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
from kg.alignment.measures import agreements, dyads
from kg.alignment.votes import VoteMatrix

VOTES = ROOT / "sources" / "unga-votes"
CHOICE = {"yes": 1, "abstain": 2, "no": 3}


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
    """(year of each rcid, issue codes of each rcid, choice of each (rcid, ISO alpha-3)), read from the
    CSV files with the csv module; members named by pycountry's alpha-3 of their alpha-2 code."""
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


def test_the_graph_holds_every_vote_of_the_csv(world_built) -> None:  # type: ignore[no-untyped-def]
    store = world_built.graph.store
    found = 0
    for predicate in ("votedYes", "votedNo", "abstained"):
        pattern = ox.NamedNode(f"https://w3id.org/diplokg/ontology#{predicate}")
        found += sum(1 for _ in store.quads_for_pattern(None, pattern, None))
    assert found == 870_109


@pytest.mark.parametrize("year", [1975, 1991, 2013, 2019])
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
        assert row.votes == n, row
        assert row.agreement == pytest.approx(expected, abs=5e-5), row
        checked += 1
    assert checked > 100


@pytest.mark.parametrize("issue", ["hr", "nu"])
def test_one_issue_agrees_with_the_simple_implementation(world_built, issue: str) -> None:  # type: ignore[no-untyped-def]
    rows = api.agreement_table(world_built.graph.store, years=[2019], issue=issue, states=["PRK", "USA", "IND"])
    assert {(r.state, r.anchor) for r in rows} == {(s, a) for s in ("PRK", "USA", "IND") for a in ("CHN", "RUS")}
    for row in rows:
        expected, n = simple_agreement(row.state, row.anchor, {2019}, issue)
        assert (row.votes, row.issue) == (n, issue)
        assert row.agreement == pytest.approx(expected, abs=5e-5)


def test_movers_pool_the_roll_calls_of_each_period(world_built) -> None:  # type: ignore[no-untyped-def]
    found = {m.state: m for m in api.movers(world_built.graph.store, "RUS", (2010, 2013), (2016, 2019))}
    for state in ("PRK", "USA", "CHN", "IND"):
        before, n1 = simple_agreement(state, "RUS", {2010, 2011, 2012, 2013})
        after, n2 = simple_agreement(state, "RUS", {2016, 2017, 2018, 2019})
        m = found[state]
        assert (m.votes_before, m.votes_after) == (n1, n2)
        assert m.change == pytest.approx(after - before, abs=1e-4)


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
    activity = props["prov#wasGeneratedBy"] if "prov#wasGeneratedBy" in props else props["wasGeneratedBy"]
    used = [q.object.value for q in store.quads_for_pattern(activity, None, None, derived)  # type: ignore[arg-type]
            if q.predicate.value.endswith("prov#used")]
    assert used == ["https://w3id.org/diplokg/id/source/unga-votes/"]
    elsewhere = [q for q in store.quads_for_pattern(node, None, None) if q.graph_name != derived]
    assert elsewhere == []


def test_the_world_build_has_no_violations(world_built) -> None:  # type: ignore[no-untyped-def]
    report = world_built.report
    assert report.violations == []
    assert report.derived > 100_000
    assert {"unga-votes", "wikidata-missions"} <= set(report.sources)


# ---------------------------------------------------------------------------
# diplokg alignment
# ---------------------------------------------------------------------------


def test_cli_csv_has_one_row_per_state_and_anchor(world_cli: Callable) -> None:
    code, out, err = world_cli("alignment", "--year", "2019", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(out.splitlines()))
    assert list(rows[0]) == ["state", "label", "anchor", "year", "agreement", "votes", "scotts_pi"]
    keys = [(r["state"], r["anchor"]) for r in rows]
    assert len(keys) == len(set(keys)) > 300
    prk = {r["anchor"]: r for r in rows if r["state"] == "PRK"}
    for anchor in ("CHN", "RUS"):
        expected, n = simple_agreement("PRK", anchor, {2019})
        assert int(prk[anchor]["votes"]) == n
        assert float(prk[anchor]["agreement"]) == pytest.approx(expected, abs=5e-5)


def test_cli_json_state_and_range(world_cli: Callable) -> None:
    code, out, err = world_cli("alignment", "--state", "prk", "--anchor", "RUS", "--from", "2017", "--to", "2019",
                               "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["state"], r["anchor"], r["year"]) for r in rows] == [("PRK", "RUS", y) for y in (2017, 2018, 2019)]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        pytest.param(("--year", "1900"), "year 1900", id="no-year"),
        pytest.param(("--anchor", "CHN", "--year", "1950"), "anchor CHN", id="china-before-1971"),
        pytest.param(("--state", "XYZ",), "'XYZ'", id="unknown-state"),
        pytest.param(("--state", "PRK", "--year", "1985"), "state PRK", id="dprk-before-1991"),
        pytest.param(("--year", "2019", "--from", "2018"), "not both", id="year-and-range"),
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
