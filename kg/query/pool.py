"""Pre-forked contained workers for a server: the containment of :mod:`kg.query.sandbox` without a fork
per query, with turns given fairly (:mod:`kg.query.turns`).

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
  caller is interrupted while waiting, when it has grown by a quarter of its ceiling (so that each
  query keeps most of the ceiling for itself), and when its query is stopped to make room or yielded
  the processor (:mod:`kg.query.turns`: turns fair by processor time across flows, long queries aside).
  The pool keeps ``size + long`` workers.
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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

from kg.errors import QueryError, QueryTimeout
from kg.query.sandbox import Limits, contain_self, data_size, exit_after, fork, outcome, run_job
from kg.query.turns import PoolClosed, Running, Turns

__all__ = ["PoolClosed", "WorkerPool", "prefer_huge_pages"]

_LENGTH = struct.Struct(">Q")
#: Seconds a new worker may take to report itself ready before it is given up.
_READY_SECONDS = 60.0
#: Seconds between two looks at a running query's processor time.
_POLL = 0.05


@dataclass
class _Worker:
    pid: int
    requests: int  # the parent writes requests here
    answers: int  # and reads answers here
    errors: int  # and the worker's stderr here
    base: int = 0  # the worker's data size when it was ready, in bytes
    reaped: bool = False  # it died and was waited for


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
        self.note = ""
        self.turns: Turns[_Worker] = Turns(size, long)
        self._wanted: queue.Queue[bool] = queue.Queue()
        for _ in range(size + long):
            self._wanted.put(True)
        self._keeper = threading.Thread(target=self._keep, name="diplokg-workers", daemon=True)
        self._keeper.start()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self.turns.closed

    @property
    def _idle(self) -> list[_Worker]:
        return self.turns.idle

    def stats(self) -> dict[str, int]:
        """The turns' figures (:meth:`kg.query.turns.Turns.stats`) and the workers replaced."""
        return {**self.turns.stats(), "replaced": self.replaced}

    # -- the keeper thread: forks workers, and ends them when the pool closes --------------------
    def _keep(self) -> None:
        while self._wanted.get():
            if self.closed:
                continue
            try:
                worker = self._spawn()
            except OSError:
                time.sleep(1.0)  # no process or pipe to be had now: try again
                self._wanted.put(True)
                continue
            if worker is not None:
                self.turns.give(worker)
            else:
                time.sleep(1.0)  # it died or hung before it was ready: try again, without a busy loop
                self._wanted.put(True)
        with self.turns.state:
            self.turns.state.wait_for(lambda: self.turns.busy == 0)
            idle, self.turns.idle = self.turns.idle, []
        for worker in idle:
            self._end(worker)

    def _spawn(self) -> _Worker | None:
        """Fork one worker and wait until it is contained and ready (None if it never was)."""
        requests_r, requests_w = os.pipe()
        answers_r, answers_w = os.pipe()
        errors_r, errors_w = os.pipe()
        pid = fork()  # the import lock first (kg.query.sandbox.fork)
        if pid == 0:
            _worker_main(self.handler, self.memory_mib, (requests_r, answers_w, errors_w))
        for fd in (requests_r, answers_w, errors_w):
            os.close(fd)
        worker = _Worker(pid, requests_w, answers_r, errors_r)
        try:
            data, _ = self._receive(worker, None, time.monotonic() + _READY_SECONDS)
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

    # -- answering --------------------------------------------------------------------------------
    def _receive(self, worker: _Worker, running: Running | None,
                 deadline: float | None) -> tuple[bytes | None, bytes]:
        """One framed answer from ``worker`` (None when it died) and what it wrote to stderr; with
        ``running``, its turn is watched between reads (:meth:`kg.query.turns.Turns.watch`)."""
        buffer = bytearray()
        errors = bytearray()
        want: int | None = None
        while want is None or len(buffer) < want:
            if running is not None:
                self.turns.watch(running)
            step = _POLL if running is not None and not running.long else 0.2
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

    def run(self, request: Any, limits: Limits, wait: float = 60.0, flow: str = "", movable: bool = True) -> bytes:
        """Answer ``request`` in a worker within ``limits.timeout`` once its turn comes (see the
        module's contract).

        Args:
            request: What the handler takes (pickled to the worker).
            limits: The time limit, counted from the start of its turn; its ``memory_mib`` names the
                ceiling in messages (the pool's own ceiling applies).
            wait: Seconds to wait for a turn.
            flow: Which flow the request waits in (:mod:`kg.query.turns`).
            movable: Whether the query may be moved aside as long, and stopped to make room (a client's
                own text; not the server's questions, whose cost is the data's).

        Raises:
            PoolClosed: The pool was closed.
            QueryTimeout: The time limit passed (the worker is replaced), no turn came free, or the
                query was stopped to make room for others.
            QueryMemoryExceeded, QueryError, TooManyRows: As from a contained child.
        """
        if self.closed:
            raise PoolClosed("the query workers were closed")
        worker = self.turns.take(wait, flow)
        running = Running.start(worker.pid, flow, movable)
        healthy = False
        try:
            try:
                _write(worker.requests, pickle.dumps(request))
            except OSError:  # the worker died meanwhile
                raise QueryError("the query worker stopped before it read the query; try again") from None
            deadline = None if limits.timeout is None else time.monotonic() + limits.timeout
            try:
                data, errors = self._receive(worker, running, deadline)
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
                       and self.turns.restored(running))
            return outcome(data, b"", 0, limits)
        finally:
            kept = healthy and not self.closed
            if not kept:
                self._end(worker)
                if not healthy:
                    self.replaced += 1
                    self._wanted.put(True)
            self.turns.leave(running, worker if kept else None)

    def close(self) -> None:
        """End idle workers now and busy ones when their query ends; :meth:`run` then raises PoolClosed."""
        self.turns.close()
        self._wanted.put(False)
