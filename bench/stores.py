"""Push and query times against the oxigraph server and Virtuoso, beside each store's own bulk loader.

    .venv/bin/python bench/stores.py --triples 1000000

Starts fresh stores on 127.0.0.1 with ``.ci/start-stores`` (twice: one set for ``diplokg push``,
one for the stores' own bulk loaders, so that each load goes into an empty store), on the synthetic
world's build (bench/serve_load.py makes it), and prints:

- ``diplokg push`` (Graph Store Protocol, ``--chunk`` triples per request) into the oxigraph server
  (with its ``no_transaction`` bulk loader, and ``--no-bulk`` into a second empty one: the protocol
  alone) and into Virtuoso, beside ``oxigraph load`` (the server's bulk loader, into a new store folder) and
  Virtuoso's ``ld_dir`` + ``rdf_loader_run()`` of the same file, in the same run;
- every library question's median time (``--repeat``), question by question in the same run: as
  ``diplokg query`` runs it on the local build (contained child, on-disk store: the baseline) and as
  ``--endpoint`` runs it over the protocol on the oxigraph server with its union default graph
  (``--dataset store``) and on Virtuoso with our graphs named (``--dataset ours``); with ``--listed``
  also on the oxigraph server with our graphs named. Each query is cut off after ``--cap`` seconds,
  by us and by the store (oxigraph ``--timeout-s``, Virtuoso ``MaxQueryExecutionTime``), and shown as
  "over N s"; an answer whose rows differ from the local build's is marked "(differs)".

Only 127.0.0.1 is asked. The stores are stopped at the end.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from serve_load import questions, world_build  # noqa: E402

from bench.table import Table  # noqa: E402
from kg.errors import QueryTimeout  # noqa: E402
from kg.http import Endpoint  # noqa: E402
from kg.query.engine import Answer, BuiltGraph  # noqa: E402
from kg.query.gate import vet  # noqa: E402
from kg.query.remote import RemoteGraph  # noqa: E402
from kg.query.sandbox import Limits  # noqa: E402
from kg.store.push import push  # noqa: E402


def start_stores(state: Path) -> dict[str, str]:
    out = subprocess.run([str(ROOT / ".ci" / "start-stores"), str(state)], capture_output=True, text=True, check=True)
    env = {}
    for line in out.stdout.splitlines():
        if line.startswith("export "):
            key, _, value = line[len("export "):].partition("=")
            env[key] = value
    return env


def stop_stores(state: Path) -> None:
    subprocess.run([str(ROOT / ".ci" / "stop-stores"), str(state)], check=False)


def isql(env: dict[str, str], statement: str) -> None:
    subprocess.run(["isql-vt", env["DIPLOKG_TEST_VIRTUOSO_SQL"], "dba", env["DIPLOKG_TEST_VIRTUOSO_PASSWORD"],
                    f"exec={statement}"], check=True, capture_output=True, timeout=3600)


def timed(label: str, action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    seconds = time.perf_counter() - started
    print(f"- {label}: {seconds:.1f} s (load average {' '.join(f'{x:.1f}' for x in os.getloadavg())})", flush=True)
    return seconds


@dataclass
class Timing:
    """One engine's figure for one question: the cell to print, and the answer's rows (to compare)."""

    cell: str
    rows: list[tuple[str, ...]] | None = None
    failed: str = ""


def answer_rows(answer: Answer) -> list[tuple[str, ...]]:
    """The rows as sorted N-Triples text (an ASK as its boolean), to compare engines' answers."""
    if answer.kind == "ASK":
        return [(str(answer.boolean),)]
    return sorted(tuple("" if t is None else t.n3() for t in row) for row in answer.rows)


def measure(run: Callable[[], Answer], repeat: int, cap: float) -> Timing:
    """Median of ``repeat`` runs; stops at the first failure (over the cap, or a refusal)."""
    times: list[float] = []
    rows = None
    for _ in range(repeat):
        started = time.perf_counter()
        try:
            answer = run()
        except Exception as exc:  # a limit, a store's refusal or its time-out: reported in the table
            text = str(exc)
            seconds = time.perf_counter() - started
            over = ("timed out" in text or "answered only part" in text or isinstance(exc, QueryTimeout)
                    or seconds >= cap)
            if over:
                return Timing(f"over {cap:.0f} s", failed="over cap")
            return Timing(f"error: {text[:70]}", failed=text[:200])
        times.append(time.perf_counter() - started)
        rows = answer_rows(answer)
    return Timing(f"{statistics.median(times) * 1000:.0f} ms", rows)


