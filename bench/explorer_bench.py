"""Benchmark the diplokg explorer page against pyvis's default page in headless chromium.

Builds a seeded synthetic network of N states with about three mission/relation
edges per node, writes our page (:func:`kg.network.page.write_page`) and measures,
as medians over ``--repeat`` runs:

* the Python time to write the page (layout included) and the file size;
* the browser time from navigation start until ``window.diplokg.ready`` (first
  draw with physics off, so the network is settled and interactive);
* how long a filter toggle (hide + show all "mission-open" edges) takes.

Baseline in the same run: pyvis 0.3.2's own page (``Network(directed=True)``,
``from_nx``, default physics, ``cdn_resources="in_line"`` with the bootstrap
CDN tags removed and any outside request blocked), timed until vis-network's
``stabilizationIterationsDone`` and ``stabilized`` events, capped at
``--cap`` seconds (reported as "over N s").

Usage::

    python bench/explorer_bench.py --nodes 2000 --repeat 3
"""

from __future__ import annotations

import argparse
import pathlib
import random
import re
import statistics
import sys
import time
from typing import Any

import networkx as nx

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kg.network import page as render  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
KINDS = ["mission-open"] * 5 + ["mission-closed", "mission-uncertain", "partnership", "summit",
                                "sanctions-imposes", "sanctions-targets", "claim", "covers", "strategy"]
MODALITIES = ["reported"] * 6 + ["claimed", "predicted", "estimated"]


def synthetic_network(n: int, seed: int = 1) -> nx.MultiDiGraph:
    """Seeded graph of *n* states (China/Russia anchors, one focus) with ~3 edges per node."""
    rng = random.Random(seed)
    g = nx.MultiDiGraph(title=f"Synthetic diplomatic network ({n} states)",
                        caption="Seeded benchmark data", as_of="2024-06-30")
    ids = [f"https://example.org/state/{i:05d}" for i in range(n)]
    for i, node in enumerate(ids):
        label = {0: "China", 1: "Russia", 2: "North Korea"}.get(i, f"State {i:05d}")
        score = 1.0 if i < 2 else None if rng.random() < 0.05 else round(rng.random(), 3)
        g.add_node(node, label=label, kind="state", tie_score=score, centrality=0.0, focus=i == 2,
                   facts=[f"Capital of {label}", f"Member since {1945 + rng.randrange(70)}"],
                   evidence=[{"sentence": f"{label} maintains {rng.randrange(1, 90)} missions abroad.",
                              "source": f"register-{i % 17}", "modality": "reported"}])
    for i in range(3 * n):
        src = ids[rng.randrange(n)]
        # preferential towards low ids so that there are hubs, like real mission networks
        dst = ids[min(int(rng.paretovariate(0.8)) - 1, n - 1)] if rng.random() < 0.5 else ids[rng.randrange(n)]
        if src == dst:
            dst = ids[(ids.index(src) + 1) % n]
        kind, modality = rng.choice(KINDS), rng.choice(MODALITIES)
        g.add_edge(src, dst, key=f"e{i:06d}", kind=kind, modality=modality, label=f"{kind} {i}",
                   facts=[f"{kind} recorded"],
                   evidence=[{"sentence": f"Relation {i} was {modality}.", "source": "bench", "modality": modality}])
    degree = dict(g.degree())
    top = max(degree.values()) or 1
    for node in ids:
        g.nodes[node]["centrality"] = round(degree[node] / top, 4)
    return g


def _open(browser: Any, path: pathlib.Path, ready_js: str, cap_s: float) -> tuple[Any, Any, float | None, list[str]]:
    """Open *path* in a fresh context; return (context, page, wall seconds to ready or None, blocked urls)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context = browser.new_context(viewport={"width": 1440, "height": 900})
    blocked: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    start = time.perf_counter()
    page.goto(path.resolve().as_uri(), wait_until="commit", timeout=cap_s * 1000)
    try:
        page.wait_for_function(ready_js, timeout=max(1.0, cap_s - (time.perf_counter() - start)) * 1000,
                               polling=50)
        wall: float | None = time.perf_counter() - start
    except PlaywrightTimeout:  # report "over cap"; any other error propagates
        wall = None
    return context, page, wall, blocked


def bench_ours(browser: Any, graph: nx.MultiDiGraph, out: pathlib.Path, repeat: int, cap_s: float) -> dict[str, Any]:
    """Write and open our page *repeat* times; return medians."""
    writes, layouts, walls, navs, toggles = [], [], [], [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        render.layout_positions(graph)
        layouts.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        render.write_page(graph, out)
        writes.append(time.perf_counter() - t0)
    for _ in range(repeat):
        ready = "() => window.diplokg && window.diplokg.ready === true"
        context, page, wall, blocked = _open(browser, out, ready, cap_s)
        if wall is not None:
            walls.append(wall)
            navs.append(page.evaluate("window.diplokg.readyAt") / 1000)
            assert page.evaluate("window.diplokg.network.physics.options.enabled") is False
            toggles.append(page.evaluate("""() => {
                const t = performance.now();
                const box = document.querySelector('input.dk-kind[value="mission-open"]');
                box.checked = false; box.dispatchEvent(new Event('change'));
                box.checked = true; box.dispatchEvent(new Event('change'));
                return (performance.now() - t) / 1000; }"""))
        assert not blocked, blocked
        context.close()
    return {"write": statistics.median(writes), "layout": statistics.median(layouts), "size": out.stat().st_size,
            "wall": statistics.median(walls) if walls else None, "nav": statistics.median(navs) if navs else None,
            "stop": statistics.median(navs) if navs else None,
            "toggle": statistics.median(toggles) if toggles else None,
            "runs": len(walls)}


HOOK = """<script>(function () {
  window.__bench = {progress: 0};
  network.on("stabilizationProgress", function (p) { window.__bench.progress = p.iterations;
                                                      window.__bench.total = p.total; });
  network.once("stabilizationIterationsDone", function () { window.__bench.iterDone = performance.now(); });
  network.once("stabilized", function (p) { window.__bench.stabilized = performance.now();
                                            window.__bench.iterations = p.iterations; });
})();</script>
</body>"""


def pyvis_baseline_html(graph: nx.MultiDiGraph) -> str:
    """pyvis's default page for *graph* (in_line resources, bootstrap CDN tags removed, timing hook)."""
    from pyvis.network import Network

    plain = nx.MultiDiGraph()
    plain.add_nodes_from((n, {"label": d["label"]}) for n, d in graph.nodes(data=True))
    plain.add_edges_from((u, v, k, {}) for u, v, k in graph.edges(keys=True))
    net = Network(directed=True, cdn_resources="in_line")
    net.from_nx(plain)
    page = net.generate_html()
    page = re.sub(r"<link[^>]*bootstrap[^>]*>", "", page, flags=re.S)
    page = re.sub(r"<script[^>]*bootstrap[^>]*>\s*</script>", "", page, flags=re.S)
    return page.replace("</body>", HOOK, 1)


