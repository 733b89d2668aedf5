"""Write the world questions' golden answers from the raw tables, without diplokg.

    python tests/golden/world/make_golden.py

Reads the project's copies of the upstream files (``sources/unga-votes/*.csv.gz``,
``sources/wikidata-missions/missions-2022-11-16.csv.gz``) and the closures table
(``sources/dprk-mission-closures-2023-2024/*.csv``) with the csv module, computes the agreement index
the plain way (a loop over roll calls), and writes one CSV per question. Members are named by
pycountry's alpha-3 of their ISO alpha-2 code, or the ISO 3166-3 code of a former country (YU, which
the data keeps for Serbia to 2019, is YUCS).
The statuses of closures-and-alignment follow the closures table's rows as the README of this
folder explains; they were read and checked by hand.
"""

from __future__ import annotations

import csv
import gzip
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pycountry

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
VOTES = ROOT / "sources" / "unga-votes"
CHOICE = {"yes": 1, "abstain": 2, "no": 3}


def _read(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:  # type: ignore[operator]
        return list(csv.DictReader(handle))


YEAR = {r["rcid"]: int(r["date"][:4]) for r in _read(VOTES / "roll-calls.csv.gz")}

def member_code(alpha2: str, name: str) -> str | None:
    """A member's code: pycountry's alpha-3 of a current alpha-2 code, else the ISO 3166-3 alpha-4
    code of the former country with that alpha-2 code whose name starts with the same word (YU
    Yugoslavia: YUCS), else None (the three members the data leaves uncoded)."""
    if not alpha2:
        return None
    entry = pycountry.countries.get(alpha_2=alpha2)
    if entry is not None:
        return str(entry.alpha_3)
    first = name.split()[0].strip(",").lower()
    for old in pycountry.historic_countries:
        if old.alpha_2 == alpha2 and old.name.split()[0].strip(",").lower() == first:
            return str(old.alpha_4)
    return None


VOTE: dict[str, dict[str, int]] = defaultdict(dict)  # rcid -> member code -> choice
for row in _read(VOTES / "votes.csv.gz"):
    code = member_code(row["country_code"], row["country"])
    if code is not None:
        VOTE[row["rcid"]][code] = CHOICE[row["vote"]]


def pooled(state: str, anchor: str, years: range) -> tuple[Decimal, int]:
    """(sum of per-roll-call agreement, roll calls both voted on) over the years."""
    points, n = Decimal(0), 0
    for rcid, year in YEAR.items():
        if year in years and state in VOTE[rcid] and anchor in VOTE[rcid]:
            points += {0: Decimal(1), 1: Decimal("0.5"), 2: Decimal(0)}[abs(VOTE[rcid][state] - VOTE[rcid][anchor])]
            n += 1
    return points, n


def four(value: Decimal) -> str:
    """Rounded to 4 decimals, half up (SPARQL's ROUND and the build's rounding agree on these data)."""
    return str(value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP).normalize())


def members_in(years: range) -> set[str]:
    return {s for rcid, y in YEAR.items() if y in years for s in VOTE[rcid]}


def write(name: str, header: list[str], rows: list[list[str]]) -> None:
    with (HERE / name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def ranking(year: int) -> None:
    rows = []
    for anchor, label in (("CHN", "China"), ("RUS", "Russian Federation")):
        found = []
        for state in members_in(range(year, year + 1)) - {anchor}:
            points, n = pooled(state, anchor, range(year, year + 1))
            if n:
                found.append((label, state, Decimal(points) / n, n))
        found.sort(key=lambda r: (-r[2], r[1]))
        rows += [[label, state, four(a), str(n)] for label, state, a, n in found]
    write(f"alignment-ranking-{year}.csv", ["anchorLabel", "state", "agreement", "rollCalls"], rows)


def dprk() -> None:
    rows = []
    for anchor, label in (("CHN", "China"), ("RUS", "Russian Federation")):
        for year in sorted(set(YEAR.values())):
            points, n = pooled("PRK", anchor, range(year, year + 1))
            if n:
                rows.append([label, str(year), four(points / n), str(n)])
    write("dprk-alignment.csv", ["anchorLabel", "year", "agreement", "rollCalls"], rows)


def movers() -> None:
    before_years, after_years = range(2010, 2014), range(2016, 2020)
    rows = []
    for state in (members_in(before_years) & members_in(after_years)) - {"RUS"}:
        p1, n1 = pooled(state, "RUS", before_years)
        p2, n2 = pooled(state, "RUS", after_years)
        if n1 and n2:
            b = Decimal(four(p1 / n1))
            a = Decimal(four(p2 / n2))
            rows.append([state, str(b.normalize()), str(a.normalize()), str(n1), str(n2), a - b])
    rows.sort(key=lambda r: (-r[5], r[0]))
    write("russia-movers.csv", ["state", "before", "after", "rollCallsBefore", "rollCallsAfter", "change"],
          [[*r[:5], str(r[5].normalize())] for r in rows])


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
    wikidata_hosts = set()
    entities = {r["qid"]: r["node"] for r in _read(ROOT / "sources" / "wikidata-missions" / "mapping" / "entities.csv")}
    for row in _read(ROOT / "sources" / "wikidata-missions" / "missions-2022-11-16.csv.gz"):
        if row["operatorQID"] == "Q423":
            wikidata_hosts.add(entities[row["countryQID"]].removeprefix("iso:"))
    hosts = CLOSED | CLOSED_EARLIER | COVERING | wikidata_hosts
    rows = []
    for host in sorted(hosts):
        status = "closed 2023-24" if host in CLOSED else "closed earlier" if host in CLOSED_EARLIER else "kept"
        cells = [host, status]
        for anchor in ("CHN", "RUS"):
            points, n = pooled(host, anchor, range(2015, 2020)) if host != anchor else (Decimal(0), 0)
            cells += [four(points / n), str(n)] if n else ["", ""]  # no measure of an anchor with itself
        rows.append(cells)
    write("closures-and-alignment.csv",
          ["host", "status", "agreementChina", "rollCallsChina", "agreementRussia", "rollCallsRussia"], rows)


if __name__ == "__main__":
    ranking(2019)
    dprk()
    movers()
    closures()
