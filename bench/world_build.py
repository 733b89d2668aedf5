"""Benchmark the build with the world's sources against the build without them, in the same run.

Copies this checkout's project three times into a temporary folder: ``dossier`` (every source but the
world's: :data:`WORLD`), ``world-2019`` (every source but the vote records of issue 24, the key votes of
2020-2024 and the Security Council's votes: the build before them, their baseline) and ``world`` (every
source). Then, alternating them so that a busy spell of the shared machine hits all alike, it runs
``--repeat`` fresh ``diplokg build`` processes of each and prints the medians of:

* wall time of the build, and its steps as the build reports them;
* peak resident memory of the build and its children together (the sort runs in a child),
  sampled from ``/proc`` every 20 ms;
* two rebuilds of ``world`` with the build cache (``build/cache``, see ``docs/build.md``, "What a build
  does"), after one article's facts changed: first a comment appended to the article's
  ``facts.ttl`` (the input changes, the graph does not), then a label of the article's changed (one
  quad removed and one added: the graph is validated, merged and stored anew). The clean ``world``
  build of the same round is their baseline;
* ``diplokg alignment --format csv`` (every state, both anchors, every year) on the built world and,
  as its baseline, on ``world-2019``; ``--from 1946 --to 2024`` (issue 24's goal: under 3 s);
  ``--issue hr --year 2019`` and ``--pool --from 2022 --to 2023`` (both computed from the votes);
  ``--from 1946 --to 2024`` again with ``DIPLOKG_NO_KEPT_ALIGNMENT=1`` (the derived graph read from the
  store rather than ``build/alignment.csv``: the baseline of the kept table) and as a table to a pipe.

``--only alignment`` builds the world once and times only those commands (``--repeat`` rounds of
``--alignment-repeat`` runs, alternated).

Beside the medians it prints issue 24's goals (the world build under 40 s and 2 GB; the alignment of
every state, both anchors, 1946-2024 under 3 s) and whether this run met them.

Usage::

    python bench/world_build.py --repeat 3
    python bench/world_build.py --only alignment --repeat 5
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.proctree import run_sampled
from bench.table import Table

ROOT = Path(__file__).resolve().parents[1]
WORLD = ("unga-votes", "wikidata-missions", "unga-key-votes-2020-2024", "unsc-dprk-votes")
#: The sources issue 24 added: left out of ``world-2019``.
SINCE_2019 = ("unga-key-votes-2020-2024", "unsc-dprk-votes")
ARTICLE = "dprk-embassy-closures-2023"
LABEL = '"Embassy of the DPRK in Angola"@en'
#: The switch that makes ``diplokg alignment`` read the derived graph rather than build/alignment.csv.
NO_KEPT = "DIPLOKG_NO_KEPT_ALIGNMENT"


def copy_project(target: Path, leave_out: tuple[str, ...]) -> Path:
    for part in ("ontology", "queries"):
        shutil.copytree(ROOT / part, target / part)
    for folder in sorted((ROOT / "sources").iterdir()):
        if folder.is_dir() and folder.name not in leave_out:
            shutil.copytree(folder, target / "sources" / folder.name)
    return target


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a command; (wall seconds, peak RSS MB of its process tree, its standard error and output)."""
    done = run_sampled(argv, env)
    return done.seconds, done.rss, done.err + done.out  # the build prints its summary (with the step times) on stdout


def steps(stderr: str) -> dict[str, float]:
    """The step times of a build's summary line (``load 1.2 s, reason 0.3 s, ...``)."""
    line = next((ln for ln in stderr.splitlines() if ln.startswith("time:")), "")
    return {name: float(value) for name, value in re.findall(r"([a-z]+) ([0-9.]+) s", line.split("(", 1)[-1])}


