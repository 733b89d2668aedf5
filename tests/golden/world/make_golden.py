"""Write the world questions' golden answers from the raw tables, without diplokg.

    python tests/golden/world/make_golden.py

Reads the project's copies of Voeten's upstream files (``sources/unga-votes/*.csv.gz``) with the csv
module, computes the agreement index the plain way (a loop over roll calls), and writes one CSV per
question on Voeten's years alone (alignment-ranking-2019, russia-movers). Members are named by
pycountry's alpha-3 of their ISO alpha-2 code, or the ISO 3166-3 code of a former country (YU, which
the data keeps for Serbia to 2019, is YUCS). The questions that read the key votes of 2020-2024 too, or
the Security Council's votes, are written by ``make_golden_2020s.py``, which reuses this module's
reading of Voeten's data.
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


#: The fewest roll calls a measure must count to be ranked (kg/alignment/coverage.py says why).
MINIMUM = 10


def ranked(found: list[tuple[str, str, Decimal, int]]) -> list[list[str]]:
    """(anchorLabel, state, exact agreement, roll calls) as golden rows: the measures over at least
    MINIMUM roll calls first, most aligned first, each with its rank (equal agreement, equal rank); then
    the others, most aligned first, flagged and not ranked."""
    found.sort(key=lambda r: (r[3] < MINIMUM, -r[2], r[1]))
    rows: list[list[str]] = []
    place, previous = 0, None
    for position, (label, state, agreement, n) in enumerate((r for r in found if r[3] >= MINIMUM), 1):
        if agreement != previous:
            place, previous = position, agreement
        rows.append([label, state, four(agreement), str(n), str(place), ""])
    rows += [[label, state, four(a), str(n), "", f"under {MINIMUM} roll calls"] for label, state, a, n in found
             if n < MINIMUM]
    return rows


def ranking(year: int) -> None:
    rows = []
    for anchor, label in (("CHN", "China"), ("RUS", "Russian Federation")):
        found = []
        for state in members_in(range(year, year + 1)) - {anchor}:
            points, n = pooled(state, anchor, range(year, year + 1))
            if n:
                found.append((label, state, Decimal(points) / n, n))
        rows += ranked(found)
    write(f"alignment-ranking-{year}.csv", ["anchorLabel", "state", "agreement", "rollCalls", "rank", "flag"], rows)


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


if __name__ == "__main__":
    ranking(2019)
    movers()
