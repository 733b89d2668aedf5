"""Run one query in a contained child process: a hard time limit, a memory ceiling, no network,
and an end within a second of Ctrl-C.

Contract (for the CLI and ``diplokg serve``):

- :func:`contained` calls ``job()`` in a child made with ``fork()`` (so an in-memory store is shared
  copy-on-write, not copied) and returns the bytes ``job`` returned. Before calling ``job`` the child
  forbids itself the network (:mod:`kg.query.nonet`: any ``socket``/``connect``/``sendto``... fails
  with ``EPERM``), caps the memory it may add to what it inherited (``RLIMIT_DATA``), ignores Ctrl-C
  (the parent ends it) and dies with its parent.
- It raises, each with a one-line message: :class:`~kg.errors.QueryTimeout` (``limits.timeout``
  seconds passed; the child is killed), :class:`~kg.errors.QueryMemoryExceeded` (the child ran out of
  its ceiling), :class:`~kg.errors.QueryError` (``job`` raised a :class:`~kg.errors.DiplokgError`, sent
  back with its message and class, e.g. :class:`~kg.errors.TooManyRows`; or the child died some other
  way), and ``KeyboardInterrupt`` (Ctrl-C in the parent: the child is killed before it propagates).
- Without ``fork`` (not POSIX) the job runs in this process without these limits, and
  :func:`containment_note` says so; the same when the kernel refuses the seccomp filter (the job
  still runs, under the other limits). The CLI prints that note once.

The child never returns into the caller's stack: it leaves with ``os._exit``.

For a server: :func:`contained` may be called from several threads at once (each call forks its own
child and waits for it); the parent should not run queries itself. A child forked while another
thread holds a lock it needs (a logging handler's, say) could block: the time limit still ends it.
Use :meth:`kg.query.engine.BuiltGraph.run` (which calls this) with :class:`Limits` whose
``max_rows`` is the server's cap; map :class:`~kg.errors.QueryTimeout` to 503,
:class:`~kg.errors.QueryMemoryExceeded` to 507, :class:`~kg.errors.TooManyRows` to 413,
:class:`~kg.errors.QueryRefused` to 403 and any other :class:`~kg.errors.QueryError` to 400.
Costs (``bench/containment.py``): one fork, a pipe and the answer serialised by the engine (TSV,
JSON or N-Triples) and parsed back, some tens of milliseconds on a loaded two-core machine, at 10k
and at 1.5M quads alike.
"""

from __future__ import annotations

import contextlib
import faulthandler
import json
import os
import resource
import select
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

from kg.errors import (
    DiplokgError,
    QueryError,
    QueryMemoryExceeded,
    QueryRefused,
    QueryTimeout,
    TooManyRows,
)
from kg.query.nonet import NetworkLockUnavailable, forbid_network

#: Seconds the command line gives a query by default (``--timeout``).
DEFAULT_TIMEOUT = 60.0
#: MiB a query may allocate on top of what its process already holds (``--max-memory``).
DEFAULT_MEMORY_MIB = 2048


@dataclass(frozen=True)
class Limits:
    """What one query may use.

    Attributes:
        timeout: Seconds before the query is killed (``None``: no limit).
        memory_mib: MiB the query may allocate on top of the graph already in memory (``None``: no
            ceiling).
        max_rows: Rows a SELECT may return, or triples a CONSTRUCT (``None``: no cap); more is an
            error, not a silent cut.
    """

    timeout: float | None = DEFAULT_TIMEOUT
    memory_mib: int | None = DEFAULT_MEMORY_MIB
    max_rows: int | None = None


#: No limit at all (the job still runs in a child without the network).
UNLIMITED = Limits(timeout=None, memory_mib=None, max_rows=None)
#: The memory ceiling without a time limit: what library callers get unless they say otherwise.
NO_TIMEOUT = Limits(timeout=None)

_ERRORS: dict[str, type[DiplokgError]] = {}
_NOTES: list[str] = []
#: The exit status of a contained child that ran out of its memory ceiling outside a query.
MEMORY_EXIT = 86


