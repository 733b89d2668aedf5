"""The alignment measures written back into the graph as derived facts, with their provenance.

For every state, each default anchor (:data:`DEFAULT_ANCHORS`: China and Russia) and every calendar
year with roll calls both voted on, one ``diplo:AgreementMeasure`` node
``…/id/agreement/{STATE}-{ANCHOR}-{YEAR}`` in the graph ``…/graph/derived/alignment``, apart from what
sources asserted and what the reasoner inferred::

    agreement:PRK-CHN-2019 a diplo:AgreementMeasure ;
        diplo:state iso:PRK ; diplo:anchor iso:CHN ; diplo:year "2019"^^xsd:gYear ;
        diplo:agreement 0.8987 ; diplo:agreementPoints 71.0 ; diplo:rollCalls 79 ;
        diplo:scottsPi 0.6247 ; diplo:coverage diplo:AllRecordedVotes ; diplo:rank 12 ;
        prov:wasGeneratedBy activity:alignment ;
        prov:wasDerivedFrom <…/id/source/unga-votes/> .

``diplo:coverage`` says whether the year's roll calls are every recorded vote or a selection
(:mod:`kg.alignment.coverage`, from what each vote source declares); ``diplo:rank`` its place among the
states of that year and anchor over at least the minimum of roll calls (none when it is under it, and
so flagged; the same function ranks for ``diplokg alignment``); ``prov:wasDerivedFrom`` names the
sources whose roll calls of that year it counts (2020: Voeten's one roll call of January and the key
votes).

The activity (a ``diplo:AlignmentComputation``, a ``prov:Activity``) names the method with its
formulas, the references, the anchors, the sources whose roll calls it used and the minimum number of
roll calls for a measure to be ranked (``diplo:minimumRollCalls``; questions read it from there).
Measures per issue, and for other anchors, are computed on demand from the votes in the graph (:mod:`kg.alignment.api`):
written out they would add about 108,000 nodes, doubling the graph.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pyoxigraph as ox

from kg.alignment.coverage import ALL, COVERAGE_QUERY, DEFAULT_MIN_ROLL_CALLS, SELECTED, coverage_from_rows
from kg.alignment.measures import agreements, rank_measures
from kg.alignment.votes import RDF_TYPE, read_votes
from kg.namespaces import ACTIVITY, AGREEMENT, DIPLO, ISO, SOURCE

DEFAULT_ANCHORS = (str(ISO["CHN"]), str(ISO["RUS"]))
LABEL = "alignment measured from the UN General Assembly votes"
ACTIVITY_IRI = str(ACTIVITY["alignment"])
_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_PROV = "http://www.w3.org/ns/prov#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
METHOD = (
    "Voeten's agreement index per state, anchor and calendar year of the roll call's date: over the "
    "roll calls both voted on (yes, no or abstain; absences are not recorded), the mean of 1 for the "
    "same vote, 0.5 when one abstained and the other voted yes or no, 0 for yes against no; "
    "agreement points = roll calls - (sum of |choice difference|)/2 with yes 1, abstain 2, no 3. "
    "Scott's pi (Häge 2011) = 1 - D_o/D_e with D_o the mean |choice difference| and D_e its value "
    "expected from the pair's pooled shares of yes, abstain and no. Coverage: 'all' for a year of which "
    "the votes' sources hold every recorded vote (Voeten's data, 1946-2019), 'selected' for a year of "
    "which they hold a selection (the key votes of 2020-2024 and ES-11/7 of 2025). A measure over fewer "
    "roll calls than the minimum is flagged, not ranked."
)
REFERENCES = (
    "Voeten, E., Strezhnev, A. and Bailey, M., United Nations General Assembly Voting Data, "
    "Harvard Dataverse, hdl:1902.1/12379",
    "Häge, F. M. (2011), Choice or Circumstance? Adjusting Measures of Foreign Policy Similarity "
    "for Chance Agreement, Political Analysis 19(3): 287-305",
)


def code(iri: str) -> str:
    """A member's code in identifiers and tables: the last segment of its IRI (``PRK``, ``CSHH``)."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


def decimal_text(value: float | Fraction, places: int = 4) -> str:
    """A number as the canonical xsd:decimal text Oxigraph writes (``0.9``, ``1.0``, ``-0.0312``)."""
    text = f"{float(value):.{places}f}".rstrip("0")
    text = text + "0" if text.endswith(".") else text
    return "0.0" if text in ("-0.0", "0.0") else text


def _literal(text: str, datatype: str) -> str:
    return f'"{text}"^^<{_XSD}{datatype}>'


