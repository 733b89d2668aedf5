"""Benchmark the explorer's world map in headless chromium at 1400x900, against the world view as it
was before the map (a baseline in the same run) and the network page alone.

Builds a seeded synthetic world (``--states`` states with the atlas's real ISO codes, so that their
shapes are filled; ``--missions`` missions from a random sender to a host drawn with a preference for
big hosts; the agreement of every state with China and Russia for 1946-2019, and a selection of votes
for 2020-2024) and measures, as medians over ``--repeat`` runs:

* the Python time to write the page and its size (goal: under 5 MB with the map);
* the browser time from navigation start until the world view is drawn and interactive
  (``diplokgWorld.ready``: shapes filled, dots, the DPRK's missions and the labels drawn), as
  ``performance.now`` and as wall clock (goal: under 1 s);
* what an interaction costs, each followed by the map's synchronous redraw: the anchor switch, a step
  of the year slider, compare two years, drawing every mission, a zoom step.

Baselines in the same run: the world view of ``--baseline-rev`` (default: the commit the map was
built on; its ``kg/`` is taken with ``git archive`` into a temporary folder and run in a subprocess),
which placed states as dots in a vis-network, and today's network page drawing the same states with
every mission as an edge. The load average is printed with the figures.

Usage::

    python bench/world_bench.py --states 200 --missions 10000 --repeat 5
"""

from __future__ import annotations

import argparse
import os
import pathlib
import pickle
import random
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from typing import Any

import networkx as nx

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.explorer_bench import synthetic_network  # noqa: E402
from kg.network.atlas import atlas  # noqa: E402
from kg.network.page import write_page  # noqa: E402
from kg.network.world import WorldData, WorldMission, WorldState  # noqa: E402
from kg.network.worldview import WorldView  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
KINDS = ["embassy"] * 16 + ["consulate general"] * 3 + ["permanent mission"]
VIEWPORT = {"width": 1400, "height": 900}
BASELINE_REV = "8eaee23"


