"""The server's pages are made from queries run in its contained workers: the server's own threads
never query the store (a worker forked while one of them did could inherit a lock held inside
Oxigraph and hang)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from kg.cli.serve import explorer_page
from kg.network.world import WorldData
from kg.network.worldgraph import world_data
from kg.query.engine import BuiltGraph
from kg.query.sandbox import Limits
from kg.serve.app import Server, Settings
from kg.serve.live import LiveGraph

ROOT = Path(__file__).resolve().parent.parent.parent


class _Untouchable:
    """Stands for the store once the workers are forked: any use in the server's own process fails (a
    child forked later, per query, may use it: it is the store there)."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self._server = os.getpid()

    def __getattr__(self, name: str) -> Any:
        if os.getpid() == self._server:
            raise AssertionError(f"the server's process used the store ({name})")
        return getattr(self._store, name)


def test_the_world_view_is_read_through_the_workers(small_build: Path) -> None:
    nquads = small_build / "diplokg.nq"
    expected = world_data(BuiltGraph(nquads).store)
    assert expected is not None and expected.states and expected.missions
    live = LiveGraph(nquads, workers=2, memory_mib=1024)
    made: list[WorldData | None] = []

    def explorer(graph: BuiltGraph, rows: Any) -> str:
        made.append(world_data(rows))
        return "page"

    settings = Settings(queries=ROOT / "queries", limits=Limits(timeout=60, memory_mib=1024, max_rows=None),
                        explorer=explorer)
    server = Server(live, settings)
    try:
        live.graph._store = _Untouchable(live.graph.store)  # type: ignore[assignment]  # after the workers' fork
        assert server.cached("explorer", explorer) == "page"
    finally:
        live.graph.stop_workers()
    assert made == [expected]


def test_the_explorer_page_is_made_through_the_workers(small_build: Path) -> None:
    """`diplokg serve`'s own explorer page, with the store out of the server's reach: the page is the
    one made in process, world view included."""
    nquads = small_build / "diplokg.nq"
    live = LiveGraph(nquads, workers=2, memory_mib=1024)
    settings = Settings(queries=ROOT / "queries", limits=Limits(timeout=60, memory_mib=1024, max_rows=None),
                        explorer=explorer_page)
    server = Server(live, settings)
    try:
        made_here = explorer_page(live.graph, lambda text: [])  # the network alone, in process
        live.graph._store = _Untouchable(live.graph.store)  # type: ignore[assignment]
        page = server.cached("explorer", explorer_page)
    finally:
        live.graph.stop_workers()
    assert "diplokgWorld" in page and "diplokgWorld" not in made_here


def test_the_explorer_is_the_same_from_the_disk_and_from_memory(world_built: Any) -> None:
    """A fact two sources label differently (South Africa's DPRK embassy, named by Wikidata and by the
    closures table) gets the same label whichever store answers: the rule orders its rows by every
    column (by fact, position and text alone, the on-disk and the in-memory store chose differently)."""
    from kg.network.graph import explorer_graph
    from kg.serve.live import MemoryGraph

    nquads = world_built.graph.path
    on_disk, in_memory = explorer_graph(BuiltGraph(nquads)), explorer_graph(MemoryGraph(nquads))
    assert sorted(on_disk.edges(data=True), key=repr) == sorted(in_memory.edges(data=True), key=repr)
    assert sorted(on_disk.nodes(data=True), key=repr) == sorted(in_memory.nodes(data=True), key=repr)
