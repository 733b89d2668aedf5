"""Writing what a build leaves for the next one: the cache after a full build, and a cached
rebuild's built graph, on-disk store and cache (:mod:`kg.build.cached`)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox

from kg.alignment.kept import carried_table, write_kept
from kg.buildreport import BuildReport, Progress
from kg.namespaces import INFERRED_GRAPH
from kg.paths import Project
from kg.reason.split import SplitClosure
from kg.store import files
from kg.store.cache import Cached, Manifest, MergeJob, commit_cache, remove_cache, stage_cache, write_cache
from kg.store.files import (
    fresh_disk_store,
    publish,
    remove_disk_store,
    swap_disk_store,
    updated_store_copy,
    write_disk_store,
)


def graph_of(line: bytes) -> str:
    """The graph IRI of an N-Quads line (every quad of a build is in a named graph)."""
    return line.rsplit(b" ", 2)[-2][1:-1].decode("utf-8")


def graph_term(line: bytes) -> bytes:
    """The graph of an N-Quads line of a build (``... <G> .``) as its bytes ``<G>``, with no decoding:
    the last `` <`` of a line starts its graph (a literal's text comes before it)."""
    return line[line.rfind(b" <") + 1:-2]


def graphs_of(lines: list[bytes]) -> set[str]:
    """The graph IRIs of N-Quads lines of a build (each distinct graph decoded once)."""
    return {term[1:-1].decode("utf-8") for term in {graph_term(line) for line in lines}}


def _parse(lines: list[bytes]) -> list[ox.Quad]:
    text = b"".join(line + b"\n" for line in lines)
    return list(ox.parse(text, format=ox.RdfFormat.N_QUADS))  # type: ignore[arg-type]


def stage_full_cache(
    project: Project, split: SplitClosure, world: list[str], report: BuildReport
) -> tuple[Path, Manifest]:
    """Stage the cache of a full build as soon as its closure is known (so that the build can free
    the closure's lines at once); :func:`kg.store.cache.commit_cache` finishes it once the built
    file is written. ``report`` has the asserted and inferred counts; the derived count and the
    quads of W's part are completed by :func:`finish_full_cache`."""
    tail = f" <{INFERRED_GRAPH}> ."
    rest = sorted(line.encode("utf-8") for line in [*split.rest, *(i + tail for i in split.lines)])
    manifest = Manifest(
        key="",
        stamp="",
        world=world,
        rest_graphs=sorted(graphs_of(rest)),
        base_quads=report.asserted + report.inferred - len(rest),
        asserted=report.asserted - len(split.rest),
        derived=0,
    )
    return stage_cache(project.built_graph, rest, split.world_lines, split.indexed), manifest


def finish_full_cache(project: Project, key: str, staged: Path, manifest: Manifest, report: BuildReport) -> None:
    """Move a staged full build's cache into place (the build was written)."""
    manifest.key, manifest.derived = key, report.derived
    manifest.base_quads += report.derived
    commit_cache(project.built_graph, staged, manifest)


def drop_cache(project: Project) -> None:
    """Remove the cache (a build that cannot be cached was written)."""
    remove_cache(project.built_graph)


def publish_rebuild(
    project: Project,
    say: Progress,
    report: BuildReport,
    cached: Cached,
    new_rest: list[bytes],
    removed: list[bytes],
    added: list[bytes],
    merge: MergeJob,
) -> None:
    """Write a cached rebuild: the merged sorted N-Quads (``merge``, started earlier), the updated
    on-disk store (or a new one, or none, as the size asks), then the cache; each moved into place whole."""
    nquads = project.built_graph
    say(f"writing {nquads} (the previous file's unchanged lines merged with the new ones)")
    merged_file = merge.result()
    merged: Path | None = merged_file  # to remove if anything fails before it is moved into place
    total = cached.manifest.base_quads + len(new_rest)
    store_copy: Path | None = None
    try:
        if total >= files.DISK_STORE_MIN_QUADS and fresh_disk_store(nquads) is not None:
            inferred = str(INFERRED_GRAPH)
            graphs = graphs_of(removed + added) - {inferred}
            terms = {f"<{g}>".encode() for g in graphs}
            inferred_term = f"<{inferred}>".encode()
            store_copy = updated_store_copy(
                nquads,
                sorted(graphs),
                _parse([line for line in removed if graph_term(line) == inferred_term]),
                _parse([line for line in new_rest if graph_term(line) in terms]
                       + [line for line in added if graph_term(line) == inferred_term]),
            )
            report.reused.append(f"the on-disk store (a checkpoint copy; {len(graphs)} source graphs replaced, "
                                 f"the inferred graph's difference applied)")
        kept = carried_table(nquads)  # the derived graph is the previous build's: so is its table
        publish(merged_file, nquads)
        merged = None
        write_kept(nquads, kept or b"")
        report.lap("write")
        if store_copy is not None:
            say("moving the updated on-disk store into place")
            swap_disk_store(nquads, store_copy)
            store_copy = None
        elif total >= files.DISK_STORE_MIN_QUADS:
            say("writing the on-disk store")
            write_disk_store(nquads, nquads)
        else:
            remove_disk_store(nquads)
        manifest = replace(cached.manifest, rest_graphs=sorted(graphs_of(new_rest)))
        write_cache(nquads, manifest, new_rest, cached.folder / "world-inferred.nt",
                    cached.folder / "world-index.marshal")
        report.written = True
        report.lap("store")
    finally:
        if merged is not None:
            merged.unlink(missing_ok=True)
        if store_copy is not None:
            import shutil

            shutil.rmtree(store_copy, ignore_errors=True)
