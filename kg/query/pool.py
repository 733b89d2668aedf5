"""Pre-forked contained workers for a server: the containment of :mod:`kg.query.sandbox` without a fork
per query, and turns given fairly, so that long queries cannot starve short ones.

Forking a process that holds a graph of a million triples costs most of 100 ms (the page tables are
copied), more than many questions take. A :class:`WorkerPool` forks its workers once, after the
graph is loaded, and hands each request to an idle one over a pipe.

Contract:

- Each worker is forked by a thread of the pool's own that lives as long as the pool (the
  parent-death signal is tied to the forking thread). Right after the fork it closes every file
  descriptor but its three pipes (the server's listening socket among them), contains itself as
  :func:`kg.query.sandbox.contained`'s child does (:func:`~kg.query.sandbox.contain_self`: the
  seccomp filter that forbids sockets, ``RLIMIT_DATA`` at what it holds plus ``memory_mib``, Ctrl-C
  ignored, death with the pool) and then answers requests one at a time: ``handler(request)`` must
  return bytes. Requests are pickled by the parent (the worker trusts its parent); answers come back
  as a JSON status line and the payload, never pickled, as from a contained child.
- :meth:`WorkerPool.run` raises as :func:`~kg.query.sandbox.contained` does (QueryTimeout,
  QueryMemoryExceeded, QueryError and our errors by class, KeyboardInterrupt). A worker is killed and
  replaced when its query passes the time limit, when it reaches its memory ceiling or dies, when the
  caller is interrupted while waiting, and when it has grown by a quarter of its ceiling (so that each
  query keeps most of the ceiling for itself).
- **Turns, fairly queued.** At most ``size`` queries hold a turn at once. The others wait in *flows*
  (a request names its own: the server uses a query's shape, so that one kind of query, however many
  are asked, cannot keep another kind waiting). A free turn goes to the waiting flow that has used the
  least processor time so far (its queries' own, as they run; a flow that has no query waiting or
  running is forgotten, and comes back level with the least served), each flow in order of arrival:
  a fair share of the processor for each kind of query, as a weighted fair queue gives each flow its
  share of a link. A query waits up to ``wait`` seconds, then QueryTimeout: busy.
- **Long queries aside.** A query that has used :data:`SHORT_SECONDS` of processor time (read from
  ``/proc``; where there is none, of time since it started) while others wait gives its turn up and
  goes on as a *long* query beside the turns, at a lower priority: at most ``long`` of them run at
  once, in workers of their own (the pool keeps ``size + long`` workers). When those places are full,
  the long query that started first (the newcomer included) is stopped (QueryTimeout: busy): a flood
  of runaway queries holds no turn for more than :data:`SHORT_SECONDS` of processor time each, never
  for a runaway's whole time limit. A pool with ``long=0`` keeps no such places: a query keeps its
  turn until it ends.
- A query that has used :data:`YIELD_SECONDS` of processor time yields the processor even when nobody
  waits: its worker's niceness is raised by :data:`YIELD_NICENESS` (as a long query's is), so that
  the short queries asked meanwhile are not slowed by it. When it ends, its worker's priority is
  raised again, or, where the system refuses that to an unprivileged process, the worker is replaced.
- :meth:`WorkerPool.close` ends idle workers at once and busy ones when their query ends; afterwards
  (and for the queries still waiting) :meth:`WorkerPool.run` raises :class:`PoolClosed` and the caller
  forks per query instead.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import pickle
import queue
import select
import signal
import struct
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

from kg.errors import DiplokgError, QueryError, QueryTimeout
from kg.query.sandbox import Limits, contain_self, data_size, exit_after, outcome, run_job

_LENGTH = struct.Struct(">Q")
#: Seconds a new worker may take to report itself ready before it is given up.
_READY_SECONDS = 60.0
#: Seconds of processor time a query uses before its worker yields the processor to the others.
YIELD_SECONDS = 1.0
#: Seconds of processor time a query may use in its turn while other queries wait for one (then it goes
#: on as a long query, beside the turns). Most library questions in memory use less (on the world's
#: 1.5 million quads, an ordered list of its 7,908 embassies 80-150 ms); a runaway more.
SHORT_SECONDS = 0.2
#: Processor seconds a turn counts for at least (``/proc`` counts in ticks of 10 ms: a short query may
#: read as none).
_TURN_COST = 0.005
#: Seconds between two looks at a running query's processor time.
_POLL = 0.05
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
#: How much less a worker whose query passed :data:`YIELD_SECONDS` is favoured: added to its niceness
#: (0 by default; 19, the least favoured, at most).
YIELD_NICENESS = 15


class PoolClosed(DiplokgError):
    """The pool was closed (a new build replaced its graph); run the query some other way."""


@dataclass
class _Worker:
    pid: int
    requests: int  # the parent writes requests here
    answers: int  # and reads answers here
    errors: int  # and the worker's stderr here
    base: int = 0  # the worker's data size when it was ready, in bytes
    reaped: bool = False  # it died and was waited for
    yielded: bool = False  # its query ran long and its priority was lowered


def _write(fd: int, data: bytes) -> None:
    view = memoryview(_LENGTH.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _read_exactly(fd: int, size: int) -> bytes | None:
    """In the worker: ``size`` bytes from ``fd``, or None at the end of the pipe."""
    parts: list[bytes] = []
    while size:
        block = os.read(fd, min(size, 1 << 20))
        if not block:
            return None
        parts.append(block)
        size -= len(block)
    return b"".join(parts)


def _worker_main(handler: Callable[[Any], bytes], memory_mib: int | None, fds: tuple[int, int, int]) -> NoReturn:
    """In a freshly forked worker: contain, report ready, answer requests until the pipe closes."""
    requests, answers, errors = fds

    def body() -> None:
        keep = sorted(fd for fd in fds if fd > 2)
        for low, high in zip([2, *keep], [*keep, 1 << 20]):
            if low + 1 < high:  # closerange(3, 0) would close everything from 3 on (close_range's -1)
                os.closerange(low + 1, high)
        note = contain_self(memory_mib, errors)
        _write(answers, json.dumps({"ready": True, "note": note, "data": data_size()}).encode() + b"\n")
        while True:
            size = _read_exactly(requests, _LENGTH.size)
            message = None if size is None else _read_exactly(requests, _LENGTH.unpack(size)[0])
            if message is None:
                break
            request = pickle.loads(message)
            head, payload = run_job(functools.partial(handler, request), note)
            head["data"] = data_size()
            _write(answers, json.dumps(head).encode() + b"\n" + payload)
            if head.get("error") == "QueryMemoryExceeded":
                break

    exit_after(body)


_MADV_HUGEPAGE = 14
_MADV_COLLAPSE = 25
_HUGE = 2 << 20


def prefer_huge_pages(least: int = 4 << 20) -> int:
    """Ask Linux to back this process's large anonymous mappings (a graph read into memory) with
    transparent huge pages, now (``MADV_COLLAPSE``, Linux 6.1) or in the background (``MADV_HUGEPAGE``).

    Forking copies a process's page tables: a server holding 1.5 million quads (450 MB) took 50-115 ms
    per fork (and as long again to tear a killed worker down), and every worker killed at a limit is
    replaced by a fork. Backed by 2 MB pages the same fork took 2-6 ms (``bench/serve_attack.py``);
    a worker that writes to a shared huge page gets a copy of 4 KB of it, as before. Nothing happens where
    the system has no ``madvise``, or transparent huge pages are off.

    Returns:
        The bytes asked to be collapsed.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        with open("/proc/self/maps", encoding="ascii") as maps:
            regions = [line.split() for line in maps]
    except (OSError, AttributeError):
        return 0
    asked = 0
    for fields in regions:
        if not fields[1].startswith("rw") or (len(fields) > 5 and fields[5] != "[heap]"):
            continue
        start, end = (int(x, 16) for x in fields[0].split("-"))
        start, end = (start + _HUGE - 1) & ~(_HUGE - 1), end & ~(_HUGE - 1)
        if end - start < least:
            continue
        if libc.madvise(start, end - start, _MADV_HUGEPAGE) == 0:
            libc.madvise(start, end - start, _MADV_COLLAPSE)  # refused before Linux 6.1: khugepaged does it later
            asked += end - start
    return asked


