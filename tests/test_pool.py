"""Pre-forked contained workers (kg.query.pool): each worker keeps the containment of a forked child
(no network, no inherited socket, a memory ceiling, a time limit), a worker that breaks a limit is
replaced, and answers through the pool are the answers of a child forked per query."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import pytest
from tests_support import Listener

from kg.errors import QueryError, QueryMemoryExceeded, QueryTimeout, TooManyRows
from kg.query.engine import BuiltGraph, oxigraph_handler
from kg.query.gate import vet
from kg.query.pool import PoolClosed, WorkerPool
from kg.query.sandbox import Limits

LIMITS = Limits(timeout=30, memory_mib=100, max_rows=None)
_KEPT: list[bytearray] = []


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def _pool(handler: Any, size: int = 1, memory_mib: int | None = 100) -> WorkerPool:
    return WorkerPool(handler, size, memory_mib)


def _lock_available() -> bool:
    def probe(_: object) -> bytes:
        try:
            socket.socket().close()
        except PermissionError:
            return b"locked"
        return b"open"

    pool = _pool(probe)
    try:
        return pool.run(None, LIMITS) == b"locked"
    finally:
        pool.close()


needs_lock = pytest.mark.skipif(not _lock_available(), reason="no seccomp here: the network lock is unavailable")


@needs_lock
def test_a_worker_cannot_open_a_socket(listener: Listener) -> None:
    host, port = listener.server.server_address[:2]

    def connect(_: object) -> bytes:
        with socket.create_connection((host, port), timeout=5):
            return b"connected"

    pool = _pool(connect)
    try:
        for _ in range(2):  # the second request goes to the same worker: the lock stays
            with pytest.raises(QueryError, match="Operation not permitted"):
                pool.run(None, LIMITS)
    finally:
        pool.close()
    assert listener.hits == []


def test_a_worker_holds_none_of_the_parents_sockets(listener: Listener) -> None:
    """The listening socket the parent holds (a server's) is closed in every worker."""

    def sockets(_: object) -> bytes:
        found = []
        for fd in os.listdir("/proc/self/fd"):
            with contextlib.suppress(FileNotFoundError):  # listdir's own descriptor, closed by now
                found.append(os.readlink(f"/proc/self/fd/{fd}"))
        return json.dumps([link for link in found if link.startswith("socket:")]).encode()

    assert os.path.exists("/proc/self/fd")
    assert listener.server.socket.fileno() > 2  # the parent holds a listening socket
    pool = _pool(sockets)
    try:
        assert json.loads(pool.run(None, LIMITS)) == []
    finally:
        pool.close()


def test_the_time_limit_kills_and_replaces_the_worker() -> None:
    def pid_or_wait(request: str) -> bytes:
        if request == "wait":
            time.sleep(3600)
        return str(os.getpid()).encode()

    pool = _pool(pid_or_wait)
    try:
        first = int(pool.run("pid", LIMITS))
        with pytest.raises(QueryTimeout, match=r"longer than 0\.5 s"):
            pool.run("wait", Limits(timeout=0.5, memory_mib=100))
        assert pool.replaced == 1
        with pytest.raises(ProcessLookupError):
            os.kill(first, 0)
        second = int(pool.run("pid", LIMITS))
        assert second != first
    finally:
        pool.close()


def test_the_memory_ceiling_ends_the_query_and_the_worker() -> None:
    def eat(_: object) -> bytes:
        return bytes(bytearray(400 * 1024 * 1024))[:1]

    pool = _pool(eat)
    try:
        with pytest.raises(QueryMemoryExceeded, match="more than 100 MiB"):
            pool.run(None, LIMITS)
        assert pool.replaced == 1
    finally:
        pool.close()


def test_a_worker_that_grew_is_replaced_after_its_answer() -> None:
    """A worker whose memory grew by a quarter of its ceiling answers, then makes way for a fresh one."""

    def leak(request: str) -> bytes:
        if request == "leak":
            _KEPT.append(bytearray(40 * 1024 * 1024))
        return b"done"

    pool = _pool(leak)
    try:
        assert pool.run("small", LIMITS) == b"done"
        assert pool.replaced == 0
        assert pool.run("leak", LIMITS) == b"done"
        assert pool.replaced == 1
    finally:
        pool.close()


def test_our_errors_keep_their_class_and_the_worker() -> None:
    def refuse(_: object) -> bytes:
        raise TooManyRows("too many, said the worker")

    pool = _pool(refuse)
    try:
        with pytest.raises(TooManyRows, match="said the worker"):
            pool.run(None, LIMITS)
        assert pool.replaced == 0
    finally:
        pool.close()


def test_an_interrupted_caller_leaves_no_worker_running() -> None:
    """Ctrl-C while a worker runs: the worker is killed (not left to finish) and replaced."""

    def wait(_: object) -> bytes:
        time.sleep(3600)
        return b""

    pool = _pool(wait)
    # Ctrl-C raises KeyboardInterrupt here even when the tests were started with SIGINT ignored (a
    # background job of a shell): else the query would wait for its hour.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        deadline = time.monotonic() + 60
        while not pool._idle and time.monotonic() < deadline:
            time.sleep(0.05)
        worker = pool._idle[0]  # the one worker, to know its process
        threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()
        with pytest.raises(KeyboardInterrupt):
            pool.run(None, Limits(timeout=None, memory_mib=100))
        assert pool.replaced == 1
        with pytest.raises(ProcessLookupError):
            os.kill(worker.pid, 0)
    finally:
        signal.signal(signal.SIGINT, previous)
        pool.close()


def test_a_closed_pool_refuses_and_its_workers_end() -> None:
    pool = _pool(lambda _: b"x", size=2)
    assert pool.run(None, LIMITS) == b"x"
    pool.close()
    with pytest.raises(PoolClosed):
        pool.run(None, LIMITS)
    pool._keeper.join(30)
    assert not pool._keeper.is_alive()


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_answers_through_workers_are_those_of_a_child_per_query(built: Any, fmt: str) -> None:
    graph = BuiltGraph(built.graph.path)
    query = vet("PREFIX diplo: <https://w3id.org/diplokg/ontology#> "
                "SELECT ?m ?h WHERE { ?m diplo:host ?h } ORDER BY ?m ?h", graph.graph_names())
    forked = graph.results(query, fmt, limits=LIMITS)
    rows = graph.run(query, limits=LIMITS).rows
    graph.workers = WorkerPool(oxigraph_handler(graph.store), 2, 100)
    try:
        assert graph.results(query, fmt, limits=LIMITS) == forked
        assert graph.run(query, limits=LIMITS).rows == rows
        parsed = ox.parse_query_results(forked, format=ox.QueryResultsFormat.JSON) if fmt == "json" else None
        if parsed is not None:
            assert len(list(parsed)) == len(rows) > 0
        with pytest.raises(TooManyRows, match="more than 3 rows"):
            graph.results(query, fmt, limits=Limits(timeout=30, memory_mib=100, max_rows=3))
        graph.workers.close()
        assert graph.results(query, fmt, limits=LIMITS) == forked  # a closed pool: a child per query again
    finally:
        graph.workers.close()


def _niceness_after(work: tuple[str, float]) -> bytes:
    """A handler's work: wait or compute for so many seconds, then tell its own niceness."""
    how, seconds = work
    if how == "wait":
        time.sleep(seconds)
    else:
        began = time.process_time()
        while time.process_time() - began < seconds:
            pass
    return str(os.getpriority(os.PRIO_PROCESS, 0)).encode()


def test_a_long_query_yields_the_processor_and_its_worker_gets_it_back() -> None:
    from kg.query.turns import YIELD_NICENESS, YIELD_SECONDS

    own = os.getpriority(os.PRIO_PROCESS, 0)
    pool = _pool(_niceness_after)
    try:
        # A short query keeps its priority; so does one that waits (what counts is processor time).
        assert pool.run(("compute", 0.0), LIMITS) == str(own).encode()
        assert pool.run(("wait", YIELD_SECONDS + 0.6), LIMITS) == str(own).encode()
        assert pool.run(("compute", YIELD_SECONDS + 0.6), LIMITS) == str(min(19, own + YIELD_NICENESS)).encode()
        # The next query runs at the first priority again: in the same worker, raised again where the
        # system lets this process do that, else in a new worker.
        assert pool.run(("compute", 0.0), LIMITS) == str(own).encode()
        assert pool.replaced == (0 if os.geteuid() == 0 else 1)
    finally:
        pool.close()


# -- fair turns (issue 23: 100 queries with 25 runaways made a normal one wait 30 s) ---------------------

def _spin_or_answer(request: str) -> bytes:
    """``spin``: burn processor time for ten minutes (a runaway); else answer at once."""
    if request == "spin":
        end = time.monotonic() + 600
        while time.monotonic() < end:
            pass
    return request.encode()


class _Asked(threading.Thread):
    """One request to a pool in a thread of its own: its answer or its error."""

    def __init__(self, pool: WorkerPool, request: str, timeout: float | None = 60.0, flow: str = "",
                 movable: bool = True) -> None:
        super().__init__(daemon=True)
        self.pool, self.request, self.limits = pool, request, Limits(timeout=timeout, memory_mib=100)
        self.flow, self.movable = flow, movable
        self.answer: bytes | None = None
        self.error: Exception | None = None
        self.start()

    def run(self) -> None:
        try:
            self.answer = self.pool.run(self.request, self.limits, wait=120, flow=self.flow, movable=self.movable)
        except Exception as exc:
            self.error = exc


def _ready(pool: WorkerPool, count: int) -> None:
    deadline = time.monotonic() + 60
    while len(pool._idle) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_runaway_gives_its_turn_to_a_query_that_waits() -> None:
    """One turn, one long place: a runaway holding the turn goes aside once a query waits, which is then
    answered while the runaway still runs (its turn was not held until its time limit)."""
    pool = WorkerPool(_spin_or_answer, 1, 100, long=1)
    try:
        _ready(pool, 2)
        runaway = _Asked(pool, "spin")
        while pool.stats()["running"] < 1:
            time.sleep(0.01)
        quick = _Asked(pool, "quick")
        quick.join(120)
        assert quick.answer == b"quick"
        assert runaway.is_alive() and pool.stats()["running_long"] == 1
    finally:
        pool.close()


def test_the_servers_own_queries_keep_their_turn() -> None:
    """A library question (not movable) is never moved aside nor stopped to make room, however long it
    runs: only its time limit ends it (fresh-valued questions were stopped while others waited)."""
    pool = WorkerPool(_spin_or_answer, 1, 100, long=1)
    try:
        _ready(pool, 2)
        question = _Asked(pool, "spin", timeout=2.0, movable=False)
        while pool.stats()["running"] < 1:
            time.sleep(0.01)
        quick = _Asked(pool, "quick")
        question.join(120)
        quick.join(120)
        assert isinstance(question.error, QueryTimeout) and "longer than 2 s" in str(question.error)
        assert quick.answer == b"quick" and pool.stats()["stopped"] == 0
    finally:
        pool.close()


def test_when_long_places_are_full_the_first_started_is_stopped() -> None:
    """Two runaways and one long place: when the second goes aside, the first (started first) is stopped
    with one line, and the queries that wait are answered."""
    pool = WorkerPool(_spin_or_answer, 1, 100, long=1)
    try:
        _ready(pool, 2)
        first = _Asked(pool, "spin")
        while pool.stats()["running"] < 1:
            time.sleep(0.01)
        assert _Asked(pool, "quick").join(120) is None
        second = _Asked(pool, "spin")
        while pool.stats()["running"] < 1:
            time.sleep(0.01)
        quick = _Asked(pool, "quick")
        quick.join(120)
        first.join(120)
        assert quick.answer == b"quick"
        assert isinstance(first.error, QueryTimeout)
        assert "stopped after" in str(first.error) and "to let other queries run" in str(first.error)
        assert second.is_alive() and pool.stats()["stopped"] == 1
    finally:
        pool.close()


def _stamped(request: str) -> bytes:
    """``spin`` as above; else the request and when the worker answered it (the clock is the machine's)."""
    if request == "spin":
        return _spin_or_answer(request)
    return f"{request} {time.monotonic()!r}".encode()


def _queue(pool: WorkerPool, asked: list[tuple[str, str]]) -> dict[str, float]:
    """Hold the one turn with a runaway, queue ``asked`` (request, flow) in that order, let the runaway
    be stopped at its time limit; when the worker answered each request."""
    blocker = _Asked(pool, "spin", timeout=1.0)  # holds the one turn for its second (no long place)
    while pool.stats()["running"] < 1:
        time.sleep(0.01)
    threads = []
    for n, (request, flow) in enumerate(asked):
        threads.append(_Asked(pool, request, flow=flow))
        while pool.stats()["waiting"] < n + 1:
            time.sleep(0.01)
    for thread in threads:
        thread.join(120)
    blocker.join(120)
    assert isinstance(blocker.error, QueryTimeout)
    return {t.request: float(t.answer.split()[1]) for t in threads if t.answer}


def test_turns_are_given_in_the_order_asked() -> None:
    pool = WorkerPool(_stamped, 1, 100, long=0)
    try:
        _ready(pool, 1)
        answered = _queue(pool, [(f"q{n}", "") for n in range(5)])
        assert sorted(answered, key=answered.__getitem__) == [f"q{n}" for n in range(5)]
    finally:
        pool.close()


def test_a_flood_of_one_kind_does_not_hold_up_another() -> None:
    """Flows are served round-robin: a query of another kind, asked after five of one kind, is answered
    second, not sixth."""
    pool = WorkerPool(_stamped, 1, 100, long=0)
    try:
        _ready(pool, 1)
        answered = _queue(pool, [*((f"a{n}", "flood") for n in range(5)), ("b", "other")])
        assert sorted(answered, key=answered.__getitem__) == ["a0", "b", "a1", "a2", "a3", "a4"]
    finally:
        pool.close()


def test_no_turn_in_time_is_busy_with_one_line() -> None:
    pool = WorkerPool(_spin_or_answer, 1, 100, long=0)
    try:
        _ready(pool, 1)
        blocker = _Asked(pool, "spin", timeout=30.0)
        while pool.stats()["running"] < 1:
            time.sleep(0.01)
        with pytest.raises(QueryTimeout, match=r"busy: no turn came free in 0\.2 s"):
            pool.run("quick", LIMITS, wait=0.2)
        assert blocker.is_alive()
    finally:
        pool.close()


def _huge_pages_available() -> bool:
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled", encoding="ascii") as setting:
            chosen = setting.read()
    except OSError:
        return False
    release = tuple(int(p) for p in os.uname().release.split(".")[:2] if p.isdigit())
    return "[never]" not in chosen and release >= (6, 1)


def _anon_huge_kib() -> int:
    with open("/proc/self/smaps_rollup", encoding="ascii") as rollup:
        return next(int(line.split()[1]) for line in rollup if line.startswith("AnonHugePages:"))


@pytest.mark.skipif(not _huge_pages_available(), reason="no transparent huge pages to ask for (Linux 6.1)")
def test_a_graph_in_memory_is_moved_to_huge_pages_before_the_forks() -> None:
    """Forking copies page tables: 50-115 ms for a server holding the world's 1.5M quads, 2-6 ms once its
    memory is on huge pages (bench/serve_attack.py); and every worker stopped at a limit is a fork."""
    from kg.query.pool import prefer_huge_pages

    held = bytearray(os.urandom(1024)) * (96 * 1024)  # 96 MiB, written: resident
    before = _anon_huge_kib()
    assert prefer_huge_pages() >= 64 * 1024 * 1024
    assert _anon_huge_kib() - before >= 32 * 1024
    del held


def test_a_querys_shape_is_its_kind() -> None:
    """The server's flows: runaways that differ by a number or a name are one kind; a query of another
    structure is another; only the first characters are read."""
    from kg.query.gated import SHAPE_CHARS, shape

    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 1"
    assert shape(runaway) == shape(runaway.replace("?n", "?total").replace("LIMIT 1", "LIMIT 99"))
    assert shape(runaway) != shape("SELECT ?m WHERE { ?m a <http://x/E> } ORDER BY ?m LIMIT 1")
    long = "ASK { " + "?s ?p ?o . " * SHAPE_CHARS
    assert shape(long + "FILTER(1)") == shape(long + '"\\"' * 1000)
