"""Benchmark the cached rebuild after an edit of a small source, against an older revision's code in the
same run (issue 26, goal 3: an edit of a small source rebuilt in under 1.5 s).

Copies this checkout's project (ontology, queries, sources) twice into ``--work`` (kept between runs:
``old/`` and ``new/``), builds each in full once with its own code (``--old``, default: the merge-base
with main, its ``kg/`` taken with ``git archive``; ``new``: this checkout's ``kg/``), then, alternately,
edits one fact of the article (:data:`ARTICLE`: the label of the Angola embassy, a new text each round)
or only appends a comment to its ``facts.ttl`` in both copies and times a fresh ``diplokg build`` of
each (Python start-up included). It checks that each rebuild used the cache and that both revisions
wrote the same ``diplokg.nq``, byte for byte. One table, medians, with the load average beside each
row (:mod:`bench.table`).

Usage::

    python bench/rebuild_bench.py --work /tmp/rebuild-bench --repeat 3
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.report_bench import ENTRY, old_code  # noqa: E402
from bench.table import Table, secs  # noqa: E402

ARTICLE = "dprk-embassy-closures-2023"
LABEL = '"Embassy of the DPRK in Angola"@en'


def prepare(work: Path, name: str) -> Path:
    """A copy of the project under ``work/name`` (made once)."""
    target = work / name
    if not (target / "sources").is_dir():
        for part in ("ontology", "queries", "sources"):
            shutil.copytree(ROOT / part, target / part)
    return target


def build(code: Path, project: Path) -> tuple[float, str]:
    """Seconds of one ``diplokg build`` of ``project`` with ``code`` first on the path, and its output."""
    env = {**os.environ, "PYTHONPATH": str(code), "DIPLOKG_BUILD": str(project / "build")}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", ENTRY, "build", "--project", str(project)], env=env, cwd=code,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"build with {code} failed: {done.stderr.strip().splitlines()[-1:]}")
    return seconds, done.stdout + done.stderr


def steps(output: str) -> dict[str, float]:
    """The step times of a build's summary line."""
    line = next((ln for ln in output.splitlines() if ln.startswith("time:")), "")
    return {name: float(value) for name, value in re.findall(r"([a-z]+) ([0-9.]+) s", line.split("(", 1)[-1])}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, required=True, help="a folder for the two copies (kept)")
    parser.add_argument("--old", default=None, help="baseline revision (default: merge-base with main)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rev = args.old or subprocess.run(["git", "-C", str(ROOT), "merge-base", "HEAD", "main"],
                                     capture_output=True, text=True, check=True).stdout.strip()
    args.work.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(args.work / "old-code", ignore_errors=True)
    code = {"old": old_code(rev, args.work / "old-code"), "new": ROOT}
    projects = {name: prepare(args.work, name) for name in code}
    table = Table(f"rebuild after an edit of {ARTICLE} on the world build (old = {rev[:9]}, new = working tree; "
                  f"median of {args.repeat}, alternated)", ["measure", "old", "new", "new steps", "same output"])
    originals = {name: (p / "sources" / ARTICLE / "facts.ttl").read_text(encoding="utf-8")
                 for name, p in projects.items()}
    for name in code:  # a full build with the revision's own code (the cache is keyed by the code)
        (projects[name] / "sources" / ARTICLE / "facts.ttl").write_text(originals[name], encoding="utf-8")
        seconds, _ = build(code[name], projects[name])
        print(f"{name}: the first build {seconds:.1f} s", file=sys.stderr)
    for kind in ("a fact's label", "a comment only"):
        times: dict[str, list[float]] = {name: [] for name in code}
        laps: dict[str, list[dict[str, float]]] = {name: [] for name in code}
        same = True
        for n in range(args.repeat):
            for name in code:
                facts = projects[name] / "sources" / ARTICLE / "facts.ttl"
                text = (originals[name].replace(LABEL, LABEL.replace("Angola", f"Angola (edit {n})"))
                        if kind == "a fact's label" else originals[name] + f"\n# edited {n}\n")
                facts.write_text(text, encoding="utf-8")
                seconds, output = build(code[name], projects[name])
                if "reused:" not in output:
                    raise SystemExit(f"the {name} rebuild did not use the cache:\n{output}")
                times[name].append(seconds)
                laps[name].append(steps(output))
            same = same and digest(projects["old"] / "build" / "diplokg.nq") == digest(
                projects["new"] / "build" / "diplokg.nq")
        names = sorted({k for found in laps["new"] for k in found})
        detail = ", ".join(f"{k} {statistics.median(f.get(k, 0.0) for f in laps['new']):.2f}" for k in names)
        table.row(f"diplokg build after {kind}", secs(statistics.median(times["old"])),
                  secs(statistics.median(times["new"])), detail, "yes" if same else "NO")
        for name in code:
            (projects[name] / "sources" / ARTICLE / "facts.ttl").write_text(originals[name], encoding="utf-8")
    table.note("Each build a fresh process (Python start-up included) on its own copy of the project, both "
               "built in full once with their own code first. Goal (issue 26): an edit of a small source "
               "rebuilt in under 1.5 s.")
    table.print()


if __name__ == "__main__":
    main()