def _cpu_seconds(pid: int) -> float | None:
    """Processor time ``pid`` has used (user and system), or None where ``/proc`` does not tell."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rpartition(b")")[2].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime: fields 14 and 15 of stat
    except (OSError, IndexError, ValueError):
        return None


def _restored(worker: _Worker, niceness: int) -> bool:
    """Whether ``worker`` runs at its first priority, ``niceness`` (raised again if its query had yielded)."""
    if not worker.yielded:
        return True
    try:
        os.setpriority(os.PRIO_PROCESS, worker.pid, niceness)
    except OSError:  # an unprivileged process may lower its priority, not raise it
        return False
    worker.yielded = False
    return True


@dataclass
class _Running:
    """A query in a worker: where it stands in the turns."""

    worker: _Worker
    started: float
    cpu0: float | None
    used: float = 0.0  # processor seconds so far (as last read)
    long: bool = False  # it gave its turn up and runs beside the turns
    stopped: str = ""  # why it was stopped to make room (set by whoever stopped it)
    flow: str = ""
    counted: float = 0.0  # processor seconds already counted to its flow

    def measure(self) -> float:
        now = _cpu_seconds(self.worker.pid) if self.cpu0 is not None else None
        self.used = now - self.cpu0 if now is not None and self.cpu0 is not None else time.monotonic() - self.started
        return self.used


class WorkerPool:
    """Contained workers over state the parent holds, with fair turns (see the module's contract).

    Args:
        handler: Called in a worker with each request; returns the answer's bytes.
        size: Turns: queries run at once at full priority.
        memory_mib: MiB each worker may allocate on top of what it inherited (None: no ceiling).
        long: Places for long queries beside the turns (0: a query keeps its turn until it ends).
    """

    def __init__(self, handler: Callable[[Any], bytes], size: int, memory_mib: int | None, long: int = 0) -> None:
        self.handler = handler
        self.size = size
        self.long = long
        self.memory_mib = memory_mib
        self.replaced = 0
        #: Long queries stopped to make room for others.
        self.stopped = 0
        self.note = ""
        self._niceness = os.getpriority(os.PRIO_PROCESS, 0)  # the workers' own, as forked
        self._idle: list[_Worker] = []
        #: The waiting queries by flow (in order of arrival), and the processor seconds each flow with a
        #: query waiting or running has used.
        self._flows: OrderedDict[str, deque[object]] = OrderedDict()
        self._served: dict[str, float] = {}
        self._active: dict[str, int] = {}  # queries running per flow
        self._waiting = 0
        self._turns = 0  # queries holding a turn
        self._longs: list[_Running] = []
        self._wanted: queue.Queue[bool] = queue.Queue()
        self._busy = 0
        self._closed = False
        self._state = threading.Condition()
        for _ in range(size + long):
            self._wanted.put(True)
        self._keeper = threading.Thread(target=self._keep, name="diplokg-workers", daemon=True)
        self._keeper.start()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def stats(self) -> dict[str, int]:
        """Turns, long places, queries waiting and running, workers replaced and long queries stopped."""
        with self._state:
            return {"size": self.size, "long": self.long, "idle": len(self._idle), "waiting": self._waiting,
                    "flows": len(self._flows), "running": self._turns, "running_long": len(self._longs),
                    "replaced": self.replaced, "stopped": self.stopped}

    # -- the keeper thread: forks workers, and ends them when the pool closes --------------------
    def _keep(self) -> None:
        while self._wanted.get():
            if self._closed:
                continue
            try:
                worker = self._spawn()
            except OSError:
                time.sleep(1.0)  # no process or pipe to be had now: try again
                self._wanted.put(True)
                continue
            if worker is not None:
                with self._state:
                    self._idle.append(worker)
                    self._state.notify_all()
            else:
                time.sleep(1.0)  # it died or hung before it was ready: try again, without a busy loop
                self._wanted.put(True)
        with self._state:
            self._state.wait_for(lambda: self._busy == 0)
            idle, self._idle = self._idle, []
        for worker in idle:
            self._end(worker)

    def _spawn(self) -> _Worker | None:
        """Fork one worker and wait until it is contained and ready (None if it never was)."""
        requests_r, requests_w = os.pipe()
        answers_r, answers_w = os.pipe()
        errors_r, errors_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            _worker_main(self.handler, self.memory_mib, (requests_r, answers_w, errors_w))
        for fd in (requests_r, answers_w, errors_w):
            os.close(fd)
        worker = _Worker(pid, requests_w, answers_r, errors_r)
        try:
            data, _ = self._receive(_Running(worker, time.monotonic(), None), time.monotonic() + _READY_SECONDS)
        except QueryTimeout:
            data = None
        if data is None:
            self._end(worker)
            return None
        head = json.loads(data.partition(b"\n")[0])
        worker.base = int(head.get("data", 0))
        self.note = str(head.get("note") or "")
        return worker

    def _end(self, worker: _Worker) -> None:
        if not worker.reaped:
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(worker.pid, 0)
            worker.reaped = True
        for fd in (worker.requests, worker.answers, worker.errors):
            with contextlib.suppress(OSError):
                os.close(fd)

    def _replace(self, worker: _Worker) -> None:
        self._end(worker)
        self.replaced += 1
        self._wanted.put(True)

    # -- turns ------------------------------------------------------------------------------------
    def _next_flow(self) -> str | None:
        """The waiting flow whose turn it is: the least served (the first to wait among equals)."""
        if not self._flows:
            return None
        return min(self._flows, key=lambda f: self._served.get(f, 0.0))

    def _join(self, flow: str) -> None:
        """A flow gets a query waiting or running: a forgotten flow comes back level with the least served."""
        if flow not in self._served:
            known = [self._served[f] for f in self._served]
            self._served[flow] = min(known) if known else 0.0

    def _forget(self, flow: str) -> None:
        if flow not in self._flows and not self._active.get(flow):
            self._served.pop(flow, None)
            self._active.pop(flow, None)

    def _take_turn(self, wait: float, flow: str) -> _Worker:
        """Wait for a turn and an idle worker (see the module's contract)."""
        me = object()
        with self._state:
            self._join(flow)
            self._flows.setdefault(flow, deque()).append(me)
            self._waiting += 1

            def mine() -> bool:
                return self._closed or (self._next_flow() == flow and self._flows[flow][0] is me
                                        and self._turns < self.size and bool(self._idle))

            try:
                ready = self._state.wait_for(mine, timeout=wait)
            finally:
                queue = self._flows[flow]
                queue.remove(me)
                self._waiting -= 1
                if not queue:
                    del self._flows[flow]
                if ready and not self._closed:
                    self._active[flow] = self._active.get(flow, 0) + 1
                    self._served[flow] += _TURN_COST  # among flows as served, turns go round
                self._forget(flow)
                self._state.notify_all()
            if self._closed:
                raise PoolClosed("the query workers were closed")
            if not ready:
                raise QueryTimeout(f"busy: no turn came free in {wait:g} s ({self.size} queries at once, "
                                   f"{len(self._longs)} long ones beside them); try again")
            self._turns += 1
            self._busy += 1
            return self._idle.pop()

    def _count(self, running: _Running) -> None:
        """Add what ``running`` used since last counted to its flow (with the lock held)."""
        if running.used > running.counted and running.flow in self._served:
            self._served[running.flow] += running.used - running.counted
            running.counted = running.used

    def _lower(self, worker: _Worker) -> None:
        """Raise ``worker``'s niceness by :data:`YIELD_NICENESS` (once)."""
        if not worker.yielded:
            with contextlib.suppress(OSError):  # it may have just ended
                os.setpriority(os.PRIO_PROCESS, worker.pid, min(19, self._niceness + YIELD_NICENESS))
                worker.yielded = True

    def _watch(self, running: _Running) -> None:
        """Between two reads of an answer: yield the processor, give the turn up, make room."""
        used = running.measure()
        with self._state:
            self._count(running)
        if running.long and running.worker.yielded:
            return
        if used >= YIELD_SECONDS:
            self._lower(running.worker)
        if running.long or self.long <= 0 or used < SHORT_SECONDS or not self._waiting:
            return
        with self._state:
            if not self._waiting:
                return
            running.long = True
            self._turns -= 1
            self._lower(running.worker)
            if len(self._longs) >= self.long:
                victim = min([*self._longs, running], key=lambda r: r.started)
                ran = time.monotonic() - victim.started
                victim.stopped = (f"busy: the query was stopped after {ran:.1f} s to let other queries run "
                                  f"({self.long} long queries at most run beside {self.size} others); try again")
                self.stopped += 1
                if victim is not running:
                    self._longs.remove(victim)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(victim.worker.pid, signal.SIGKILL)
            if not running.stopped:
                self._longs.append(running)
            self._state.notify_all()

    def _leave(self, running: _Running) -> None:
        """The query ended: count what it used, give back its turn or its long place."""
        self._count(running)
        if running in self._longs:
            self._longs.remove(running)
        elif not running.long:
            self._turns -= 1
        self._busy -= 1
        self._active[running.flow] = self._active.get(running.flow, 1) - 1
        self._forget(running.flow)

    # -- answering --------------------------------------------------------------------------------
    def _receive(self, running: _Running, deadline: float | None,
                 watch: bool = False) -> tuple[bytes | None, bytes]:
        """One framed answer from ``running``'s worker (None when it died) and what it wrote to stderr;
        with ``watch``, its turn is watched (:meth:`_watch`) between reads."""
        worker = running.worker
        buffer = bytearray()
        errors = bytearray()
        want: int | None = None
        while want is None or len(buffer) < want:
            if watch:
                self._watch(running)
            step = _POLL if watch and not running.long else 0.2
            wait = step if deadline is None else max(0.0, min(step, deadline - time.monotonic()))
            ready, _, _ = select.select([worker.answers, worker.errors], [], [], wait)
            if worker.errors in ready:
                errors += os.read(worker.errors, 1 << 16)
            if worker.answers in ready:
                block = os.read(worker.answers, 1 << 20)
                if not block:
                    return None, bytes(errors)
                buffer += block
                if want is None and len(buffer) >= _LENGTH.size:
                    want = _LENGTH.size + _LENGTH.unpack_from(buffer)[0]
            if deadline is not None and time.monotonic() >= deadline and (want is None or len(buffer) < want):
                raise QueryTimeout("time limit")
        return bytes(buffer[_LENGTH.size:want]), bytes(errors)

    def run(self, request: Any, limits: Limits, wait: float = 60.0, flow: str = "") -> bytes:
        """Answer ``request`` in a worker within ``limits.timeout`` once its turn comes (see the
        module's contract).

        Args:
            request: What the handler takes (pickled to the worker).
            limits: The time limit, counted from the start of its turn; its ``memory_mib`` names the
                ceiling in messages (the pool's own ceiling applies).
            wait: Seconds to wait for a turn.
            flow: Which flow the request waits in (see the module's contract).

        Raises:
            PoolClosed: The pool was closed.
            QueryTimeout: The time limit passed (the worker is replaced), no turn came free, or the
                query was stopped to make room for others.
            QueryMemoryExceeded, QueryError, TooManyRows: As from a contained child.
        """
        if self._closed:
            raise PoolClosed("the query workers were closed")
        worker = self._take_turn(wait, flow)
        running = _Running(worker, time.monotonic(), _cpu_seconds(worker.pid), flow=flow)
        healthy = False
        try:
            try:
                _write(worker.requests, pickle.dumps(request))
            except OSError:  # the worker died meanwhile
                raise QueryError("the query worker stopped before it read the query; try again") from None
            deadline = None if limits.timeout is None else time.monotonic() + limits.timeout
            try:
                data, errors = self._receive(running, deadline, watch=True)
            except QueryTimeout:
                raise QueryTimeout(
                    f"the query ran longer than {limits.timeout:g} s and was stopped (--timeout SECONDS)"
                ) from None
            if data is None:
                _, status = os.waitpid(worker.pid, 0)
                worker.reaped = True
                if running.stopped:
                    raise QueryTimeout(running.stopped)
                outcome(b"", errors, status, limits)  # raises what the death stands for
                raise AssertionError("unreachable")
            running.measure()  # what it used to the end, for its flow
            head = json.loads(data.partition(b"\n")[0])
            grown = int(head.get("data", 0)) - worker.base
            healthy = (head.get("error") != "QueryMemoryExceeded"
                       and (self.memory_mib is None or grown < self.memory_mib * 1024 * 1024 // 4)
                       and _restored(worker, self._niceness))
            return outcome(data, b"", 0, limits)
        finally:
            if healthy and not self._closed:
                with self._state:
                    self._idle.append(worker)
            elif healthy:
                self._end(worker)
            else:
                self._replace(worker)
            with self._state:
                self._leave(running)
                self._state.notify_all()

    def close(self) -> None:
        """End idle workers now and busy ones when their query ends; :meth:`run` then raises PoolClosed."""
        with self._state:
            self._closed = True
            self._state.notify_all()
        self._wanted.put(False)
