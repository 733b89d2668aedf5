"""SHACL validation as SPARQL in the store: the SHACL-Core constructs our shapes use, compiled to queries.

:func:`kg.validate.shapes.compile_shapes` reads the shapes file at run time; every property shape becomes SPARQL
queries that return the focus nodes violating it; :func:`sparql_violations` runs them over the union
of every graph (asserted and inferred), as pySHACL validates the same union. It reports each
violation as :func:`kg.reference.shacl.shacl_violations` does (the node shape's name, the focus node, the
property shape's ``sh:message``, file and line), and ``tests/test_shacl_sparql.py`` proves both give
the same violations on every fixture and on the real data.

Supported (anything else in the shapes file is refused with an :class:`~kg.errors.InputError`, so a
new construct is never silently ignored; ``diplokg build --validator pyshacl`` runs pySHACL instead):

- node shapes with ``sh:targetClass`` (instances of the class or of a subclass, ``rdfs:subClassOf*``),
  ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``, ``sh:targetNode`` and ``sh:property``;
- property shapes with a predicate ``sh:path``, one ``sh:message``, and ``sh:minCount``,
  ``sh:maxCount``, ``sh:datatype`` (ill-typed literals fail, judged by rdflib as pySHACL does),
  ``sh:class``, ``sh:in``, ``sh:pattern`` (with ``sh:flags``), ``sh:minLength``, ``sh:maxLength``,
  ``sh:nodeKind`` and ``sh:or`` of shapes made of those value constraints.

The queries use no ``FILTER NOT EXISTS`` (very slow in Oxigraph on large graphs): a missing value is
a ``MINUS`` (or a ``GROUP BY``/``HAVING`` count), a value outside a class a ``MINUS``. Only the
``sh:minCount`` query of each node shape computes its focus nodes; the other constraints are checked
on every subject first, which on valid data finds nothing and costs one scan of the property.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.terms import to_oxigraph, to_rdflib
from kg.validate.shapes import (
    ALWAYS_WELL_TYPED,
    NODE_KINDS,
    SH,
    UNION_DEFAULT_GRAPH,
    XSD,
    PropertyCheck,
    ValueTest,
    compile_shapes,
    read_value_tests,
    sparql_term,
    unsupported,
)
from kg.validate.violations import Locator, Violation


def _actual_datatype(literal: Literal, datatype: URIRef) -> bool:
    """pySHACL's test that a well-formed literal's value really is of its datatype."""
    import datetime
    from decimal import Decimal

    value = literal.value
    kinds: dict[URIRef, type | tuple[type, ...]] = {
        XSD.string: (str, bytes),
        RDF.langString: (str, bytes),
        XSD.integer: int,
        XSD.float: float,
        XSD.decimal: Decimal,
        XSD.boolean: bool,
        XSD.date: datetime.date,
        XSD.time: datetime.time,
        XSD.dateTime: datetime.datetime,
    }
    expected = kinds.get(datatype)
    return expected is None or isinstance(value, expected)


class _QuietRdflib:
    """Silence rdflib's log of ill-typed literals for a moment."""

    def __enter__(self) -> None:
        self._logger = logging.getLogger("rdflib.term")
        self._level = self._logger.level
        self._logger.setLevel(logging.CRITICAL)

    def __exit__(self, *exc: object) -> None:
        self._logger.setLevel(self._level)


def ill_typed(store: ox.Store, checks: Iterable[PropertyCheck]) -> dict[URIRef, list[str]]:
    """The literals, by datatype, that a datatype test must refuse although their datatype matches:
    those rdflib finds ill-typed (``"abc"^^xsd:integer``), as pySHACL judges them.

    rdflib's judgement depends on the converters registered in the process: plain rdflib does not
    parse ``xsd:gYear`` text (any text passes), but after owlrl has run in the same process it does
    (owlrl registers converters of its own; seen in the test suite after tests/test_reasoning.py).
    """
    wanted: dict[URIRef, set[URIRef]] = {}
    for check in checks:
        for datatype in check.datatypes:
            if datatype not in ALWAYS_WELL_TYPED:
                wanted.setdefault(datatype, set()).add(check.path)
    found: dict[URIRef, list[str]] = {}
    quiet = _QuietRdflib()
    for datatype, paths in sorted(wanted.items()):
        query = (
            f"SELECT DISTINCT ?v WHERE {{ VALUES ?p {{ {' '.join(f'<{p}>' for p in sorted(paths))} }} "
            f"?s ?p ?v FILTER(isLiteral(?v) && DATATYPE(?v) = <{datatype}>) }}"
        )
        bad = []
        for row in store.query(query, **UNION_DEFAULT_GRAPH):  # type: ignore[arg-type, union-attr]
            term = row["v"]
            with quiet:  # rdflib logs a traceback for every ill-typed literal
                literal = Literal(term.value, datatype=datatype)
            if literal.ill_typed is True or not _actual_datatype(literal, datatype):
                bad.append(str(term))
        found[datatype] = sorted(bad)
    return found


