"""Validating what a rebuild changed, in a small store: the nodes the change touches and their surroundings.

The previous build had no violation (a build with one writes nothing, and the cache belongs to the
written build). A new build differs from it by a set of changed quads Δ (removed or added). Every
shape and check of the project is *local*: its verdict on a focus node ``f`` reads only

1. the ontology graph and the ``rdfs:subClassOf`` triples (the class hierarchy),
2. the quads with ``f`` as subject or object (in their graphs: a check may name the graph), and
3. the quads whose subject is an object of a quad of ``f`` (two steps outwards: a fact's evidence,
   the excerpt's text and source; a value's class).

One check reads further, along a mission's life (``mission-status-conflict``: open in one source,
closed in another): from a mission it reads

4. the facts that name it, or another name for it, backwards along :data:`BACKWARD` (``diplo:mission``,
   ``diplo:officialForm``), with their own quads and their evidence's second step, and
5. what :data:`SOURCE_READS` says of the source an excerpt is part of (its type and date: a register
   and its day, the date that bounds an undated closure), for the mission's own evidence and theirs.

So a change of a fact, or of a source's type or date, also puts in F the missions those facts name
(forwards along :data:`BACKWARD`), and R(f) holds 4 and 5 as well.

Call that R(f). A node whose R(f) did not change is judged as before: not violating. R(f) changes
only when ``f`` is a subject or object of a quad of Δ, or ``f`` links (as subject, in the new
build) to a subject of a quad of Δ (a triple about ``f``'s old neighbour that ``f`` no longer links to
is itself in Δ). So :func:`focus_store` collects those nodes F, copies R(f) of each into a small store,
and the shapes and checks run there; of what they report, only violations of a node of F count
(another node's R(f) is only partly copied). This is exact for local shapes and checks: ``sh:targetClass``,
``sh:targetSubjectsOf``/``sh:targetObjectsOf``, property shapes on a predicate path with ``sh:class``
and value constraints, and checks whose patterns go at most two steps outwards from ``?focus`` (all of
``queries/checks/`` today). A changed ``rdfs:subClassOf`` triple, or a blank node in the unchanged part
(its label differs in the on-disk store), is not handled: :class:`NotLocal` then asks for a full build.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.namespaces import DIPLO, ONTOLOGY_GRAPH

_SUBCLASS = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
#: What the checks and ``sh:class`` read of the node a second step reaches.
SECOND_STEP = frozenset({
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
    str(DIPLO.text),
    "http://purl.org/dc/terms/isPartOf",
})

#: The predicates a check follows backwards from a mission to the facts of its life (and to another
#: name for it): ``?fact diplo:mission/diplo:officialForm? ?mission``.
BACKWARD = frozenset({str(DIPLO.mission), str(DIPLO.officialForm)})
#: What a check reads of a source an excerpt is part of.
SOURCE_READS = frozenset({"http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "http://purl.org/dc/terms/date"})
_PART_OF = "http://purl.org/dc/terms/isPartOf"
_EVIDENCE = str(DIPLO.evidence)

Node = ox.NamedNode | ox.BlankNode


class NotLocal(Exception):
    """The change cannot be validated locally (the build must validate everything)."""


class NewBuild:
    """The quads of the new build, looked up by node: the unchanged part from a store of the previous
    build (only its graphs in ``base_graphs``), the recomputed part from its sorted N-Quads lines
    (indexed as text; only the lines a look-up finds are parsed). A subject's lines are found by
    bisection in the sorted lines (an N-Quads line starts with its subject), an object's in an index of
    the lines whose object is an IRI or a blank node (a literal is never looked up)."""

    def __init__(self, base: ox.Store, base_graphs: set[str], rest: list[bytes]) -> None:
        self.base, self.base_graphs = base, base_graphs
        self.lines = sorted(rest)  # (timsort: one pass over lines already sorted, as a build's are)
        self.into: dict[bytes, list[bytes]] = defaultdict(list)
        self.subclass: list[bytes] = []
        subclass = b"<" + _SUBCLASS.value.encode() + b">"
        for line in self.lines:
            parts = line.split(b" ")
            # ``S P O G .``: five parts exactly when the object has no space (a literal with a space
            # has more; a literal without one is left out by its first character)
            if len(parts) == 5 and parts[2][0] in b"<_":
                self.into[parts[2]].append(line)
                if parts[1] == subclass:
                    self.subclass.append(line)

    def _out(self, key: bytes) -> list[bytes]:
        """The lines whose subject is ``key``."""
        prefix = key + b" "
        at = bisect.bisect_left(self.lines, prefix)
        found = []
        while at < len(self.lines) and self.lines[at].startswith(prefix):
            found.append(self.lines[at])
            at += 1
        return found

    @staticmethod
    def _key(node: Node) -> bytes:
        return (f"<{node.value}>" if isinstance(node, ox.NamedNode) else f"_:{node.value}").encode("utf-8")

    @staticmethod
    def parse(lines: list[bytes]) -> list[ox.Quad]:
        """N-Quads lines (without newline) as quads, blank node labels kept."""
        if not lines:
            return []
        return list(ox.parse(b"\n".join(lines) + b"\n", format=ox.RdfFormat.N_QUADS))  # type: ignore[arg-type]

    def _base(self, found: Iterator[ox.Quad]) -> Iterator[ox.Quad]:
        for quad in found:
            if quad.graph_name.value in self.base_graphs:  # type: ignore[union-attr]
                if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
                    raise NotLocal("a blank node in the unchanged part of the graph")
                yield quad

    def quads_from(self, node: Node) -> list[ox.Quad]:
        """Every quad with ``node`` as subject."""
        found = self.parse(self._out(self._key(node)))
        if isinstance(node, ox.NamedNode):
            found += self._base(self.base.quads_for_pattern(node, None, None))
        return found

    def quads_to(self, node: Node) -> list[ox.Quad]:
        """Every quad with ``node`` as object."""
        found = self.parse(self.into.get(self._key(node), []))
        if isinstance(node, ox.NamedNode):
            found += self._base(self.base.quads_for_pattern(None, None, node))
        return found


def _nodes(terms: Iterable[object]) -> Iterator[Node]:
    for term in terms:
        if isinstance(term, (ox.NamedNode, ox.BlankNode)):
            yield term


@dataclass(frozen=True)
class Locality:
    """How far the shapes and checks read from a focus node (predicate IRIs).

    Attributes:
        links: The predicates a second step follows: ``diplo:evidence`` (the checks) and every
            property shape's path (``sh:class`` reads the value's types).
        second: What the second step reads of the node it reaches: ``rdf:type``, ``diplo:text``,
            ``dcterms:isPartOf``.
        incoming: The predicates whose objects are focus nodes (``sh:targetObjectsOf``).
        backward: The predicates a check follows backwards from a focus node, with the quads of the
            nodes it reaches (see the module).
        source_reads: What a check reads of the source an excerpt is part of.
    """

    links: frozenset[str]
    second: frozenset[str] = SECOND_STEP
    incoming: frozenset[str] = frozenset()
    backward: frozenset[str] = BACKWARD
    source_reads: frozenset[str] = SOURCE_READS


def locality(shapes: Path) -> Locality:
    """The :class:`Locality` of the project's shapes and the checks (see the module)."""
    from rdflib import Graph, URIRef

    g = Graph()
    g.parse(shapes, format="turtle")
    sh = "http://www.w3.org/ns/shacl#"
    paths = {str(o) for o in g.objects(None, URIRef(sh + "path")) if isinstance(o, URIRef)}
    incoming = {str(o) for o in g.objects(None, URIRef(sh + "targetObjectsOf")) if isinstance(o, URIRef)}
    return Locality(links=frozenset(paths | {str(DIPLO.evidence)}), incoming=frozenset(incoming))


