"""Benchmark the explorer's world view in headless chromium, with today's network page as the baseline.

Builds a seeded synthetic world (``--states`` states with capitals spread over the globe,
``--missions`` missions from a random sender to a host drawn with a preference for big hosts, the
agreement of every state with China and Russia for 74 years) and measures, as medians over
``--repeat`` runs:

* the Python time to write the page and its size;
* the browser time from navigation start until the world view has drawn (``diplokgWorld.ready``:
  fixed places, physics off, so the map is interactive then), wall clock and ``performance.now``;
* what an interaction costs, each followed by a synchronous redraw: the anchor switch, a step of
  the year slider, drawing all the missions, and back to the DPRK's missions only.

Baseline in the same run: today's explorer page (``page_html(graph)``, the network view alone)
drawing the same states and every mission as one edge, timed until ``diplokg.ready``. The world
page's own network tab holds a seeded 24-state network (the dossier's size).

Usage::

    python bench/world_bench.py --states 200 --missions 10000 --repeat 3
"""

from __future__ import annotations

import argparse
import math
import pathlib
import random
import statistics
import sys
import time
from typing import Any

import networkx as nx

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.explorer_bench import synthetic_network  # noqa: E402
from kg.network.page import write_page  # noqa: E402
from kg.network.world import WorldData, WorldMission, WorldState  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
KINDS = ["embassy"] * 16 + ["consulate general"] * 3 + ["permanent mission"]


