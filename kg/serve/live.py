"""The graph a server answers from: the build read into memory, replaced when a new build is published.

A build is published by renaming a finished file over ``build/diplokg.nq`` (atomic), so a changed
file (inode, size, modification time) is always a whole build. :class:`LiveGraph` checks for one at
most once per ``interval`` seconds; it reads the new build into a fresh in-memory store in a
background thread while requests go on being answered from the old one, lets the server prepare it
(:attr:`LiveGraph.prepare`: answer the questions that need no value), then swaps the reference.
A request holds the graph it started with until it ends, so no request is dropped or sees a mix.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from kg.errors import DiplokgError
from kg.query.engine import BuiltGraph
from kg.query.gated import handler
from kg.query.pool import WorkerPool, prefer_huge_pages

_GENERATIONS = itertools.count(1)


class MemoryGraph(BuiltGraph):
    """A build read whole into an in-memory Oxigraph store (never the on-disk store: a server keeps the
    graph in memory, where a look-up costs a fraction of one on disk).

    The graph names are read once here, in the server's process: queries themselves run in forked
    children (the pool's workers, see :meth:`start_workers`), so the server's threads never touch the
    store while a child may be forked.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        store = ox.Store()
        try:
            store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        except (OSError, SyntaxError, ValueError) as exc:
            raise DiplokgError(f"cannot read the build: {exc}", path=path) from None
        self._store = store
        self._names = sorted(URIRef(g.value) for g in store.named_graphs() if isinstance(g, ox.NamedNode))
        self.quads = len(store)
        #: Which load of a build this is (answers are kept per generation).
        self.generation = next(_GENERATIONS)

    def graph_names(self) -> list[URIRef]:
        """The names of every graph in the build, sorted (read once)."""
        return list(self._names)

    def start_workers(self, size: int, memory_mib: int | None, long: int = 0) -> None:
        """Fork contained workers over this graph (:class:`kg.query.pool.WorkerPool`: ``size`` turns and
        ``long`` places for long queries); its Oxigraph queries with this memory ceiling, and the
        server's requests (:mod:`kg.query.gated`: vetted there), run in them from now on."""
        if size > 0:
            prefer_huge_pages()  # before the first fork: each fork then copies far fewer page tables
            self.workers = WorkerPool(handler(self.store), size, memory_mib, long)

    def stop_workers(self) -> None:
        """End the workers once their queries end (a query asked later forks a child of its own)."""
        if self.workers is not None:
            self.workers.close()


@dataclass(frozen=True)
class Stamp:
    """What identifies one published build file."""

    inode: int
    size: int
    mtime_ns: int

    @staticmethod
    def of(path: Path) -> Stamp | None:
        """The file's stamp, or None when it is missing."""
        try:
            st = os.stat(path)
        except OSError:
            return None
        return Stamp(st.st_ino, st.st_size, st.st_mtime_ns)


class LiveGraph:
    """The current build, reloaded in the background when a new one is published.

    Args:
        path: The built ``.nq`` file.
        interval: Seconds between checks for a new build.
        workers: Turns of the contained workers forked for each loaded build (0: a child forked per query).
        memory_mib: The workers' memory ceiling (the server's ``--max-memory``).
        long: Places for long queries beside the turns (the server's ``--max-long``).
    """

    def __init__(self, path: Path, interval: float = 1.0, workers: int = 0, memory_mib: int | None = None,
                 long: int = 0) -> None:
        #: Called with a freshly loaded build before it replaces the current one (the server answers its
        #: questions there, so that clients find them kept from the first request on the new build).
        self.prepare: Callable[[MemoryGraph], None] | None = None
        self.path = path
        self.interval = interval
        self.workers = workers
        self.memory_mib = memory_mib
        self.long = long
        self._stamp = Stamp.of(path)
        if self._stamp is None:
            raise DiplokgError("no build to serve: run `diplokg build` first", path=path)
        self._graph = MemoryGraph(path)
        self._graph.start_workers(workers, memory_mib, long)
        self.loaded_at = time.time()
        self.version = 1
        self._lock = threading.Lock()
        self._loading = False
        self._checked = time.monotonic()
        self.last_error: str | None = None

    @property
    def graph(self) -> MemoryGraph:
        """The graph to answer from now (a reload is started when the build changed)."""
        self._maybe_reload()
        return self._graph

    def _maybe_reload(self) -> None:
        now = time.monotonic()
        if now - self._checked < self.interval:
            return
        with self._lock:
            if self._loading or now - self._checked < self.interval:
                return
            self._checked = now
            stamp = Stamp.of(self.path)
            if stamp is None or stamp == self._stamp:
                return
            self._loading = True
        threading.Thread(target=self._reload, args=(stamp,), name="diplokg-reload", daemon=True).start()

    def _reload(self, stamp: Stamp) -> None:
        try:
            fresh = MemoryGraph(self.path)
            fresh.start_workers(self.workers, self.memory_mib, self.long)
        except DiplokgError as exc:
            self.last_error = str(exc)
        else:
            unprepared = None
            if self.prepare is not None:
                try:
                    self.prepare(fresh)  # the current build answers meanwhile
                except Exception as exc:  # answering ahead only saves time: the new build is served anyway
                    unprepared = f"the new build's questions were not answered ahead: {exc}"
            old, self._graph = self._graph, fresh
            old.stop_workers()  # its workers end when the requests that hold it are answered
            self._stamp = stamp
            self.version += 1
            self.loaded_at = time.time()
            self.last_error = unprepared
        finally:
            with self._lock:
                self._loading = False

    def wait_reloaded(self, version: int, timeout: float = 60.0) -> bool:
        """Wait until the graph's version passes ``version`` (for tests and tools)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._maybe_reload()
            if self.version > version:
                return True
            time.sleep(0.05)
        return False
