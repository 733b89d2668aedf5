"""Push and query times against the oxigraph server and Virtuoso, beside each store's own bulk loader.

    .venv/bin/python bench/stores.py --triples 1000000

Starts fresh stores on 127.0.0.1 with ``.ci/start-stores`` (twice: one set for ``diplokg push``,
one for the stores' own bulk loaders, so that each load goes into an empty store), on the synthetic
world's build (bench/serve_load.py makes it), and prints:

- ``diplokg push`` (Graph Store Protocol, ``--chunk`` triples per request) into the oxigraph server
  and into Virtuoso, beside ``oxigraph load`` (the server's bulk loader, into a new store folder) and
  Virtuoso's ``ld_dir`` + ``rdf_loader_run()`` of the same file, in the same run;
- every library question's median time on each store over the protocol: Oxigraph with our graphs
  named (``--dataset ours``) and with its union default graph (``--dataset store``), Virtuoso with our
  graphs named; each query cut off after ``--cap`` seconds.

Only 127.0.0.1 is asked. The stores are stopped at the end.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from serve_load import questions, world_build  # noqa: E402

from kg.http import Endpoint  # noqa: E402
from kg.query.gate import vet  # noqa: E402
from kg.query.remote import RemoteGraph  # noqa: E402
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
    print(f"- {label}: {seconds:.1f} s", flush=True)
    return seconds


def question_times(graph: RemoteGraph, repeat: int, cap: float) -> dict[str, str]:
    found = {}
    for name, text in questions():
        vetted = vet(text, graph.graph_names())
        times = []
        cell = ""
        for _ in range(repeat):
            started = time.perf_counter()
            try:
                graph.run(vetted)
            except Exception as exc:  # a store's refusal or time-out, reported in the table
                cell = "over cap" if "no answer" in str(exc) else f"error: {str(exc)[:60]}"
                break
            times.append(time.perf_counter() - started)
        found[name] = cell or f"{statistics.median(times) * 1000:.0f} ms"
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--worlds", type=Path, default=Path(tempfile.gettempdir()) / "diplokg-worlds")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cap", type=float, default=30.0)
    parser.add_argument("--chunk", type=int, default=100_000)
    parser.add_argument("--skip-queries", action="store_true")
    args = parser.parse_args()

    build = world_build(args.triples, args.worlds)
    quads = sum(1 for _ in build.open("rb"))
    work = Path(tempfile.mkdtemp(prefix="diplokg-stores-"))
    first, second = work / "push", work / "bulk"
    print(f"# Stores at {args.triples} triples ({quads} quads in {build})\n")
    try:
        env = start_stores(first)
        union = env["DIPLOKG_TEST_OXIGRAPH_UNION"]
        virt = env["DIPLOKG_TEST_VIRTUOSO"]
        user, password = env["DIPLOKG_TEST_VIRTUOSO_USER"], env["DIPLOKG_TEST_VIRTUOSO_PASSWORD"]
        timeout = 3600.0
        print("## Loading\n")
        timed("diplokg push into the oxigraph server (GSP)",
              lambda: push(build, Endpoint(f"{union}/store", timeout=timeout), force=True, chunk=args.chunk))
        timed("diplokg push into Virtuoso (GSP, digest)",
              lambda: push(build, Endpoint(f"{virt}/sparql-graph-crud-auth", user, password, timeout=timeout),
                           force=True, chunk=args.chunk))
        bulk = start_stores(second)
        oxigraph = bulk["DIPLOKG_TEST_OXIGRAPH_BIN"]
        timed("oxigraph load (its bulk loader, new store folder)",
              lambda: subprocess.run([oxigraph, "load", "--location", str(work / "ox-bulk"), "--file", str(build)],
                                     check=True, capture_output=True))
        load_dir = Path(bulk["DIPLOKG_TEST_VIRTUOSO_LOAD_DIR"])
        shutil.copy(build, load_dir / "diplokg.nq")
        timed("Virtuoso ld_dir + rdf_loader_run + checkpoint (its bulk loader)",
              lambda: isql(bulk, f"ld_dir('{load_dir}', 'diplokg.nq', 'http://example.org/unused'); "
                                 "rdf_loader_run(); checkpoint;"))
        stop_stores(second)
        if args.skip_queries:
            return
        print("\n## Library questions over the protocol (median)\n")
        columns = {
            "oxigraph, --dataset ours": RemoteGraph(Endpoint(f"{union}/query", timeout=args.cap)),
            "oxigraph, --dataset store": RemoteGraph(Endpoint(f"{union}/query", timeout=args.cap, dataset="store")),
            "Virtuoso, --dataset ours": RemoteGraph(Endpoint(f"{virt}/sparql", timeout=args.cap)),
        }
        results = {label: question_times(graph, args.repeat, args.cap) for label, graph in columns.items()}
        print("| question | " + " | ".join(columns) + " |")
        print("| --- |" + " --- |" * len(columns))
        for name, _ in questions():
            print(f"| {name} | " + " | ".join(results[label][name] for label in columns) + " |")
    finally:
        stop_stores(first)
        stop_stores(second)
        shutil.rmtree(work, ignore_errors=True)
        os.sync()


if __name__ == "__main__":
    main()