def _register(*classes: type[DiplokgError]) -> None:
    for cls in classes:
        _ERRORS[cls.__name__] = cls


_register(DiplokgError, QueryError, QueryRefused, QueryTimeout, QueryMemoryExceeded, TooManyRows)


def containment_note() -> str | None:
    """Why queries run with less containment here than promised (no ``fork``, no seccomp), or None."""
    return _NOTES[0] if _NOTES else None


def data_size() -> int:
    """The bytes of this process's data segment and private mappings (what RLIMIT_DATA counts)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def fork() -> int:
    """``os.fork()`` with Python's import lock taken first, as any importing thread takes it.

    A fork runs the at-fork handlers (logging's takes logging's lock), then takes the import lock. A
    thread that is importing holds the import lock, and if the garbage collector then runs a logging
    callback it waits for logging's lock: both wait for ever (seen in ``diplokg serve``: its first workers
    were forked while uvicorn imported uvloop). Taking the import lock before the handlers keeps the
    order every thread uses. Both parent and child release it after the fork.
    """
    import _imp

    _imp.acquire_lock()
    try:
        return os.fork()
    finally:
        _imp.release_lock()  # in the parent, and in the child (which holds it after the fork)


def contain_self(memory_mib: int | None, err: int) -> str:
    """In a freshly forked child: ignore Ctrl-C, die with the parent's thread, send stderr to ``err``,
    forbid the network and cap memory at what the process holds plus ``memory_mib``; irreversible.

    Returns:
        Why the network lock is missing ("" when it is installed).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    faulthandler.disable()  # an engine's abort at the memory ceiling is reported by the parent, in one line
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: die with the parent
    except (OSError, AttributeError):
        pass
    os.dup2(err, 2)  # the engine's own complaints (a Rust abort message) go to the parent, not the terminal
    note = ""
    try:
        forbid_network()
    except NetworkLockUnavailable as exc:
        note = str(exc)
    if memory_mib is not None:
        ceiling = data_size() + memory_mib * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (ceiling, ceiling))
    return note


def run_job(job: Callable[[], bytes], note: str) -> tuple[dict[str, object], bytes]:
    """In a contained child: run ``job``; (the status head to send, the payload)."""
    try:
        return {"ok": True, "note": note}, job()
    except MemoryError:
        return {"ok": False, "error": "QueryMemoryExceeded", "message": ""}, b""
    except DiplokgError as exc:
        return {"ok": False, "error": type(exc).__name__, "message": str(exc), "exit": exc.exit_code}, b""
    except RecursionError:
        return {"ok": False, "error": "QueryError", "message": "the query is nested too deeply to run"}, b""
    except Exception as exc:  # an engine's own failure: one line for the user, no traceback
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        return {"ok": False, "error": "QueryError", "message": f"query failed: {first}"}, b""


def exit_after(body: Callable[[], None]) -> NoReturn:
    """In a forked child: run ``body``, then leave at once (no clean-up of the parent's state), with
    status 0, :data:`MEMORY_EXIT` when memory ran out outside a query, or 70 on any other failure."""
    code = 0
    try:
        body()
    except MemoryError:
        code = MEMORY_EXIT
    except BaseException:
        code = 70
    finally:
        os._exit(code)


def _child(job: Callable[[], bytes], limits: Limits, out: int, err: int) -> NoReturn:
    """In the child: contain, run, send ``status line + payload``, leave. Never returns."""

    def body() -> None:
        note = contain_self(limits.memory_mib, err)
        head, payload = run_job(job, note)
        view = memoryview(json.dumps(head).encode() + b"\n" + payload)
        while view:
            view = view[os.write(out, view):]

    exit_after(body)


def contained(job: Callable[[], bytes], limits: Limits = Limits()) -> bytes:
    """Run ``job`` in a contained child process and return its bytes (see the module's contract).

    Raises:
        QueryTimeout: The time limit passed.
        QueryMemoryExceeded: The memory ceiling was reached.
        QueryError: The job raised one of our errors (re-raised here with its class and message), or
            the engine failed.
        KeyboardInterrupt: Ctrl-C; the child is gone when it propagates.
    """
    return Contained(job, limits).result()