def question_table(build: Path, columns: dict[str, RemoteGraph], repeat: int, cap: float,
                   only: set[str] | None) -> None:
    """Every library question on the local build (``diplokg query``'s path: contained, on-disk store)
    and on each store over the protocol, question by question (so a change of load hits every column)."""
    local = BuiltGraph(build)
    limits = Limits(timeout=cap)
    table = Table(f"library questions on {build} (median of {repeat}; cut off after {cap:.0f} s)",
                  ["question", "`diplokg query` (local build, the baseline)", *columns])
    differ: dict[str, list[str]] = {label: [] for label in columns}
    failed: dict[str, list[str]] = {label: [] for label in columns}
    for name, text in questions():
        if only is not None and name not in only:
            continue
        vetted = vet(text, local.graph_names())
        here = measure(functools.partial(local.run, vetted, limits=limits), repeat, cap)
        cells = [here.cell]
        for label, graph in columns.items():
            there = measure(functools.partial(graph.run, vetted), repeat, cap)
            cell = there.cell
            if there.failed:
                failed[label].append(f"{name} ({there.failed})")
            elif here.rows is not None and there.rows != here.rows:
                cell += " (differs)"
                differ[label].append(name)
            cells.append(cell)
        table.row(name, *cells)
    for label in columns:
        table.note(f"{label}: answers differ from the local build on {', '.join(differ[label]) or 'none'}; "
                   f"no answer on {'; '.join(failed[label]) or 'none'}.")
    table.print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--worlds", type=Path, default=Path(tempfile.gettempdir()) / "diplokg-worlds")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cap", type=float, default=30.0, help="seconds a query may take (local and on the stores)")
    parser.add_argument("--chunk", type=int, default=100_000)
    parser.add_argument("--skip-queries", action="store_true")
    parser.add_argument("--skip-bulk", action="store_true", help="no bulk loader runs (the pushes load the stores)")
    parser.add_argument("--listed", action="store_true",
                        help="also ask the oxigraph server with our graphs named in each request (--dataset ours)")
    parser.add_argument("--only", action="append", default=None, metavar="QUESTION", help="only these questions")
    parser.add_argument("--build", type=Path, default=None, metavar="NQ",
                        help="push this built diplokg.nq (e.g. the world build's) instead of the synthetic world's")
    args = parser.parse_args()

    build = args.build or world_build(args.triples, args.worlds)
    quads = sum(1 for _ in build.open("rb"))
    work = Path(tempfile.mkdtemp(prefix="diplokg-stores-"))
    first, second = work / "push", work / "bulk"
    print(f"# Stores at {args.triples} triples ({quads} quads in {build})\n")
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}\n", flush=True)
    # Each store stops a query at the cap (else it would go on computing after the client gave up).
    os.environ["DIPLOKG_STORES_QUERY_TIMEOUT"] = str(int(args.cap))
    try:
        env = start_stores(first)
        union = env["DIPLOKG_TEST_OXIGRAPH_UNION"]
        virt = env["DIPLOKG_TEST_VIRTUOSO"]
        user, password = env["DIPLOKG_TEST_VIRTUOSO_USER"], env["DIPLOKG_TEST_VIRTUOSO_PASSWORD"]
        timeout = 3600.0
        print("## Loading\n")
        plain = env["DIPLOKG_TEST_OXIGRAPH"]
        timed("diplokg push into the oxigraph server (GSP + its no_transaction bulk loader)",
              lambda: push(build, Endpoint(f"{union}/store", timeout=timeout), force=True, chunk=args.chunk))
        timed("diplokg push --no-bulk into a second empty oxigraph server (GSP alone: the baseline)",
              lambda: push(build, Endpoint(f"{plain}/store", timeout=timeout), force=True, chunk=args.chunk,
                           bulk=False))
        timed("diplokg push into Virtuoso (GSP, digest)",
              lambda: push(build, Endpoint(f"{virt}/sparql-graph-crud-auth", user, password, timeout=timeout),
                           force=True, chunk=args.chunk))
        if not args.skip_bulk:
            bulk = start_stores(second)
            oxigraph = bulk["DIPLOKG_TEST_OXIGRAPH_BIN"]
            timed("oxigraph load (its bulk loader, new store folder)",
                  lambda: subprocess.run([oxigraph, "load", "--location", str(work / "ox-bulk"), "--file",
                                          str(build)], check=True, capture_output=True))
            load_dir = Path(bulk["DIPLOKG_TEST_VIRTUOSO_LOAD_DIR"])
            shutil.copy(build, load_dir / "diplokg.nq")
            timed("Virtuoso ld_dir + rdf_loader_run + checkpoint (its bulk loader)",
                  lambda: isql(bulk, f"ld_dir('{load_dir}', 'diplokg.nq', 'http://example.org/unused'); "
                                     "rdf_loader_run(); checkpoint;"))
            stop_stores(second)
        if args.skip_queries:
            return
        print(f"\n## Library questions (median of {args.repeat}; each cut off after {args.cap:.0f} s)\n")
        columns = {
            "oxigraph server, --dataset store": RemoteGraph(Endpoint(f"{union}/query", timeout=args.cap,
                                                                     dataset="store")),
            "Virtuoso, --dataset ours": RemoteGraph(Endpoint(f"{virt}/sparql", timeout=args.cap)),
        }
        if args.listed:
            columns["oxigraph server, --dataset ours"] = RemoteGraph(Endpoint(f"{union}/query", timeout=args.cap))
        question_table(build, columns, args.repeat, args.cap, set(args.only) if args.only else None)
    finally:
        stop_stores(first)
        stop_stores(second)
        shutil.rmtree(work, ignore_errors=True)
        os.sync()


if __name__ == "__main__":
    main()