def synthetic_world(states: int, missions: int, seed: int = 1) -> WorldData:
    """A seeded world: China, Russia, North Korea and the first other atlas codes; 3 % have no
    coordinates for their missions."""
    rng = random.Random(seed)
    others = sorted(c for c in atlas().by_code() if c not in ("CHN", "RUS", "PRK"))
    codes = ["CHN", "RUS", "PRK", *others[: max(0, states - 3)]]
    capitals = {c: (rng.uniform(-45, 65), rng.uniform(-170, 175)) for c in codes}
    years = [y for y in range(1946, 2025) if y != 1964]
    rows: list[WorldState] = []
    for i, code in enumerate(codes):
        label = {0: "China", 1: "Russia", 2: "North Korea"}.get(i, f"State {code}")
        lean = rng.random()
        agreement = {a: {y: (round(min(1.0, max(0.0, lean + rng.gauss(0, 0.08))), 4),
                             rng.randrange(40, 120) if y < 2020 else rng.randrange(3, 10))
                         for y in years if rng.random() < 0.9}
                     for a in ("CHN", "RUS") if a != code}
        rows.append(WorldState(code, label, "state", agreement=agreement))
    weights = [1.0 / (1 + i) ** 0.6 for i in range(len(codes))]
    unplaced = set(rng.sample(codes[3:], max(1, states * 3 // 100)))
    out: list[WorldMission] = []
    prk = 0
    for i in range(missions):
        sender = codes[2] if prk < 38 and i % 7 == 0 else codes[rng.randrange(len(codes))]
        host = rng.choices(codes, weights)[0]
        if host == sender:
            continue
        prk += sender == "PRK"
        lat, lon = capitals[host]
        kind = rng.choice(KINDS)
        jitter = 0.0 if kind != "consulate general" else 4.0
        coords = (None, None) if host in unplaced else (lat + rng.uniform(-jitter, jitter) + rng.uniform(-0.02, 0.02),
                                                          lon + rng.uniform(-jitter, jitter) + rng.uniform(-0.02, 0.02))
        out.append(WorldMission(sender, host, kind, f"Q{1000 + i}", f"City {i % 997}", *coords))
    return WorldData(states=rows, missions=out, title=f"Synthetic world ({len(codes)} states, {len(out)} missions)",
                     caption="Seeded benchmark data", notes=("Synthetic.",), start_year=2019)


def synthetic_view() -> WorldView:
    return WorldView(coverage={y: "selected" for y in range(2020, 2025)}, min_roll_calls=5, through=2024)


def baseline_graph(world: WorldData) -> nx.MultiDiGraph:
    """The network page's input for the same world: every state a node, every mission an edge."""
    g = nx.MultiDiGraph(title=world.title, caption="Baseline: the network view alone", as_of="2022-11-16")
    degree: dict[str, int] = {}
    for m in world.missions:
        degree[m.sender] = degree.get(m.sender, 0) + 1
        degree[m.host] = degree.get(m.host, 0) + 1
    top = max(degree.values(), default=1)
    for s in world.states:
        g.add_node(s.code, label=s.label, kind="state", tie_score=None, centrality=degree.get(s.code, 0) / top,
                   focus=s.code == "PRK", facts=[], evidence=[])
    for i, m in enumerate(world.missions):
        g.add_edge(m.sender, m.host, key=f"m{i:05d}", kind="mission-open", modality="reported",
                   label=f"{m.kind} in {m.city}", facts=[m.ident], evidence=[])
    return g


def write_old_page(rev: str, world: WorldData, dossier: nx.MultiDiGraph, path: pathlib.Path) -> float:
    """Write the world page of revision *rev* (its kg/ run in a subprocess); the seconds it took."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = pathlib.Path(tmp) / "kg.tar"
        subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), rev, "kg"], check=True)
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        for _, attrs in dossier.nodes(data=True):
            attrs["alignment"] = attrs.get("tie_score")           # the old page's attribute
        data = pathlib.Path(tmp) / "inputs.pickle"
        data.write_bytes(pickle.dumps((world, dossier)))
        code = ("import pickle, sys, time, pathlib; from kg.network.page import write_page; "
                "w, g = pickle.loads(pathlib.Path(sys.argv[1]).read_bytes()); t = time.perf_counter(); "
                "write_page(g, pathlib.Path(sys.argv[2]), w); print(time.perf_counter() - t)")
        env = {**os.environ, "PYTHONPATH": tmp}
        done = subprocess.run([sys.executable, "-c", code, str(data), str(path)], check=True, env=env,
                              capture_output=True, text=True, cwd=tmp)
        return float(done.stdout.strip().splitlines()[-1])


def _open(browser: Any, path: pathlib.Path, api: str, cap_s: float) -> tuple[Any, Any, float | None]:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context = browser.new_context(viewport=VIEWPORT)
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
    else if (what === 'compare') w.setCompare(w.compareIndex === null ? w.raw.years[w.yearIndex - 3] : null);
    else if (what === 'zoom') { w.map.zoomAt(700, 300, 1.5); w.map.redrawNow(); }
    else w.setFilter(what);
    document.body.getBoundingClientRect();
    return (performance.now() - t) / 1000; }"""
OLD_INTERACT = """(what) => {
    const w = window.diplokgWorld, t = performance.now();
    if (what === 'anchor') w.setAnchor(w.anchor === 'CHN' ? 'RUS' : 'CHN');
    else if (what === 'year') w.setYear(w.raw.years[Math.max(0, w.yearIndex - 1)]);
    else if (what === 'all' || what === 'sender:PRK') w.setFilter(what);
    else return NaN;
    w.network.redraw();
    return (performance.now() - t) / 1000; }"""
ACTIONS = ("anchor", "year", "compare", "all", "sender:PRK", "zoom")


def bench(browser: Any, path: pathlib.Path, api: str, repeat: int, cap_s: float, script: str | None) -> dict[str, Any]:
    """Open *path* *repeat* times; medians of the time to ready and of each interaction."""
    walls: list[float] = []
    navs: list[float] = []
    acts: dict[str, list[float]] = {a: [] for a in ACTIONS}
    for _ in range(repeat):
        context, page, wall = _open(browser, path, api, cap_s)
        if wall is not None:
            walls.append(wall)
            navs.append(page.evaluate(f"window.{api}.readyAt") / 1000)
            if script:
                for what in ACTIONS:
                    value = page.evaluate(script, what)
                    if value is not None and value == value:      # NaN: the page has no such control
                        acts[what].append(value)
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
    parser.add_argument("--baseline-rev", default=BASELINE_REV, help="the revision whose world view is the baseline")
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "build" / "bench")
    parser.add_argument("--page", type=pathlib.Path, default=None,
                        help="also time this explorer page as it is (e.g. the real one `diplokg explore` wrote)")
    args = parser.parse_args(argv)
    if not pathlib.Path(CHROMIUM).exists():
        print(f"chromium not found at {CHROMIUM}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    load_before = os.getloadavg()
    args.out.mkdir(parents=True, exist_ok=True)
    world = synthetic_world(args.states, args.missions, args.seed)
    graph = baseline_graph(world)
    dossier = synthetic_network(24, args.seed)   # the page's network tab: a dossier's size
    atlas()                                      # read once per process, as explore does: not in the timing
    pages = {"world map (this branch)": args.out / "world-map.html",
             f"baseline: world view of {args.baseline_rev}": args.out / "world-old.html",
             "baseline: network page alone": args.out / "world-network.html"}
    writes: dict[str, list[float]] = {name: [] for name in pages}
    if args.page is not None:
        pages[f"as given: {args.page.name}"] = args.page
    for _ in range(args.repeat):
        for name, path in pages.items():
            t0 = time.perf_counter()
            if name.startswith("world map"):
                write_page(dossier, path, world, synthetic_view())
            elif name.startswith("baseline: world view"):
                writes[name].append(write_old_page(args.baseline_rev, world, dossier.copy(), path))
                continue
            elif name.startswith("as given"):
                continue
            else:
                write_page(graph, path)
            writes[name].append(time.perf_counter() - t0)
    results: dict[str, dict[str, Any]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            for name, path in pages.items():
                api = "diplokg" if name.endswith("network page alone") else "diplokgWorld"
                script = INTERACT if name.startswith(("world map", "as given")) else \
                    OLD_INTERACT if api == "diplokgWorld" else None
                results[name] = bench(browser, path, api, args.repeat, args.cap, script)
        finally:
            browser.close()

    def s(v: float | None) -> str:
        return "over cap" if v is None else f"{v:.2f} s"

    def ms(v: float | None) -> str:
        return "-" if v is None else f"{v * 1000:.0f} ms"

    load_after = os.getloadavg()
    print(f"{len(world.states)} states, {len(world.missions)} missions, 1946-2024; medians of {args.repeat} run(s); "
          f"{VIEWPORT['width']}x{VIEWPORT['height']}; load average {load_before[0]:.2f} before, "
          f"{load_after[0]:.2f} after (1 min), {load_after[1]:.2f} (5 min), {os.cpu_count()} cores")
    header = ("page", "write", "size", "ready (nav)", "wall to ready", *ACTIONS)
    table = [header]
    for name, r in results.items():
        write = s(statistics.median(writes[name])) if writes.get(name) else "-"
        table.append((name, write, f"{pages[name].stat().st_size / 1e6:.2f} MB",
                      s(r["nav"]), s(r["wall"]), *(ms(r[a]) for a in ACTIONS)))
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for i, row in enumerate(table):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    ours = results["world map (this branch)"]
    size = pages["world map (this branch)"].stat().st_size
    print(f"goal (the world view ready under 1 s after load): "
          f"{'met' if ours['nav'] is not None and ours['nav'] < 1.0 else 'NOT met'} ({s(ours['nav'])}); "
          f"goal (page under 5 MB): {'met' if size < 5e6 else 'NOT met'} ({size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
