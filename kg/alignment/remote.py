"""The world's alignment read from a SPARQL store (``diplokg alignment --endpoint URL``).

:class:`RemoteWorld` answers what :mod:`kg.alignment.api` asks of a local build (a member's IRI by
its code, labels, the derived measures, the votes) with SPARQL 1.1 queries over the protocol,
through :class:`kg.query.remote.RemoteGraph`: every query text is put through our gate first (values
are written into it as escaped terms), names our graphs as its dataset as the other commands do
(``--dataset``), and waits at most ``timeout`` seconds for each answer.

The derived measures are read from the graph ``…/graph/derived/alignment`` as the local build
reads them. When a measure must be computed from the votes (another anchor, one issue), the roll
calls are listed first (each ``diplo:RollCall``, its date and, for an issue, its code: a few thousand
rows), the ones the measure needs are chosen here, and their votes fetched in batches of
:data:`BATCH` roll calls, one query per choice (yes, abstain, no), each answer capped at
:data:`MAX_ROWS_PER_ANSWER` rows. With ``--state``, only the votes of those states and the anchors
are fetched. The measures are then computed by the same code as for a local build
(:mod:`kg.alignment.measures`), so the rows are the same.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg.alignment.derive import code
from kg.alignment.measures import Agreement
from kg.alignment.votes import CHOICES, RDF_TYPE, SKOS_NOTATION, VoteMatrix, matrix_from_pairs
from kg.errors import InputError, QueryError
from kg.namespaces import ALIGNMENT_GRAPH, DIPLO, GAZETTEER_GRAPH
from kg.query.engine import Answer
from kg.query.gate import vet
from kg.query.remote import RemoteGraph
from kg.query.sandbox import Limits
from kg.query.sparqltext import term_text

#: Roll calls whose votes one request fetches (a roll call has at most about 200 votes of each kind).
BATCH = 250
#: The most rows one answer may have (an answer with more is refused: a store holding other data).
MAX_ROWS_PER_ANSWER = 200_000
#: IRIs one look-up of labels names.
LABEL_BATCH = 300

_PREFIXES = (
    f"PREFIX diplo: <{DIPLO}>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
)
_MEMBER = _PREFIXES + "SELECT ?s WHERE { ?s ?code_property ?code }"
_EXISTS = "ASK { ?s ?p ?o }"
_HAS_DERIVED = f"ASK {{ GRAPH <{ALIGNMENT_GRAPH}> {{ ?s ?p ?o }} }}"
_DERIVED = _PREFIXES + f"""SELECT DISTINCT ?m ?state ?anchor ?year ?n ?points ?pi WHERE {{
  GRAPH <{ALIGNMENT_GRAPH}> {{
    ?m diplo:anchor ?anchor ; diplo:state ?state ; diplo:year ?year ;
       diplo:rollCalls ?n ; diplo:agreementPoints ?points .
    OPTIONAL {{ ?m diplo:scottsPi ?pi }}
  }}
}}"""
_ROLL_CALLS = _PREFIXES + "SELECT DISTINCT ?rc ?date WHERE { ?rc a diplo:RollCall ; diplo:date ?date }"
_ISSUES = _PREFIXES + "SELECT DISTINCT ?rc ?i ?code WHERE { ?rc diplo:issue ?i . ?i skos:notation ?code }"


def _iris(values: Iterable[str]) -> str:
    """IRIs as SPARQL terms, escaped (an IRI that cannot be written is refused by ``term_text``)."""
    return " ".join(term_text(URIRef(v)) for v in values)


def _batches(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _number(text: object, kind: type[int] | type[float]) -> float:
    """A count or a measure the store answered, as a finite number.

    Raises:
        QueryError: It is missing, not a number, or not finite (NaN, INF).
    """
    try:
        value = kind(str(text))
    except ValueError:
        raise QueryError(f"the store answered {text!r} where a number was expected") from None
    if not math.isfinite(value):
        raise QueryError(f"the store answered {text!r} where a finite number was expected")
    return value


def _year(text: str) -> int:
    """The year of an ``xsd:date`` or ``xsd:gYear`` lexical form (``2019-09-17``, ``2019``)."""
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("-")[:4]
    if not digits.isdigit():
        raise QueryError(f"the store answered {text!r} where a date or year was expected")
    return sign * int(digits)


class RemoteWorld:
    """The votes and alignment measures of a build loaded into a SPARQL store.

    Args:
        graph: The store (our graphs in it, see ``diplokg push``).
        timeout: Seconds to wait for each answer of the store.
    """

    def __init__(self, graph: RemoteGraph, timeout: float | None = None) -> None:
        self.graph = graph
        self.timeout = timeout

    def _ask(self, text: str, bindings: dict[str, Node] | None = None) -> Answer:
        """Vet a query (our graphs the only ones it may name) and run it on the store, bounded."""
        vetted = vet(text, self.graph.graph_names(), origin="alignment")
        limits = Limits(timeout=self.timeout, memory_mib=None, max_rows=MAX_ROWS_PER_ANSWER)
        return self.graph.run(vetted, bindings=bindings, limits=limits)

    def select(self, text: str) -> list[dict[str, str | None]]:
        """A SELECT of ours over the store (vetted and bounded), its rows as plain values."""
        return self._select(text)

    def _select(self, text: str, bindings: dict[str, Node] | None = None) -> list[dict[str, str | None]]:
        """A SELECT's rows as plain values (an IRI's text, a literal's lexical form, None if unbound)."""
        answer = self._ask(text, bindings)
        return [{k: None if v is None else str(v) for k, v in row.items()} for row in answer.records()]

    def member_iri(self, member: str) -> str:
        """The IRI of a member given its code or IRI (as :func:`kg.alignment.api.member_iri`).

        Raises:
            InputError: No polity in the store has this code.
        """
        if member.startswith(("http://", "https://")):
            return member
        text = member.strip()
        for predicate in (DIPLO.iso3166Alpha3, DIPLO.iso3166Alpha4):
            found = self._select(_MEMBER, {"code_property": predicate, "code": Literal(text.upper())})
            if found and found[0]["s"]:
                return min(str(row["s"]) for row in found)
        candidate = f"https://w3id.org/diplokg/id/unga-member/{text.lower()}"
        try:
            exists = self._ask(_EXISTS, {"s": URIRef(candidate)}).boolean
        except QueryError:  # not an IRI we can write: no such member
            exists = False
        if exists:
            return candidate
        raise InputError(f"no state with the code {member!r} in the graph")

    def labels(self, iris: Iterable[str]) -> dict[str, str]:
        """An English name per IRI: the gazetteer's label first, else the smallest label any graph gives."""
        wanted = sorted(set(iris))
        preferred: dict[str, list[str]] = {}
        other: dict[str, list[str]] = {}
        for batch in _batches(wanted, LABEL_BATCH):
            text = _PREFIXES + (f"SELECT ?s ?g ?l WHERE {{ VALUES ?s {{ {_iris(batch)} }} "
                                "GRAPH ?g { ?s rdfs:label ?l } }")
            for row in self._select(text):
                target = preferred if row["g"] == str(GAZETTEER_GRAPH) else other
                target.setdefault(str(row["s"]), []).append(str(row["l"]))
        return {iri: min(preferred.get(iri) or other.get(iri) or [code(iri)]) for iri in wanted}

    def has_derived(self) -> bool:
        """Whether the store holds the derived alignment graph."""
        return bool(self._ask(_HAS_DERIVED).boolean)

    def derived(self, anchors: Sequence[str], years: set[int] | None) -> list[Agreement]:
        """The measures the build derived, for these anchors (IRIs) and years (default: every year)."""
        wanted = set(anchors)
        found = []
        for row in self._select(_DERIVED):
            anchor, year = str(row["anchor"]), _year(str(row["year"]))
            if anchor not in wanted or (years is not None and year not in years):
                continue
            n = int(_number(row["n"], int))
            distance = round(2 * (n - _number(row["points"], float)))
            pi = _number(row["pi"], float) if row["pi"] is not None else None
            found.append(Agreement(str(row["state"]), anchor, year, year, None, n, distance, pi))
        return found

    def vote_matrix(self, years: set[int] | None, issue: str | None, members: set[str] | None) -> VoteMatrix:
        """The votes on the roll calls of ``years`` (default: all) on ``issue`` (default: any), of
        ``members`` (default: every member), fetched in bounded batches.

        The matrix holds exactly the roll calls chosen, so measures over them equal the local ones.
        """
        calls: dict[str, str] = {}
        for row in self._select(_ROLL_CALLS):
            rc = str(row["rc"])
            if years is None or _year(str(row["date"])) in years:
                calls[rc] = str(row["date"])
        pairs: dict[str, list[tuple[str, str]]] = {p: [] for p in (*CHOICES, str(DIPLO.issue), SKOS_NOTATION)}
        if issue is not None:
            coded = set()
            for row in self._select(_ISSUES):
                if row["code"] == issue and str(row["rc"]) in calls:
                    coded.add(str(row["rc"]))
                    pairs[str(DIPLO.issue)].append((str(row["rc"]), str(row["i"])))
                    pairs[SKOS_NOTATION].append((str(row["i"]), issue))
            calls = {rc: v for rc, v in calls.items() if rc in coded}
        pairs[RDF_TYPE] = [(rc, str(DIPLO.RollCall)) for rc in calls]
        pairs[str(DIPLO.date)] = list(calls.items())
        only = f"VALUES ?m {{ {_iris(sorted(members))} }} " if members else ""
        for batch in _batches(sorted(calls), BATCH):
            for predicate in CHOICES:
                text = (f"SELECT ?rc ?m WHERE {{ VALUES ?rc {{ {_iris(batch)} }} {only}"
                        f"?rc <{predicate}> ?m }}")
                pairs[predicate].extend((str(r["rc"]), str(r["m"])) for r in self._select(text))
        return matrix_from_pairs(lambda predicate: iter(pairs.get(predicate, [])))


__all__ = ["BATCH", "MAX_ROWS_PER_ANSWER", "RemoteWorld"]