def bench_baseline(
    browser: Any, graph: nx.MultiDiGraph, out: pathlib.Path, repeat: int, cap_s: float
) -> dict[str, Any]:
    """Open pyvis's page; time to stabilizationIterationsDone and to stabilized (None = over the cap)."""
    t0 = time.perf_counter()
    out.write_text(pyvis_baseline_html(graph), encoding="utf-8")
    write = time.perf_counter() - t0
    walls: list[float | None] = []
    iters: list[float | None] = []
    stops: list[float | None] = []
    progress: list[str] = []
    for _ in range(repeat):
        context, page, wall, blocked = _open(browser, out, "() => window.__bench && window.__bench.stabilized", cap_s)
        state = page.evaluate("window.__bench || {}")
        context.close()
        progress.append(f"{state.get('progress', 0)}/{state.get('total', '?')}")
        iters.append(state.get("iterDone", 0) / 1000 or None)
        stops.append(state.get("stabilized", 0) / 1000 or None)
        walls.append(wall)
        assert not blocked, blocked
        if wall is None:
            break  # one capped run is enough to report "over cap" honestly
    def med(xs: list[float | None]) -> float | None:
        return None if any(x is None for x in xs) else statistics.median(xs)  # type: ignore[type-var]
    return {"write": write, "layout": None, "size": out.stat().st_size, "wall": med(walls), "nav": med(iters),
            "stop": med(stops), "toggle": None, "runs": len(walls),
            "progress": progress}


def _fmt(value: float | None, cap_s: float, unit: str = "s") -> str:
    if value is None:
        return f"over {cap_s:g} s" if unit == "cap" else "-"
    return f"{value:.2f} s" if unit in {"s", "cap"} else f"{value * 1000:.0f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", type=int, default=2000, help="states in our page (default 2000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; medians are printed")
    parser.add_argument("--baseline-nodes", type=int, default=1000, help="states in the pyvis baseline (0: skip)")
    parser.add_argument("--cap", type=float, default=60.0, help="give up waiting after this many seconds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "build" / "bench")
    args = parser.parse_args(argv)
    if not pathlib.Path(CHROMIUM).exists():
        print(f"chromium not found at {CHROMIUM}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, int, int, dict[str, Any]]] = []
    sizes = [args.nodes] + ([args.baseline_nodes] if args.baseline_nodes and args.baseline_nodes != args.nodes else [])
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            for n in sizes:
                g = synthetic_network(n, args.seed)
                res = bench_ours(browser, g, args.out / f"diplokg-{n}.html", args.repeat, args.cap)
                rows.append(("diplokg (physics off)", n, g.number_of_edges(), res))
            if args.baseline_nodes:
                g = synthetic_network(args.baseline_nodes, args.seed)
                res = bench_baseline(browser, g, args.out / f"pyvis-default-{args.baseline_nodes}.html",
                                     args.repeat, args.cap)
                rows.append(("pyvis default (physics)", args.baseline_nodes, g.number_of_edges(), res))
        finally:
            browser.close()
    header = ("page", "nodes", "edges", "layout", "write page", "size", "ready/iter-done", "physics stopped",
              "wall to ready", "filter toggle", "runs")
    table = [header]
    for name, n, m, r in rows:
        table.append((name, str(n), str(m), _fmt(r["layout"], args.cap), _fmt(r["write"], args.cap),
                      f"{r['size'] / 1e6:.2f} MB", _fmt(r["nav"], args.cap, "cap"), _fmt(r["stop"], args.cap, "cap"),
                      _fmt(r["wall"], args.cap, "cap"), _fmt(r["toggle"], args.cap, "ms"), str(r["runs"])))
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    print(f"medians of {args.repeat} run(s); browser times from navigation start (performance.now)")
    for i, row in enumerate(table):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    for name, n, _m, r in rows:
        if r.get("progress"):
            print(f"{name} at {n} nodes: stabilisation iterations reached per run: {', '.join(r['progress'])}"
                  " (vis reports progress every 50 iterations)")
    ours = rows[0][3]
    goal = ours["stop"] is not None and ours["stop"] < 3.0
    print(f"goal (< 3 s to a settled, interactive page at {args.nodes} nodes): {'met' if goal else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
