"""Write the golden answers of the questions that read the votes after 2019, from the raw tables,
without diplokg.

    python tests/golden/world/make_golden_2020s.py

Reads the project's copies of the key votes of 2020-2024 (``sources/unga-key-votes-2020-2024``:
``resolutions.csv``, ``votes.csv.gz``) and of the Security Council's votes on the DPRK
(``sources/unsc-dprk-votes``: ``drafts.csv``, ``votes.csv.gz``) with the csv module, and Voeten's votes
through ``make_golden.py`` (same folder), whose tables it extends with the key votes: a key vote is a
roll call like Voeten's, its states are their ISO alpha-3 codes, and X (non-voting) is no vote, as an
absence is none in Voeten's data. The agreement index is computed the plain way (a loop over roll calls).

Coverage, from the two data sets' READMEs: Voeten's data holds every recorded vote of 1946-2019
("all"); the key votes are a selection ("selected"), and a year from 2020 on is "selected" (2020 holds
Voeten's one roll call of January 2020 and five key votes of December). A measure over fewer than
``make_golden.MINIMUM`` (10) roll calls is flagged.

The statuses of closures-and-alignment follow the closures table's rows as ``CLOSED`` below says; they
were read and checked by hand. The priority partners are the article's sentence's ("important countries
like China, Russia, Syria, Iran, and Cuba"). A Security Council text's action is read from its short
title: "Panel of Experts" is a renewal of the Panel, any other title imposes or tightens sanctions.
"""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from decimal import Decimal
from pathlib import Path

import make_golden as voeten
from make_golden import MINIMUM, four, members_in, pooled, ranked, write

ROOT = voeten.ROOT
KEY = ROOT / "sources" / "unga-key-votes-2020-2024"
COUNCIL = ROOT / "sources" / "unsc-dprk-votes"
CHOICE = {"Y": 1, "A": 2, "N": 3}