def focus_store(
    new: NewBuild, changed: list[ox.Quad], add_ontology: Callable[[ox.Store], None], reach: Locality
) -> tuple[ox.Store, set[str]]:
    """The small store to validate a change in, and the focus nodes F whose verdicts count (their
    values: IRIs, or blank node labels).

    Args:
        new: The new build.
        changed: Δ, the quads removed or added since the previous build.
        add_ontology: Puts the ontology graph into a store.
        reach: How far the shapes and checks read.

    Raises:
        NotLocal: Δ holds an ``rdfs:subClassOf`` triple, or R(f) would hold a blank node of the unchanged part.
    """
    if any(q.predicate == _SUBCLASS for q in changed):
        raise NotLocal("the class hierarchy changed")
    focus: set[Node] = set(_nodes(q.subject for q in changed)) | set(_nodes(q.object for q in changed))
    for subject in set(_nodes(q.subject for q in changed if q.predicate.value in reach.second)):
        focus.update(_nodes(q.subject for q in new.quads_to(subject) if q.predicate.value in reach.links))
    # A source whose type or date changed: whatever cites an excerpt of it.
    for source in set(_nodes(q.subject for q in changed if q.predicate.value in reach.source_reads)):
        for part in set(_nodes(q.subject for q in new.quads_to(source) if q.predicate.value == _PART_OF)):
            focus.update(_nodes(q.subject for q in new.quads_to(part) if q.predicate.value == _EVIDENCE))
    # The missions the changed facts name (and the missions those are other names for).
    _forwards(new, focus, reach.backward)
    store = ox.Store()
    add_ontology(store)
    quads: set[ox.Quad] = {q for q in new.base.quads_for_pattern(None, _SUBCLASS, None)
                           if q.graph_name.value in new.base_graphs}  # type: ignore[union-attr]
    quads.update(new.parse(new.subclass))
    for node in focus:
        _add_reach(new, node, reach, quads)
        for named in _backwards(new, node, reach.backward):
            _add_reach(new, named, reach, quads)
    store.extend(q for q in quads if q.graph_name.value != str(ONTOLOGY_GRAPH))  # type: ignore[union-attr]
    return store, {n.value for n in focus}


