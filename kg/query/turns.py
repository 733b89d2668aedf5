"""Turns in a pool of workers (:mod:`kg.query.pool`), given so that no kind of query can starve another.

Contract:

- **Turns, fairly queued.** At most ``size`` queries hold a turn at once. The others wait in *flows*
  (a request names its own: the server uses a query's shape, :func:`kg.query.gated.shape`, so that one
  kind of query, however many are asked, cannot keep another kind waiting). A free turn goes to the
  waiting flow that has used the least processor time so far (its queries' own, as they run, each turn
  counting for :data:`TURN_COST` at least; a flow with no query waiting or running is forgotten, and
  comes back level with the least served), each flow in order of arrival: a fair share of the processor
  for each kind of query, as a weighted fair queue gives each flow its share of a link. A query waits
  up to ``wait`` seconds, then QueryTimeout (busy).
- **Long queries aside.** A query that may be moved (a client's own text; the server's questions, pages
  and look-ups are not: their cost is the data's, bounded by the time limit) and has used
  :data:`SHORT_SECONDS` of processor time (read from
  ``/proc``; where there is none, of time since it started) while others wait gives its turn up and
  goes on as a *long* query beside the turns, at a lower priority: at most ``long`` of them run at once
  (the pool keeps a worker for each turn and each long place). When those places are full, the long
  query that started first (the newcomer included) is stopped: its process is killed, and its caller
  reads why in :attr:`Running.stopped`. So a flood of runaway queries holds no turn for more than
  :data:`SHORT_SECONDS` of processor time each, never for a runaway's whole time limit. With
  ``long=0`` a query keeps its turn until it ends.
- **Yielding.** A query that has used :data:`YIELD_SECONDS` of processor time yields the processor even
  when nobody waits: its process's niceness is raised by :data:`YIELD_NICENESS` (as a long query's is),
  so that the short queries asked meanwhile are not slowed by it; :meth:`Turns.restored` says whether
  its priority could be raised again when it ends (an unprivileged process may not: the pool then
  replaces the worker).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Generic, TypeVar

from kg.errors import DiplokgError, QueryTimeout

#: Seconds of processor time a query uses before its worker yields the processor to the others.
YIELD_SECONDS = 1.0
#: How much less a worker whose query passed :data:`YIELD_SECONDS` is favoured: added to its niceness
#: (0 by default; 19, the least favoured, at most).
YIELD_NICENESS = 15
#: Seconds of processor time a query may use in its turn while other queries wait for one (then it goes
#: on as a long query, beside the turns). Most library questions in memory use less (on the world's
#: 1.5 million quads, an ordered list of its 7,908 embassies 80-150 ms); a runaway more.
SHORT_SECONDS = 0.2
#: Processor seconds a turn counts for at least (``/proc`` counts in ticks of 10 ms: a short query may
#: read as none), so that among flows served alike turns go round.
TURN_COST = 0.005
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

Worker = TypeVar("Worker")


class PoolClosed(DiplokgError):
    """The pool was closed (a new build replaced its graph); run the query some other way."""


def cpu_seconds(pid: int) -> float | None:
    """Processor time ``pid`` has used (user and system), or None where ``/proc`` does not tell."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rpartition(b")")[2].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime: fields 14 and 15 of stat
    except (OSError, IndexError, ValueError):
        return None


@dataclass
class Running:
    """A query in a worker process: where it stands in the turns."""

    pid: int
    flow: str = ""
    started: float = 0.0
    cpu0: float | None = None
    used: float = 0.0  # processor seconds so far (as last read)
    counted: float = 0.0  # of which counted to its flow
    long: bool = False  # it gave its turn up and runs beside the turns
    yielded: bool = False  # its process's priority was lowered
    stopped: str = ""  # why it was stopped to make room (set by whoever stopped it)
    movable: bool = True  # it may be moved aside, and stopped to make room

    @classmethod
    def start(cls, pid: int, flow: str = "", movable: bool = True) -> Running:
        """A query starting now in process ``pid``."""
        return cls(pid, flow, time.monotonic(), cpu_seconds(pid), movable=movable)

    def measure(self) -> float:
        """Processor seconds used so far (read now)."""
        now = cpu_seconds(self.pid) if self.cpu0 is not None else None
        self.used = now - self.cpu0 if now is not None and self.cpu0 is not None else time.monotonic() - self.started
        return self.used


