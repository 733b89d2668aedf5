"""The build: load, reason, validate, check, and write the knowledge graph atomically."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import pyoxigraph as ox

from kg.paths import Project
from kg.query import BuiltGraph

if TYPE_CHECKING:  # the build's heavy modules (pySHACL, rdflib's SPARQL) load only when a build runs
    from rdflib import Graph

    from kg.validate import Violation

Reasoner = Literal["fast", "owlrl"]

Progress = Callable[[str], None]


@dataclass
class BuildReport:
    """What a build did.

    Attributes:
        sources: The source folders loaded.
        asserted: The number of asserted triples (ontology included).
        inferred: The number of inferred triples.
        violations: Every SHACL and check violation found.
        written: Whether the built graph was written (only when there is no violation).
        seconds: Wall time of each step.
    """

    sources: list[str] = field(default_factory=list)
    asserted: int = 0
    inferred: int = 0
    violations: list[Violation] = field(default_factory=list)
    written: bool = False
    seconds: dict[str, float] = field(default_factory=dict)


class _InMemoryBuilt(BuiltGraph):
    """A built graph held in memory, before it is written."""

    def __init__(self, store: ox.Store) -> None:
        super().__init__(path=None)  # type: ignore[arg-type]
        self._store = store


def build(project: Project, progress: Progress | None = None, reasoner: Reasoner = "fast") -> BuildReport:
    """Build the knowledge graph of a project into ``build/diplokg.nq`` (and, for a large graph, the
    on-disk store ``build/store/`` beside it: see :mod:`kg.store`).

    The file is replaced only when the data has no violation; otherwise the previous build stays.

    Args:
        project: The project to build.
        progress: Called with a short message as each step starts.
        reasoner: "fast" (OWL 2 RL rules compiled from the ontology) or "owlrl" (the slow reference);
            both give the same inferred graph.

    Raises:
        InputError: A source, the ontology, the shapes or a check is malformed.
    """
    from kg.checks import run_checks
    from kg.load import load_project
    from kg.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH
    from kg.reason import closure
    from kg.store import (
        DISK_STORE_MIN_QUADS,
        nquads_bytes,
        quads_of,
        remove_disk_store,
        store_dir,
        write_atomic,
        write_disk_store,
    )
    from kg.validate import Locator, shacl_violations

    say = progress or (lambda _message: None)
    report = BuildReport()
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        report.seconds[step] = now - clock
        clock = now

    say("loading the ontology and sources")
    asserted = load_project(project)
    report.sources = [folder.id for folder in asserted.sources.values()]
    data = asserted.data()
    report.asserted = len(asserted.ontology) + sum(len(g) for g in asserted.graphs.values())
    lap("load")

    say(f"reasoning (OWL 2 RL closure, {reasoner})")
    inferred = closure(asserted.ontology, data, reasoner)
    report.inferred = len(inferred)
    lap("reason")

    say("validating (SHACL shapes and quality checks)")
    named: list[tuple[object, Graph]] = [(ONTOLOGY_GRAPH, asserted.ontology)]
    named += list(asserted.graphs.items())
    named.append((INFERRED_GRAPH, inferred))
    quads = quads_of(named)  # type: ignore[arg-type]
    store = ox.Store()
    store.extend(quads)
    locator = Locator(asserted, project.ontology)
    report.violations = shacl_violations(asserted.ontology + data + inferred, project.shapes, locator)
    lap("shacl")
    report.violations += run_checks(_InMemoryBuilt(store), project.checks, locator)
    lap("checks")

    if not report.violations:
        say(f"writing {project.built_graph}")
        write_atomic(project.built_graph, nquads_bytes(quads))
        if len(quads) >= DISK_STORE_MIN_QUADS:
            say(f"writing the on-disk store {store_dir(project.built_graph)}")
            write_disk_store(project.built_graph, quads)
        else:
            remove_disk_store(project.built_graph)
        report.written = True
    lap("write")
    return report
