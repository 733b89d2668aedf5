"""The UN General Assembly votes as the graph holds them, read into arrays for the measures.

A vote is one triple from the roll call to the member: ``<rc> diplo:votedYes|votedNo|abstained
<member>``; a roll call is a ``diplo:RollCall`` with a ``diplo:date`` (and, in Voeten's data, a
``diplo:rollCallId``), and its issues through ``diplo:issue`` (a concept with ``skos:notation``). Only
General Assembly roll calls are read: the Security Council's votes (``diplo:CouncilVote``) use the same
vote properties and are left out, as is ``diplo:nonVoting`` (a member recorded as not voting: no vote).
Reading walks the store's index by predicate: about a million votes in a second or two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.namespaces import DIPLO

if TYPE_CHECKING:
    import numpy as np

#: Voeten's coding of a choice: yes 1, abstain 2, no 3 (0: no vote recorded).
CHOICES = {str(DIPLO.votedYes): 1, str(DIPLO.abstained): 2, str(DIPLO.votedNo): 3}
#: The predicate that gives an issue concept its code (``hr``).
SKOS_NOTATION = "http://www.w3.org/2004/02/skos/core#notation"
#: rdf:type, whose triples with the object diplo:RollCall say which subjects are roll calls.
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass
class VoteMatrix:
    """Every recorded vote of the General Assembly in the graph.

    Attributes:
        members: The members' IRIs, sorted; row ``i`` of ``choice`` is ``members[i]``.
        roll_calls: The roll calls' IRIs, sorted by date (then IRI); column ``j`` of ``choice`` is
            ``roll_calls[j]``.
        choice: members x roll calls, int8: 1 yes, 2 abstain, 3 no, 0 no vote recorded.
        year: The calendar year of each roll call's date.
        issues: Issue code -> boolean mask over the roll calls.
    """

    members: list[str]
    roll_calls: list[str]
    choice: np.ndarray
    year: np.ndarray
    issues: dict[str, np.ndarray] = field(default_factory=dict)

    def member_index(self, iri: str) -> int | None:
        """The row of a member, or None when it never voted."""
        return self._index().get(iri)

    def _index(self) -> dict[str, int]:
        cached: dict[str, int] | None = getattr(self, "_members_index", None)
        if cached is None:
            cached = {m: i for i, m in enumerate(self.members)}
            self._members_index = cached
        return cached

    @property
    def years(self) -> list[int]:
        """The calendar years with roll calls, ascending."""
        import numpy as np  # on first use: a command that reads kept measures needs none

        return sorted({int(y) for y in np.unique(self.year)})


def _pairs(store: ox.Store, predicate: str) -> Iterator[tuple[str, str]]:
    """(subject, object) values of every triple with this predicate, in any graph."""
    for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None):
        yield quad.subject.value, quad.object.value  # type: ignore[union-attr]


def _roll_call_pairs(store: ox.Store) -> Iterator[tuple[str, str]]:
    """(roll call, diplo:RollCall) for every subject typed a roll call, in any graph."""
    rtype, rclass = ox.NamedNode(RDF_TYPE), ox.NamedNode(str(DIPLO.RollCall))
    for quad in store.quads_for_pattern(None, rtype, rclass):
        yield quad.subject.value, rclass.value  # type: ignore[union-attr]


def read_votes(store: ox.Store) -> VoteMatrix:
    """Read every General Assembly roll call with a date, and every vote on it, from a store (any graph).

    A vote on anything the graph does not type a ``diplo:RollCall`` with a date is left out (a
    Security Council vote; a roll call without a year).
    """
    return matrix_from_pairs(
        lambda predicate: _roll_call_pairs(store) if predicate == RDF_TYPE else _pairs(store, predicate)
    )


def read_votes_nquads(path: Path) -> VoteMatrix:
    """The same as :func:`read_votes`, from a built graph's N-Quads file (one pass over its lines;
    faster than walking an on-disk store's index for a million votes)."""
    wanted = {f"<{p}>": p for p in (*CHOICES, DIPLO.date, DIPLO.issue, SKOS_NOTATION, RDF_TYPE)}
    found: dict[str, list[tuple[str, str]]] = {str(p): [] for p in wanted.values()}
    roll_call_class = f"<{DIPLO.RollCall}>"
    with path.open(encoding="utf-8", newline="\n") as handle:
        for line in handle:
            subject, predicate, rest = line.split(" ", 2)
            if predicate not in wanted:
                continue
            if predicate == f"<{RDF_TYPE}>" and not rest.startswith(roll_call_class):
                continue
            # An IRI, or a literal's text (these literals hold no escaped quote).
            value = rest[1 : rest.index(">")] if rest[0] == "<" else rest[1 : rest.index('"', 1)]
            found[str(wanted[predicate])].append((subject[1:-1], value))
    return matrix_from_pairs(lambda predicate: iter(found.get(predicate, [])))


def matrix_from_pairs(pairs: Callable[[str], Iterator[tuple[str, str]]]) -> VoteMatrix:
    """The vote matrix from ``pairs(predicate)``: the (subject, object value) of every triple with it
    (``pairs(RDF_TYPE)`` gives the roll calls: those typed ``diplo:RollCall``)."""
    import numpy as np  # on first use: a command that reads kept measures needs none

    typed = {s for s, o in pairs(RDF_TYPE) if o == str(DIPLO.RollCall)}
    dates = {s: o for s, o in pairs(str(DIPLO.date)) if s in typed}
    roll_year = {s: int(o[:4]) for s, o in dates.items()}
    roll_calls = sorted(roll_year, key=lambda rc: (dates[rc], rc))
    column = {rc: j for j, rc in enumerate(roll_calls)}
    seen: list[tuple[int, str, int]] = []
    for predicate, code in CHOICES.items():
        seen.extend((code, o, j) for s, o in pairs(predicate) if (j := column.get(s, -1)) >= 0)
    members = sorted({member for _code, member, _j in seen})
    row = {m: i for i, m in enumerate(members)}
    choice = np.zeros((len(members), len(roll_calls)), dtype=np.int8)
    for code, member, j in seen:
        choice[row[member], j] = code
    year = np.array([roll_year[rc] for rc in roll_calls], dtype=np.int16)
    notation = dict(pairs(SKOS_NOTATION))
    issues: dict[str, np.ndarray] = {}
    for s, o in pairs(str(DIPLO.issue)):
        at = column.get(s)
        if at is not None and o in notation:
            issues.setdefault(notation[o], np.zeros(len(roll_calls), dtype=bool))[at] = True
    return VoteMatrix(members, roll_calls, choice, year, issues)
