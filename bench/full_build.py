"""Benchmark the full world build (``diplokg build --no-cache``) against a bare bulk load of its output.

Copies this checkout's project (every source) into a temporary folder, then, ``--repeat`` times in
fresh processes, alternating them so that a busy spell of the shared machine hits all alike:

* ``diplokg build --no-cache`` with this checkout (wall time, the build's steps, peak memory);
* the same with a baseline checkout (``--baseline DIR``: a folder with its own ``.venv``, e.g. a
  worktree of ``main``), on its own copy of the same project;
* a bare ``Store.bulk_load`` of the built ``diplokg.nq`` into a new on-disk store (what the build's
  output costs to load at least: issue 26's goal 3 asks the build within 1.6x of it), and the
  ``oxigraph load`` command line when it is installed.

Peak memory is sampled every 20 ms over the process and its children together, twice: resident
(RSS, the sum over processes; a forked child's pages shared with its parent count twice) and
proportional (PSS: a shared page counts once, split among the processes sharing it).

It prints one table (``bench/table.py``) with the load average, the medians, the build's ratio to the
bare bulk load, and issue 24's goal (the world build under 40 s and 2 GB) and issue 26's goal 3
(under 15 s and 1.5 GB, within 1.6x of a bare bulk load).

Usage::

    python bench/full_build.py --repeat 3 --baseline /tmp/build-base
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.proctree import run_sampled
from bench.table import Table
from bench.world_build import copy_project, load_average, steps

ROOT = Path(__file__).resolve().parents[1]
BULK = """
import sys, pyoxigraph as ox
store = ox.Store(sys.argv[2])
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS, lenient=True)
store.flush()
"""


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """Run a command; (wall seconds, peak RSS MB, peak PSS MB of its process tree, its output)."""
    done = run_sampled(argv, env)
    return done.seconds, done.rss, done.pss, done.err + done.out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="a checkout with its own .venv (e.g. a worktree of main)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="diplokg-full-bench-"))
    builds = {"this checkout": Path(sys.executable).parent / "diplokg"}
    if args.baseline is not None:
        builds["baseline"] = args.baseline / ".venv" / "bin" / "diplokg"
    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    try:
        projects = {name: copy_project(work / name.replace(" ", "-"), ()) for name in builds}
        results: dict[str, list[tuple[float, float, float, dict[str, float]]]] = {
            **{f"build: {name}": [] for name in builds}, "bare bulk_load of diplokg.nq": []}
        if Path(oxigraph).exists():
            results["oxigraph load --lenient of diplokg.nq"] = []
        loads = [load_average()]
        for n in range(args.repeat):
            for name, program in builds.items():
                project = projects[name]
                env = {**os.environ, "DIPLOKG_BUILD": str(project / "build")}
                shutil.rmtree(project / "build", ignore_errors=True)
                seconds, rss, pss, out = run([str(program), "build", "--no-cache", "--project", str(project)], env)
                results[f"build: {name}"].append((seconds, rss, pss, steps(out)))
                print(f"run {n + 1}: {name} {seconds:.1f} s, {rss:.0f} MB RSS, {pss:.0f} MB PSS", file=sys.stderr)
            built = projects["this checkout"] / "build" / "diplokg.nq"
            if "baseline" in builds:
                other = projects["baseline"] / "build" / "diplokg.nq"
                if built.read_bytes() != other.read_bytes():
                    raise SystemExit("the two builds wrote different bytes")
            bare = [("bare bulk_load of diplokg.nq", [sys.executable, "-c", BULK, str(built)])]
            if Path(oxigraph).exists():
                bare.append(("oxigraph load --lenient of diplokg.nq",
                             [oxigraph, "load", "--lenient", "--file", str(built), "--location"]))
            for key, argv in bare:
                target = work / "bare-store"
                shutil.rmtree(target, ignore_errors=True)
                seconds, rss, pss, _out = run([*argv, str(target)], dict(os.environ))
                results[key].append((seconds, rss, pss, {}))
                shutil.rmtree(target, ignore_errors=True)
                print(f"run {n + 1}: {key} {seconds:.1f} s, {rss:.0f} MB RSS", file=sys.stderr)
            loads.append(load_average())
        table = Table(f"full world build (--no-cache) against a bare bulk load of its output "
                      f"(median of {args.repeat}, alternated)",
                      ["measure", "wall", "peak MB RSS (tree)", "peak MB PSS (tree)", "steps (median s)"])
        table.note(f"Load average (1, 5, 15 min) at the start and after each round: {'; '.join(loads)}.")
        median = {key: statistics.median(s for s, *_ in rows) for key, rows in results.items()}
        for key, rows in results.items():
            names = sorted({k for *_, st in rows for k in st})
            detail = ", ".join(f"{k} {statistics.median(st.get(k, 0.0) for *_, st in rows):.1f}" for k in names)
            rss = statistics.median(r for _s, r, _p, _st in rows)
            pss = statistics.median(p for _s, _r, p, _st in rows)
            table.row(key, f"{median[key]:.1f} s", f"{rss:.0f}", f"{pss:.0f}", detail)
        wall = median["build: this checkout"]
        bulk = median["bare bulk_load of diplokg.nq"]
        rows = results["build: this checkout"]
        rss = statistics.median(r for _s, r, _p, _st in rows)
        pss = statistics.median(p for _s, _r, p, _st in rows)
        against = ""
        if "baseline" in builds:
            base = median["build: baseline"]
            against = f" (the baseline {base / bulk:.2f}x; this checkout {wall / base:.2f}x the baseline)"
        table.note(f"The build is {wall / bulk:.2f}x the bare bulk_load{against}.")
        table.note(f"Issue 24's goal: the world build under 40 s: {wall:.1f} s ({'met' if wall < 40 else 'not met'}); "
                   f"under 2 GB: {rss:.0f} MB RSS, {pss:.0f} MB PSS ({'met' if rss < 2048 else 'not met'}). "
                   f"Issue 26's goal 3: under 15 s ({'met' if wall < 15 else 'not met'}) and 1.5 GB "
                   f"({'met' if rss < 1536 else 'not met'}), within 1.6x of the bare bulk load "
                   f"({'met' if wall < 1.6 * bulk else 'not met'}).")
        table.print()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
