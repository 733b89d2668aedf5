"""The world's alignment, read from a built graph: the API of ``diplokg alignment`` and of the
explorer's world view.

Every function takes an Oxigraph store holding the built graph (``BuiltGraph(path).store``).
Agreement with the default anchors (China, Russia) over every roll call is read from the derived
graph the build wrote; with any other anchor, or on one issue, it is computed from the votes in the
graph (:mod:`kg.alignment.measures`), the same way. Members are named by their code: the ISO 3166-1
alpha-3 code for a state of the gazetteer (``PRK``), the ISO 3166-3 code of a former state (``CSHH``),
or the identifier of a member without a code (``yemen-arab-republic``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox

from kg.alignment.coverage import (
    COVERAGE_QUERY,
    DEFAULT_MIN_ROLL_CALLS,
    ROLL_CALL_DATES_QUERY,
    Coverage,
    check_minimum,
    coverage_from_rows,
    flag,
    roll_calls_per_year,
)
from kg.alignment.derive import DEFAULT_ANCHORS, code
from kg.alignment.kept import KeptMeasure, KeptRefused, read_kept, select
from kg.alignment.measures import Agreement, agreements, rank_measures
from kg.alignment.remote import RemoteWorld
from kg.alignment.rows import AgreementRow, Mover, VoteYear
from kg.alignment.votes import VoteMatrix, read_votes, read_votes_nquads
from kg.errors import InputError
from kg.namespaces import ALIGNMENT_GRAPH, DIPLO, GAZETTEER_GRAPH

_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
#: Set to 1 to read the derived measures from the store even when the build kept them as a table (for
#: benches and tests: the baseline).
NO_KEPT_ENV = "DIPLOKG_NO_KEPT_ALIGNMENT"


def member_iri(store: ox.Store, member: str) -> str:
    """The IRI of a member given its code (``PRK``, ``CSHH``) or IRI (the smallest, should several
    polities share a code: the same one a store's endpoint gives, see :mod:`kg.alignment.remote`).

    Raises:
        InputError: No polity of the graph has this code.
    """
    if member.startswith(("http://", "https://")):
        return member
    text = member.strip()
    for predicate in (DIPLO.iso3166Alpha3, DIPLO.iso3166Alpha4):
        pattern = store.quads_for_pattern(None, ox.NamedNode(str(predicate)), ox.Literal(text.upper()))
        named = [q.subject.value for q in pattern if isinstance(q.subject, ox.NamedNode)]
        if named:
            return min(named)
    candidate = f"https://w3id.org/diplokg/id/unga-member/{text.lower()}"
    try:
        node = ox.NamedNode(candidate)
    except ValueError:  # not an IRI (a code with '>' or a space): no such member
        node = None
    if node is not None and next(iter(store.quads_for_pattern(node, None, None)), None) is not None:
        return candidate
    raise InputError(f"no state with the code {member!r} in the graph")


def labels(store: ox.Store, iris: Iterable[str]) -> dict[str, str]:
    """An English name per IRI: the gazetteer's label first, else the smallest label any source gives."""
    found: dict[str, str] = {}
    gazetteer = ox.NamedNode(str(GAZETTEER_GRAPH))
    label = ox.NamedNode(_RDFS_LABEL)
    for iri in set(iris):
        node = ox.NamedNode(iri)
        preferred = [str(q.object.value) for q in store.quads_for_pattern(node, label, None, gazetteer)]  # type: ignore[union-attr]
        names = preferred or sorted(str(q.object.value) for q in store.quads_for_pattern(node, label, None))  # type: ignore[union-attr]
        found[iri] = min(names) if names else code(iri)
    return found


def _from_derived(store: ox.Store, anchors: Sequence[str], years: set[int] | None) -> list[Agreement]:
    """The measures the build derived, read property by property from the derived graph (each read
    whole: on the on-disk store a join looks every measure up once per property, twice as slow)."""
    graph = ox.NamedNode(str(ALIGNMENT_GRAPH))

    def column(name: str) -> dict[str, str]:
        pattern = store.quads_for_pattern(None, ox.NamedNode(str(DIPLO[name])), None, graph)
        return {q.subject.value: q.object.value for q in pattern}  # type: ignore[union-attr]

    anchor_of, year_of = column("anchor"), column("year")
    wanted = set(anchors)
    chosen = [m for m, year in year_of.items()
              if anchor_of.get(m) in wanted and (years is None or int(year[:4]) in years)]
    state_of, calls, points, pis = column("state"), column("rollCalls"), column("agreementPoints"), column("scottsPi")
    found = []
    for m in chosen:
        n = int(calls[m])
        distance = round(2 * (n - float(points[m])))
        pi = float(pis[m]) if m in pis else None
        year = int(year_of[m][:4])
        found.append(Agreement(state_of[m], anchor_of[m], year, year, None, n, distance, pi))
    return found


def _from_kept(kept: list[KeptMeasure], anchors: Sequence[str], years: set[int] | None) -> list[Agreement]:
    """The measures :func:`_from_derived` reads, from the table the build kept (the same lexical forms,
    so the same numbers)."""
    iri_of = {code(a): a for a in anchors}
    found = []
    for m in select(kept, list(iri_of), years):
        distance = round(2 * (m.roll_calls - float(m.points)))
        pi = float(m.pi) if m.pi is not None else None
        found.append(Agreement(m.state, iri_of[m.anchor], m.year, m.year, None, m.roll_calls, distance, pi))
    return found


def _has_derived(store: ox.Store) -> bool:
    return next(iter(store.quads_for_pattern(None, None, None, ox.NamedNode(str(ALIGNMENT_GRAPH)))), None) is not None


class Votes:
    """The votes of a built graph, read once when a measure needs them, and the measures the build kept
    beside it (:mod:`kg.alignment.kept`).

    Args:
        store: The built graph.
        nquads: The built graph's N-Quads file: when given, the votes are read from it (one pass over
            its lines, a few seconds) rather than from the store (an on-disk store's index walk takes
            several times longer for a million votes), and the derived measures from the table kept
            beside it while it mirrors this file (else from the store).
        note: Told in one line when a kept table is there but refused (a link, too large, altered): the
            measures are then read from the store.
    """

    def __init__(self, store: ox.Store, nquads: Path | None = None,
                 note: Callable[[str], None] | None = None) -> None:
        self.store = store
        self.nquads = nquads
        self.note = note
        self._votes: VoteMatrix | None = None
        self._kept: list[KeptMeasure] | None = None
        self._kept_read = False

    def kept(self) -> list[KeptMeasure] | None:
        """The derived measures kept beside the build, when there is a table that mirrors it (read once)."""
        if not self._kept_read:
            self._kept_read = True
            if self.nquads is not None and os.environ.get(NO_KEPT_ENV, "") in ("", "0"):
                try:
                    self._kept = read_kept(self.nquads)
                except KeptRefused as exc:
                    if self.note is not None:
                        self.note(f"note: {exc}; the alignment is read from the graph instead")
        return self._kept

    @property
    def matrix(self) -> VoteMatrix:
        """The vote matrix (read on first use)."""
        if self._votes is None:
            if self.nquads is not None and self.nquads.is_file():
                self._votes = read_votes_nquads(self.nquads)
            else:
                self._votes = read_votes(self.store)
        return self._votes


class _LocalWorld:
    """A built graph's store, read as :class:`kg.alignment.remote.RemoteWorld` reads a SPARQL store."""

    def __init__(self, store: ox.Store, votes: Votes | None) -> None:
        self.store = store
        self.votes = votes or Votes(store)

    def member_iri(self, member: str) -> str:
        return member_iri(self.store, member)

    def labels(self, iris: Iterable[str]) -> dict[str, str]:
        return labels(self.store, iris)

    def has_derived(self) -> bool:
        return self.votes.kept() is not None or _has_derived(self.store)

    def derived(self, anchors: Sequence[str], years: set[int] | None) -> list[Agreement]:
        kept = self.votes.kept()
        if kept is not None:
            return _from_kept(kept, anchors, years)
        return _from_derived(self.store, anchors, years)

    def vote_matrix(self, years: set[int] | None, issue: str | None, members: set[str] | None) -> VoteMatrix:
        return self.votes.matrix  # every vote: read once, shared between calls

    def select(self, text: str) -> list[dict[str, str | None]]:
        return _plain(self.store, text)


def _plain(store: ox.Store, query: str) -> list[dict[str, str | None]]:
    """A SELECT over the union of every graph, its solutions as plain values."""
    result = store.query(query, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]  # type: ignore[union-attr]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in result]  # type: ignore[union-attr]


def _world(store: ox.Store | RemoteWorld, votes: Votes | None = None) -> _LocalWorld | RemoteWorld:
    return store if isinstance(store, RemoteWorld) else _LocalWorld(store, votes)


def coverage(store: ox.Store | RemoteWorld) -> Coverage:
    """Which years the graph's vote sources hold every recorded vote of (:mod:`kg.alignment.coverage`)."""
    return coverage_from_rows(_world(store).select(COVERAGE_QUERY))


def vote_years(store: ox.Store | RemoteWorld) -> list[VoteYear]:
    """Every calendar year with General Assembly roll calls in the graph: how many, and their coverage
    (for a year slider, a table's footnote, a chart's mark where the coverage changes)."""
    world = _world(store)
    found = coverage_from_rows(world.select(COVERAGE_QUERY))
    per_year = roll_calls_per_year(world.select(ROLL_CALL_DATES_QUERY))
    return [VoteYear(year, n, found.of(year)) for year, n in per_year.items()]


def agreement_table(
    store: ox.Store | RemoteWorld,
    anchors: Sequence[str] = ("CHN", "RUS"),
    years: Iterable[int] | None = None,
    issue: str | None = None,
    states: Sequence[str] | None = None,
    votes: Votes | None = None,
    min_roll_calls: int = DEFAULT_MIN_ROLL_CALLS,
    pool: bool = False,
) -> list[AgreementRow]:
    """Agreement of every state (or ``states``) with each anchor, one row per state, anchor and year
    (or one per state and anchor over all ``years`` pooled), with the coverage and each measure's rank
    (or its flag, under the minimum).

    Args:
        store: The built graph, or a SPARQL store holding it (:class:`kg.alignment.remote.RemoteWorld`).
        anchors: Anchor codes or IRIs (default China and Russia).
        years: Calendar years (default: every year with roll calls).
        issue: An issue code (``me``, ``nu``, ``di``, ``hr``, ``co``, ``ec``): only its roll calls.
        states: Member codes or IRIs to keep (default: every member).
        votes: The votes already read, to share between calls (read on demand otherwise; local only).
        min_roll_calls: The fewest roll calls a measure must count to be ranked (ranks are among every
            state, also when ``states`` keeps a few).
        pool: One measure per state and anchor over the roll calls of every year from the first of
            ``years`` to the last (computed from the votes; Scott's pi over the pooled roll calls).

    Returns:
        Rows ordered by year, anchor, then the ranked (highest agreement first), then the flagged
        (highest agreement first), then state.

    Raises:
        InputError: An anchor or state code the graph does not know; a minimum below 1; pooled years
            without a first and last, or spanning every recorded vote and a selection.
    """
    check_minimum(min_roll_calls)
    world = _world(store, votes)
    anchor_iris = [world.member_iri(a) for a in anchors]
    wanted_years = set(years) if years is not None else None
    state_iris = {world.member_iri(s) for s in states} if states else None
    covered = coverage_from_rows(world.select(COVERAGE_QUERY))
    if pool:
        if not wanted_years:
            raise InputError("pooling needs the years to pool (a first and a last year)")
        period = (min(wanted_years), max(wanted_years))
        covered.of_period(*period)  # refuses a period of both coverages
        matrix = world.vote_matrix(set(range(period[0], period[1] + 1)), issue, None)
        found = agreements(matrix, anchor_iris, issue=issue, period=period)
    elif issue is None and set(anchor_iris) <= set(DEFAULT_ANCHORS) and world.has_derived():
        found = world.derived(anchor_iris, wanted_years)
    else:
        # Every member's votes, also with ``states``: a rank is among every state.
        matrix = world.vote_matrix(wanted_years, issue, None)
        found = agreements(matrix, anchor_iris, sorted(wanted_years) if wanted_years is not None else None, issue)
    ranks = rank_measures(found, min_roll_calls)
    if state_iris is not None:
        found = [g for g in found if g.state in state_iris]
    names = world.labels({g.state for g in found})
    spans = {(g.year, g.last_year) for g in found}
    coverage_of = {span: covered.of_period(*span) for span in spans}
    rows = [_row(g, names, coverage_of[(g.year, g.last_year)], ranks.get(id(g)), min_roll_calls) for g in found]
    rows.sort(key=lambda r: (r.year, r.anchor, r.rank is None, -r.agreement, r.state))
    return rows


def _row(g: Agreement, names: dict[str, str], coverage: str, rank: int | None, minimum: int) -> AgreementRow:
    pi = None if g.pi is None else round(g.pi, 4)
    return AgreementRow(
        code(g.state), names[g.state], code(g.anchor), g.year, round(g.agreement, 4), g.roll_calls, pi,
        coverage, rank, flag(g.roll_calls, minimum), g.issue, g.last_year,
    )


def movers(
    store: ox.Store,
    anchor: str,
    before: tuple[int, int],
    after: tuple[int, int],
    issue: str | None = None,
    votes: Votes | None = None,
) -> list[Mover]:
    """The change of every state's agreement with ``anchor`` between two periods (each pooled over
    its roll calls), biggest move towards the anchor first. Each period carries its coverage: periods
    of different coverage may be compared (the rows say so), but none may mix both.

    Raises:
        InputError: An anchor code the graph does not know; a period that mixes every recorded vote with
            a selection.
    """
    covered = coverage(store)
    coverage_before, coverage_after = covered.of_period(*before), covered.of_period(*after)
    anchor_iri = member_iri(store, anchor)
    if issue is None and anchor_iri in DEFAULT_ANCHORS and _has_derived(store):
        years = set(range(before[0], before[1] + 1)) | set(range(after[0], after[1] + 1))
        yearly = _from_derived(store, [anchor_iri], years)
        first, second = _pooled(yearly, before), _pooled(yearly, after)
    else:
        matrix = (votes or Votes(store)).matrix
        first = {g.state: g for g in agreements(matrix, [anchor_iri], issue=issue, period=before)}
        second = {g.state: g for g in agreements(matrix, [anchor_iri], issue=issue, period=after)}
    both = sorted(set(first) & set(second))
    names = labels(store, both)
    found = [
        Mover(
            code(s), names[s], code(anchor_iri), round(first[s].agreement, 4), round(second[s].agreement, 4),
            first[s].roll_calls, second[s].roll_calls, round(second[s].agreement - first[s].agreement, 4),
            coverage_before, coverage_after,
        )
        for s in both
    ]
    found.sort(key=lambda m: (-m.change, m.state))
    return found


def _pooled(yearly: list[Agreement], period: tuple[int, int]) -> dict[str, Agreement]:
    """Yearly measures pooled over a period: roll calls and distances add up (the index is exact);
    Scott's pi does not pool, so it is left out."""
    totals: dict[tuple[str, str], list[int]] = {}
    for g in yearly:
        if period[0] <= g.year <= period[1]:
            entry = totals.setdefault((g.state, g.anchor), [0, 0])
            entry[0] += g.roll_calls
            entry[1] += g.distance
    return {
        state: Agreement(state, anchor, period[0], period[1], None, n, distance, None)
        for (state, anchor), (n, distance) in totals.items()
    }


def default_anchor_codes() -> tuple[str, ...]:
    """The anchors the build measures against (China, Russia)."""
    return tuple(code(a) for a in DEFAULT_ANCHORS)


__all__ = [
    "AgreementRow",
    "Mover",
    "VoteYear",
    "Votes",
    "agreement_table",
    "coverage",
    "default_anchor_codes",
    "labels",
    "member_iri",
    "movers",
    "vote_years",
]