def _datatype_test(datatype: Node, bad: dict[URIRef, list[str]]) -> str:
    if datatype == RDFS.Literal:
        return "isLiteral(?v)"
    test = f"(isLiteral(?v) && DATATYPE(?v) = {to_oxigraph(datatype)}"
    for literal in bad.get(datatype, []):  # type: ignore[call-overload]
        test += f" && !sameTerm(?v, {literal})"
    return test + ")"


def _expression(g: Graph, test: ValueTest, bad: dict[URIRef, list[str]], shapes_path: Path) -> str:
    """A SPARQL expression over ``?v`` that holds when the value conforms to one value constraint."""
    kind, value, flags = test
    if kind == "datatype":
        return _datatype_test(value, bad)
    if kind == "in":
        members = [f"sameTerm(?v, {sparql_term(m, shapes_path)})" for m in Collection(g, value)]
        return "(" + (" || ".join(members) or "false") + ")"
    if kind == "pattern":
        flag_text = f", {ox.Literal(str(flags))}" if flags is not None else ""
        return f"(!isBlank(?v) && REGEX(STR(?v), {ox.Literal(str(value))}{flag_text}))"
    if kind == "minLength":
        return f"(!isBlank(?v) && STRLEN(STR(?v)) >= {int(value)})"  # type: ignore[call-overload]
    if kind == "maxLength":
        return f"(!isBlank(?v) && STRLEN(STR(?v)) <= {int(value)})"  # type: ignore[call-overload]
    if kind == "nodeKind":
        return NODE_KINDS[value]  # type: ignore[index]
    if kind == "or":
        alternatives = []
        for member in Collection(g, value):
            parts = [_expression(g, t, bad, shapes_path) for t in read_value_tests(g, member, shapes_path)]
            alternatives.append("(" + (" && ".join(parts) or "true") + ")")
        return "(" + (" || ".join(alternatives) or "false") + ")"
    raise unsupported(shapes_path, f"constraint {kind}")


def _focus_pattern(store: ox.Store, targets: list[tuple[URIRef, Node]], shapes_path: Path) -> str:
    """A sub-select binding ``?focus`` to every focus node of the targets, once each."""
    parts = []
    for key, value in targets:
        term = sparql_term(value, shapes_path)
        if key == SH.targetClass:
            parts.append(f"{{ {_instance_pattern(store, '?focus', '?focusClass', term)} }}")
        elif key == SH.targetSubjectsOf:
            parts.append(f"{{ ?focus {term} ?focusValue }}")
        elif key == SH.targetObjectsOf:
            parts.append(f"{{ ?focusSubject {term} ?focus }}")
        else:
            parts.append(f"{{ VALUES ?focus {{ {term} }} }}")
    return "{ SELECT DISTINCT ?focus WHERE { " + " UNION ".join(parts) + " } }"


def _instance_pattern(store: ox.Store, node: str, var: str, cls: str) -> str:
    """A pattern matching ``node`` to the instances of ``cls`` and of its subclasses (``rdf:type``, then
    ``rdfs:subClassOf*``, as SHACL defines an instance). The subclasses are looked up once and listed,
    which Oxigraph joins faster than the path; a blank-node subclass (which cannot be listed) keeps
    the path."""
    rows = store.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* {cls} }}", **UNION_DEFAULT_GRAPH)  # type: ignore[arg-type]
    classes = {row["c"] for row in rows}  # type: ignore[union-attr]
    if any(isinstance(c, ox.BlankNode) for c in classes):
        return f"{node} a {var} . {var} <{RDFS.subClassOf}>* {cls} ."
    listed = " ".join(sorted({cls, *(str(c) for c in classes)}))
    return f"VALUES {var} {{ {listed} }} {node} a {var} ."


