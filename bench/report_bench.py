"""Benchmark ``diplokg report`` and ``diplokg explore`` on a built graph, against an older revision's
code in the same run.

Each command runs as a fresh process (Python start-up included) on the same build (``--build``, a
folder holding ``diplokg.nq`` and ``store/``; build the world once with ``DIPLOKG_BUILD=DIR diplokg
build``), alternately with this checkout's ``kg/`` and the baseline revision's (``--old``, default:
the merge-base with main; its ``kg/`` taken with ``git archive`` into a temporary folder), so that a
busy spell of the shared machine hits both alike. It also checks that both write the same report and
the same page, byte for byte, and (with ``--serve``) times the first request of ``/report`` and
``/explorer`` on a fresh ``diplokg serve --no-warm`` of each revision. One table, medians, with the
load average beside each row (:mod:`bench.table`).

Usage::

    python bench/report_bench.py --build /tmp/world/build --repeat 3 --serve
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.table import Table, ms  # noqa: E402

ENTRY = "import sys; from kg.cli import entry; sys.exit(entry(sys.argv[1:]))"


def old_code(rev: str, into: Path) -> Path:
    """The ``kg/`` of revision ``rev``, extracted under ``into``; the folder to put on PYTHONPATH."""
    into.mkdir(parents=True, exist_ok=True)
    archive = into / "kg.tar"
    subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), rev, "kg"], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return into


def run(code: Path, build: Path, *args: str) -> float | None:
    """Seconds of one ``diplokg ARGS`` as a fresh process with ``code`` first on the path (None: it failed,
    its last line of standard error printed)."""
    env = {**os.environ, "PYTHONPATH": str(code), "DIPLOKG_BUILD": str(build)}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", ENTRY, *args, "--project", str(ROOT)], env=env, cwd=code,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode:
        print(f"  {args[0]} with {code} failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}", file=sys.stderr)
        return None
    return time.perf_counter() - start


def median(values: list[float | None]) -> float | None:
    """The median of the runs that finished (None when none did)."""
    done = [v for v in values if v is not None]
    return statistics.median(done) if done else None


def forget(build: Path, verdicts: bool = True) -> None:
    """Remove what this checkout keeps beside a build (answers, and verdicts unless ``verdicts`` is
    False): the next run is the first on a new build folder (or, verdicts kept, the first after a
    rebuild in the same folder: a rebuild makes the answers another build's, and keeps the verdicts)."""
    shutil.rmtree(build / "answers", ignore_errors=True)
    if verdicts:
        (build / "verdicts.json").unlink(missing_ok=True)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def first_pages(code: Path, build: Path) -> tuple[float, float, str, str]:
    """A fresh ``diplokg serve --no-warm``: seconds of the first ``/report`` and the first ``/explorer``,
    and their digests."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(code), "DIPLOKG_BUILD": str(build)}
    server = subprocess.Popen([sys.executable, "-c", ENTRY, "serve", "--no-warm", "--port", str(port),
                               "--project", str(ROOT)], env=env, cwd=code,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/health", timeout=5).read()
                break
            except OSError:
                time.sleep(0.2)
        times, digests = [], []
        for page in ("/report", "/explorer"):
            start = time.perf_counter()
            body = urllib.request.urlopen(base + page, timeout=300).read()
            times.append(time.perf_counter() - start)
            digests.append(hashlib.sha256(body).hexdigest()[:12])
        return times[0], times[1], digests[0], digests[1]
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, required=True, help="a build folder (diplokg.nq and store/)")
    parser.add_argument("--old", default=None, help="baseline revision (default: merge-base with main)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--serve", action="store_true", help="also time the served pages' first request")
    args = parser.parse_args()
    rev = args.old or subprocess.run(["git", "-C", str(ROOT), "merge-base", "HEAD", "main"],
                                     capture_output=True, text=True, check=True).stdout.strip()
    table = Table(f"report and explore on {args.build} (old = {rev[:9]}, new = working tree; median of "
                  f"{args.repeat}, alternated)",
                  ["measure", "old", "new, first on the build", "new, first after a rebuild",
                   "new, answers kept", "same output"])
    with tempfile.TemporaryDirectory() as tmp:
        code_of = {"old": old_code(rev, Path(tmp) / "old"), "cold": ROOT, "rebuilt": ROOT, "warm": ROOT}
        outs = Path(tmp)
        for command, suffix in (("report", "md"), ("explore", "html")):
            times: dict[str, list[float | None]] = {name: [] for name in code_of}
            for _ in range(args.repeat):
                for name, code in code_of.items():
                    if name in ("old", "cold", "rebuilt"):
                        forget(args.build, verdicts=name != "rebuilt")
                    out = outs / f"{command}-{name}.{suffix}"
                    times[name].append(run(code, args.build, command, "-o", str(out)))
            same = len({digest(outs / f"{command}-{name}.{suffix}") for name in code_of
                        if (outs / f"{command}-{name}.{suffix}").is_file()}) == 1
            table.row(f"diplokg {command}", *(ms(median(times[name])) for name in code_of),
                      "yes" if same else "NO")
        if args.serve:
            served: dict[str, list[tuple[float, float, str, str]]] = {name: [] for name in code_of}
            for _ in range(args.repeat):
                for name, code in code_of.items():
                    if name in ("old", "cold", "rebuilt"):
                        forget(args.build, verdicts=name != "rebuilt")
                    served[name].append(first_pages(code, args.build))
            for i, page in ((0, "/report"), (1, "/explorer")):
                same = len({r[2 + i] for rows in served.values() for r in rows}) == 1
                table.row(f"first GET {page} (serve --no-warm)",
                          *(ms(statistics.median(float(r[i]) for r in served[name])) for name in code_of),
                          "yes" if same else "NO")
    table.note("Each command a fresh process on the on-disk store (Python start-up included; the command line's "
               "default --timeout of 60 s per query). Goal (issue 26): report and explore under 2 s each on the "
               "world build, the served pages as fast on their first request.")
    table.print()


if __name__ == "__main__":
    main()
