"""The reference build on rdflib graphs (``diplokg build --validator pyshacl`` or ``--reasoner owlrl``).

It loads every source into rdflib graphs, computes the closure on rdflib terms and validates with
pySHACL: the way builds ran before :mod:`kg.build` moved to Oxigraph. Kept as the reference the fast
path is tested against (the same bytes, the same violations), and for ``--reasoner owlrl``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.paths import Project
from kg.query.engine import BuiltGraph

if TYPE_CHECKING:  # the build's heavy modules (pySHACL, rdflib's SPARQL) load only when a build runs
    from rdflib import Graph

    from kg.buildreport import BuildReport, Progress, Reasoner


class _InMemoryBuilt(BuiltGraph):
    """A built graph held in memory, before it is written."""

    def __init__(self, store: ox.Store) -> None:
        super().__init__(path=None)  # type: ignore[arg-type]
        self._store = store


def build_rdflib(project: Project, progress: Progress | None = None, reasoner: Reasoner = "fast") -> BuildReport:
    """The reference build on rdflib graphs: rdflib loader, closure on rdflib terms, pySHACL, checks.

    Writes what :func:`kg.build.build` writes (the same bytes for the same input); slow on large graphs.

    Args:
        project: The project to build.
        progress: Called with a short message as each step starts.
        reasoner: "fast" (OWL 2 RL rules compiled from the ontology) or "owlrl" (the slow reference);
            both give the same inferred graph.

    Raises:
        InputError: A source, the ontology, the shapes or a check is malformed.
    """
    from rdflib import Graph

    from kg.alignment.derive import alignment_lines
    from kg.buildreport import BuildReport
    from kg.namespaces import ALIGNMENT_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH
    from kg.reference.load import load_project
    from kg.reference.reason import closure
    from kg.reference.shacl import shacl_violations
    from kg.store.files import (
        DISK_STORE_MIN_QUADS,
        nquads_bytes,
        quads_of,
        remove_disk_store,
        store_dir,
        write_atomic,
        write_disk_store,
    )
    from kg.validate.checks import run_checks
    from kg.validate.violations import Locator

    say = progress or (lambda _message: None)
    report = BuildReport()
    lap = report.lap

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

    say("measuring alignment from the votes")
    named: list[tuple[object, Graph]] = [(ONTOLOGY_GRAPH, asserted.ontology)]
    named += list(asserted.graphs.items())
    votes_store = ox.Store()
    votes_store.extend(quads_of(named))  # type: ignore[arg-type]
    derived_lines = alignment_lines(votes_store)
    del votes_store
    derived = Graph()
    if derived_lines:
        derived.parse(data="".join(line + " .\n" for line in derived_lines), format="nt")
    report.derived = len(derived)
    lap("derive")

    say("validating (SHACL shapes and quality checks)")
    named.append((INFERRED_GRAPH, inferred))
    if report.derived:
        named.append((ALIGNMENT_GRAPH, derived))
    quads = quads_of(named)  # type: ignore[arg-type]
    store = ox.Store()
    store.extend(quads)
    locator = Locator(asserted, project.ontology)
    report.violations = shacl_violations(asserted.ontology + data + inferred + derived, project.shapes, locator)
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
