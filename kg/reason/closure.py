"""OWL 2 RL reasoning: the closure of the asserted graph, kept apart as the inferred graph.

Two reasoners give the same inferred graph (``tests/test_reasoning.py`` proves it on the real
graph and on a 10k-triple synthetic world):

- ``fast`` (the default): the OWL 2 RL rules for exactly the axioms the ontology uses, compiled
  from the ontology at run time (:func:`compile_rules`) and run semi-naively to a fixpoint over
  Python sets of terms (:mod:`kg.reason.rules`). It works on rdflib terms (the build) and on
  pyoxigraph terms (a store, for the benchmark at a million triples).
- ``owlrl``: owlrl's ``OWLRL_Semantics`` on rdflib, the reference implementation (slow: about
  12 s at 10k triples and over two minutes at 100k on a 2-core machine), in
  :mod:`kg.reference.reason` with the fast closure on rdflib graphs that the reference build uses.

Of what owlrl adds we keep the facts about data, and leave out what carries no information or that
other stores refuse (both reasoners pass their output through :func:`keep_inferred`):

- triples with a literal as subject (owlrl's datatype axioms on every literal),
- ``x owl:sameAs x`` for every node, ``x rdf:type owl:Thing``, ``x rdf:type rdfs:Resource``,
- triples about the ontology's own terms (subclass and subproperty closure, ``owl:equivalentClass``
  of a class with itself, datatype declarations): the ontology is queried as asserted,
- triples with a blank node (owlrl's restriction and list bookkeeping),
- triples about the W3C vocabularies' own terms (``rdf:``, ``rdfs:``, ``owl:``, ``xsd:``): owlrl adds
  ``owl:Nothing rdfs:subClassOf C`` for every class, ``xsd:decimal a rdfs:Datatype``,
  ``rdfs:label a owl:AnnotationProperty`` and the like, which say nothing about our data.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal as TypingLiteral
from typing import cast

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal
from rdflib.term import Node

from kg.errors import ReasoningLimit
from kg.namespaces import GRAPH
from kg.nogc import no_gc
from kg.reason.rules import compile_rules, saturate
from kg.reason.sameas import ReasoningStopped, ReasonLimits
from kg.terms import to_oxigraph

Reasoner = TypingLiteral["fast", "owlrl"]
REASONERS: tuple[Reasoner, ...] = ("fast", "owlrl")

_NOISE_TYPES = frozenset({OWL.Thing, RDFS.Resource})
_W3C = (str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#")
SOURCE_GRAPHS = f"{GRAPH}source/"

__all__ = [
    "REASONERS",
    "Reasoner",
    "append_closure",
    "append_lines",
    "compile_rules",
    "keep_inferred",
    "load_inferred",
    "store_closure",
]


def keep_inferred(triple: tuple[Node, Node, Node], ontology_terms: set[Node]) -> bool:
    """Whether an inferred triple belongs in the inferred graph (see the module's list)."""
    s, p, o = triple
    if isinstance(s, (Literal, BNode)) or isinstance(o, BNode):
        return False
    if p == OWL.sameAs and s == o:
        return False
    if p == RDF.type and o in _NOISE_TYPES:
        return False
    return s not in ontology_terms and not str(s).startswith(_W3C)


def _is_literal_string(term: object) -> bool:
    """Whether an N-Triples term string is a literal."""
    return isinstance(term, str) and term.startswith('"')


TripleSource = Callable[[set[str] | None], Iterator[tuple[str, str, str]]]


def _store_triples(store: ox.Store) -> TripleSource:
    """The triples of a store (every graph) with the given predicates (all when ``None``), as N-Triples
    strings: one CONSTRUCT serialised by Oxigraph, without a Python object per term."""

    def triples(predicates: set[str] | None) -> Iterator[tuple[str, str, str]]:
        where = "?s ?p ?o" if predicates is None else f"VALUES ?p {{ {' '.join(sorted(predicates))} }} ?s ?p ?o"
        result = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}", use_default_graph_as_union=True)
        text = result.serialize(format=ox.RdfFormat.N_TRIPLES).decode("utf-8")  # type: ignore[union-attr, arg-type]
        intern = sys.intern
        for line in text.split("\n"):  # not splitlines(): a literal may hold U+2028 and the like
            if not line:
                continue
            s, p, rest = line.split(" ", 2)
            yield intern(s), intern(p), intern(rest[:-2])
        del text

    return triples


def _file_triples(nquads: Path) -> TripleSource:
    """The triples of an N-Quads file (as Oxigraph writes it: one quad a line, every quad in a named
    graph) with the given predicates (all when ``None``), as N-Triples strings, read line by line."""

    def triples(predicates: set[str] | None) -> Iterator[tuple[str, str, str]]:
        intern = sys.intern
        with nquads.open(encoding="utf-8", newline="\n") as handle:  # only "\n" ends a line
            for line in handle:
                s, p, rest = line.split(" ", 2)
                if predicates is not None and p not in predicates:
                    continue
                rest = rest[:-3]  # " .\n"
                yield intern(s), intern(p), intern(rest[: rest.rindex(" ")])  # the graph name has no space

    return triples


