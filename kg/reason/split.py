"""The closure in two parts, for the cached rebuild: a large unchanging part W, then the rest D.

The rules only add, so the closure of ``W ∪ D`` is closure(W) together with what a semi-naive run
concludes when its first delta is D and its joins see closure(W)'s triples of the indexed
predicates (:class:`kg.reason.rules.Saturation`). :func:`split_closure` computes both parts in a
full build (what it gives is the inferred graph :func:`kg.reason.closure.append_closure` gives: a
test proves it), and returns what a later build needs to redo only the second part:
closure(W)'s inferred lines and its indexed triples. :func:`extend_closure` is that second part.

Inferred means "in the closure and asserted nowhere": a triple inferred in W that D asserts leaves
the inferred graph, and a triple only an old D supported is never in closure(W) (which is computed
without any D), so it disappears. ``owl:sameAs`` (eq-rep copies every triple) is not split: both
functions answer ``None`` when it appears, and the build then runs the whole closure.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from rdflib import OWL, Graph

from kg.nogc import no_gc
from kg.reason.closure import _is_literal_string, _keeper, stopped_at
from kg.reason.rules import Rules, Saturation, compile_rules
from kg.reason.sameas import ReasoningStopped
from kg.terms import to_oxigraph

StrTriple = tuple[str, str, str]
_SAME_AS = f"<{OWL.sameAs}>"


@dataclass
class SplitClosure:
    """The closure of a full build, in two parts.

    Attributes:
        lines: The inferred graph of ``W ∪ D``, as N-Triples lines without `` .`` (unsorted).
        world_lines: The inferred graph of W alone (closure(W) minus W), sorted.
        indexed: closure(W)'s triples of the predicates the joins look up (auxiliary chain triples
            included): what :func:`extend_closure` starts from.
        rest: D's quads, as the N-Quads lines of ``dump`` without their newline.
    """

    lines: list[str]
    world_lines: list[str]
    indexed: list[StrTriple]
    rest: list[str]


def _rules(ontology: Graph) -> tuple[Rules, set[str]]:
    rules = compile_rules(ontology, convert=lambda t: str(to_oxigraph(t)))
    return rules, {str(p) for p in rules.predicates()} | {_SAME_AS}


def read_quads(dump: Path) -> Iterable[tuple[str, str, str, str]]:
    """Every quad of an N-Quads file Oxigraph wrote (one a line, each in a named graph) as N-Triples
    strings ``(s, p, o, graph IRI)``, the graph without its brackets."""
    intern = sys.intern
    with dump.open(encoding="utf-8", newline="\n") as handle:  # only "\n" ends a line
        for line in handle:
            s, p, rest = line.split(" ", 2)
            rest = rest[:-3]  # " .\n"
            cut = rest.rindex(" ")
            yield intern(s), intern(p), intern(rest[:cut]), rest[cut + 2 : -1]


def split_closure(ontology: Graph, dump: Path, world_graphs: frozenset[str]) -> SplitClosure | None:
    """The closure of the asserted quads in ``dump``, computed as closure(W) then D.

    Args:
        ontology: The ontology the rules are compiled from.
        dump: The asserted quads (N-Quads, every quad in a named graph).
        world_graphs: The graphs (IRIs without brackets) that make up W; every other graph is D.

    Returns:
        Both parts, or ``None`` when ``owl:sameAs`` is asserted or concluded (no split then).

    Raises:
        ReasoningLimit: Reasoning reached a limit (the message names the rule and the source).
    """
    rules, predicates = _rules(ontology)
    keep = _keeper(ontology)
    with no_gc():
        world: list[StrTriple] = []
        changed: set[StrTriple] = set()
        rest: list[str] = []
        for s, p, o, g in read_quads(dump):
            if g not in world_graphs:
                rest.append(f"{s} {p} {o} <{g}> .")
                if p in predicates:
                    changed.add((s, p, o))
            elif p in predicates:
                world.append((s, p, o))
        if any(t[1] == _SAME_AS for t in world) or any(t[1] == _SAME_AS for t in changed):
            return None
        saturation = Saturation(rules, _is_literal_string, _SAME_AS)
        try:
            new_world = cast(set[StrTriple], saturation.run(world))
            del world
            indexed = cast(list[StrTriple], saturation.indexed_triples())
            more = cast(set[StrTriple], saturation.run(changed))  # closure(W ∪ D) minus closure(W) minus D
        except ReasoningStopped as stopped:
            raise stopped_at(stopped, dump) from None
        if any(t[1] == _SAME_AS for t in new_world) or any(t[1] == _SAME_AS for t in more):
            return None
        world_lines = sorted(f"{s} {p} {o}" for s, p, o in new_world if keep(s, p, o))
        lines = [f"{s} {p} {o}" for s, p, o in new_world if keep(s, p, o) and (s, p, o) not in changed]
        lines += [f"{s} {p} {o}" for s, p, o in more if keep(s, p, o)]
    return SplitClosure(lines, world_lines, indexed, rest)


def extend_closure(ontology: Graph, indexed: Iterable[StrTriple], changed: Iterable[StrTriple]) -> set[str] | None:
    """What closure(W ∪ D) holds beyond closure(W), from closure(W)'s indexed triples alone.

    Args:
        ontology: The ontology (the one closure(W) was computed with).
        indexed: :attr:`SplitClosure.indexed` of closure(W).
        changed: D's triples (any predicates).

    Returns:
        The kept conclusions as N-Triples lines without `` .``: a superset of what the inferred graph
        gains, to be trimmed by the caller of what W or D asserts (a conclusion may be in closure(W):
        only its indexed triples are known here); ``None`` when ``owl:sameAs`` is asserted or concluded,
        or a limit of reasoning is reached (the full build then reports it).
    """
    rules, predicates = _rules(ontology)
    keep = _keeper(ontology)
    delta = [t for t in changed if t[1] in predicates]
    if any(t[1] == _SAME_AS for t in delta):
        return None
    with no_gc():
        saturation = Saturation.resume(rules, _is_literal_string, _SAME_AS, indexed)
        try:
            more = cast(set[StrTriple], saturation.run(delta))
        except ReasoningStopped:
            return None  # the full build stops at the same limit, and names the source
    if any(t[1] == _SAME_AS for t in more):
        return None
    return {f"{s} {p} {o}" for s, p, o in more if keep(s, p, o)}
