"""A reloaded build is prepared (its questions answered ahead) before it is swapped in, and served
even when preparing it fails."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from kg.serve.live import LiveGraph, MemoryGraph

EXTRA = ('<urn:diplokg:test> <http://www.w3.org/2000/01/rdf-schema#label> "added" '
         '<https://w3id.org/diplokg/graph/ontology> .\n')


def _publish(build: Path) -> None:
    fresh = build.with_suffix(".tmp")
    fresh.write_bytes(build.read_bytes() + EXTRA.encode())
    os.replace(fresh, build)


def test_a_new_build_is_prepared_before_it_is_served(small_build: Path, tmp_path: Path) -> None:
    build = tmp_path / "diplokg.nq"
    shutil.copy(small_build / "diplokg.nq", build)
    live = LiveGraph(build, interval=0.0)
    seen: list[tuple[int, int]] = []

    def prepare(fresh: MemoryGraph) -> None:
        seen.append((fresh.generation, live.graph.generation))  # the old build is still the one served

    live.prepare = prepare
    first = live.graph.generation
    _publish(build)
    assert live.wait_reloaded(1)
    assert len(seen) == 1 and seen[0][1] == first and seen[0][0] == live.graph.generation != first
    assert live.last_error is None


def test_a_build_that_cannot_be_prepared_is_served_all_the_same(small_build: Path, tmp_path: Path) -> None:
    build = tmp_path / "diplokg.nq"
    shutil.copy(small_build / "diplokg.nq", build)
    live = LiveGraph(build, interval=0.0)

    def prepare(fresh: MemoryGraph) -> None:
        raise RuntimeError("no answers today")

    live.prepare = prepare
    quads = live.graph.quads
    _publish(build)
    assert live.wait_reloaded(1)
    assert live.graph.quads == quads + 1
    assert live.last_error is not None and "no answers today" in live.last_error
