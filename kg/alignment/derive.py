"""The alignment measures written back into the graph as derived facts, with their provenance.

For every state, each default anchor (:data:`DEFAULT_ANCHORS`: China and Russia) and every calendar
year with roll calls both voted on, one ``diplo:AgreementMeasure`` node
``…/id/agreement/{STATE}-{ANCHOR}-{YEAR}`` in the graph ``…/graph/derived/alignment``, apart from what
sources asserted and what the reasoner inferred::

    agreement:PRK-CHN-2019 a diplo:AgreementMeasure ;
        diplo:state iso:PRK ; diplo:anchor iso:CHN ; diplo:year "2019"^^xsd:gYear ;
        diplo:agreement 0.8987 ; diplo:agreementPoints 71.0 ; diplo:rollCalls 79 ;
        diplo:scottsPi 0.6247 ;
        prov:wasGeneratedBy activity:alignment .

The activity (a ``diplo:AlignmentComputation``, a ``prov:Activity``) names the method with its
formulas, the references, the anchors and the sources whose votes it used. Measures per issue, and
for other anchors, are computed on demand from the votes in the graph (:mod:`kg.alignment.api`):
written out they would add about 108,000 nodes, doubling the graph.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pyoxigraph as ox

from kg.alignment.measures import agreements
from kg.alignment.votes import CHOICES, read_votes
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
    "expected from the pair's pooled shares of yes, abstain and no."
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
    activity = f"<{ACTIVITY_IRI}>"
    lines = [
        f"{activity} {_RDF_TYPE} <{DIPLO.AlignmentComputation}>",
        f"{activity} {_RDF_TYPE} <{_PROV}Activity>",
        f"{activity} <http://www.w3.org/2000/01/rdf-schema#label> {ox.Literal(LABEL, language='en')}",
        f"{activity} <{DIPLO.method}> {ox.Literal(METHOD, language='en')}",
        f"{activity} <{DIPLO.rollCalls}> {_literal(str(int((votes.choice > 0).any(axis=0).sum())), 'integer')}",
    ]
    lines += [f"{activity} <http://purl.org/dc/terms/references> {ox.Literal(ref)}" for ref in REFERENCES]
    lines += [f"{activity} <{DIPLO.anchor}> <{anchor}>" for anchor in DEFAULT_ANCHORS]
    for graph in sorted(_graphs_with_votes(store)):
        if graph.startswith("https://w3id.org/diplokg/graph/source/"):
            lines.append(f"{activity} <{_PROV}used> <{SOURCE}{graph.rsplit('/', 1)[-1]}/>")
    for g in agreements(votes, DEFAULT_ANCHORS):
        node = f"<{AGREEMENT}{code(g.state)}-{code(g.anchor)}-{g.year}>"
        lines += [
            f"{node} {_RDF_TYPE} <{DIPLO.AgreementMeasure}>",
            f"{node} <{DIPLO.state}> <{g.state}>",
            f"{node} <{DIPLO.anchor}> <{g.anchor}>",
            f"{node} <{DIPLO.year}> {_literal(str(g.year), 'gYear')}",
            f"{node} <{DIPLO.agreement}> {_literal(decimal_text(g.agreement), 'decimal')}",
            f"{node} <{DIPLO.agreementPoints}> {_literal(decimal_text(g.points, 1), 'decimal')}",
            f"{node} <{DIPLO.rollCalls}> {_literal(str(g.roll_calls), 'integer')}",
            f"{node} <{_PROV}wasGeneratedBy> {activity}",
        ]
        if g.pi is not None:
            lines.append(f"{node} <{DIPLO.scottsPi}> {_literal(decimal_text(g.pi), 'decimal')}")
    return lines


def _graphs_with_votes(store: ox.Store) -> set[str]:
    found: set[str] = set()
    for predicate in CHOICES:
        for graph in store.named_graphs():
            if next(iter(store.quads_for_pattern(None, ox.NamedNode(predicate), None, graph)), None) is not None:
                found.add(graph.value)  # type: ignore[union-attr]
    return found


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
