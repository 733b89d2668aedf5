"""The SHACL shapes file read into checks that :mod:`kg.validate.shacl` runs as SPARQL.

:func:`compile_shapes` reads ``ontology/shapes.ttl`` at run time and turns every property shape into
a :class:`PropertyCheck`: its node shape's targets, path, counts and value tests. A construct outside
the supported subset (listed in :mod:`kg.validate.shacl`) is refused with an
:class:`~kg.errors.InputError`, never skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.errors import InputError
from kg.sources.folder import parse_turtle
from kg.terms import to_oxigraph

SH = Namespace("http://www.w3.org/ns/shacl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
_OWL_CLASS = URIRef("http://www.w3.org/2002/07/owl#Class")
UNION_DEFAULT_GRAPH = {"use_default_graph_as_union": True}

_TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
_DOCS = (RDF.type, RDFS.label, RDFS.comment, SH.name, SH.description)
_NODE_KEYS = frozenset((*_TARGETS, SH.property, *_DOCS))
_VALUE_KEYS = frozenset((SH.datatype, SH["in"], SH.pattern, SH.flags, SH.minLength, SH.maxLength, SH.nodeKind))
_PROPERTY_KEYS = frozenset(
    (SH.path, SH.message, SH.minCount, SH.maxCount, SH["class"], SH["or"], *_VALUE_KEYS, *_DOCS)
)
NODE_KINDS = {
    SH.IRI: "isIRI(?v)",
    SH.BlankNode: "isBlank(?v)",
    SH.Literal: "isLiteral(?v)",
    SH.BlankNodeOrIRI: "(isIRI(?v) || isBlank(?v))",
    SH.BlankNodeOrLiteral: "(isBlank(?v) || isLiteral(?v))",
    SH.IRIOrLiteral: "(isIRI(?v) || isLiteral(?v))",
}
#: Datatypes whose literals are never ill-typed (rdflib keeps any text as a string).
ALWAYS_WELL_TYPED = frozenset({XSD.string, RDF.langString, RDFS.Literal})


#: One value constraint: its kind ("datatype", "in", "pattern" ...), its parameter, and a pattern's flags.
ValueTest = tuple[str, Node, Node | None]


@dataclass
class PropertyCheck:
    """One property shape, compiled.

    Attributes:
        check: How violations name it: ``shape <node shape's local name>``.
        message: Its ``sh:message``.
        targets: The node shape's targets, as (target predicate, value) pairs.
        path: The property (``sh:path``).
        min_count: ``sh:minCount``, if any.
        max_count: ``sh:maxCount``, if any.
        classes: ``sh:class`` values (every value node must be an instance of each).
        value_tests: Value constraints as (kind, parameter, ``sh:flags`` of a pattern); each becomes a
            SPARQL test over ``?v`` (ill-typed literals are looked up at run time: :func:`ill_typed`).
        datatypes: Every datatype a value test names (their ill-typed literals are looked up first).
    """

    check: str
    message: str
    targets: list[tuple[URIRef, Node]]
    path: URIRef
    min_count: int | None = None
    max_count: int | None = None
    classes: list[URIRef] = field(default_factory=list)
    value_tests: list[ValueTest] = field(default_factory=list)
    datatypes: set[URIRef] = field(default_factory=set)


def unsupported(shapes_path: Path, what: str) -> InputError:
    return InputError(
        f"{what}: the SPARQL validator does not support this (use --validator pyshacl)", path=shapes_path
    )


def _one(g: Graph, node: Node, key: URIRef, shapes_path: Path) -> Node | None:
    values = list(g.objects(node, key))
    if len(values) > 1:
        raise unsupported(shapes_path, f"{_name(node)} has {len(values)} values of {_name(key)}")
    return values[0] if values else None


def _name(node: Node) -> str:
    text = str(node)
    for prefix, ns in (("sh:", str(SH)), ("xsd:", str(XSD))):
        if text.startswith(ns):
            return prefix + text[len(ns):]
    return f"<{text}>" if isinstance(node, URIRef) else "a blank node"


def _short(shape: Node) -> str:
    if isinstance(shape, URIRef):
        return re.split(r"[#/]", str(shape))[-1]
    return "(anonymous)"


def _int(value: Node | None, node: Node, key: URIRef, shapes_path: Path) -> int | None:
    if value is None:
        return None
    if not isinstance(value, Literal) or not isinstance(value.toPython(), int):
        raise unsupported(shapes_path, f"{_name(node)}: {_name(key)} is not an integer")
    return int(value.toPython())


def sparql_term(term: Node, shapes_path: Path) -> str:
    if isinstance(term, BNode):
        raise unsupported(shapes_path, "a blank node as a value in a shape")
    return str(to_oxigraph(term))


def read_value_tests(g: Graph, node: Node, shapes_path: Path) -> list[ValueTest]:
    """The value constraints of one shape, each checked for support."""
    tests: list[ValueTest] = []
    datatype = _one(g, node, SH.datatype, shapes_path)
    if datatype is not None:
        if not isinstance(datatype, URIRef):
            raise unsupported(shapes_path, f"{_name(node)}: sh:datatype is not an IRI")
        tests.append(("datatype", datatype, None))
    in_list = _one(g, node, SH["in"], shapes_path)
    if in_list is not None:
        members = list(Collection(g, in_list))
        for member in members:
            sparql_term(member, shapes_path)
        tests.append(("in", in_list, None))
    pattern = _one(g, node, SH.pattern, shapes_path)
    if pattern is not None:
        tests.append(("pattern", pattern, _one(g, node, SH.flags, shapes_path)))
    for key, kind in ((SH.minLength, "minLength"), (SH.maxLength, "maxLength")):
        value = _one(g, node, key, shapes_path)
        if value is not None:
            _int(value, node, key, shapes_path)
            tests.append((kind, value, None))
    kind_value = _one(g, node, SH.nodeKind, shapes_path)
    if kind_value is not None:
        if kind_value not in NODE_KINDS:
            raise unsupported(shapes_path, f"{_name(node)}: sh:nodeKind {_name(kind_value)}")
        tests.append(("nodeKind", kind_value, None))
    return tests


def compile_shapes(shapes_path: Path) -> tuple[Graph, list[PropertyCheck]]:
    """Read the shapes file and compile every property shape of every node shape.

    Returns:
        The shapes graph and the compiled property shapes, in a stable order.

    Raises:
        InputError: The file is malformed, or uses a construct this compiler does not support.
    """
    g = parse_turtle(shapes_path, "https://w3id.org/diplokg/shapes")
    node_shapes = {s for s in g.subjects() if any(p in _TARGETS or p == SH.property for p, _ in g.predicate_objects(s))}
    node_shapes |= set(g.subjects(RDF.type, SH.NodeShape))
    property_shapes = set(g.objects(None, SH.property))
    or_members = {m for head in g.objects(None, SH["or"]) for m in Collection(g, head)}
    for subject in set(g.subjects()):
        keys = {p for p in g.predicates(subject) if str(p).startswith(str(SH))}
        if subject in node_shapes:
            allowed = _NODE_KEYS
        elif subject in property_shapes:
            allowed = _PROPERTY_KEYS
        elif subject in or_members:
            allowed = _VALUE_KEYS | {RDF.type}
        elif keys:
            raise unsupported(shapes_path, f"{_name(subject)} uses {', '.join(sorted(map(_name, keys)))}")
        else:
            continue
        extra = {p for p in g.predicates(subject) if p not in allowed}
        if extra:
            raise unsupported(shapes_path, f"{_name(subject)} uses {', '.join(sorted(map(_name, extra)))}")
        if subject in node_shapes and ({RDFS.Class, _OWL_CLASS} & set(g.objects(subject, RDF.type))):
            raise unsupported(shapes_path, f"{_name(subject)} is a shape and a class (implicit class target)")
    checks: list[PropertyCheck] = []
    for node_shape in sorted(node_shapes, key=str):
        targets = sorted(
            ((cast(URIRef, p), o) for p, o in g.predicate_objects(node_shape) if p in _TARGETS), key=str
        )
        for prop in sorted(g.objects(node_shape, SH.property), key=lambda n: str(_one(g, n, SH.path, shapes_path))):
            checks.append(_compile_property(g, node_shape, prop, targets, shapes_path))
    return g, checks


def _compile_property(
    g: Graph, node_shape: Node, prop: Node, targets: list[tuple[URIRef, Node]], shapes_path: Path
) -> PropertyCheck:
    parents = set(g.subjects(SH.property, prop))
    if len(parents) != 1:
        raise unsupported(shapes_path, f"property shape {_name(prop)} belongs to {len(parents)} node shapes")
    path = _one(g, prop, SH.path, shapes_path)
    if not isinstance(path, URIRef):
        raise unsupported(shapes_path, f"a property shape of {_name(node_shape)} has a path that is not one property")
    messages = list(g.objects(prop, SH.message))
    if len(messages) != 1:
        raise unsupported(shapes_path, f"property shape {_name(path)} of {_name(node_shape)} needs one sh:message")
    check = PropertyCheck(
        check=f"shape {_short(node_shape)}",
        message=str(messages[0]),
        targets=targets,
        path=path,
        min_count=_int(_one(g, prop, SH.minCount, shapes_path), prop, SH.minCount, shapes_path),
        max_count=_int(_one(g, prop, SH.maxCount, shapes_path), prop, SH.maxCount, shapes_path),
        classes=[c for c in g.objects(prop, SH["class"]) if isinstance(c, URIRef)],
    )
    if len(check.classes) != len(list(g.objects(prop, SH["class"]))):
        raise unsupported(shapes_path, f"{_name(path)}: sh:class must be an IRI")
    check.value_tests = read_value_tests(g, prop, shapes_path)
    or_list = _one(g, prop, SH["or"], shapes_path)
    if or_list is not None:
        # One test whose alternatives are the members (each member a conjunction of its constraints).
        check.value_tests.append(("or", or_list, None))
        for member in Collection(g, or_list):
            for kind, value, _flags in read_value_tests(g, member, shapes_path):
                if kind == "datatype":
                    check.datatypes.add(value)  # type: ignore[arg-type]
    for kind, value, _flags in check.value_tests:
        if kind == "datatype":
            check.datatypes.add(value)  # type: ignore[arg-type]
    return check
