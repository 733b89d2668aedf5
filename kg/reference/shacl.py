"""The reference validator: pySHACL over rdflib graphs (``diplokg build --validator pyshacl``).

The build validates with the shapes compiled to SPARQL (:mod:`kg.validate.shacl`); tests prove both
report the same violations on every fixture and on the real data.
"""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import RDF, Graph, Namespace
from rdflib.term import Node, URIRef

from kg.sources.folder import parse_turtle
from kg.validate.violations import Locator, Violation

SH = Namespace("http://www.w3.org/ns/shacl#")

__all__ = ["shacl_violations"]


def shacl_violations(data: Graph, shapes_path: Path, locator: Locator) -> list[Violation]:
    """Validate data (asserted and inferred triples together) against the SHACL shapes."""
    import pyshacl  # slow to import; only the reference validator needs it

    shapes = parse_turtle(shapes_path, "https://w3id.org/diplokg/shapes")
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=False, meta_shacl=False
    )
    if conforms:
        return []
    assert isinstance(report, Graph)
    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        message = report.value(result, SH.resultMessage)
        shape = report.value(result, SH.sourceShape)
        parent = next(shapes.subjects(SH.property, shape), shape) if shape is not None else None
        path, line = locator.locate(focus) if focus is not None else (None, None)
        found.append(
            Violation(
                check=f"shape {_short_shape(parent)}",
                focus=str(focus),
                message=str(message),
                path=path,
                line=line,
            )
        )
    return sorted(set(found))


def _short_shape(shape: Node | None) -> str:
    if isinstance(shape, URIRef):
        return re.split(r"[#/]", str(shape))[-1]
    return "(anonymous)"