class Turns(Generic[Worker]):
    """The turns of a pool, its idle workers, and its long queries (see the module's contract).

    Args:
        size: Turns: queries run at once at full priority.
        long: Places for long queries beside the turns.
    """

    def __init__(self, size: int, long: int) -> None:
        self.size = size
        self.long = long
        self.state = threading.Condition()
        self.idle: list[Worker] = []
        self.closed = False
        self.busy = 0
        #: Long queries stopped to make room for others.
        self.stopped = 0
        self._niceness = os.getpriority(os.PRIO_PROCESS, 0)  # the workers' own, as forked
        self._flows: OrderedDict[str, deque[object]] = OrderedDict()  # waiting, in order of arrival
        self._served: dict[str, float] = {}  # processor seconds per flow with a query waiting or running
        self._active: dict[str, int] = {}  # queries running per flow
        self._waiting = 0
        self._turns = 0
        self._longs: list[Running] = []

    def stats(self) -> dict[str, int]:
        """Turns and long places, idle workers, queries waiting (and their flows) and running."""
        with self.state:
            return {"size": self.size, "long": self.long, "idle": len(self.idle), "waiting": self._waiting,
                    "flows": len(self._flows), "running": self._turns, "running_long": len(self._longs),
                    "stopped": self.stopped}

    def give(self, worker: Worker) -> None:
        """A worker is ready for a query."""
        with self.state:
            self.idle.append(worker)
            self.state.notify_all()

    def close(self) -> None:
        """Wake every waiting query (they raise PoolClosed)."""
        with self.state:
            self.closed = True
            self.state.notify_all()

    # -- waiting ------------------------------------------------------------------------------------
    def _next_flow(self) -> str | None:
        """The waiting flow whose turn it is: the least served (the first to wait among equals)."""
        return min(self._flows, key=lambda f: self._served.get(f, 0.0)) if self._flows else None

    def _forget(self, flow: str) -> None:
        if flow not in self._flows and not self._active.get(flow):
            self._served.pop(flow, None)
            self._active.pop(flow, None)

    def take(self, wait: float, flow: str) -> Worker:
        """Wait for a turn and an idle worker (see the module's contract); the caller must :meth:`leave`.

        Raises:
            PoolClosed: The pool was closed meanwhile.
            QueryTimeout: No turn came in ``wait`` seconds (busy).
        """
        me = object()
        with self.state:
            if flow not in self._served:  # a flow comes back level with the least served
                self._served[flow] = min(self._served.values(), default=0.0)
            self._flows.setdefault(flow, deque()).append(me)
            self._waiting += 1

            def mine() -> bool:
                return self.closed or (self._next_flow() == flow and self._flows[flow][0] is me
                                       and self._turns < self.size and bool(self.idle))

            try:
                ready = self.state.wait_for(mine, timeout=wait)
            finally:
                queue = self._flows[flow]
                queue.remove(me)
                self._waiting -= 1
                if not queue:
                    del self._flows[flow]
                if ready and not self.closed:
                    self._active[flow] = self._active.get(flow, 0) + 1
                    self._served[flow] += TURN_COST
                self._forget(flow)
                self.state.notify_all()
            if self.closed:
                raise PoolClosed("the query workers were closed")
            if not ready:
                raise QueryTimeout(f"busy: no turn came free in {wait:g} s ({self.size} queries at once, "
                                   f"{len(self._longs)} long ones beside them); try again")
            self._turns += 1
            self.busy += 1
            return self.idle.pop()

    # -- running ------------------------------------------------------------------------------------
    def _count(self, running: Running) -> None:
        """Add what ``running`` used since last counted to its flow (with the lock held)."""
        if running.used > running.counted and running.flow in self._served:
            self._served[running.flow] += running.used - running.counted
            running.counted = running.used

    def _lower(self, running: Running) -> None:
        if not running.yielded:
            with contextlib.suppress(OSError):  # it may have just ended
                os.setpriority(os.PRIO_PROCESS, running.pid, min(19, self._niceness + YIELD_NICENESS))
                running.yielded = True

    def watch(self, running: Running) -> None:
        """Between two reads of a query's answer: count its processor time, yield the processor, give its
        turn up and make room (stopping a long query, this one maybe: read :attr:`Running.stopped`)."""
        used = running.measure()
        with self.state:
            self._count(running)
        if running.long and running.yielded:
            return
        if used >= YIELD_SECONDS:
            self._lower(running)
        if running.long or not running.movable or self.long <= 0 or used < SHORT_SECONDS or not self._waiting:
            return
        with self.state:
            if not self._waiting:
                return
            running.long = True
            self._turns -= 1
            self._lower(running)
            if len(self._longs) >= self.long:
                victim = min([*self._longs, running], key=lambda r: r.started)
                ran = time.monotonic() - victim.started
                victim.stopped = (f"busy: the query was stopped after {ran:.1f} s to let other queries run "
                                  f"({self.long} long queries at most run beside {self.size} others); try again")
                self.stopped += 1
                if victim is not running:
                    self._longs.remove(victim)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(victim.pid, signal.SIGKILL)
            if not running.stopped:
                self._longs.append(running)
            self.state.notify_all()

    def restored(self, running: Running) -> bool:
        """Whether ``running``'s process runs at its first priority again (raised if it had yielded)."""
        if not running.yielded:
            return True
        try:
            os.setpriority(os.PRIO_PROCESS, running.pid, self._niceness)
        except OSError:  # an unprivileged process may lower its priority, not raise it
            return False
        running.yielded = False
        return True

    def leave(self, running: Running, worker: Worker | None) -> None:
        """The query ended: count what it used, give back its turn or its long place, and its worker
        (None: the worker is gone)."""
        with self.state:
            self._count(running)
            if running in self._longs:
                self._longs.remove(running)
            elif not running.long:
                self._turns -= 1
            self.busy -= 1
            self._active[running.flow] = self._active.get(running.flow, 1) - 1
            self._forget(running.flow)
            if worker is not None:
                self.idle.append(worker)
            self.state.notify_all()
