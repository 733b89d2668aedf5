"""The memory of a process and its descendants, sampled while it runs (Linux ``/proc``): what the build
benches report as peak memory, since a build's sort, store and checks run in child processes.

RSS counts a page shared by a parent and its fork once in each; PSS splits it among them (the
``/proc/PID/smaps_rollup`` figure), so PSS is the better sum for a tree of forks.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass

#: Seconds between samples.
INTERVAL = 0.02


def tree(root: int) -> list[int]:
    """``root`` and the process ids of all its descendants now."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def memory_mb(pids: list[int]) -> tuple[float, float]:
    """(RSS, PSS) summed over ``pids``, in MB (a process that ended meanwhile counts nothing)."""
    rss = pss = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
                for line in handle:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except (OSError, IndexError, ValueError):
            pass
    return rss / 1024, pss / 1024


class TreePeak:
    """Sample the memory of ``root``'s tree (default: this process) every :data:`INTERVAL` seconds in a
    thread, as a context manager; ``rss`` and ``pss`` are the highest sums seen, in MB."""

    def __init__(self, root: int | None = None) -> None:
        self.root = os.getpid() if root is None else root
        self.rss = self.pss = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            rss, pss = memory_mb(tree(self.root))
            self.rss, self.pss = max(self.rss, rss), max(self.pss, pss)
            if self._stop.wait(INTERVAL):
                return

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass(frozen=True)
class Sampled:
    """A command run to its end: wall seconds, the peak memory of its tree, and what it printed."""

    seconds: float
    rss: float
    pss: float
    out: str
    err: str


def run_sampled(argv: list[str], env: dict[str, str]) -> Sampled:
    """Run a command, sampling its tree's memory; a failure ends the bench with its last line.

    Raises:
        SystemExit: The command failed.
    """
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with TreePeak(process.pid) as peak:
        out, err = process.communicate()
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({process.returncode}): {err.strip().splitlines()[-1:]}")
    return Sampled(seconds, peak.rss, peak.pss, out, err)