def candidate_queries(g: Graph, store: ox.Store, check: PropertyCheck, bad: dict[URIRef, list[str]],
                      shapes_path: Path) -> list[str]:
    """The queries of one property shape that need no focus nodes: each returns, as ``?focus``, every
    subject whose values break ``sh:maxCount``, ``sh:class`` or a value constraint, target or not
    (valid data gives no row, and the targets are then never computed)."""
    path = f"<{check.path}>"
    found: list[str] = []
    if check.max_count is not None:
        found.append(
            f"SELECT ?focus WHERE {{ ?focus {path} ?v }} "
            f"GROUP BY ?focus HAVING (COUNT(DISTINCT ?v) > {check.max_count})"
        )
    for cls in check.classes:
        found.append(
            f"SELECT DISTINCT ?focus WHERE {{ ?focus {path} ?v . "
            f"MINUS {{ {_instance_pattern(store, '?v', '?valueClass', f'<{cls}>')} }} }}"
        )
    for test in check.value_tests:
        expression = _expression(g, test, bad, shapes_path)
        found.append(f"SELECT DISTINCT ?focus WHERE {{ ?focus {path} ?v . FILTER(!{expression}) }}")
    return found


def missing_values_query(focus: str, checks: list[PropertyCheck]) -> str | None:
    """One query for the ``sh:minCount`` of every property shape of a node shape: rows of ``?focus``
    and ``?k`` (the index of the property shape in ``checks``) for each focus node with too few values."""
    ones = [(k, c) for k, c in enumerate(checks) if c.min_count == 1]
    more = [(k, c) for k, c in enumerate(checks) if c.min_count is not None and c.min_count > 1]
    parts = []
    if ones:
        pairs = " ".join(f"({k} <{c.path}>)" for k, c in ones)
        paths = " ".join(sorted({f"<{c.path}>" for _, c in ones}))
        parts.append(
            f"{{ {focus} VALUES (?k ?p) {{ {pairs} }} MINUS {{ VALUES ?p {{ {paths} }} ?focus ?p ?v }} }}"
        )
    for k, c in more:
        parts.append(
            f"{{ SELECT ?focus ({k} AS ?k) WHERE {{ {focus} OPTIONAL {{ ?focus <{c.path}> ?v }} }} "
            f"GROUP BY ?focus HAVING (COUNT(DISTINCT ?v) < {c.min_count}) }}"
        )
    return f"SELECT ?focus ?k WHERE {{ {' UNION '.join(parts)} }}" if parts else None


def sparql_violations(store: ox.Store, shapes_path: Path, locator: Locator) -> list[Violation]:
    """Validate everything in the store (union of its graphs) against the shapes, with SPARQL.

    Per node shape: one query finds the focus nodes missing values (``sh:minCount``); the other
    constraints are first checked on every subject (:func:`candidate_queries`), and only subjects that
    break one are then matched against the focus nodes.

    Raises:
        InputError: The shapes file is malformed or uses an unsupported construct.
    """
    g, checks = compile_shapes(shapes_path)
    bad = ill_typed(store, checks)
    groups: dict[tuple[str, str], list[PropertyCheck]] = {}
    for check in checks:
        groups.setdefault((check.check, repr(check.targets)), []).append(check)
    hits: set[tuple[str, str, ox.NamedNode | ox.BlankNode | ox.Literal]] = set()
    for group in groups.values():
        focus = _focus_pattern(store, group[0].targets, shapes_path)
        missing = missing_values_query(focus, group)
        if missing is not None:
            for row in store.query(missing, **UNION_DEFAULT_GRAPH):  # type: ignore[arg-type, union-attr]
                check = group[int(row["k"].value)]  # type: ignore[union-attr]
                hits.add((check.check, check.message, row["focus"]))  # type: ignore[arg-type]
        focus_nodes: set[str] | None = None
        for check in group:
            for query in candidate_queries(g, store, check, bad, shapes_path):
                for row in store.query(query, **UNION_DEFAULT_GRAPH):  # type: ignore[arg-type, union-attr]
                    if focus_nodes is None:
                        rows = store.query(f"SELECT ?focus WHERE {focus}", **UNION_DEFAULT_GRAPH)  # type: ignore[arg-type]
                        focus_nodes = {str(r["focus"]) for r in rows}  # type: ignore[union-attr]
                    if str(row["focus"]) in focus_nodes:
                        hits.add((check.check, check.message, row["focus"]))  # type: ignore[arg-type]
    found: set[Violation] = set()
    for name, message, term in hits:
        node = to_rdflib(term)
        path, line = locator.locate(node)
        found.add(Violation(check=name, focus=str(node), message=message, path=path, line=line))
    return sorted(found)
