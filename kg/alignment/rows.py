"""The rows the alignment API returns (:mod:`kg.alignment.api`): plain, typed values under the shared
column names, for tables, pages and the server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["AgreementRow", "Mover", "VoteYear"]


@dataclass(frozen=True)
class AgreementRow:
    """One state's agreement with one anchor in one year (or period), for tables and pages.

    Attributes:
        state: The member's code (ISO alpha-3 for a state).
        label: The member's name.
        anchor: The anchor's code.
        year: The calendar year (the first year of a period).
        agreement: Voeten's agreement index, rounded to 4 decimals.
        roll_calls: The roll calls both voted on.
        scotts_pi: Häge's Scott's pi, rounded to 4 decimals (None when undefined).
        coverage: ``all`` (the year's every recorded vote) or ``selected`` (a selection of its votes).
        rank: The place among the states measured against the same anchor in the same year (1 the
            most in agreement; states of equal agreement share a place), counting only measures over
            at least the minimum number of roll calls; None for a measure under it (flagged).
        flag: Why the measure is not ranked ("under 10 roll calls"), or empty.
        issue: The issue code, or None for every roll call.
        last_year: The last year of a period (``year`` for one year).
    """

    state: str
    label: str
    anchor: str
    year: int
    agreement: float
    roll_calls: int
    scotts_pi: float | None
    coverage: str
    rank: int | None = None
    flag: str = ""
    issue: str | None = None
    last_year: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """The row as plain values under the shared column names (``rollCalls``, ``scottsPi`` ...)."""
        return {
            "state": self.state, "label": self.label, "anchor": self.anchor, "year": self.year,
            "agreement": self.agreement, "rollCalls": self.roll_calls, "scottsPi": self.scotts_pi,
            "coverage": self.coverage, "rank": self.rank, "flag": self.flag, "issue": self.issue,
        }


@dataclass(frozen=True)
class Mover:
    """A state's change of agreement with an anchor between two periods.

    Attributes:
        state, label, anchor: As in :class:`AgreementRow`.
        before, after: Agreement over the first and the second period's roll calls (pooled).
        roll_calls_before, roll_calls_after: The roll calls each is averaged over.
        change: ``after - before`` (positive: towards the anchor).
        coverage_before, coverage_after: Each period's coverage (``all`` or ``selected``).
    """

    state: str
    label: str
    anchor: str
    before: float
    after: float
    roll_calls_before: int
    roll_calls_after: int
    change: float
    coverage_before: str = "all"
    coverage_after: str = "all"


@dataclass(frozen=True)
class VoteYear:
    """A calendar year of the General Assembly votes in the graph.

    Attributes:
        year: The year.
        roll_calls: How many roll calls of the year the graph holds.
        coverage: ``all`` (every recorded vote of the year) or ``selected`` (a selection).
    """

    year: int
    roll_calls: int
    coverage: str
