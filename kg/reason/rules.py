"""A fast OWL 2 RL closure for exactly the axioms an ontology uses.

:func:`compile_rules` reads the ontology (an rdflib graph) at run time and turns each axiom kind it
uses into a rule table: the subclass and subproperty closures (with ``owl:equivalentClass`` and
``owl:equivalentProperty``), ``owl:inverseOf``, ``owl:SymmetricProperty``, ``owl:TransitiveProperty``,
``owl:propertyChainAxiom`` (any length, as chains of two steps), ``rdfs:domain``, ``rdfs:range``,
``owl:hasValue`` restrictions (cls-hv1 and cls-hv2), ``owl:FunctionalProperty`` and
``owl:InverseFunctionalProperty`` (prp-fp, prp-ifp) and ``owl:sameAs`` (eq-sym, eq-trans, eq-rep).

:func:`saturate` runs the rules semi-naively to a fixpoint: each round joins only the triples new in
the previous round with everything known, with hash indexes for the joins the rules need (chains,
transitive and functional properties). Terms are any hashable values (rdflib or pyoxigraph terms),
so the same rules run on an rdflib graph and on a pyoxigraph store.

The rules cover the OWL 2 RL rules whose premises the ontology can match; axioms that produce no
data triples (``owl:disjointWith``, ``owl:AllDisjointClasses``) are checked by SHACL instead.
Triples with a literal as subject are never produced (they are filtered out anyway).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.reason.sameas import CHUNK, Clock, Equalities, ReasonLimits

Term = Hashable
Triple = tuple[Term, Term, Term]

_AUX = "urn:diplokg:chain:"


@dataclass
class Rules:
    """The rule tables compiled from an ontology (terms already converted by ``convert``)."""

    type: Term
    superclasses: dict[Term, frozenset[Term]] = field(default_factory=dict)
    superproperties: dict[Term, frozenset[Term]] = field(default_factory=dict)
    inverses: dict[Term, set[Term]] = field(default_factory=lambda: defaultdict(set))
    symmetric: set[Term] = field(default_factory=set)
    transitive: set[Term] = field(default_factory=set)
    chains_first: dict[Term, list[tuple[Term, Term]]] = field(default_factory=lambda: defaultdict(list))
    chains_second: dict[Term, list[tuple[Term, Term]]] = field(default_factory=lambda: defaultdict(list))
    domains: dict[Term, set[Term]] = field(default_factory=lambda: defaultdict(set))
    ranges: dict[Term, set[Term]] = field(default_factory=lambda: defaultdict(set))
    has_value: dict[Term, list[tuple[Term, Term]]] = field(default_factory=lambda: defaultdict(list))
    value_classes: dict[tuple[Term, Term], set[Term]] = field(default_factory=lambda: defaultdict(set))
    functional: set[Term] = field(default_factory=set)
    inverse_functional: set[Term] = field(default_factory=set)
    auxiliary: set[Term] = field(default_factory=set)

    def predicates(self) -> set[Term]:
        """Every predicate a rule reads or writes; triples with any other predicate play no part
        (unless ``owl:sameAs`` appears: then every triple is copied to the equal nodes)."""
        found = {self.type} | set(self.symmetric) | self.transitive | self.functional | self.inverse_functional
        for table in (self.superproperties, self.inverses):
            for key, values in table.items():
                found.add(key)
                found.update(values)
        found.update(self.domains)
        found.update(self.ranges)
        for chains in (self.chains_first, self.chains_second):
            for key, pairs in chains.items():
                found.add(key)
                found.update(x for pair in pairs for x in pair)
        for pairs in self.has_value.values():
            found.update(prop for prop, _ in pairs)
        return found

    def indexed(self) -> set[Term]:
        """The predicates whose triples the joins look up."""
        keys = set(self.transitive) | self.functional | self.inverse_functional
        for p, pairs in self.chains_first.items():
            keys.add(p)
            keys.update(second for second, _ in pairs)
        return keys


def _closure(edges: dict[Node, set[Node]]) -> dict[Node, frozenset[Node]]:
    """The strict transitive closure of a relation (a node is in its own closure only via a cycle)."""
    result: dict[Node, frozenset[Node]] = {}
    for start in edges:
        seen: set[Node] = set()
        stack = list(edges[start])
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(edges.get(node, ()))
        result[start] = frozenset(seen)
    return result


def _hierarchy(
    ontology: Graph, sub: URIRef, equivalent: URIRef, convert: Callable[[Node], Term]
) -> dict[Term, frozenset[Term]]:
    """Every term's strict and equivalent ancestors by ``sub`` (subclass or subproperty), an
    equivalence counting both ways, transitively closed."""
    up: dict[Node, set[Node]] = defaultdict(set)
    for a, b in ontology.subject_objects(sub):
        up[a].add(b)
    for a, b in ontology.subject_objects(equivalent):
        up[a].add(b)
        up[b].add(a)
    return {convert(k): frozenset(convert(x) for x in v) for k, v in _closure(up).items()}


def compile_rules(ontology: Graph, convert: Callable[[Node], Term] = lambda t: t) -> Rules:
    """Compile the rule tables of the axioms an ontology uses.

    Args:
        ontology: The ontology (TBox), as rdflib parsed it.
        convert: Turns an rdflib term into the term type the data uses (identity for rdflib).
    """
    c = convert
    rules = Rules(type=c(RDF.type))
    rules.superclasses = _hierarchy(ontology, RDFS.subClassOf, OWL.equivalentClass, c)
    rules.superproperties = _hierarchy(ontology, RDFS.subPropertyOf, OWL.equivalentProperty, c)
    for a, b in ontology.subject_objects(OWL.inverseOf):
        rules.inverses[c(a)].add(c(b))
        rules.inverses[c(b)].add(c(a))
    rules.symmetric = {c(p) for p in ontology.subjects(RDF.type, OWL.SymmetricProperty)}
    rules.transitive = {c(p) for p in ontology.subjects(RDF.type, OWL.TransitiveProperty)}
    rules.functional = {c(p) for p in ontology.subjects(RDF.type, OWL.FunctionalProperty)}
    rules.inverse_functional = {c(p) for p in ontology.subjects(RDF.type, OWL.InverseFunctionalProperty)}
    for p, o in ontology.subject_objects(RDFS.domain):
        rules.domains[c(p)].add(c(o))
    for p, o in ontology.subject_objects(RDFS.range):
        rules.ranges[c(p)].add(c(o))
    for restriction, value in ontology.subject_objects(OWL.hasValue):
        for prop in ontology.objects(restriction, OWL.onProperty):
            rules.has_value[c(restriction)].append((c(prop), c(value)))
            rules.value_classes[(c(prop), c(value))].add(c(restriction))
    count = 0
    for prop, head in ontology.subject_objects(OWL.propertyChainAxiom):
        steps = [c(x) for x in Collection(ontology, head)]
        if len(steps) < 2:
            continue
        left = steps[0]
        for i, step in enumerate(steps[1:], start=2):
            if i == len(steps):
                target = c(prop)
            else:
                count += 1
                target = c(URIRef(f"{_AUX}{count}"))
                rules.auxiliary.add(target)
            rules.chains_first[left].append((step, target))
            rules.chains_second[step].append((left, target))
            left = target
    return rules


@dataclass(frozen=True)
class _Plan:
    """What a triple with one given predicate triggers (looked up once per predicate, not per triple)."""

    supers: tuple[Term, ...]
    domains: tuple[Term, ...]
    ranges: tuple[Term, ...]
    inverses: tuple[Term, ...]
    symmetric: bool
    chain_first: tuple[tuple[Term, Term], ...]
    chain_second: tuple[tuple[Term, Term], ...]
    transitive: bool
    functional: bool
    inverse_functional: bool
    has_value: bool


def _plan(rules: Rules, p: Term, same_as: Term) -> _Plan | None:
    plan = _Plan(
        supers=tuple(rules.superproperties.get(p, ())),
        domains=tuple(rules.domains.get(p, ())),
        ranges=tuple(rules.ranges.get(p, ())),
        inverses=tuple(rules.inverses.get(p, ())),
        symmetric=p in rules.symmetric,
        chain_first=tuple(rules.chains_first.get(p, ())),
        chain_second=tuple(rules.chains_second.get(p, ())),
        transitive=p in rules.transitive,
        functional=p in rules.functional,
        inverse_functional=p in rules.inverse_functional,
        has_value=any(key[0] == p for key in rules.value_classes),
    )
    return plan if any(vars(plan).values()) else None


def saturate(
    rules: Rules,
    asserted: Iterable[Triple],
    is_literal: Callable[[Term], bool],
    same_as: Term,
    limits: ReasonLimits | None = None,
) -> set[Triple]:
    """Run the rules to a fixpoint and return the triples that were not asserted.

    Args:
        rules: The compiled rules.
        asserted: Every asserted triple (ontology and data).
        is_literal: Whether a term is a literal (a literal is never a subject).
        same_as: The ``owl:sameAs`` term, in the data's term type.
        limits: Time and ``owl:sameAs`` class limits (default: :meth:`ReasonLimits.default`).

    Returns:
        The new triples (auxiliary chain triples left out).

    Raises:
        ReasoningStopped: A limit was reached.
    """
    return Saturation(rules, is_literal, same_as, limits).run(asserted)


class Saturation:
    """The semi-naive fixpoint, kept so that it can go on from where it stopped.

    :meth:`run` saturates a set of triples; :meth:`indexed_triples` gives what the joins need of the
    result (the triples of the predicates :meth:`Rules.indexed` names, auxiliary chain triples
    included), and :meth:`Saturation.resume` starts a new saturation from those alone, with more
    asserted triples as the first delta. Because the rules only add, the closure of ``A ∪ B`` is the
    closure of ``A`` with the conclusions of a semi-naive run whose first delta is ``B`` and whose
    joins see ``closure(A)``'s indexed triples: every conclusion with a premise outside closure(A) is
    reached from that premise, and one whose premises all lie in closure(A) is in closure(A).
    """

    def __init__(
        self, rules: Rules, is_literal: Callable[[Term], bool], same_as: Term, limits: ReasonLimits | None = None
    ) -> None:
        self.rules, self.is_literal, self.same_as = rules, is_literal, same_as
        self.limits = limits or ReasonLimits.default()
        self.equalities = Equalities(self.limits.same_as_class)
        self.indexed = rules.indexed() | {same_as}
        self.by_sp: dict[tuple[Term, Term], set[Term]] = defaultdict(set)
        self.by_po: dict[tuple[Term, Term], set[Term]] = defaultdict(set)
        self.known: set[Triple] = set()
        self.plans: dict[Term, _Plan | None] = {}

    @classmethod
    def resume(
        cls, rules: Rules, is_literal: Callable[[Term], bool], same_as: Term, indexed: Iterable[Triple],
        limits: ReasonLimits | None = None,
    ) -> Saturation:
        """A saturation whose joins already see ``indexed`` (what :meth:`indexed_triples` gave)."""
        saturation = cls(rules, is_literal, same_as, limits)
        saturation._index(indexed)
        return saturation

    def _index(self, triples: Iterable[Triple]) -> None:
        indexed, by_sp, by_po = self.indexed, self.by_sp, self.by_po
        for s, p, o in triples:
            if p in indexed:
                by_sp[(p, s)].add(o)
                by_po[(p, o)].add(s)

    def indexed_triples(self) -> list[Triple]:
        """Every known triple (asserted or concluded) of an indexed predicate."""
        return [(s, p, o) for (p, s), objects in self.by_sp.items() for o in objects]

    def run(self, asserted: Iterable[Triple]) -> set[Triple]:
        """Add ``asserted`` and saturate; return the new conclusions that were not known (auxiliary
        chain triples left out). After :meth:`resume`, a conclusion may also be in the closure the
        saturation resumed from (only its indexed triples are known).

        Raises:
            ReasoningStopped: A limit was reached (time, or the size of a class of equal nodes).
        """
        rules, same_as, by_sp, by_po, clock = self.rules, self.same_as, self.by_sp, self.by_po, Clock(self.limits)
        known = self.known
        delta: set[Triple] = set(asserted) - known
        known |= delta
        self._index(delta)
        plans = self.plans
        new_all: set[Triple] = set()
        rdf_type = rules.type
        superclasses, has_value = rules.superclasses, rules.has_value
        while delta:
            # eq-sym, eq-trans, eq-rep: the classes the new owl:sameAs triples change, then what they add.
            equal = self._equal_pairs(delta)
            if equal:
                changed = self.equalities.join(equal)
                if changed:
                    more = {t for t in self.equalities.consequences(changed, known, same_as, clock) - known
                            if not self.is_literal(t[0])}
                    known |= more
                    new_all |= more
                    self._index(more)
                    delta |= more
            fresh: set[Triple] = set()
            add = fresh.add
            ordered = list(delta)
            for start in range(0, len(ordered), CHUNK):
                at: Triple = ordered[start]
                clock.check(lambda t=at: _rule_names(rules, _plan(rules, t[1], same_as), t), at[0])  # type: ignore[misc]
                for s, p, o in ordered[start:start + CHUNK]:
                    if p == rdf_type:
                        for sup in superclasses.get(o, ()):  # cax-sco, cax-eqc
                            add((s, rdf_type, sup))
                        for prop, value in has_value.get(o, ()):  # cls-hv1
                            add((s, prop, value))
                    if p in plans:
                        plan = plans[p]
                    else:
                        plan = plans[p] = _plan(rules, p, same_as)
                    if plan is not None:
                        _apply(rules, plan, s, p, o, add, by_sp, by_po, self.is_literal(o), same_as)
            del ordered
            fresh -= known
            known |= fresh
            new_all |= fresh
            self._index(fresh)
            delta = fresh
        return {t for t in new_all if t[1] not in rules.auxiliary}

    def _equal_pairs(self, triples: set[Triple]) -> list[tuple[Term, Term]]:
        """The pairs of distinct nodes that ``owl:sameAs`` triples among ``triples`` make equal."""
        same_as, is_literal = self.same_as, self.is_literal
        return [(s, o) for s, p, o in triples if p == same_as and s != o and not is_literal(o)]


def _rule_names(rules: Rules, plan: _Plan | None, triple: Triple) -> str:
    """Where a saturation is: the rules a triple triggers (for a message)."""
    names = []
    if triple[1] == rules.type:
        names.append("cax-sco")
    if plan is not None:
        for flag, name in ((plan.supers, "prp-spo1"), (plan.domains, "prp-dom"), (plan.ranges, "prp-rng"),
                           (plan.inverses, "prp-inv"), (plan.symmetric, "prp-symp"), (plan.transitive, "prp-trp"),
                           (plan.chain_first or plan.chain_second, "prp-spo2"), (plan.functional, "prp-fp"),
                           (plan.inverse_functional, "prp-ifp"), (plan.has_value, "cls-hv2")):
            if flag:
                names.append(name)
    return f"at a {triple[1]} triple: rules {', '.join(names) or 'none'}"


def _apply(
    rules: Rules,
    plan: _Plan,
    s: Term,
    p: Term,
    o: Term,
    add: Callable[[Triple], None],
    by_sp,
    by_po,
    literal: bool,
    same_as: Term,
) -> None:  # type: ignore[no-untyped-def]
    """Every conclusion of one triple joined with what is known (one semi-naive step)."""
    rdf_type = rules.type
    for sup in plan.supers:  # prp-spo1, prp-eqp
        add((s, sup, o))
    for dom in plan.domains:  # prp-dom
        add((s, rdf_type, dom))
    if not literal:
        for rng in plan.ranges:  # prp-rng
            add((o, rdf_type, rng))
        for inv in plan.inverses:  # prp-inv1, prp-inv2
            add((o, inv, s))
        if plan.symmetric:  # prp-symp
            add((o, p, s))
    if plan.has_value:
        for restriction in rules.value_classes.get((p, o), ()):  # cls-hv2
            add((s, rdf_type, restriction))
    for second, target in plan.chain_first:  # prp-spo2
        for z in by_sp.get((second, o), ()):
            add((s, target, z))
    for first, target in plan.chain_second:
        for w in by_po.get((first, s), ()):
            add((w, target, o))
    if plan.transitive:  # prp-trp
        for z in by_sp.get((p, o), ()):
            add((s, p, z))
        for w in by_po.get((p, s), ()):
            add((w, p, o))
    if plan.functional and not literal:  # prp-fp
        for other in by_sp.get((p, s), ()):
            if other != o:
                add((o, same_as, other))
    if plan.inverse_functional:  # prp-ifp
        for other in by_po.get((p, o), ()):
            if other != s:
                add((s, same_as, other))
