"""Load test of ``diplokg serve`` on 127.0.0.1: bounded in time and count, it stops by itself.

    .venv/bin/python bench/serve_load.py --triples 1000000 --clients 50 --seconds 15

On a synthetic world (bench/world.py, built with ``diplokg build``; generated and built once into
``--worlds``), it prints:

1. every library question's median time as ``diplokg query`` runs it in process on the build (the
   on-disk store from 100k quads; the baseline) and over the protocol on ``diplokg serve`` (the graph
   in memory, ``--cache-mib 0``: every request computes its answer), same run, ``--repeat`` times each;
2. a load phase on a server as it runs by default (answers kept per build, the questions that need no
   value answered at start; the phase begins once they are): ``--clients`` threads, each on its own
   keep-alive connection, ask the library's questions in turn (``/questions/NAME``, with sample values
   where one is needed, or with ``--fresh-values`` values drawn per request) until ``--seconds`` pass
   or ``--max-requests`` are answered, while one runaway query (a cross product that holds little
   memory) runs until the server's ``--timeout`` cuts it off; throughput and latency percentiles, of
   all answers and of those asked while the runaway ran.

Only 127.0.0.1 is ever asked.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rdflib import XSD, Literal, URIRef  # noqa: E402
from rdflib.term import Node  # noqa: E402

from bench.table import Table, load_average  # noqa: E402
from kg.query.engine import BuiltGraph  # noqa: E402
from kg.query.gate import vet  # noqa: E402
from kg.query.library import library  # noqa: E402
from kg.query.sparqltext import bind  # noqa: E402

SAMPLES: dict[str, Node] = {"asOf": Literal("2020-01-01", datatype=XSD.date), "entity": URIRef("https://w3id.org/diplokg/id/iso3166/PRK"),
           "year": Literal("2019", datatype=XSD.gYear)}
#: The runaway query: a cross product of the states five times over (231^5 rows to count). It holds little
#: memory, so the server's time limit is what stops it (a cross product of the whole graph reaches the
#: 1 GiB memory ceiling within about 2 s at 1M triples, and is stopped by that instead).
STATE = "<https://w3id.org/diplokg/ontology#State>"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { " + " . ".join(f"?{v} a {STATE}" for v in "abcde") + " }"
#: Values for --fresh-values: every first of a month from 2000 to 2024, the years of the votes, the states.
FRESH = {
    "asOf": [f"{y}-{m:02d}-01" for y in range(2000, 2025) for m in range(1, 13)],
    "year": [str(y) for y in range(1990, 2020)],
}


def world_build(triples: int, worlds: Path) -> Path:
    """The built N-Quads of the synthetic world of that size (generated and built when missing)."""
    folder = worlds / f"world-{triples}"
    nq = folder / "build" / "diplokg.nq"
    if nq.is_file():
        return nq
    if not (folder / "sources").is_dir():
        import importlib.util

        spec = importlib.util.spec_from_file_location("bench_world", ROOT / "bench" / "world.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"generating {folder} ...", file=sys.stderr)
        module.generate(triples, folder)
    print(f"building {folder} ...", file=sys.stderr)
    env = dict(os.environ, DIPLOKG_BUILD=str(folder / "build"))
    subprocess.run([sys.executable, "-c", "import sys; from kg.cli import entry; sys.exit(entry(sys.argv[1:]))",
                    "build", "-q", "--project", str(folder)], check=True, env=env, cwd=ROOT)
    return nq


def sync_library(build: Path) -> None:
    """Give the world's project this checkout's question library (the world copied the one of its day;
    the server answers /questions from the project's own): the build itself is not touched."""
    ours = {q.name: q for q in (ROOT / "queries").glob("*.rq")}
    theirs = build.parent.parent / "queries"
    for old in theirs.glob("*.rq"):
        if old.name not in ours:
            old.unlink()
    for name, path in ours.items():
        if not (theirs / name).is_file() or (theirs / name).read_bytes() != path.read_bytes():
            shutil.copyfile(path, theirs / name)


def questions() -> list[tuple[str, str]]:
    """Each library question as (name, text with its sample values as VALUES)."""
    found = []
    for q in library(ROOT / "queries"):
        values = {p.name: SAMPLES[p.name] for p in q.parameters if p.name in SAMPLES}
        found.append((q.name, bind(vet(q.text), values).text))
    return found


def start_server(build: Path, *args: str) -> tuple[subprocess.Popen[str], str, int]:
    env = dict(os.environ, DIPLOKG_BUILD=str(build.parent))
    project = build.parent.parent
    process = subprocess.Popen(
        [sys.executable, "-c", "import sys; from kg.cli import entry; sys.exit(entry(sys.argv[1:]))",
         "serve", "--host", "127.0.0.1", "--port", "0", "--project", str(project), *args],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env, cwd=ROOT,
    )
    assert process.stderr is not None
    for line in process.stderr:
        found = re.search(r"at http://127\.0\.0\.1:(\d+)/sparql", line)
        if found:
            threading.Thread(target=lambda: [None for _ in process.stderr], daemon=True).start()  # type: ignore[union-attr]
            return process, "127.0.0.1", int(found.group(1))
    raise SystemExit("the server did not start")


def ask(conn: http.client.HTTPConnection, text: str) -> tuple[int, float]:
    """POST one query on a keep-alive connection; (status, seconds)."""
    body = urllib.parse.urlencode({"query": text})
    started = time.perf_counter()
    conn.request("POST", "/sparql", body, {"Content-Type": "application/x-www-form-urlencoded",
                                           "Accept": "application/sparql-results+json"})
    response = conn.getresponse()
    response.read()
    return response.status, time.perf_counter() - started


def get(conn: http.client.HTTPConnection, path: str) -> tuple[int, float, bytes]:
    """GET one resource on a keep-alive connection; (status, seconds, the body when an error)."""
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    return response.status, time.perf_counter() - started, body if response.status != 200 else b""


def resources(optional: bool = False) -> list[tuple[str, dict[str, str]]]:
    """Each library question with sample values where one is needed (and, with ``optional``, for the
    optional parameters too: asOf for closed-missions and turning-points)."""
    asked = []
    for q in library(ROOT / "queries"):
        sample = {"entity": "iso:PRK", "asOf": "2020-01-01", "year": "2019"}
        asked.append((q.name, {p.name: sample.get(p.name, "") for p in q.parameters if p.required or optional}))
    return asked


def path_of(name: str, values: dict[str, str], rng: random.Random | None = None) -> str:
    """The resource of a question with these values (with ``rng``: each value drawn from :data:`FRESH`)."""
    if rng is not None:
        values = {k: rng.choice(FRESH[k]) for k in values}
    return f"/questions/{name}" + (f"?{urllib.parse.urlencode(values)}" if values else "")


def fresh_entities() -> list[str]:
    """Every state of the gazetteer as a value (``iso:PRK``)."""
    from rdflib import RDF

    from kg.namespaces import DIPLO
    from kg.sources.gazetteer import gazetteer_graph

    return sorted(f"iso:{str(s).rsplit('/', 1)[1]}" for s in gazetteer_graph().subjects(RDF.type, DIPLO.State))


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def serve_table(build: Path, asked: list[tuple[str, str]], args: argparse.Namespace,
                *options: str) -> dict[str, tuple[float, int]]:
    """Each question's median seconds over the protocol (and its last status) on a server started with
    ``options``."""
    started = time.perf_counter()
    process, host, port = start_server(build, "--timeout", "120", "--max-running", str(args.max_running),
                                       "--max-rows", "1000000", *options)
    print(f"server {' '.join(options)} up in {time.perf_counter() - started:.1f} s (graph read into memory), "
          f"load average {os.getloadavg()[0]:.1f}\n")
    table: dict[str, tuple[float, int]] = {}
    try:
        conn = http.client.HTTPConnection(host, port, timeout=120)
        for name, text in asked:
            times = []
            status = 0
            for _ in range(args.repeat):
                status, seconds = ask(conn, text)
                times.append(seconds)
            table[name] = (statistics.median(times), status)
        conn.close()
    finally:
        process.terminate()
        process.wait(10)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--worlds", type=Path, default=Path(tempfile.gettempdir()) / "diplokg-worlds")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--timeout", type=float, default=5.0, help="the server's --timeout (cuts the runaway)")
    parser.add_argument("--max-running", type=int, default=4)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--load-only", action="store_true", help="only the load phase")
    parser.add_argument("--no-values", action="store_true",
                        help="the load phase asks only the questions that need no value (those answered at start)")
    parser.add_argument("--table-only", action="store_true", help="only the per-question table, no load phase")
    parser.add_argument("--optional-values", action="store_true",
                        help="the load phase gives the optional parameters their sample values too (asOf)")
    parser.add_argument("--fresh-values", action="store_true",
                        help="the load phase draws each request's values (optional ones too with --optional-values) "
                             "from many (every month's first day 2000-2024, every vote year, every state), so that "
                             "most are asked for the first time")
    parser.add_argument("--only", nargs="*", default=None, help="only these questions in the table")
    args = parser.parse_args()

    build = world_build(args.triples, args.worlds)
    sync_library(build)
    asked = [(n, t) for n, t in questions() if not args.only or n in args.only]
    print(f"# diplokg serve at {args.triples} triples ({build})\n")
    started_load = load_average()
    baseline: dict[str, float] = {}
    if not args.skip_baseline:
        graph = BuiltGraph(build)
        for name, text in asked:
            vetted = vet(text, graph.graph_names())
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                graph.run(vetted)
                times.append(time.perf_counter() - started)
            baseline[name] = statistics.median(times)
        print(f"baseline done, load average {os.getloadavg()[0]:.1f}\n")

    if args.load_only:
        asked = []
    served = {}
    if asked:
        served["computed"] = serve_table(build, asked, args, "--cache-mib", "0")
        served["kept"] = serve_table(build, asked, args, "--no-warm")
        table = Table(f"diplokg serve at {args.triples} triples, median of {args.repeat}",
                      ["question", "`diplokg query` (baseline)", "serve, computed per request (`--cache-mib 0`)",
                       "serve, default (answers kept)"])
        table.started = started_load
        for name, _ in asked:
            base = f"{baseline[name] * 1000:.0f} ms" if name in baseline else "-"
            cells = [f"{served[k][name][0] * 1000:.0f} ms" + ("" if served[k][name][1] == 200 else
                                                             f" (status {served[k][name][1]})") for k in served]
            table.row(name, base, *cells)
        for kind, found in served.items():
            under = sum(1 for v, status in found.values() if v < 0.2 and status == 200)
            table.note(f"{kind}: {under} of {len(found)} questions under 200 ms median on serve; median of medians "
                       f"{statistics.median(v for v, _ in found.values()) * 1000:.0f} ms.")
        table.print()
    if args.table_only:
        return

    started = time.perf_counter()
    process, host, port = start_server(build, "--timeout", str(args.timeout), "--max-running", str(args.max_running),
                                       "--max-rows", "1000000")
    try:
        warm_conn = http.client.HTTPConnection(host, port, timeout=120)
        warm_conn.request("GET", "/questions")
        listed = json.loads(warm_conn.getresponse().read())["questions"]
        wanted = sum(1 for q in listed if not any(p["required"] for p in q["parameters"]))
        give_up = time.monotonic() + 600
        while time.monotonic() < give_up:
            warm_conn.request("GET", "/health")
            health = json.loads(warm_conn.getresponse().read())
            if health["questions_warmed"] >= wanted:
                break
            time.sleep(0.5)
        else:
            raise SystemExit(f"only {health['questions_warmed']} of {wanted} questions were answered at start")
        print(f"second server up, {wanted} questions answered at start, in {time.perf_counter() - started:.1f} s\n")
        asked_paths = [(n, v) for n, v in resources(args.optional_values) if not (args.no_values and v)]
        if args.fresh_values:
            FRESH["entity"] = fresh_entities()
        # (began, seconds, path, status, error) per answer
        answers: list[tuple[float, float, str, int, str]] = []
        lock = threading.Lock()
        deadline = time.monotonic() + args.seconds
        runaway: dict[str, Any] = {}

        def run_runaway() -> None:
            c = http.client.HTTPConnection(host, port, timeout=args.timeout + 60)
            runaway["began"] = time.monotonic()
            c.request("POST", "/sparql", urllib.parse.urlencode({"query": RUNAWAY}),
                      {"Content-Type": "application/x-www-form-urlencoded",
                       "Accept": "application/sparql-results+json"})
            response = c.getresponse()
            body = response.read()
            runaway.update(ended=time.monotonic(), status=response.status,
                           message=body.decode(errors="replace").strip() if response.status != 200 else "")

        def client(seed: int) -> None:
            rng = random.Random(seed)
            c = http.client.HTTPConnection(host, port, timeout=120)
            order = list(asked_paths)
            while time.monotonic() < deadline:
                rng.shuffle(order)
                for name, values in order:
                    with lock:
                        if len(answers) >= args.max_requests or time.monotonic() >= deadline:
                            return
                    path = path_of(name, values, rng if args.fresh_values else None)
                    began = time.monotonic()
                    status, seconds, error = get(c, path)
                    with lock:
                        answers.append((began, seconds, path, status, error.decode(errors="replace").strip()))

        threads = [threading.Thread(target=run_runaway)]
        threads += [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        began = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - began
        statuses: dict[int, int] = {}
        for answer in answers:
            statuses[answer[3]] = statuses.get(answer[3], 0) + 1
        values = "fresh values (drawn per request)" if args.fresh_values else (
            "sample values, optional ones too" if args.optional_values else "sample values where needed")
        print(f"## {args.clients} clients for {args.seconds:g} s (cap {args.max_requests} requests), {values}, "
              f"one runaway query, --max-running {args.max_running}, --timeout {args.timeout:g}\n")
        print(f"- {len(answers)} answers in {wall:.1f} s: {len(answers) / wall:.1f} per second; statuses "
              f"{json.dumps(statuses)}")
        during = [a[1] for a in answers if runaway.get("began", 0) <= a[0] < runaway.get("ended", 0)]
        for label, latencies in (("all answers", [a[1] for a in answers]),
                                 ("asked while the runaway ran", during)):
            if latencies:
                print(f"- {label} ({len(latencies)}): latency p50 {pct(latencies, 50) * 1000:.0f} ms, "
                      f"p90 {pct(latencies, 90) * 1000:.0f} ms, p99 {pct(latencies, 99) * 1000:.0f} ms, "
                      f"max {max(latencies) * 1000:.0f} ms")
        print(f"- the runaway query: status {runaway.get('status')} after "
              f"{runaway.get('ended', 0) - runaway.get('began', 0):.1f} s: {runaway.get('message', '')}")
        by_path: dict[tuple[str, int, str], list[float]] = {}
        for _, seconds, path, status, error in sorted(answers, key=lambda a: -a[1])[: max(1, len(answers) // 50)]:
            shown = path if not args.fresh_values else path.split("?")[0] + ("?..." if "?" in path else "")
            by_path.setdefault((shown, status, error[:100]), []).append(seconds)
        for (path, status, error), times in sorted(by_path.items(), key=lambda kv: -len(kv[1])):
            print(f"  - slowest 2%: {len(times)} x {path} ({status}{': ' + error if error else ''}), "
                  f"{min(times):.1f}-{max(times):.1f} s")
        print("- load average (1, 5, 15 min) after the load: " + " ".join(f"{v:.1f}" for v in os.getloadavg()))
    finally:
        process.terminate()
        process.wait(10)


if __name__ == "__main__":
    main()
