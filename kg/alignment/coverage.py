"""How much of the recorded votes each year's measures rest on, and the minimum-roll-call rule.

**Coverage.** Each source of General Assembly votes says in its ``source.ttl`` how much of the recorded
votes it holds (``diplo:coverage``: ``diplo:AllRecordedVotes`` or ``diplo:SelectedVotes``) over which
calendar years (``dcterms:temporal``, a ``dcterms:PeriodOfTime`` with ``dcat:startDate`` and
``dcat:endDate`` as ``xsd:gYear``, or ``xsd:date`` when a source starts or ends within a year). A year
has the coverage ``all`` when a source of every recorded vote covers the whole year, and ``selected``
otherwise: Voeten's data (1946-2019) is every recorded vote; the key votes of 2020-2024 (and ES-11/7 of
2025) are a selection, and so is 2020 as a whole, although Voeten's data holds one roll call of
January 2020. A measure pooled over several years takes its years' coverage, and a period that mixes
both is refused (:meth:`Coverage.of_period`): nothing splices a selection onto every recorded vote.

**The minimum.** A measure (a state's agreement with an anchor in a year) over fewer than
:data:`DEFAULT_MIN_ROLL_CALLS` roll calls is flagged, not ranked; a year whose roll calls are fewer is
flagged as a whole (each of its measures counts at most the year's roll calls). Why 10, from the roll
calls per year of both data sets:

- Voeten's years hold 26 to 160 roll calls (1951 alone has 7): at 10 the rule flags 136 of its 10,442
  state-years (1.3%), members present for a handful of the year's votes (Dominica, 8 of 90 in 2019,
  topped 2019's ranking with Russia; Kiribati, São Tomé and Príncipe, Seychelles in the 2000s).
- Under 10 roll calls one vote moves a state's index by more than 0.1, more than the gap between the
  10th and the 100th state of 2019's ranking with Russia (0.81 and 0.73) or China (0.91 and 0.85):
  the order would be decided by single votes.
- The selection of 2020-2025 holds 6, 6, 8, 3, 0 and 1 roll calls a year: no single year of it is
  ranked; pooled over two years (2020-2021: 12; 2022-2023: 11) it passes, which is how the questions
  on these years compare states.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kg.errors import InputError
from kg.namespaces import DIPLO

#: The coverage words the tables show (the concepts' ``skos:notation``).
ALL = "all"
SELECTED = "selected"
#: The default minimum number of roll calls for a measure to be ranked (see the module).
DEFAULT_MIN_ROLL_CALLS = 10

#: A source's declared coverage and period (run over the union of every graph).
COVERAGE_QUERY = f"""PREFIX diplo: <{DIPLO}>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
SELECT DISTINCT ?coverage ?start ?end WHERE {{
  ?source dcterms:temporal ?period .
  ?source diplo:coverage ?coverage .
  ?period dcat:startDate ?start ; dcat:endDate ?end .
}}"""
# (dcterms:temporal first: only the vote sources have it, where every measure has a diplo:coverage;
# Oxigraph starts from the pattern written first, 0.7 s against a few ms on the on-disk store.)

#: The date of every General Assembly roll call (run over the union of every graph).
ROLL_CALL_DATES_QUERY = f"""PREFIX diplo: <{DIPLO}>
SELECT DISTINCT ?rc ?date WHERE {{ ?rc a diplo:RollCall ; diplo:date ?date }}"""


def _whole_years(start: str, end: str) -> range:
    """The calendar years wholly inside a period given as ``xsd:gYear`` or ``xsd:date`` texts."""
    first, last = int(start[:4]), int(end[:4])
    if len(start) > 4 and start[5:10] != "01-01":
        first += 1
    if len(end) > 4 and end[5:10] != "12-31":
        last -= 1
    return range(first, last + 1)


@dataclass(frozen=True)
class Coverage:
    """The years every recorded vote of which some source holds.

    Attributes:
        complete: The calendar years covered in full (coverage ``all``); any other year is ``selected``.
    """

    complete: frozenset[int]

    def of(self, year: int) -> str:
        """``all`` or ``selected`` for one calendar year."""
        return ALL if year in self.complete else SELECTED

    def of_period(self, first: int, last: int) -> str:
        """The coverage of a period pooled over its years.

        Raises:
            InputError: The period mixes years of every recorded vote with years of a selection.
        """
        kinds = {self.of(y) for y in range(first, last + 1)}
        if len(kinds) > 1:
            complete = [y for y in range(first, last + 1) if y in self.complete]
            raise InputError(
                f"the period {first}-{last} mixes every recorded vote ({complete[0]}-{complete[-1]}) with a "
                "selection of votes (the other years): pool within one coverage, or compare the two side by side"
            )
        return kinds.pop()


def coverage_from_rows(rows: Iterable[dict[str, str | None]]) -> Coverage:
    """The coverage from the answers of :data:`COVERAGE_QUERY` (plain values: IRIs and lexical forms)."""
    complete: set[int] = set()
    for row in rows:
        start, end = row.get("start"), row.get("end")
        if row.get("coverage") == str(DIPLO.AllRecordedVotes) and start and end:
            complete.update(_whole_years(start, end))
    return Coverage(frozenset(complete))


def roll_calls_per_year(rows: Iterable[dict[str, str | None]]) -> dict[int, int]:
    """Roll calls per calendar year, from the answers of :data:`ROLL_CALL_DATES_QUERY`."""
    counts: dict[int, int] = {}
    for row in rows:
        date = row.get("date")
        if date and date[:4].isdigit():
            counts[int(date[:4])] = counts.get(int(date[:4]), 0) + 1
    return dict(sorted(counts.items()))


def flag(roll_calls: int, minimum: int) -> str:
    """Why a measure is not ranked (empty when it is)."""
    return f"under {minimum} roll calls" if roll_calls < minimum else ""


def check_minimum(minimum: int) -> int:
    """A minimum number of roll calls as given by a user.

    Raises:
        InputError: It is below 1.
    """
    if minimum < 1:
        raise InputError(f"the minimum number of roll calls must be at least 1, not {minimum}")
    return minimum


__all__ = [
    "ALL",
    "COVERAGE_QUERY",
    "DEFAULT_MIN_ROLL_CALLS",
    "ROLL_CALL_DATES_QUERY",
    "SELECTED",
    "Coverage",
    "check_minimum",
    "coverage_from_rows",
    "flag",
    "roll_calls_per_year",
]