def synthetic_world(states: int, missions: int, seed: int = 1) -> WorldData:
    """A seeded world: states 0, 1, 2 are China, Russia and North Korea; 3 % have no coordinates."""
    rng = random.Random(seed)
    codes = ["CHN", "RUS", "PRK"] + [f"S{i:03d}" for i in range(3, states)]
    capitals = {c: (rng.uniform(-45, 65), rng.uniform(-170, 175)) for c in codes}
    years = [y for y in range(1946, 2020) if y != 1964]
    rows: list[WorldState] = []
    for i, code in enumerate(codes):
        label = {0: "China", 1: "Russia", 2: "North Korea"}.get(i, f"State {i:03d}")
        lean = rng.random()
        agreement = {a: {y: (round(min(1.0, max(0.0, lean + rng.gauss(0, 0.08))), 4), rng.randrange(40, 120))
                         for y in years if rng.random() < 0.9}
                     for a in ("CHN", "RUS") if a != code}
        rows.append(WorldState(code, label, "state", agreement=agreement))
    hosts = list(codes)
    weights = [1.0 / (1 + i) ** 0.6 for i in range(len(hosts))]
    unplaced = set(rng.sample(codes[3:], max(1, states * 3 // 100)))
    out: list[WorldMission] = []
    prk = 0
    for i in range(missions):
        sender = codes[2] if prk < 26 and i % 7 == 0 else codes[rng.randrange(states)]
        host = rng.choices(hosts, weights)[0]
        if host == sender:
            continue
        prk += sender == "PRK"
        lat, lon = capitals[host]
        kind = rng.choice(KINDS)
        jitter = 0.0 if kind != "consulate general" else 4.0
        coords = (None, None) if host in unplaced else (lat + rng.uniform(-jitter, jitter) + rng.uniform(-0.02, 0.02),
                                                          lon + rng.uniform(-jitter, jitter) + rng.uniform(-0.02, 0.02))
        out.append(WorldMission(sender, host, kind, f"Q{1000 + i}", f"City {i % 997}", *coords))
    return WorldData(states=rows, missions=out, title=f"Synthetic world ({states} states, {len(out)} missions)",
                     caption="Seeded benchmark data", notes=("Synthetic.",))


def baseline_graph(world: WorldData) -> nx.MultiDiGraph:
    """Today's network page input for the same world: every state a node, every mission an edge."""
    g = nx.MultiDiGraph(title=world.title, caption="Baseline: the network view alone", as_of="2022-11-16")
    degree: dict[str, int] = {}
    for m in world.missions:
        degree[m.sender] = degree.get(m.sender, 0) + 1
        degree[m.host] = degree.get(m.host, 0) + 1
    top = max(degree.values(), default=1)
    for s in world.states:
        g.add_node(s.code, label=s.label, kind="state", alignment=None, centrality=degree.get(s.code, 0) / top,
                   focus=s.code == "PRK", facts=[], evidence=[])
    for i, m in enumerate(world.missions):
        g.add_edge(m.sender, m.host, key=f"m{i:05d}", kind="mission-open", modality="reported",
                   label=f"{m.kind} in {m.city}", facts=[m.ident], evidence=[])
    return g


def _open(browser: Any, path: pathlib.Path, api: str, cap_s: float) -> tuple[Any, Any, float | None]:
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
        page.wait_for_function(f"() => window.{api} && window.{api}.ready === true", timeout=cap_s * 1000,
                               polling=20)
        wall: float | None = time.perf_counter() - start
    except PlaywrightTimeout:
        wall = None
    assert not blocked, blocked
    return context, page, wall


INTERACT = """(what) => {
    const w = window.diplokgWorld, t = performance.now();
    if (what === 'anchor') w.setAnchor(w.anchor === 'CHN' ? 'RUS' : 'CHN');
    else if (what === 'year') w.setYear(w.raw.years[Math.max(0, w.yearIndex - 1)]);
    else w.setFilter(what);
    w.network.redraw();
    return (performance.now() - t) / 1000; }"""


def bench(browser: Any, path: pathlib.Path, api: str, repeat: int, cap_s: float, world: bool) -> dict[str, Any]:
    """Open *path* *repeat* times; medians of the time to ready and of each interaction."""
    walls: list[float] = []
    navs: list[float] = []
    acts: dict[str, list[float]] = {"anchor": [], "year": [], "all": [], "sender:PRK": []}
    for _ in range(repeat):
        context, page, wall = _open(browser, path, api, cap_s)
        if wall is not None:
            walls.append(wall)
            navs.append(page.evaluate(f"window.{api}.readyAt") / 1000)
            if world:
                assert page.evaluate("window.diplokgWorld.network.physics.options.enabled") is False
                for what in acts:
                    acts[what].append(page.evaluate(INTERACT, what))
        context.close()
    def med(xs: list[float]) -> float | None:
        return statistics.median(xs) if xs else None
    return {"wall": med(walls), "nav": med(navs), "runs": len(walls), **{k: med(v) for k, v in acts.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--states", type=int, default=200)
    parser.add_argument("--missions", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; medians are printed")
    parser.add_argument("--cap", type=float, default=60.0, help="give up waiting after this many seconds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "build" / "bench")
    args = parser.parse_args(argv)
    if not pathlib.Path(CHROMIUM).exists():
        print(f"chromium not found at {CHROMIUM}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    world = synthetic_world(args.states, args.missions, args.seed)
    graph = baseline_graph(world)
    pages = {"world view": args.out / "world-view.html", "baseline: network page": args.out / "world-baseline.html"}
    writes: dict[str, list[float]] = {name: [] for name in pages}
    dossier = synthetic_network(24, args.seed)   # the network tab of the world page: a dossier's size
    for _ in range(args.repeat):
        for name, path in pages.items():
            t0 = time.perf_counter()
            if name == "world view":
                write_page(dossier, path, world)
            else:
                write_page(graph, path)
            writes[name].append(time.perf_counter() - t0)
    results: dict[str, dict[str, Any]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            results["world view"] = bench(browser, pages["world view"], "diplokgWorld", args.repeat, args.cap, True)
            results["baseline: network page"] = bench(browser, pages["baseline: network page"], "diplokg",
                                                      args.repeat, args.cap, False)
        finally:
            browser.close()

    def s(v: float | None) -> str:
        return "over cap" if v is None else f"{v:.2f} s"

    def ms(v: float | None) -> str:
        return "-" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v * 1000:.0f} ms"

    print(f"{len(world.states)} states, {len(world.missions)} missions; medians of {args.repeat} run(s)")
    header = ("page", "write", "size", "ready (nav)", "wall to ready", "anchor", "year", "all missions", "DPRK only")
    table = [header]
    for name, r in results.items():
        table.append((name, s(statistics.median(writes[name])), f"{pages[name].stat().st_size / 1e6:.2f} MB",
                      s(r["nav"]), s(r["wall"]), ms(r["anchor"]), ms(r["year"]), ms(r["all"]), ms(r["sender:PRK"])))
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for i, row in enumerate(table):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    ours = results["world view"]
    goal = ours["wall"] is not None and ours["wall"] < 3.0
    print(f"goal (world view interactive in < 3 s): {'met' if goal else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
