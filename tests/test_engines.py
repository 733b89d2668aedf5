"""Portability: every library query and check gives the same rows on Oxigraph and on rdflib."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kg.query.gate import vet
from kg.query.library import parse_parameters, read_header

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "queries").glob("*.rq")) + sorted((ROOT / "queries" / "checks").glob("*.rq"))

#: Values for the parameters a query requires (the examples its header gives).
VALUES: dict[str, Node] = {
    "entity": URIRef("https://w3id.org/diplokg/id/iso3166/PRK"),
    "asOf": Literal("2023-12-31", datatype=XSD.date),
    "year": Literal("2019", datatype=XSD.gYear),
}


#: Files known to differ between the engines, with why (strict: the test fails once they agree).
KNOWN_DIFFERENCES: dict[str, str] = {}


def _param(path: Path) -> object:
    name = path.relative_to(ROOT / "queries").as_posix()
    marks = [pytest.mark.xfail(reason=KNOWN_DIFFERENCES[name], strict=True)] if name in KNOWN_DIFFERENCES else []
    return pytest.param(path, id=name, marks=marks)


def _key(term: Node | None) -> tuple[str, str]:
    """A term to compare across engines: numbers by value, blank nodes alike."""
    if term is None:
        return ("unbound", "")
    if isinstance(term, BNode):
        return ("bnode", "")
    if isinstance(term, Literal):
        try:
            if (
                term.datatype is not None
                and str(term.datatype).startswith(str(XSD))
                and term.datatype in (XSD.integer, XSD.decimal, XSD.double, XSD.float)
            ):
                return ("number", str(Decimal(str(term)).normalize()))
        except InvalidOperation:
            pass
        return ("literal", f"{term}|{term.language or ''}|{term.datatype or ''}")
    assert isinstance(term, URIRef)
    return ("iri", str(term))


@pytest.mark.parametrize("path", [_param(p) for p in FILES])
def test_same_rows_on_both_engines(built: object, path: Path) -> None:
    graph = built.graph  # type: ignore[attr-defined]
    text = path.read_text(encoding="utf-8")
    parameters = parse_parameters(read_header(text).get("Parameters", ""))
    bindings = {p.name: VALUES[p.name] for p in parameters if p.required}
    query = vet(text, graph.graph_names(), origin=str(path))
    fast = graph.run(query, engine="oxigraph", bindings=bindings)
    reference = graph.run(query, engine="rdflib", bindings=bindings)
    assert fast.variables == reference.variables
    assert sorted(tuple(_key(t) for t in row) for row in fast.rows) == sorted(
        tuple(_key(t) for t in row) for row in reference.rows
    )