def stopped_at(stopped: ReasoningStopped, dump: Path | None) -> ReasoningLimit:
    """The one-line error of a saturation stopped at a limit, naming the sources that assert the nodes
    involved (read from the N-Quads ``dump`` of the asserted graphs: their ``owl:sameAs`` triples first,
    else any triple about them)."""
    nodes = [str(n) for n in stopped.nodes]
    shown = ", ".join(nodes[:3]) + (f" and {len(nodes) - 3} more" if len(nodes) > 3 else "")
    message = stopped.message if stopped.message.startswith("reasoning") else f"reasoning stopped: {stopped.message}"
    message += f"; nodes {shown}"
    wanted = set(nodes)
    same: set[str] = set()
    other: set[str] = set()
    if dump is not None:
        same_as = f"<{OWL.sameAs}>"
        with dump.open(encoding="utf-8", newline="\n") as handle:
            for line in handle:
                s, p, rest = line.split(" ", 2)
                rest = rest[:-3]
                cut = rest.rindex(" ")
                if s in wanted or rest[:cut] in wanted:
                    (same if p == same_as else other).add(rest[cut + 2:-1])
    graphs = sorted(same or other)
    sources = [g.rsplit("/", 1)[-1] for g in graphs if g.startswith(SOURCE_GRAPHS)]
    if sources:
        message += "; from source " + ", ".join(f"'{s}' (sources/{s}/)" for s in sources[:5])
    elif graphs:
        message += "; from graph " + ", ".join(f"<{g}>" for g in graphs[:5])
    return ReasoningLimit(message)


def _inferred_lines(ontology: Graph, triples: TripleSource, dump: Path | None = None) -> Iterator[str]:
    """The fast closure of a set of triples, filtered like the others, as N-Triples lines without
    their final `` .``.

    The rules run over the terms' N-Triples strings (Python caches a string's hash, which makes the
    set and dictionary work several times faster than on pyoxigraph's term objects).
    """
    rules = compile_rules(ontology, convert=lambda t: str(to_oxigraph(t)))
    same_as = f"<{OWL.sameAs}>"

    limits = ReasonLimits.default()
    with no_gc():
        # Only the triples whose predicate a rule reads or writes; all of them once owl:sameAs appears.
        predicates = {str(p) for p in rules.predicates()} | {same_as}
        try:
            new = cast(set[tuple[str, str, str]],
                       saturate(rules, triples(predicates), _is_literal_string, same_as, limits))
            if any(t[1] == same_as for t in new):
                new = cast(set[tuple[str, str, str]],
                           saturate(rules, triples(None), _is_literal_string, same_as, limits))
        except ReasoningStopped as stopped:
            raise stopped_at(stopped, dump) from None
    keep = _keeper(ontology)
    for s, p, o in new:
        if keep(s, p, o):
            yield f"{s} {p} {o}"


def _keeper(ontology: Graph) -> Callable[[str, str, str], bool]:
    """:func:`keep_inferred` on N-Triples strings: whether an inferred triple belongs in the inferred graph."""
    ontology_terms = {str(to_oxigraph(s)) for s in ontology.subjects()}
    noise = {f"<{t}>" for t in _NOISE_TYPES}
    rdf_type = f"<{RDF.type}>"
    same_as = f"<{OWL.sameAs}>"
    w3c = tuple(f"<{ns}" for ns in _W3C)

    def keep(s: str, p: str, o: str) -> bool:
        if s[0] == "_" or o[0] == "_" or s in ontology_terms or s.startswith(w3c):
            return False
        return not ((p == same_as and s == o) or (p == rdf_type and o in noise))

    return keep


def store_closure(ontology: Graph, store: ox.Store) -> list[ox.Triple]:
    """The fast closure of everything in a pyoxigraph store (every graph), filtered like the others.

    Args:
        ontology: The ontology (TBox) the rules are compiled from; its triples should be in the store.
        store: The asserted quads.

    Returns:
        The inferred triples, as pyoxigraph triples (put them in the inferred graph).
    """
    text = "".join(f"{line} .\n" for line in _inferred_lines(ontology, _store_triples(store)))
    return list(ox.parse(input=text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))  # type: ignore[arg-type]


def append_closure(ontology: Graph, dump: Path, graph: str) -> tuple[int, bytes]:
    """Append the fast closure of an N-Quads dump to it, in the named graph ``graph``.

    The asserted triples are read from ``dump`` (the store dumped as N-Quads), which is cheaper than
    asking the store for them; the dump then holds the whole built graph.

    Returns:
        The number of inferred triples, and the N-Quads appended (for :func:`load_inferred`).

    Raises:
        ReasoningLimit: Reasoning reached a limit (time, or the size of a class of ``owl:sameAs``-equal
            nodes); the message names the rule and the source.
    """
    tail = f" <{graph}> .\n"
    lines = [line + tail for line in _inferred_lines(ontology, _file_triples(dump), dump)]
    count = len(lines)
    data = "".join(lines).encode("utf-8")
    del lines
    with dump.open("ab") as handle:
        handle.write(data)
    return count, data


def append_lines(dump: Path, lines: list[str], graph: str) -> tuple[int, bytes]:
    """Append inferred N-Triples lines (without `` .``) to an N-Quads dump in the named graph ``graph``,
    as :func:`append_closure` appends the closure it computes.

    Returns:
        The number of lines, and the N-Quads appended (for :func:`load_inferred`).
    """
    tail = f" <{graph}> .\n"
    data = "".join(line + tail for line in lines).encode("utf-8")
    with dump.open("ab") as handle:
        handle.write(data)
    return len(lines), data


def load_inferred(store: ox.Store, data: bytes) -> None:
    """Load the N-Quads :func:`append_closure` wrote into the store (Oxigraph parses them without
    holding Python's lock, so other Python threads run meanwhile)."""
    store.load(data, format=ox.RdfFormat.N_QUADS, lenient=True)  # terms Oxigraph wrote: no need to re-check
