"""The attacks of issue 23 on ``diplokg serve``, with figures, against this checkout and (``--old DIR``) an
older one in the same run: bounded in time and count, it stops by itself; only 127.0.0.1 is asked.

    .venv/bin/python bench/serve_attack.py --build /tmp/build --old /tmp/diplokg-old

``--build`` is a folder holding a built ``diplokg.nq`` (the world build, as the issue probed); the project
whose questions are served is the checkout's own. ``--old`` is a copy of an older checkout
(``git archive COMMIT | tar -x -C DIR``), run with the same interpreter. Each attack gets a fresh server:

- ``flood``: ``--clients`` clients for ``--seconds``, a quarter asking runaway queries (a cross product
  the time limit stops, each text distinct), the others cheap ASKs (each text distinct, so none is
  answered from what was kept), while a probe asks a normal query (an ordered list of the embassies,
  80-150 ms of processor time on the world build) twice a second: the probe's latency (median, p90,
  max) and statuses, the ASKs' and the runaways'.
- ``loris``: ``--slow`` connections that send a request head a byte every 2 s (reopened when closed),
  while a client asks ``/health`` on a new connection twice a second: its statuses and latency.
- ``values``: a 1 MB and a 10 MB ``VALUES`` query (each given up after ``--give-up`` s), while a client
  asks ``ASK {}`` once a second: when the large query was answered, the ASKs' latency, and the
  server's peak memory (VmHWM) and memory after (VmRSS).
- ``keys``: 40 distinct 4 MB queries (a comment makes them long), one after the other: the server's
  memory before and after.
- ``and``: ``ASK { FILTER(true && ... ) }`` with 5,000 terms and ``--timeout 10``: when it was answered.
- ``fresh`` (not an attack: what values cost): 20 clients asking questions with values never asked
  before, every answer computed: latency and answers a second.

The figures printed are medians and percentiles of the run, with the load average at the start of
each attack.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import Server  # noqa: E402

STATE = "<https://w3id.org/diplokg/ontology#State>"


def runaway(n: int) -> str:
    return "SELECT (COUNT(*) AS ?n) WHERE { " + " . ".join(f"?{v} a {STATE}" for v in "abcde") + f" }} LIMIT {n + 1}"


def short(n: int) -> str:
    return ("PREFIX diplo: <https://w3id.org/diplokg/ontology#> "
            f"SELECT ?m WHERE {{ ?m a diplo:Embassy }} ORDER BY ?m LIMIT {n + 1}")


def post(port: int, query: str, timeout: float = 120.0) -> tuple[int, float]:
    """POST one query on a new connection; (status, seconds); status 0 when no answer came."""
    started = time.perf_counter()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.request("POST", "/sparql", query.encode(), {"Content-Type": "application/sparql-query",
                                                         "Accept": "application/sparql-results+json"})
        response = conn.getresponse()
        response.read()
        conn.close()
        return response.status, time.perf_counter() - started
    except (OSError, http.client.HTTPException):
        return 0, time.perf_counter() - started


def post_early(port: int, query: str, timeout: float = 120.0) -> tuple[int, float]:
    """POST a large query: the head first, and the body only if the server has not answered at once (a
    server that refuses the body by its Content-Length answers before it is sent)."""
    started = time.perf_counter()
    body = query.encode()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
            conn.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                         b"Accept: application/sparql-results+json\r\nConnection: close\r\n"
                         b"Content-Length: %d\r\n\r\n" % len(body))
            conn.settimeout(0.5)
            try:
                early = conn.recv(65536)
            except TimeoutError:
                early = b""
            conn.settimeout(timeout)
            if not early:
                conn.sendall(body)
                early = conn.recv(65536)
            return int(early.split()[1]), time.perf_counter() - started
    except (OSError, IndexError, ValueError):
        return 0, time.perf_counter() - started


def get(port: int, path: str, timeout: float = 60.0) -> tuple[int, float]:
    started = time.perf_counter()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        conn.close()
        return response.status, time.perf_counter() - started
    except (OSError, http.client.HTTPException):
        return 0, time.perf_counter() - started


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def latencies(label: str, answers: list[tuple[int, float]]) -> str:
    if not answers:
        return f"{label}: none answered"
    times = [s for _, s in answers]
    statuses: dict[int, int] = {}
    for status, _ in answers:
        statuses[status] = statuses.get(status, 0) + 1
    return (f"{label}: {len(answers)} answers, median {statistics.median(times):.2f} s, p90 {pct(times, 90):.2f} s, "
            f"max {max(times):.2f} s, statuses {dict(sorted(statuses.items()))}")


def load() -> str:
    return "load average " + " ".join(f"{v:.1f}" for v in os.getloadavg())


def cheap(n: int) -> str:
    return f"ASK {{ <https://w3id.org/diplokg/id/probe/{n}> ?p ?o }}"


def flood(code: Path, args: argparse.Namespace) -> None:
    server = Server(code, args.build, "--timeout", "10")
    try:
        print(f"- flood ({load()}): {args.clients} clients for {args.seconds:g} s, a quarter asking runaways, "
              "the others cheap ASKs; a probe asks a normal query (an ordered list of embassies) every 0.5 s")
        deadline = time.monotonic() + args.seconds
        counter = iter(range(10**9))
        lock = threading.Lock()
        asks: list[tuple[int, float]] = []
        runaways: list[tuple[int, float]] = []
        probes: list[tuple[int, float]] = []

        def client(bad: bool) -> None:
            while time.monotonic() < deadline:
                with lock:
                    n = next(counter)
                answer = post(server.port, runaway(n) if bad else cheap(n))
                with lock:
                    (runaways if bad else asks).append(answer)

        def probe() -> None:
            time.sleep(2.0)  # once the flood is under way
            while time.monotonic() < deadline:
                with lock:
                    n = next(counter)
                probes.append(post(server.port, short(n)))
                time.sleep(0.5)

        alone = [post(server.port, short(n))[1] for n in range(5)]
        threads = [threading.Thread(target=client, args=(i % 4 == 0,)) for i in range(args.clients)]
        threads.append(threading.Thread(target=probe))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(f"  - the normal query alone, before: median {statistics.median(alone):.2f} s")
        print("  - " + latencies("the normal query during the flood", probes))
        print("  - " + latencies("cheap ASKs", asks))
        print("  - " + latencies("runaways", runaways))
    finally:
        server.stop()


def loris(code: Path, args: argparse.Namespace) -> None:
    server = Server(code, args.build)
    stop = threading.Event()
    opened = [0]

    def attacker() -> None:
        sockets: list[socket.socket | None] = [None] * args.slow
        while not stop.is_set():
            for i in range(len(sockets)):
                sock = sockets[i]
                try:
                    if sock is None:
                        sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
                        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                        sockets[i] = sock
                        opened[0] += 1
                    else:
                        sock.sendall(b"a")
                except OSError:
                    if sock is not None:
                        sock.close()
                    sockets[i] = None
            stop.wait(2.0)
        for sock in sockets:
            if sock is not None:
                sock.close()

    try:
        print(f"- slow-loris ({load()}): {args.slow} connections sending a head a byte every 2 s")
        thread = threading.Thread(target=attacker)
        thread.start()
        time.sleep(5)
        answers = []
        deadline = time.monotonic() + args.seconds
        while time.monotonic() < deadline:
            answers.append(get(server.port, "/health", timeout=30))
            time.sleep(0.5)
        stop.set()
        thread.join()
        print(f"  - {latencies('/health on a new connection', answers)} ({opened[0]} slow connections opened)")
    finally:
        server.stop()


def values(code: Path, args: argparse.Namespace, megabytes: int, *options: str) -> None:
    server = Server(code, args.build, *options)
    try:
        items = []
        size = 0
        n = 0
        while size < megabytes * 1_000_000:
            item = f"<http://example.org/item/{n}>"
            items.append(item)
            size += len(item) + 1
            n += 1
        query = f"SELECT * WHERE {{ VALUES ?v {{ {' '.join(items)} }} ?v ?p ?o }}"
        before = server.memory()
        print(f"- {megabytes} MB VALUES query ({load()}), {' '.join(options) or 'default options'}:")
        outcome: dict[str, Any] = {}

        def big() -> None:
            outcome["big"] = post_early(server.port, query, timeout=args.give_up)

        thread = threading.Thread(target=big)
        thread.start()
        asks: list[tuple[int, float]] = []
        peak = [before]

        def sample() -> None:
            while thread.is_alive():
                peak[0] = max(peak[0], server.memory())
                time.sleep(0.2)

        sampler = threading.Thread(target=sample)
        sampler.start()
        while thread.is_alive():
            asks.append(post(server.port, "ASK {}", timeout=args.give_up))
            thread.join(1.0)
        sampler.join()
        status, seconds = outcome["big"]
        shown = f"status {status} after {seconds:.1f} s" if status else f"no answer after {seconds:.0f} s"
        print(f"  - the large query: {shown}; the server's memory {before} MB before, {peak[0]} MB at most "
              f"(sampled every 0.2 s), {server.memory()} MB after")
        print("  - " + latencies("ASK {} meanwhile", asks))
    finally:
        server.stop()


def keys(code: Path, args: argparse.Namespace, *options: str) -> None:
    server = Server(code, args.build, *options)
    try:
        post(server.port, "ASK {}")
        before = server.memory()
        statuses: dict[int, int] = {}
        for n in range(40):
            status, _ = post(server.port, f"ASK {{ }} # {n} " + "x" * (4 * 1024 * 1024))
            statuses[status] = statuses.get(status, 0) + 1
        time.sleep(2)
        print(f"- 40 distinct 4 MB queries ({load()}), {' '.join(options) or 'default options'}: statuses "
              f"{statuses}; the server's memory {before} MB before, {server.memory()} MB after")
    finally:
        server.stop()


def conjunction(code: Path, args: argparse.Namespace) -> None:
    server = Server(code, args.build, "--timeout", "10")
    try:
        query = "ASK { FILTER(" + " && ".join(["true"] * 5000) + ") }"
        status, seconds = post(server.port, query, timeout=args.give_up)
        shown = f"status {status} after {seconds:.1f} s" if status else f"no answer after {seconds:.0f} s"
        print(f"- 5,000 `true &&` with --timeout 10 ({load()}): {shown}")
    finally:
        server.stop()


def fresh(code: Path, args: argparse.Namespace) -> None:
    """Not an attack: the cost of values. 20 clients ask questions with values never asked before (the
    first of a month, a state's code), so every answer is computed, its bound text vetted (in a worker,
    since issue 23; once per question before, with the values pasted in after)."""
    server = Server(code, args.build, "--timeout", "30")
    try:
        codes = ["PRK", "UGA", "CHN", "RUS", "USA", "ESP", "IND", "ZAF", "CUB", "FRA", "BRA", "DEU", "JPN", "KOR"]
        rng = random.Random(23)
        paths = [f"/questions/network-as-of?asOf={y}-{m:02d}-01" for y in range(1990, 2025) for m in range(1, 13)]
        paths += [f"/questions/evidence-for?entity=iso:{c}" for c in codes]
        rng.shuffle(paths)
        print(f"- fresh values ({load()}): 20 clients for {args.seconds:g} s, network-as-of and evidence-for, "
              "each value asked once")
        deadline = time.monotonic() + args.seconds
        lock = threading.Lock()
        answers: list[tuple[int, float]] = []

        def client() -> None:
            while time.monotonic() < deadline:
                with lock:
                    if not paths:
                        return
                    path = paths.pop()
                answer = get(server.port, path, timeout=120)
                with lock:
                    answers.append(answer)

        threads = [threading.Thread(target=client) for _ in range(20)]
        began = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - began
        print(f"  - {latencies('answers', answers)}; {len(answers) / wall:.1f} a second")
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, required=True, help="a folder holding a built diplokg.nq")
    parser.add_argument("--old", type=Path, default=None, help="an older checkout to compare with")
    parser.add_argument("--attacks", default="flood,loris,values,keys,and,fresh")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--slow", type=int, default=1100)
    parser.add_argument("--give-up", type=float, default=120.0)
    args = parser.parse_args()
    random.seed(23)
    codes = [("old", args.old)] if args.old else []
    codes.append(("new", ROOT))
    wanted = args.attacks.split(",")
    for label, code in codes:
        print(f"\n## {label}: {code} ({load()})\n")
        if "flood" in wanted:
            flood(code, args)
        if "loris" in wanted:
            loris(code, args)
        if "values" in wanted:
            big = ("--max-request-kib", "16384") if label == "new" else ()
            values(code, args, 1, *big)
            values(code, args, 10)
            if big:
                values(code, args, 10, *big)
        if "keys" in wanted:
            keys(code, args, *(("--max-request-kib", "8192") if label == "new" else ()))
        if "and" in wanted:
            conjunction(code, args)
        if "fresh" in wanted:
            fresh(code, args)


if __name__ == "__main__":
    main()