def load_average() -> str:
    """The 1, 5 and 15 minute load averages now."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


#: What each timed alignment command is, in the table.
WORDS = {
    "alignment": "diplokg alignment --format csv (all states, CHN and RUS, every year: 1946-2025)",
    "alignment (world-2019, baseline)": "the same on world-2019 (1946-2020: the build before issue 24)",
    "alignment 1946-2024": "diplokg alignment --from 1946 --to 2024 --format csv (the kept table)",
    "alignment 1946-2024 from the graph": f"the same from the graph ({NO_KEPT}=1: the baseline)",
    "alignment 1946-2024 table": "diplokg alignment --from 1946 --to 2024 (a table, to a pipe)",
    "alignment-issue": "diplokg alignment --issue hr --year 2019 --format csv (from the votes)",
    "alignment-pool": "diplokg alignment --pool --from 2022 --to 2023 --format csv (from the votes)",
}


def _alignment(diplokg: list[str], project: Path, key: str, extra: list[str]) -> float:
    """Seconds of one ``diplokg alignment`` run (csv unless ``extra`` asks otherwise); the baseline key
    reads the derived graph, not the table the build kept."""
    fmt = [] if "--format" in extra else ["--format", "csv"]
    env = {**os.environ, "DIPLOKG_BUILD": str(project / "build")}
    env.pop("COLUMNS", None)
    if key.endswith("from the graph"):
        env[NO_KEPT] = "1"
    seconds, _peak, _out = run([*diplokg, "alignment", *fmt, *extra, "--project", str(project)], env)
    return seconds


def alignment_only(repeat: int, alignment_repeat: int) -> None:
    """Build the world once, then time the alignment commands of ``world`` on it, alternated."""
    diplokg = [str(Path(sys.executable).parent / "diplokg")]
    work = Path(tempfile.mkdtemp(prefix="diplokg-alignment-bench-"))
    try:
        world = copy_project(work / "world", ())
        env = {**os.environ, "DIPLOKG_BUILD": str(world / "build")}
        seconds, peak, _err = run([*diplokg, "build", "--project", str(world)], env)
        print(f"world build {seconds:.1f} s, {peak:.0f} MB", file=sys.stderr)
        keys = [k for k in WORDS if k != "alignment (world-2019, baseline)"]
        cli: dict[str, list[float]] = {key: [] for key in keys}
        loads = [load_average()]
        for _ in range(repeat):
            for _ in range(alignment_repeat):
                for key in keys:
                    extra = {"alignment": [], "alignment-issue": ["--issue", "hr", "--year", "2019"],
                             "alignment-pool": ["--pool", "--from", "2022", "--to", "2023"]}.get(
                        key, ["--from", "1946", "--to", "2024"])
                    if key.endswith("table"):
                        extra = [*extra, "--format", "table"]
                    cli[key].append(_alignment(diplokg, world, key, extra))
            loads.append(load_average())
        n = repeat * alignment_repeat
        table = Table(f"diplokg alignment on the built world (median of {n}, alternated)",
                      ["command", "median", "runs"])
        table.note(f"Load average (1, 5, 15 min) at the start and after each round: {'; '.join(loads)}.")
        for key in keys:
            table.row(WORDS[key], f"{statistics.median(cli[key]):.2f} s", ", ".join(f"{s:.2f}" for s in cli[key]))
        span = statistics.median(cli["alignment 1946-2024"])
        table.note(f"Issue 24's goal: alignment of every state, both anchors, 1946-2024, under 3 s: {span:.2f} s "
                   f"({'met' if span < 3 else 'not met'}).")
        table.print()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--alignment-repeat", type=int, default=1, metavar="N",
                        help="Time the alignment commands N times after each round's builds (default 1).")
    parser.add_argument("--only", choices=("all", "alignment"), default="all",
                        help="alignment: build the world once (no dossier, world-2019 or rebuilds) and time "
                             "only the alignment commands on it, --repeat rounds of --alignment-repeat.")
    args = parser.parse_args()
    if args.only == "alignment":
        alignment_only(args.repeat, args.alignment_repeat)
        return
    diplokg = [str(Path(sys.executable).parent / "diplokg")]
    work = Path(tempfile.mkdtemp(prefix="diplokg-world-bench-"))
    try:
        leave_out = {"dossier": WORLD, "world-2019": SINCE_2019, "world": ()}
        projects = {name: copy_project(work / name, out) for name, out in leave_out.items()}
        results: dict[str, list[tuple[float, float, dict[str, float]]]] = {
            "dossier": [], "world-2019": [], "world": [], "rebuild (comment)": [], "rebuild (a fact's label)": []}
        commands = {
            "alignment": ("world", []),
            "alignment (world-2019, baseline)": ("world-2019", []),
            "alignment 1946-2024": ("world", ["--from", "1946", "--to", "2024"]),
            "alignment 1946-2024 from the graph": ("world", ["--from", "1946", "--to", "2024"]),
            "alignment 1946-2024 table": ("world", ["--from", "1946", "--to", "2024", "--format", "table"]),
            "alignment-issue": ("world", ["--issue", "hr", "--year", "2019"]),
            "alignment-pool": ("world", ["--pool", "--from", "2022", "--to", "2023"]),
        }
        cli: dict[str, list[float]] = {key: [] for key in commands}
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
            for _ in range(args.alignment_repeat):
                for key, (name, extra) in commands.items():
                    cli[key].append(_alignment(diplokg, projects[name], key, extra))
            loads.append(load_average())
        table = Table(f"world build against the dossier build (median of {args.repeat}, alternated)",
                      ["measure", "wall", "peak MB (tree)", "steps (median s)"])
        table.note(f"Load average (1, 5, 15 min) at the start and after each round: {'; '.join(loads)}.")
        for name, rows in results.items():
            names = sorted({k for _s, _p, st in rows for k in st})
            detail = ", ".join(f"{k} {statistics.median(st.get(k, 0.0) for _s, _p, st in rows):.1f}" for k in names)
            wall = statistics.median(s for s, _p, _st in rows)
            peak = statistics.median(p for _s, p, _st in rows)
            table.row(f"build: {name}", f"{wall:.1f} s", f"{peak:.0f}", detail)
        for key, text in WORDS.items():
            table.row(text, f"{statistics.median(cli[key]):.2f} s")
        wall = statistics.median(s for s, _p, _st in results["world"])
        peak = statistics.median(p for _s, p, _st in results["world"])
        span = statistics.median(cli["alignment 1946-2024"])
        table.note(f"Issue 24's goals: world build under 40 s: {wall:.1f} s ({'met' if wall < 40 else 'not met'}); "
                   f"under 2 GB: {peak:.0f} MB ({'met' if peak < 2048 else 'not met'}); alignment of every state, "
                   f"both anchors, 1946-2024, under 3 s: {span:.2f} s ({'met' if span < 3 else 'not met'}).")
        table.print()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
