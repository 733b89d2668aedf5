"""Violations: what the SHACL shapes (:mod:`kg.validate.shacl`) and the quality checks
(:mod:`kg.validate.checks`) find, and where in the sources it is written.

Every problem becomes a :class:`~kg.buildreport.Violation` naming the node, what is wrong, and the file and line
where the node is written, so an analyst can go straight to it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from rdflib import URIRef
from rdflib.term import Node

from kg.buildreport import Violation
from kg.sources.folder import SourceFolder

__all__ = ["Loaded", "Locator", "Violation"]


class Loaded(Protocol):
    """What a locator needs of the loaded graphs: the source folders by graph name, and whether a node
    is a subject in a graph (:class:`kg.reference.load.Asserted` and :class:`kg.sources.load.LoadedStore` have both)."""

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
