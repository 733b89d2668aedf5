"""Benchmark the build with the world's sources against the build without them, in the same run.

Copies this checkout's project twice into a temporary folder: ``dossier`` (every source but
``unga-votes`` and ``wikidata-missions``: today's build before issue 15) and ``world`` (every source).
Then, alternating the two so that a busy spell of the shared machine hits both alike, it runs
``--repeat`` fresh ``diplokg build`` processes of each and prints the medians of:

* wall time of the build, and its steps as the build reports them;
* peak resident memory of the build and its children together (the sort runs in a child),
  sampled from ``/proc`` every 20 ms;
* two rebuilds of ``world`` with the build cache (``build/cache``, see the README's "What a build
  does"), after one article's facts changed: first a comment appended to the article's
  ``facts.ttl`` (the input changes, the graph does not), then a label of the article's changed (one
  quad removed and one added: the graph is validated, merged and stored anew). The clean ``world``
  build of the same round is their baseline;
* ``diplokg alignment --format csv`` (every state, both anchors, every year) on the built world, and
  ``diplokg alignment --issue hr --year 2019`` (computed from the votes).

Usage::

    python bench/world_build.py --repeat 3
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORLD = ("unga-votes", "wikidata-missions")
ARTICLE = "dprk-embassy-closures-2023"
LABEL = '"Embassy of the DPRK in Angola"@en'


def copy_project(target: Path, world: bool) -> Path:
    for part in ("ontology", "queries"):
        shutil.copytree(ROOT / part, target / part)
    for folder in sorted((ROOT / "sources").iterdir()):
        if folder.is_dir() and (world or folder.name not in WORLD):
            shutil.copytree(folder, target / "sources" / folder.name)
    return target


def _tree_rss_mb(root: int) -> float:
    """Resident memory of ``root`` and its descendants now, in MB (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                parent = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    total, todo = 0, [root]
    page = os.sysconf("SC_PAGE_SIZE")
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
                total += int(handle.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            pass
    return total / 2**20


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a command; (wall seconds, peak MB of its process tree, its standard error and output)."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_mb(process.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    done.set()
    sampler.join()
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({process.returncode}): {err.strip().splitlines()[-1:]}")
    return seconds, peak, err + out  # the build prints its summary (with the step times) on stdout


def steps(stderr: str) -> dict[str, float]:
    """The step times of a build's summary line (``load 1.2 s, reason 0.3 s, ...``)."""
    line = next((ln for ln in stderr.splitlines() if ln.startswith("time:")), "")
    return {name: float(value) for name, value in re.findall(r"([a-z]+) ([0-9.]+) s", line.split("(", 1)[-1])}


def load_average() -> str:
    """The 1, 5 and 15 minute load averages now."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    diplokg = [str(Path(sys.executable).parent / "diplokg")]
    work = Path(tempfile.mkdtemp(prefix="diplokg-world-bench-"))
    try:
        projects = {name: copy_project(work / name, world=(name == "world")) for name in ("dossier", "world")}
        results: dict[str, list[tuple[float, float, dict[str, float]]]] = {
            "dossier": [], "world": [], "rebuild (comment)": [], "rebuild (a fact's label)": []}
        cli: dict[str, list[float]] = {"alignment": [], "alignment-issue": []}
        loads = [load_average()]
        for n in range(args.repeat):
            for name, project in projects.items():
                env = {**os.environ, "DIPLOKG_BUILD": str(project / "build")}
                shutil.rmtree(project / "build", ignore_errors=True)
                seconds, peak, err = run([*diplokg, "build", "--project", str(project)], env)
                results[name].append((seconds, peak, steps(err)))
                print(f"run {n + 1}: {name} build {seconds:.1f} s, {peak:.0f} MB", file=sys.stderr)
            world = projects["world"]
            env = {**os.environ, "DIPLOKG_BUILD": str(world / "build")}
            facts = world / "sources" / ARTICLE / "facts.ttl"
            original = facts.read_text(encoding="utf-8")
            edits = {
                "rebuild (comment)": original + f"\n# edited {n}\n",
                "rebuild (a fact's label)": original.replace(LABEL, LABEL.replace("Angola", f"Angola (edit {n})")),
            }
            for key, text in edits.items():
                facts.write_text(text, encoding="utf-8")
                seconds, peak, err = run([*diplokg, "build", "--project", str(world)], env)
                if "reused:" not in err:
                    raise SystemExit(f"the {key} did not use the cache:\n{err}")
                results[key].append((seconds, peak, steps(err)))
                print(f"run {n + 1}: {key} {seconds:.1f} s", file=sys.stderr)
            facts.write_text(original, encoding="utf-8")
            run([*diplokg, "build", "--project", str(world)], env)  # not timed: the commands would rebuild first
            for key, extra in (("alignment", []), ("alignment-issue", ["--issue", "hr", "--year", "2019"])):
                argv = [*diplokg, "alignment", "--format", "csv", *extra, "--project", str(world)]
                seconds, _peak, _err = run(argv, env)
                cli[key].append(seconds)
            loads.append(load_average())
        print(f"\nload average (1, 5, 15 min) at the start and after each round: {'; '.join(loads)}")
        print(f"\n### World build against the dossier build (median of {args.repeat}, alternated)\n")
        print("| build | wall s | peak MB (tree) | steps (median s) |")
        print("| --- | --- | --- | --- |")
        for name, rows in results.items():
            names = sorted({k for _s, _p, st in rows for k in st})
            detail = ", ".join(f"{k} {statistics.median(st.get(k, 0.0) for _s, _p, st in rows):.1f}" for k in names)
            wall = statistics.median(s for s, _p, _st in rows)
            peak = statistics.median(p for _s, p, _st in rows)
            print(f"| {name} | {wall:.1f} | {peak:.0f} | {detail} |")
        print("\n| command (world built) | wall s (median) |\n| --- | --- |")
        print("| diplokg alignment --format csv (all states, CHN and RUS, every year) | "
              f"{statistics.median(cli['alignment']):.2f} |")
        print("| diplokg alignment --issue hr --year 2019 --format csv (from the votes) | "
              f"{statistics.median(cli['alignment-issue']):.2f} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
