"""Alignment measured from UN General Assembly votes: Voeten's agreement index and Häge's Scott's pi.

For a state s and an anchor a, over the roll calls R both voted on (yes, no or abstain; a member
with no vote recorded on a roll call is left out of it), with choices coded yes 1, abstain 2, no 3
(Voeten's coding) and d_r = |s_r - a_r| in {0, 1, 2}:

- **agreement** (Voeten's agreement index; Voeten, Strezhnev and Bailey, "United Nations General
  Assembly Voting Data", Harvard Dataverse, hdl:1902.1/12379):
  ``A = (1/|R|) * sum_r (1 - d_r / 2)``: 1 for the same vote, 0.5 when one abstained and the other
  voted yes or no, 0 for yes against no. Its sum ``points = |R| - (sum_r d_r) / 2`` is exact, so the
  agreement over several years is the sum of their points over the sum of their roll calls.
- **Scott's pi** (Häge, F. M. (2011), "Choice or Circumstance? Adjusting Measures of Foreign Policy
  Similarity for Chance Agreement", Political Analysis 19(3): 287-305), with the same distance:
  ``pi = 1 - D_o / D_e``, ``D_o = (1/|R|) sum_r d_r``, ``D_e = sum_j sum_k p_j p_k |j - k|``, where
  ``p_j`` is the share of choice j among the 2|R| votes of both states. It corrects for the agreement
  two states would show by chance given how often they vote yes, abstain or no (most General
  Assembly votes are yes, so the raw index is high for nearly everyone). Undefined (None) when both
  states cast one and the same choice on every roll call (D_e = 0).

Signorino and Ritter's S score with this distance, ``S = 1 - 2 D_o / d_max`` with ``d_max = 2``, is
``2A - 1``: the same ranking as the agreement index, so it is not computed separately.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from kg.alignment.votes import VoteMatrix

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class Agreement:
    """The agreement of one state with one anchor over a set of roll calls.

    Attributes:
        state: The state's IRI.
        anchor: The anchor's IRI.
        year: The calendar year (the first, for a period).
        last_year: The last calendar year (the same as ``year`` for one year).
        issue: The issue code, or None for every roll call.
        roll_calls: How many roll calls both voted on.
        distance: The sum of d_r over them (0 same vote, 1 abstain against yes or no, 2 yes against no).
        pi: Scott's pi, or None when undefined.
    """

    state: str
    anchor: str
    year: int
    last_year: int
    issue: str | None
    roll_calls: int
    distance: int
    pi: float | None

    @property
    def agreement(self) -> float:
        """Voeten's agreement index, in [0, 1]."""
        return 1.0 - self.distance / (2 * self.roll_calls)

    @property
    def points(self) -> Fraction:
        """The exact sum of the per-roll-call agreement (a multiple of 0.5)."""
        return Fraction(2 * self.roll_calls - self.distance, 2)


def dyads(choice: np.ndarray, anchor_row: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Every member against one anchor over the roll calls (columns) given.

    Args:
        choice: members x roll calls (1 yes, 2 abstain, 3 no, 0 no vote).
        anchor_row: The anchor's row.

    Returns:
        Per member: the roll calls both voted on, the sum of distances, and Scott's pi (NaN where
        undefined or no roll call); pi is None when there are no columns.
    """
    import numpy as np  # on first use: a command that reads kept measures needs none

    anchor = choice[anchor_row]
    both = (choice > 0) & (anchor > 0)
    n = both.sum(axis=1)
    distance = (np.abs(choice.astype(np.int16) - anchor.astype(np.int16)) * both).sum(axis=1)
    if choice.shape[1] == 0:
        return n, distance, None
    counts = [((choice == c) & both).sum(axis=1) + ((anchor == c) & both).sum(axis=1) for c in (1, 2, 3)]
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2, p3 = (c / (2.0 * n) for c in counts)
        expected = 2.0 * (p1 * p2 + 2.0 * p1 * p3 + p2 * p3)
        observed = distance / n
        pi = np.where(expected > 0, 1.0 - observed / expected, np.nan)
    return n, distance, pi


def agreements(
    votes: VoteMatrix,
    anchors: Iterable[str],
    years: Iterable[int] | None = None,
    issue: str | None = None,
    period: tuple[int, int] | None = None,
) -> list[Agreement]:
    """The agreement of every member with each anchor, per calendar year (or pooled over a period).

    Args:
        votes: The votes (see :func:`kg.alignment.votes.read_votes`).
        anchors: The anchors' IRIs (an anchor that never voted gives nothing).
        years: The years (default: every year with roll calls); ignored when ``period`` is given.
        issue: Only the roll calls coded with this issue.
        period: (first, last) year: one measure per member over the roll calls of those years.

    Returns:
        One :class:`Agreement` per member (other than the anchor) with at least one roll call in
        common, ordered by anchor, year, state.
    """
    import numpy as np  # on first use: a command that reads kept measures needs none

    mask_issue = votes.issues.get(issue) if issue is not None else None
    if issue is not None and mask_issue is None:
        return []
    spans = [period] if period is not None else [(y, y) for y in (votes.years if years is None else years)]
    found: list[Agreement] = []
    for anchor in anchors:
        a = votes.member_index(anchor)
        if a is None:
            continue
        for first, last in spans:
            columns = (votes.year >= first) & (votes.year <= last)
            if mask_issue is not None:
                columns &= mask_issue
            if not columns.any():
                continue
            n, distance, pi = dyads(votes.choice[:, columns], a)
            for i in np.flatnonzero(n):
                if i == a:
                    continue
                value = None if pi is None or np.isnan(pi[i]) else float(pi[i])
                found.append(
                    Agreement(votes.members[i], anchor, first, last, issue, int(n[i]), int(distance[i]), value)
                )
    found.sort(key=lambda g: (g.anchor, g.year, g.state))
    return found


def rank_measures(found: Sequence[Agreement], minimum: int) -> dict[int, int]:
    """The rank of each measure (keyed by ``id``) among the measures of its year (or period), anchor
    and issue over at least ``minimum`` roll calls: 1 for the highest agreement, compared exactly;
    equal agreements share a place (1, 1, 3). A measure under the minimum has no rank (it is flagged).
    """
    groups: dict[tuple[int, int, str, str | None], list[Agreement]] = {}
    for g in found:
        if g.roll_calls >= minimum:
            groups.setdefault((g.year, g.last_year, g.anchor, g.issue), []).append(g)
    ranks: dict[int, int] = {}
    for group in groups.values():
        # Sorted by the distance per roll call as a float (two different fractions of at most a few
        # hundred roll calls are never one float apart), ties told exactly by cross-multiplying.
        ordered = sorted(group, key=lambda g: g.distance / g.roll_calls)
        place, previous = 0, None
        for position, g in enumerate(ordered, 1):
            if previous is None or g.distance * previous.roll_calls != previous.distance * g.roll_calls:
                place, previous = position, g
            ranks[id(g)] = place
    return ranks