def _rows(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:  # type: ignore[operator]
        return list(csv.DictReader(handle))


# The key votes, added to make_golden's tables as roll calls "key:<resolution>".
KEY_YEAR = {f"key:{r['resolution']}": int(r["date"][:4]) for r in _rows(KEY / "resolutions.csv")}
KEY_VOTES = _rows(KEY / "votes.csv.gz")
voeten.YEAR.update(KEY_YEAR)
for row in KEY_VOTES:
    if row["vote"] in CHOICE:  # X: non-voting, no vote
        voeten.VOTE[f"key:{row['resolution']}"][row["state_iso3"]] = CHOICE[row["vote"]]


def coverage(year: int) -> str:
    return "all" if year <= 2019 else "selected"


def flag(n: int) -> str:
    return "" if n >= MINIMUM else f"under {MINIMUM} roll calls"


ANCHORS = (("CHN", "China"), ("RUS", "Russian Federation"))


def dprk() -> None:
    rows = []
    for anchor, label in ANCHORS:
        for year in sorted(set(voeten.YEAR.values())):
            points, n = pooled("PRK", anchor, range(year, year + 1))
            if n:
                rows.append([label, str(year), four(points / n), str(n), coverage(year), flag(n)])
    write("dprk-alignment.csv", ["anchorLabel", "year", "agreement", "rollCalls", "coverage", "flag"], rows)


def ranking(year: int) -> None:
    rows = []
    for anchor, label in ANCHORS:
        found = []
        for state in members_in(range(year, year + 1)) - {anchor}:
            points, n = pooled(state, anchor, range(year, year + 1))
            if n:
                found.append((label, state, Decimal(points) / n, n))
        rows += [[*r[:4], coverage(year), *r[4:]] for r in ranked(found)]
    write(f"alignment-ranking-{year}.csv",
          ["anchorLabel", "state", "agreement", "rollCalls", "coverage", "rank", "flag"], rows)


def ukraine() -> None:
    es11 = sorted({r["resolution"] for r in KEY_VOTES if r["session"] == "ES-11"})
    vote = {(r["resolution"], r["state_iso3"]): r["vote"] for r in KEY_VOTES}
    states = sorted({r["state_iso3"] for r in KEY_VOTES} - {"RUS"})
    rows = []
    for state in states:
        tally: Counter[str] = Counter()
        for resolution in es11:
            mine, russia = vote[(resolution, state)], vote[(resolution, "RUS")]
            if mine == "X":
                tally["nonVoting"] += 1
            elif mine == russia:
                tally["with"] += 1
            elif "A" in (mine, russia):
                tally["otherwise"] += 1
            else:
                tally["against"] += 1
        rows.append([state, tally["with"], tally["against"], tally["otherwise"], tally["nonVoting"], len(es11)])
    rows.sort(key=lambda r: (-r[1], r[2], r[0]))
    write("ukraine-votes.csv", ["state", "withRussia", "againstRussia", "otherwise", "nonVoting", "rollCalls"],
          [[str(c) for c in r] for r in rows])


#: The article's priority partners (its sentence: "important countries like China, Russia, Syria,
#: Iran, and Cuba").
PARTNERS = ("CHN", "CUB", "IRN", "RUS", "SYR")
PERIODS = (("2015-2019", range(2015, 2020)), ("2022-2023", range(2022, 2024)))


def partners() -> None:
    rows = []
    for state in PARTNERS:
        for name, years in PERIODS:
            points, n = pooled(state, "RUS", years) if state != "RUS" else (Decimal(0), 0)
            note = "the anchor itself" if state == "RUS" else flag(n)
            rows.append([state, name, coverage(years[0]), four(points / n) if n else "", str(n) if n else "", note])
    write("partners-and-russia.csv", ["state", "period", "coverage", "agreement", "rollCalls", "flag"], rows)


#: From the closures table's rows (sources/dprk-mission-closures-2023-2024/*.csv), read by hand:
#: every row but Nicaragua's records a closure or closure announcement dated 2023 or 2024 (the
#: article's four closures, Uganda, Angola, Hong Kong and Spain, are among them); Nicaragua's
#: embassy closed in 1995 and only an opening was agreed in 2023. The covering embassies (South
#: Africa, Italy, India, Ethiopia) and Wikidata's 26 DPRK missions (operator Q423) are kept: no source
#: records their closure. Hong Kong votes in no General Assembly: no agreement.
CLOSED = {"UGA", "AGO", "HKG", "ESP", "NPL", "BGD", "COD", "SEN", "GIN", "LBY"}
CLOSED_EARLIER = {"NIC"}
COVERING = {"ZAF", "ITA", "IND", "ETH"}


def closures() -> None:
    entities = {r["qid"]: r["node"] for r in _rows(ROOT / "sources" / "wikidata-missions" / "mapping" / "entities.csv")}
    wikidata_hosts = {entities[r["countryQID"]].removeprefix("iso:")
                      for r in _rows(ROOT / "sources" / "wikidata-missions" / "missions-2022-11-16.csv.gz")
                      if r["operatorQID"] == "Q423"}
    rows = []
    for host in sorted(CLOSED | CLOSED_EARLIER | COVERING | wikidata_hosts):
        status = "closed 2023-24" if host in CLOSED else "closed earlier" if host in CLOSED_EARLIER else "kept"
        for name, years in PERIODS:
            cells = [host, status, name, coverage(years[0])]
            for anchor in ("CHN", "RUS"):
                points, n = pooled(host, anchor, years) if host != anchor else (Decimal(0), 0)
                cells += [four(points / n), str(n)] if n else ["", ""]  # no measure of an anchor with itself
            rows.append(cells)
    write("closures-and-alignment.csv", ["host", "status", "period", "coverage", "agreementChina", "rollCallsChina",
                                         "agreementRussia", "rollCallsRussia"], rows)


def council() -> None:
    counts: dict[str, Counter[str]] = {}
    for row in _rows(COUNCIL / "votes.csv.gz"):
        counts.setdefault(row["symbol"], Counter())[row["vote"]] += 1
    names = {"CHN": "China", "RUS": "Russian Federation"}
    rows = []
    for row in sorted(_rows(COUNCIL / "drafts.csv"), key=lambda r: (r["date"], r["symbol"])):
        tally = counts[row["symbol"]]
        vetoed = " and ".join(sorted(names[c] for c in row["vetoed_by"].split(";") if c))
        renews = "Panel of Experts" in row["title"]
        action = "renews the Panel of Experts" if renews else "imposes or tightens sanctions"
        outcome = "adopted" if row["outcome"] == "adopted" else "not adopted: vetoed"
        rows.append([row["date"], row["symbol"], outcome, str(tally["Y"]), str(tally["N"]), str(tally["A"]),
                     vetoed, action])
    write("council-votes.csv", ["date", "symbol", "outcome", "yes", "no", "abstain", "vetoedBy", "action"], rows)


if __name__ == "__main__":
    dprk()
    ranking(2022)
    ukraine()
    partners()
    closures()
    council()