def alignment_lines(store: ox.Store) -> list[str]:
    """The derived triples, as N-Triples lines without their final `` .`` (none when the store holds
    no votes)."""
    votes = read_votes(store)
    if not votes.members:
        return []
    coverage = coverage_from_rows(_plain(store, COVERAGE_QUERY))
    covered = {ALL: DIPLO.AllRecordedVotes, SELECTED: DIPLO.SelectedVotes}
    activity = f"<{ACTIVITY_IRI}>"
    lines = [
        f"{activity} {_RDF_TYPE} <{DIPLO.AlignmentComputation}>",
        f"{activity} {_RDF_TYPE} <{_PROV}Activity>",
        f"{activity} <http://www.w3.org/2000/01/rdf-schema#label> {ox.Literal(LABEL, language='en')}",
        f"{activity} <{DIPLO.method}> {ox.Literal(METHOD, language='en')}",
        f"{activity} <{DIPLO.rollCalls}> {_literal(str(int((votes.choice > 0).any(axis=0).sum())), 'integer')}",
        f"{activity} <{DIPLO.minimumRollCalls}> {_literal(str(DEFAULT_MIN_ROLL_CALLS), 'integer')}",
    ]
    lines += [f"{activity} <http://purl.org/dc/terms/references> {ox.Literal(ref)}" for ref in REFERENCES]
    lines += [f"{activity} <{DIPLO.anchor}> <{anchor}>" for anchor in DEFAULT_ANCHORS]
    sources_of_year = _sources_per_year(store)
    for source in sorted(set().union(*sources_of_year.values())):
        lines.append(f"{activity} <{_PROV}used> <{source}>")
    found = agreements(votes, DEFAULT_ANCHORS)
    ranks = rank_measures(found, DEFAULT_MIN_ROLL_CALLS)
    for g in found:
        node = f"<{AGREEMENT}{code(g.state)}-{code(g.anchor)}-{g.year}>"
        lines += [
            f"{node} {_RDF_TYPE} <{DIPLO.AgreementMeasure}>",
            f"{node} <{DIPLO.state}> <{g.state}>",
            f"{node} <{DIPLO.anchor}> <{g.anchor}>",
            f"{node} <{DIPLO.year}> {_literal(str(g.year), 'gYear')}",
            f"{node} <{DIPLO.agreement}> {_literal(decimal_text(g.agreement), 'decimal')}",
            f"{node} <{DIPLO.agreementPoints}> {_literal(decimal_text(g.points, 1), 'decimal')}",
            f"{node} <{DIPLO.rollCalls}> {_literal(str(g.roll_calls), 'integer')}",
            f"{node} <{DIPLO.coverage}> <{covered[coverage.of(g.year)]}>",
            f"{node} <{_PROV}wasGeneratedBy> {activity}",
        ]
        lines += [f"{node} <{_PROV}wasDerivedFrom> <{source}>" for source in sorted(sources_of_year.get(g.year, ()))]
        if g.pi is not None:
            lines.append(f"{node} <{DIPLO.scottsPi}> {_literal(decimal_text(g.pi), 'decimal')}")
        if id(g) in ranks:
            lines.append(f"{node} <{DIPLO.rank}> {_literal(str(ranks[id(g)]), 'integer')}")
    return lines


def _sources_per_year(store: ox.Store) -> dict[int, set[str]]:
    """The sources (IRIs) whose graphs hold General Assembly roll calls of each calendar year."""
    found: dict[int, set[str]] = {}
    rtype, rclass = ox.NamedNode(RDF_TYPE), ox.NamedNode(str(DIPLO.RollCall))
    date = ox.NamedNode(str(DIPLO.date))
    prefix = "https://w3id.org/diplokg/graph/source/"
    for quad in store.quads_for_pattern(None, rtype, rclass):
        graph = quad.graph_name
        if not (isinstance(graph, ox.NamedNode) and graph.value.startswith(prefix)):
            continue
        source = f"{SOURCE}{graph.value[len(prefix):]}/"
        for dated in store.quads_for_pattern(quad.subject, date, None, graph):
            text = dated.object.value  # type: ignore[union-attr]
            if text[:4].isdigit():
                found.setdefault(int(text[:4]), set()).add(source)
    return found


def _plain(store: ox.Store, query: str) -> list[dict[str, str | None]]:
    """A SELECT over the union of every graph, its solutions as plain values."""
    result = store.query(query, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]  # type: ignore[union-attr]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in result]  # type: ignore[union-attr]


def append_alignment(store: ox.Store, dump: Path, graph: str) -> tuple[int, bytes]:
    """Append the derived triples to an N-Quads dump, in the named graph ``graph``.

    Returns:
        The number of derived triples, and the N-Quads appended (to load into the store as well).
    """
    tail = f" <{graph}> .\n"
    data = "".join(line + tail for line in alignment_lines(store)).encode("utf-8")
    with dump.open("ab") as handle:
        handle.write(data)
    return data.count(b"\n"), data
