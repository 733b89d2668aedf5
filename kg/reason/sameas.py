"""``owl:sameAs`` as equivalence classes, and the limits of a saturation.

OWL 2 RL's equality rules (eq-sym, eq-trans, eq-rep-s/p/o) make every node of a class of equal nodes
carry every triple of every other. Run as pairwise joins to a fixpoint they are quadratic per round in
the class and redo every triple at every round: a chain of 300 ``owl:sameAs`` links ran for minutes.
Here the classes are kept with union-find (:class:`Equalities`): when ``owl:sameAs`` triples join
classes, the pairs of each changed class and the copies of the triples that touch it are made once.

A saturation is bounded (:class:`ReasonLimits`): in time, and in the size of a class of equal nodes
(a class of n nodes makes n² ``owl:sameAs`` triples and copies every triple of its nodes n times).
Past a limit it stops with :class:`ReasoningStopped`, which says which rule and which nodes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field

from kg.errors import ReasoningLimit

Term = Hashable
Triple = tuple[Term, Term, Term]

#: The most nodes one class of equal nodes (``owl:sameAs``) may have.
MAX_SAME_AS_CLASS = 100
#: The longest a saturation may run, in seconds (the world's closure takes 5-15 s); the environment
#: variable ``DIPLOKG_REASON_TIMEOUT`` sets another.
REASON_SECONDS = 600.0
TIMEOUT_ENV = "DIPLOKG_REASON_TIMEOUT"
#: Triples between two looks at the clock.
CHUNK = 50_000


@dataclass(frozen=True)
class ReasonLimits:
    """The limits of a saturation.

    Attributes:
        seconds: Stop after this many seconds (``None``: never).
        same_as_class: Stop when a class of equal nodes would have more nodes than this.
    """

    seconds: float | None = REASON_SECONDS
    same_as_class: int = MAX_SAME_AS_CLASS

    @classmethod
    def default(cls) -> ReasonLimits:
        """The default limits, the time limit from :data:`TIMEOUT_ENV` when it is set."""
        given = os.environ.get(TIMEOUT_ENV, "").strip()
        try:
            seconds = float(given) if given else REASON_SECONDS
        except ValueError:
            raise ReasoningLimit(f"{TIMEOUT_ENV}={given!r}: expected a number of seconds") from None
        return cls(seconds=seconds if seconds > 0 else None)


class ReasoningStopped(ReasoningLimit):
    """A saturation stopped at one of its limits.

    Attributes:
        rule: The rule (or rules) that was running.
        nodes: Nodes involved (a class of equal nodes, or the subject of the triple at hand), so that
            the caller can name the sources that assert them.
    """

    def __init__(self, message: str, rule: str, nodes: list[Term]) -> None:
        super().__init__(message)
        self.rule = rule
        self.nodes = nodes


@dataclass
class Clock:
    """The time limit of one saturation."""

    limits: ReasonLimits
    started: float = field(default_factory=time.monotonic)

    def check(self, rule: Callable[[], str], node: Term) -> None:
        """Raise :class:`ReasoningStopped` once the time limit has passed.

        Args:
            rule: Names the rule at hand (called only when stopping).
            node: A node of the triple at hand.
        """
        seconds = self.limits.seconds
        if seconds is not None and time.monotonic() - self.started > seconds:
            name = rule()
            raise ReasoningStopped(f"reasoning ran past its time limit of {seconds:g} s ({name})", name, [node])


class Equalities:
    """The classes of equal nodes, by union-find.

    Args:
        cap: The most nodes a class may have.
    """

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._parent: dict[Term, Term] = {}
        self._members: dict[Term, set[Term]] = {}

    def __bool__(self) -> bool:
        return bool(self._members)

    def _find(self, node: Term) -> Term:
        parent = self._parent
        root = node
        while parent.get(root, root) != root:
            root = parent[root]
        while node != root:  # path compression
            parent[node], node = root, parent[node]
        return root

    def members(self, node: Term) -> set[Term] | None:
        """The class of a node (``None`` when it is equal to no other node)."""
        if node not in self._parent:
            return None
        members = self._members[self._find(node)]
        return members if len(members) > 1 else None

    def join(self, pairs: Iterable[tuple[Term, Term]]) -> set[Term]:
        """Join the classes of each pair; return the roots of the classes that changed.

        Raises:
            ReasoningStopped: A class would have more than ``cap`` nodes (rule eq-trans).
        """
        changed: set[Term] = set()
        parent, classes = self._parent, self._members
        for a, b in pairs:
            for node in (a, b):
                if node not in parent:
                    parent[node] = node
                    classes[node] = {node}
            ra, rb = self._find(a), self._find(b)
            if ra == rb:
                continue
            members_a, members_b = classes[ra], classes[rb]
            if len(members_a) + len(members_b) > self.cap:
                nodes = sorted(members_a | members_b, key=str)
                raise ReasoningStopped(
                    f"owl:sameAs makes a class of more than {self.cap} equal nodes, the cap "
                    "(rules eq-sym, eq-trans)", "eq-trans", nodes)
            if len(members_a) < len(members_b):
                ra, rb, members_a, members_b = rb, ra, members_b, members_a
            parent[rb] = ra
            members_a |= members_b
            del classes[rb]
            changed.discard(rb)
            changed.add(ra)
        return {self._find(root) for root in changed}

    def consequences(self, roots: set[Term], known: Iterable[Triple], same_as: Term, clock: Clock) -> set[Triple]:
        """What the changed classes add: every pair of equal nodes (eq-sym, eq-trans), and every known
        triple with a node of a changed class copied to each node equal to each of its terms
        (eq-rep-s, eq-rep-p, eq-rep-o; an ``owl:sameAs`` triple's copies are the pairs)."""
        out: set[Triple] = set()
        touched: set[Term] = set()
        for root in roots:
            members = self._members[root]
            touched |= members
            out.update((a, same_as, b) for a in members for b in members if a != b)
        members_of = self.members
        for number, (s, p, o) in enumerate(known):
            if number % CHUNK == 0:
                clock.check(lambda: "rules eq-rep-s, eq-rep-p, eq-rep-o", s)
            if p != same_as and (s in touched or p in touched or o in touched):  # sameAs: the pairs above
                for s2 in members_of(s) or (s,):
                    for p2 in members_of(p) or (p,):
                        out.update((s2, p2, o2) for o2 in members_of(o) or (o,))
        return out
