"""The build: load, reason, validate, check, and write the knowledge graph atomically.

The build runs in one Oxigraph store and never makes rdflib graphs of the data: every source is
parsed into its own named graph (:mod:`kg.sources.load`), the OWL 2 RL closure is added as the inferred
graph (:func:`kg.reason.closure.append_closure`), the SHACL shapes run as SPARQL (:mod:`kg.validate.shacl`) and so
do the quality checks, and the sorted N-Quads are written from the store (:mod:`kg.store.files`).
``--validator pyshacl`` and ``--reasoner owlrl`` run the reference build on rdflib graphs instead
(:mod:`kg.reference.build`), which writes the same bytes and reports the same violations.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pyoxigraph as ox

from kg.buildreport import VALIDATORS, BuildReport, Progress, Reasoner, Validator
from kg.paths import Project

__all__ = ["VALIDATORS", "BuildReport", "Progress", "Reasoner", "Validator", "build"]

if TYPE_CHECKING:
    from kg.store.cache import Manifest

T = TypeVar("T")
#: Set to 1 to start the on-disk store's child only once the alignment is derived, as before it started
#: with the asserted quads (for benches: the baseline, in the same code).
LATE_STORE_ENV = "DIPLOKG_LATE_DISK_STORE"


def build(
    project: Project,
    progress: Progress | None = None,
    reasoner: Reasoner = "fast",
    validator: Validator = "sparql",
    cache: bool = True,
) -> BuildReport:
    """Build the knowledge graph of a project into ``build/diplokg.nq`` (and, for a large graph, the
    on-disk store ``build/store/`` beside it: see :mod:`kg.store.files`).

    The file is replaced only when the data has no violation; otherwise the previous build stays.
    One build at a time holds the build folder; it first removes what a killed build left there.

    Args:
        project: The project to build.
        progress: Called with a short message as each step starts.
        reasoner: "fast" (OWL 2 RL rules compiled from the ontology) or "owlrl" (the slow reference);
            both give the same inferred graph. "owlrl" runs the rdflib build.
        validator: "sparql" (the shapes compiled to SPARQL, run in the store) or "pyshacl" (the
            reference; runs the rdflib build). Both report the same violations.
        cache: Reuse the world's part of the previous build when the build cache is valid for it
            (:mod:`kg.build.cached`); ``False`` always builds everything (and writes the cache).

    Raises:
        InputError: A source, the ontology, the shapes or a check is malformed.
    """
    from kg.store.files import exclusive_build

    with exclusive_build(project.built_graph):
        if reasoner != "fast" or validator != "sparql":
            from kg.reference.build import build_rdflib

            return build_rdflib(project, progress, reasoner)
        if cache:
            from kg.build.cached import rebuild

            report = rebuild(project, progress or (lambda _message: None))
            if report is not None:
                return report
        return _build_in_store(project, progress)


def _build_in_store(project: Project, progress: Progress | None) -> BuildReport:
    from kg.alignment.derive import append_alignment
    from kg.alignment.kept import table_from_nquads, write_kept
    from kg.build.cached import key_of, reads_votes, split_sources, world_graphs
    from kg.build.publish import drop_cache, finish_full_cache, stage_full_cache
    from kg.namespaces import ALIGNMENT_GRAPH, INFERRED_GRAPH
    from kg.query.verdicts import verdicts_in
    from kg.reason.closure import append_closure, append_lines, load_inferred
    from kg.reason.split import split_closure
    from kg.sources.folder import discover
    from kg.sources.load import load_project_store
    from kg.store.diskjob import DiskStoreJob
    from kg.store.files import DISK_STORE_MIN_QUADS, SortJob, publish, remove_disk_store, store_dir
    from kg.validate.checks import start_store_checks
    from kg.validate.shacl import sparql_violations
    from kg.validate.violations import Locator

    say = progress or (lambda _message: None)
    report = BuildReport()
    lap = report.lap

    say("loading the ontology and sources")
    world = split_sources(discover(project.sources))[0]
    key = key_of(project, world) if world else None
    loaded = load_project_store(project)
    report.sources = [folder.id for folder in loaded.sources.values()]
    report.asserted = loaded.asserted
    lap("load")

    # One dump serves the closure (it reads the asserted triples from it), the sorted N-Quads and the
    # on-disk store (Oxigraph's bulk loader reads it); the inferred triples are appended to it.
    project.build.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".dump.", suffix=".nq", dir=project.build)
    os.close(fd)
    dump = Path(name)
    sorted_tmp: Path | None = None
    staged: tuple[Path, Manifest] | None = None  # the cache for the next build, staged
    disk_job: DiskStoreJob | None = None  # the on-disk store, written beside the steps that follow the load
    disk_store = False
    try:
        say("reasoning (OWL 2 RL closure, fast)")
        loaded.store.dump(output=str(dump), format=ox.RdfFormat.N_QUADS)
        # A large graph's on-disk store is bulk-loaded from the dump in a child process from now on (the
        # asserted quads while the closure is computed, then what the next steps append), into a
        # temporary folder that is moved into place only once the built file is written (kg.store.diskjob).
        if report.asserted >= DISK_STORE_MIN_QUADS and os.environ.get(LATE_STORE_ENV, "") in ("", "0"):
            disk_job = DiskStoreJob(project.built_graph, dump, growing=True)
            disk_job.grown(dump.stat().st_size)
        # With world sources, the closure is computed as closure(W), then the rest: the cache keeps
        # closure(W) for the next build (kg.build.cached); the inferred graph is the same.
        split = split_closure(loaded.ontology, dump, world_graphs(world)) if world else None
        if split is None:
            report.inferred, inferred = append_closure(loaded.ontology, dump, str(INFERRED_GRAPH))
        else:
            report.inferred, inferred = append_lines(dump, split.lines, str(INFERRED_GRAPH))
            if not reads_votes(split.rest, partial(_is_roll_call, loaded.store)):
                staged = stage_full_cache(project, split, [f.id for f in world], report)
            del split  # (when a small source holds votes, the derived graph depends on it: no cache)
        if disk_job is not None:
            disk_job.grown(dump.stat().st_size)
        lap("reason")
        # The alignment measured from the votes, apart from asserted and inferred (none without votes).
        say("measuring alignment from the votes")
        report.derived, derived = append_alignment(loaded.store, dump, str(ALIGNMENT_GRAPH))
        kept_table = table_from_nquads(derived)  # the same measures as a table, kept beside the build
        lap("derive")
        # The dump is now the whole built graph, and validation does not change it. (A graph that
        # reaches the on-disk store's size only with its inferred and derived quads starts its child now.)
        disk_store = report.asserted + report.inferred + report.derived >= DISK_STORE_MIN_QUADS
        if disk_job is not None:
            disk_job.complete(dump.stat().st_size)
        elif disk_store:
            disk_job = DiskStoreJob(project.built_graph, dump)
        locator = Locator(loaded, project.ontology)
        with ThreadPoolExecutor(max_workers=2) as pool:
            # The dump now holds the whole built graph: a child process sorts it into a temporary file
            # (published only if nothing is violated) while Oxigraph loads the inferred triples, then
            # runs the shapes and the checks side by side (queries do not hold Python's lock).
            sort = SortJob(project.built_graph, dump)
            try:
                load_inferred(loaded.store, inferred + derived)
                del inferred, derived
                say("validating (SHACL shapes as SPARQL, and quality checks) and sorting the built graph"
                    + (" (the on-disk store is written meanwhile)" if disk_job is not None else ""))
                # The checks' child is forked before the shapes query the store from another thread
                # (a fork while a thread is inside Oxigraph can inherit a held lock and hang).
                started = time.perf_counter()
                pending = start_store_checks(loaded.store, project.checks, locator, verdicts_in(project.build))
                try:
                    shacl = pool.submit(_timed, sparql_violations, loaded.store, project.shapes, locator)
                    checks_found = pending.violations()
                    report.parts["checks"] = time.perf_counter() - started
                except BaseException:
                    pending.cancel()
                    raise
                shacl_found, report.parts["shacl"] = shacl.result()
            except BaseException:
                sort.cancel()  # the error (or Ctrl-C) is what the user sees, not a sort cut short
                raise
            sorted_tmp, _count, report.parts["sort"] = sort.result()
        report.violations = shacl_found + checks_found
        lap("validate")
        if report.violations and disk_job is not None:
            disk_job.cancel()  # nothing is written: the previous build's store stays
            disk_job = None
        del loaded, locator, shacl, pending  # free the store while the on-disk one is written
        _release_freed_memory()

        if not report.violations:
            say(f"writing {project.built_graph}")
            publish(sorted_tmp, project.built_graph)
            sorted_tmp = None
            write_kept(project.built_graph, kept_table)
            lap("write")
            if disk_job is not None:
                say(f"writing the on-disk store {store_dir(project.built_graph)}")
                job, disk_job = disk_job, None
                job.finish(project.built_graph)
            else:
                remove_disk_store(project.built_graph)
            report.written = True
        if report.written and staged is not None and key is not None:
            finish_full_cache(project, key, *staged, report)
            staged = None
        elif report.written:
            drop_cache(project)
    finally:
        if disk_job is not None:
            disk_job.cancel()
        dump.unlink(missing_ok=True)
        if staged is not None:
            shutil.rmtree(staged[0], ignore_errors=True)
        if sorted_tmp is not None:
            sorted_tmp.unlink(missing_ok=True)
    lap("store" if disk_store and report.written else "write")  # a small graph has no on-disk store: no "store" step
    return report


def _is_roll_call(store: ox.Store, subject: str) -> bool:
    """Whether an N-Triples subject is a General Assembly roll call (typed ``diplo:RollCall``) in the store."""
    if not subject.startswith("<"):
        return False
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    roll_call = ox.NamedNode("https://w3id.org/diplokg/ontology#RollCall")
    return next(iter(store.quads_for_pattern(ox.NamedNode(subject[1:-1]), rdf_type, roll_call)), None) is not None


def _timed(function: Callable[..., T], *args: object) -> tuple[T, float]:
    """Call ``function(*args)`` and return its result with the seconds it took."""
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def _release_freed_memory() -> None:
    """Hand memory freed by the store back to the operating system (glibc keeps it otherwise, and the
    on-disk store's bulk loader, next, needs about a gigabyte at a million triples)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)