def _add_reach(new: NewBuild, node: Node, reach: Locality, quads: set[ox.Quad]) -> None:
    """Add a node's quads, its incoming quads a shape targets, its links' second step, and what is read
    of the sources its excerpts are part of."""
    outgoing = new.quads_from(node)
    quads.update(outgoing)
    quads.update(q for q in new.quads_to(node) if q.predicate.value in reach.incoming)
    for value in set(_nodes(q.object for q in outgoing if q.predicate.value in reach.links)):
        second = [q for q in new.quads_from(value) if q.predicate.value in reach.second]
        quads.update(second)
        for source in set(_nodes(q.object for q in second if q.predicate.value == _PART_OF)):
            quads.update(q for q in new.quads_from(source) if q.predicate.value in reach.source_reads)


def _forwards(new: NewBuild, focus: set[Node], backward: frozenset[str]) -> None:
    """Add to ``focus`` what its nodes reach forwards along ``backward`` (a fact's mission, a name's
    official form), repeatedly."""
    todo = list(focus)
    while todo:
        for target in _nodes(q.object for q in new.quads_from(todo.pop()) if q.predicate.value in backward):
            if target not in focus:
                focus.add(target)
                todo.append(target)


def _backwards(new: NewBuild, node: Node, backward: frozenset[str]) -> set[Node]:
    """The nodes that reach ``node`` along ``backward`` (the facts of a mission's life, the other
    names of a mission and their facts), repeatedly; ``node`` itself left out."""
    found: set[Node] = set()
    todo = [node]
    while todo:
        for source in _nodes(q.subject for q in new.quads_to(todo.pop()) if q.predicate.value in backward):
            if source not in found and source != node:
                found.add(source)
                todo.append(source)
    return found
