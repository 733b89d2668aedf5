"""Validation: the SHACL shapes (pySHACL here; as SPARQL in :mod:`kg.shacl_sparql`) and the quality
checks (``queries/checks/*-violation.rq``).

Every problem becomes a :class:`Violation` naming the node, what is wrong, and the file and line
where the node is written, so an analyst can go straight to it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.term import Node

from kg.sources import SourceFolder, parse_turtle

SH = Namespace("http://www.w3.org/ns/shacl#")


@dataclass(frozen=True, order=True)
class Violation:
    """One problem in the data.

    Attributes:
        check: The shape or check that found it.
        focus: The node at fault.
        message: What is wrong.
        path: The file the node is written in, if known.
        line: The line there, if known.
    """

    check: str
    focus: str
    message: str
    path: Path | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}: " if self.path and self.line else f"{self.path}: " if self.path else ""
        return f"{where}{self.focus}: {self.message} [{self.check}]"


class Loaded(Protocol):
    """What a locator needs of the loaded graphs: the source folders by graph name, and whether a node
    is a subject in a graph (:class:`kg.load.Asserted` and :class:`kg.storeload.LoadedStore` have both)."""

    @property
    def sources(self) -> Mapping[URIRef, SourceFolder]: ...

    def has_subject(self, graph: URIRef, node: Node) -> bool: ...


class Locator:
    """Finds the file and line where a node is written in the project's sources or ontology."""

    def __init__(self, asserted: Loaded, ontology_path: Path) -> None:
        self._asserted = asserted
        self._ontology_path = ontology_path
        self._lines: dict[Path, list[str]] = {}

    def _read(self, path: Path) -> list[str]:
        if path not in self._lines:
            self._lines[path] = path.read_text(encoding="utf-8").splitlines()
        return self._lines[path]

    def locate(self, node: Node) -> tuple[Path | None, int | None]:
        """The file and 1-based line where ``node`` is first written as a subject, as far as found."""
        text = str(node)
        candidates: list[tuple[Path, list[str]]] = []
        for name, folder in self._asserted.sources.items():
            if text.startswith(folder.base) or self._asserted.has_subject(name, node):
                local = text[len(folder.base):] if text.startswith(folder.base) else None
                patterns = [f"<{text}>"]
                if local is not None:
                    patterns.insert(0, f"<{local}>")
                tail = re.split(r"[/#]", text)[-1]
                if tail:
                    patterns.append(f":{tail}")
                for ttl in sorted(folder.path.glob("*.ttl")):
                    candidates.append((ttl, patterns))
        if text.startswith("https://w3id.org/diplokg/ontology#"):
            candidates.append((self._ontology_path, [f"diplo:{text.split('#', 1)[1]}"]))
        for path, patterns in candidates:
            for number, line in enumerate(self._read(path), 1):
                stripped = line.lstrip()
                if any(stripped.startswith(p) for p in patterns):
                    return path, number
            for number, line in enumerate(self._read(path), 1):
                if any(re.search(re.escape(p) + r"(?![\w-])", line) for p in patterns):
                    return path, number
        if candidates:
            return candidates[0][0], None
        return None, None


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
