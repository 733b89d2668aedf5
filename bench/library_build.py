"""Time every library question on a real build (the world build: ``DIPLOKG_BUILD=DIR diplokg build``),
a baseline checkout against this one, in the same run, three ways (``--modes``):

- ``process``: in process on the build's on-disk store (read-only, the union default graph), the text
  bound to the library's sample values (``asOf`` 2020-01-01, ``entity`` the DPRK, ``year`` 2019) as a
  ``VALUES`` block, as ``diplokg query`` writes them; the rows of the old and new texts compared in order.
- ``serve``: ``GET /questions/NAME`` with the same values on ``diplokg serve --no-warm --cache-mib 0``
  (every answer computed per request, in a contained worker, as a client gets it: the JSON view), one
  server per checkout, started once.
- ``cli``: ``diplokg ask NAME -f csv`` with the same values as a fresh process (Python start-up, the
  on-disk store opened, the answer written), with ``DIPLOKG_BUILD`` naming the build; with ``--fresh``,
  a value never asked before at each run (``asOf`` 2020-01-01, 2020-02-01 ..., ``year`` 2019, 2018 ...).

Each side reads the build through a folder of its own (hard links to its files, made beside it and
removed after), so that what a side keeps beside the build for its next process (the gate's verdicts,
the answers) is its own: the two gates' verdicts files would otherwise replace each other.

The baseline is a checkout's folder (``--baseline DIR``, e.g. ``git archive main | tar -x -C DIR``), or,
without it, the revision ``--old`` (default: the merge-base with main) unpacked into a temporary folder;
its ``kg/`` and ``queries/`` are used with the same interpreter. Median of ``--repeat`` runs each, old
and new alternated. One table, the load average beside each row.

Usage::

    python bench/library_build.py --build build --repeat 3 --baseline /tmp/diplokg-main
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402
from rdflib import XSD, Literal, URIRef  # noqa: E402
from rdflib.term import Node  # noqa: E402

from bench.server import ENTRY, Server  # noqa: E402
from bench.table import Table, ms  # noqa: E402
from kg.query.gate import vet  # noqa: E402
from kg.query.library import Question, library  # noqa: E402
from kg.query.sparqltext import bind  # noqa: E402

SAMPLES: dict[str, Node] = {"asOf": Literal("2020-01-01", datatype=XSD.date),
                            "entity": URIRef("https://w3id.org/diplokg/id/iso3166/PRK"),
                            "year": Literal("2019", datatype=XSD.gYear)}
#: The same values as a client writes them (query string, command line).
WRITTEN = {"asOf": "2020-01-01", "entity": "iso:PRK", "year": "2019"}
MODES = ("process", "serve", "cli")


def timed(store: ox.Store, text: str) -> tuple[float, list[tuple[str | None, ...]]]:
    start = time.perf_counter()
    rows = [tuple(None if t is None else str(t) for t in s) for s in store.query(text, use_default_graph_as_union=True)]  # type: ignore[union-attr]
    return time.perf_counter() - start, rows


#: With ``--fresh``, the values of the ``n``-th run: each one never asked before in the run.
FRESH = {"asOf": lambda n: f"2020-{1 + n % 12:02d}-{1 + n // 12:02d}", "year": lambda n: str(2019 - n),
         "entity": lambda n: ["iso:PRK", "iso:CHN", "iso:RUS", "iso:UGA", "iso:ESP", "iso:AGO", "iso:NPL",
                              "iso:SEN", "iso:GIN", "iso:LBY"][n % 10]}


def cli(code: Path, build: Path, question: Question, written: dict[str, str] = WRITTEN) -> tuple[float, int]:
    """``diplokg ask`` of ``question`` as a fresh process of the checkout ``code``: (seconds, exit status)."""
    args = [sys.executable, "-c", ENTRY, "ask", question.name, "-f", "csv", "--project", str(code)]
    for p in question.parameters:
        if p.name == "asOf":
            args += ["--as-of", written["asOf"]]
        elif p.name in written:
            args += ["--bind", f"{p.name}={written[p.name]}"]
    env = dict(os.environ, DIPLOKG_BUILD=str(build), PYTHONPATH=str(code))
    started = time.perf_counter()
    done = subprocess.run(args, env=env, cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        print(f"  {code.name}: ask {question.name}: {done.stderr.strip()[:200]}", file=sys.stderr)
    return seconds, done.returncode


def side_build(build: Path, side: str) -> Path:
    """A folder of ``build``'s files for one side (hard links, beside it: nothing is copied), without
    what a checkout keeps beside a build for the next process (the gate's verdicts, the answers): the
    two sides' gates differ, and one side's verdicts file would replace the other's at each run."""
    folder = Path(tempfile.mkdtemp(prefix=f".bench-{side}-", dir=build.parent))
    for item in build.iterdir():
        if item.name in ("verdicts.json", "answers", "cache") or item.name.startswith("."):
            continue
        if item.is_dir():
            shutil.copytree(item, folder / item.name, copy_function=os.link)
        else:
            os.link(item, folder / item.name)
    return folder


def baseline_tree(args: argparse.Namespace) -> tuple[Path, str]:
    """The baseline checkout's folder and how it is named in the title."""
    if args.baseline is not None:
        return args.baseline.resolve(), str(args.baseline)
    rev = args.old or subprocess.run(["git", "-C", str(ROOT), "merge-base", "HEAD", "main"],
                                     capture_output=True, text=True, check=True).stdout.strip()
    folder = Path(tempfile.mkdtemp(prefix="diplokg-old-"))
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder, rev[:9]


def cell(times: list[float], failed: bool = False) -> str:
    return "-" if not times else ms(statistics.median(times)) + (" (failed)" if failed else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, required=True, help="a build folder holding diplokg.nq and store/")
    parser.add_argument("--baseline", type=Path, default=None, help="the baseline checkout's folder")
    parser.add_argument("--old", default=None,
                        help="baseline revision without --baseline (default: merge-base with main)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--fresh", action="store_true",
                        help="cli: a value never asked before at each run (the gate's kept verdicts on the "
                             "question hold, not on the values)")
    args = parser.parse_args()
    build = args.build.resolve()
    sides = {side: side_build(build, side) for side in ("old", "new")}
    old_root, old_name = baseline_tree(args)
    store = ox.Store.read_only(str(build / "store"))
    columns = ["question", "rows"]
    for mode in args.modes:
        columns += [f"{mode} old", f"{mode} new"]
    table = Table(f"library questions on {build} ({len(store):,} quads), old = {old_name}, new = this checkout; "
                  f"median of {args.repeat}", [*columns, "same rows"])
    servers: dict[str, Server] = {}
    if "serve" in args.modes:
        every = ("--cache-mib", "0", "--timeout", "120", "--max-rows", "1000000")  # every answer computed
        servers = {"old": Server(old_root, sides["old"], *every), "new": Server(ROOT, sides["new"], *every)}
        for server in servers.values():
            server.wait_for_workers()
    over: dict[str, list[str]] = {m: [] for m in args.modes}
    try:
        for question in library(ROOT / "queries"):
            if args.only and question.name not in args.only:
                continue
            old_path = old_root / "queries" / f"{question.name}.rq"
            old_text = old_path.read_text(encoding="utf-8") if old_path.is_file() else None
            values = {p.name: SAMPLES[p.name] for p in question.parameters if p.name in SAMPLES}
            written = {p.name: WRITTEN[p.name] for p in question.parameters if p.name in WRITTEN}
            path = f"/questions/{question.name}" + (f"?{urllib.parse.urlencode(written)}" if written else "")
            texts = {"new": bind(vet(question.text), values).text}
            if old_text is not None:
                texts["old"] = bind(vet(old_text), values).text
            same_text = texts.get("old") == texts["new"]
            times: dict[tuple[str, str], list[float]] = {}
            failed: set[tuple[str, str]] = set()
            rows: dict[str, list[tuple[str | None, ...]]] = {}
            def process(side: str, texts: dict[str, str] = texts,
                        rows: dict[str, list[tuple[str | None, ...]]] = rows) -> float:
                seconds, rows[side] = timed(store, texts[side])
                return seconds

            def serve(side: str, path: str = path, failed: set[tuple[str, str]] = failed) -> float:
                status, seconds, _ = servers[side].get(path)
                if status != 200:
                    failed.add(("serve", side))
                return seconds

            def ask(side: str, question: Question = question, failed: set[tuple[str, str]] = failed,
                    times: dict[tuple[str, str], list[float]] = times) -> float:
                run = len(times.get(("cli", side), []))
                written = {name: make(run) for name, make in FRESH.items()} if args.fresh else WRITTEN
                seconds, status = cli(old_root if side == "old" else ROOT, sides[side], question, written)
                if status:
                    failed.add(("cli", side))
                return seconds

            runs: dict[str, Callable[[str], float]] = {"process": process, "serve": serve, "cli": ask}
            for _ in range(args.repeat):
                for mode in args.modes:
                    for side in ("old", "new"):
                        if side == "old" and (old_text is None or (mode == "process" and same_text)):
                            continue
                        times.setdefault((mode, side), []).append(runs[mode](side))
            cells: list[str] = []
            for mode in args.modes:
                for side in ("old", "new"):
                    if mode == "process" and side == "old" and same_text:
                        cells.append("(same text)")
                    else:
                        cells.append(cell(times.get((mode, side), []), (mode, side) in failed))
                new_times = times.get((mode, "new"), [])
                goal = 1.0 if mode == "cli" else 0.2
                if new_times and statistics.median(new_times) >= goal:
                    over[mode].append(f"{question.name} {ms(statistics.median(new_times))}")
            if "process" in args.modes:
                reordered = sorted(map(str, rows.get("old", []))) == sorted(map(str, rows["new"]))
                same = ("unchanged" if same_text else "-" if "old" not in texts
                        else "yes" if rows["old"] == rows["new"] else "yes, ties in another order" if reordered
                        else "NO")
                count: object = len(rows["new"])
            else:
                same, count = "-", "-"
            table.row(question.name, count, *cells, same)
    finally:
        for server in servers.values():
            server.stop()
        for folder in sides.values():
            shutil.rmtree(folder, ignore_errors=True)
    table.note("Goals (issue 26): every question under 200 ms computed per request on serve, and under 1 s from "
               "the command line (start-up included); the process columns are the engine's part.")
    for mode in args.modes:
        table.note(f"Over the goal, new, {mode}: {', '.join(over[mode]) or 'none'}.")
    table.print()


if __name__ == "__main__":
    main()