class Contained:
    """A contained child started now (forked in the constructor), whose bytes :meth:`result` waits for.

    Forking copies only the calling thread, with every lock as it stands: a child forked while
    another thread is inside Oxigraph may inherit a lock that thread held and wait on it forever.
    Start the child before other threads query (the build starts its checks' child before the
    shapes run beside it), then collect it.
    """

    def __init__(self, job: Callable[[], bytes], limits: Limits = Limits()) -> None:
        self.limits = limits
        self._done: bytes | None = None
        self._pid = 0
        if not hasattr(os, "fork"):
            if not _NOTES:
                _NOTES.append("queries run without a time limit, memory ceiling or network lock (no fork here)")
            self._done = job()
            return
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = fork()
        if pid == 0:
            os.close(out_r)
            os.close(err_r)
            _child(job, limits, out_w, err_w)
        os.close(out_w)
        os.close(err_w)
        self._pid, self._out, self._err = pid, out_r, err_r
        self._deadline = None if limits.timeout is None else time.monotonic() + limits.timeout

    def cancel(self) -> None:
        """Kill the child, if it still runs, and let it go (instead of :meth:`result`)."""
        if self._pid:
            _kill(self._pid)
            os.close(self._out)
            os.close(self._err)
            self._pid = 0

    def result(self) -> bytes:
        """Wait for the child and return its bytes (raises as :func:`contained` says); call once."""
        if self._done is not None:
            return self._done
        if not self._pid:
            raise QueryError("the contained child was cancelled or already collected")
        limits, pid, out_r, err_r, deadline = self.limits, self._pid, self._out, self._err, self._deadline
        chunks: list[bytes] = []
        errors: list[bytes] = []
        status: int | None = None
        try:
            open_fds = {out_r: chunks, err_r: errors}
            while open_fds:
                wait = 0.2 if deadline is None else max(0.0, min(0.2, deadline - time.monotonic()))
                ready, _, _ = select.select(list(open_fds), [], [], wait)
                for fd in ready:
                    block = os.read(fd, 1 << 20)
                    if block:
                        open_fds[fd].append(block)
                    else:
                        del open_fds[fd]
                if deadline is not None and time.monotonic() >= deadline and open_fds:
                    raise QueryTimeout(
                        f"the query ran longer than {limits.timeout:g} s and was stopped (--timeout SECONDS)"
                    )
            _, status = os.waitpid(pid, 0)
        finally:
            if status is None:
                _kill(pid)
            os.close(out_r)
            os.close(err_r)
            self._pid = 0  # collected: nothing left to cancel
        return outcome(b"".join(chunks), b"".join(errors), status, limits)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def outcome(data: bytes, stderr: bytes, status: int, limits: Limits) -> bytes:
    """In the parent: a child's ``status line + payload`` (empty when it died; ``status`` is then its
    wait status and ``stderr`` what it wrote there) as the payload, or the error it stands for."""
    head_line, _, payload = data.partition(b"\n")
    memory = (
        f"the query needed more than {limits.memory_mib} MiB and was stopped (--max-memory MIB)"
        if limits.memory_mib is not None
        else "the query ran out of memory"
    )
    if not head_line:
        if (os.WIFEXITED(status) and os.WEXITSTATUS(status) == MEMORY_EXIT) or b"memory allocation" in stderr:
            raise QueryMemoryExceeded(memory)
        how = (f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"status {os.WEXITSTATUS(status)}")
        raise QueryError(f"the query engine stopped without an answer ({how})")
    head = json.loads(head_line)
    if head.get("ok"):
        note = head.get("note")
        if note and not _NOTES:
            _NOTES.append(f"queries run without a network lock: {note}")
        return payload
    cls = _ERRORS.get(head.get("error", ""), QueryError)
    if cls is QueryMemoryExceeded:
        raise QueryMemoryExceeded(memory)
    raise cls(head.get("message") or "query failed")
