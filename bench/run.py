"""Benchmark diplokg at world scale: load, closure, validation, checks and every library question.

For each size it generates (or reuses) a seeded synthetic world (``bench/world.py``) and measures,
each stage in its own subprocess (so peak memory is per stage and a slow baseline can be capped):

- ``fast``: the fast path. Oxigraph ``bulk_load`` of ``world.nq``, the fast OWL 2 RL closure
  (:func:`kg.reason.closure.store_closure`), the quality checks (``queries/checks/*-violation.rq``) and each
  library question (``queries/*.rq`` of this checkout, as they are when the benchmark runs), on the
  store with the union default graph;
- ``owlrl``: the baseline. rdflib parsing ``world.nq`` and owlrl's OWL 2 RL closure, capped;
- ``shacl``: pySHACL over the asserted and inferred triples, as the build runs it, capped;
- ``build``: the real ``diplokg build`` (``kg.build.build``: everything in one Oxigraph store; load,
  fast closure, SHACL shapes as SPARQL, checks, sorted N-Quads and from 100k quads the on-disk store);
- ``build-rdflib``: the reference build ``diplokg build --validator pyshacl`` (rdflib loader, closure on
  rdflib terms, pySHACL, checks, write), the baseline, capped.

It prints one table of medians per size, and for the seed-sized project (the repository itself)
the wall time of ``diplokg build`` and of a first ``diplokg query`` as fresh processes.

Usage::

    python bench/run.py                       # 10k, 100k, 1M; cap 300 s
    python bench/run.py --sizes 10000 100000 --cap 200 --repeat 3
    python bench/run.py --stages build build-rdflib --cap 120   # only the builds, new and baseline
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
UNION = {"use_default_graph_as_union": True}

from bench.proctree import TreePeak  # noqa: E402


def _emit(name: str, value: float | int | str) -> None:
    print(json.dumps({"name": name, "value": value}), flush=True)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _ontology():  # type: ignore[no-untyped-def]
    from kg.sources.folder import parse_turtle

    return parse_turtle(ROOT / "ontology" / "diplo.ttl", "https://w3id.org/diplokg/ontology")


def stage_fast(world: Path, repeat: int) -> None:
    """Oxigraph load, fast closure, checks and questions (median of ``repeat`` for each)."""
    import pyoxigraph as ox

    from kg.namespaces import INFERRED_GRAPH
    from kg.reason.closure import store_closure

    ontology = _ontology()
    inferred_graph = ox.NamedNode(str(INFERRED_GRAPH))
    checks = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries" / "checks").glob("*.rq"))}
    loads, closures, check_times, totals = [], [], [], []
    store = ox.Store()
    for _ in range(repeat):
        start = time.perf_counter()
        store = ox.Store()
        store.bulk_load(path=str(world / "world.nq"), format=ox.RdfFormat.N_QUADS)
        loaded = time.perf_counter()
        triples = store_closure(ontology, store)
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, inferred_graph) for t in triples)
        closed = time.perf_counter()
        violations = sum(len(list(store.query(text, **UNION))) for text in checks.values())  # type: ignore[arg-type, misc]
        done = time.perf_counter()
        loads.append(loaded - start)
        closures.append(closed - loaded)
        check_times.append(done - closed)
        totals.append(done - start)
    _emit("triples asserted", len(store) - len(triples))
    _emit("triples inferred", len(triples))
    _emit("load: Oxigraph bulk_load of world.nq", statistics.median(loads))
    _emit("closure: fast (rules compiled from the ontology)", statistics.median(closures))
    _emit(f"checks: {len(checks)} *-violation.rq ({violations} rows)", statistics.median(check_times))
    _emit("fast path total: load + closure + checks", statistics.median(totals))
    _emit("peak memory, fast path (MB)", round(_peak_mb()))
    disk = world / "bench-store"
    tmp = Path(tempfile.mkdtemp(prefix=".bench-store.", dir=world))
    saved = ox.Store(str(tmp))
    saved.bulk_extend(store)
    saved.flush()
    del saved
    if disk.exists():
        shutil.rmtree(disk)
    os.replace(tmp, disk)


def stage_question(world: Path, query: Path, repeat: int) -> None:
    """One library question on the benchmark's on-disk store (read-only), median of ``repeat`` runs."""
    import pyoxigraph as ox
    from rdflib import XSD, Literal, URIRef
    from rdflib.term import Node

    from kg.query.gate import vet
    from kg.query.sparqltext import bind

    disk = ox.Store.read_only(str(world / "bench-store"))
    memory = ox.Store()
    memory.bulk_extend(disk)
    samples: dict[str, Node] = {"asOf": Literal("2020-01-01", datatype=XSD.date),
                                "entity": URIRef("https://w3id.org/diplokg/id/iso3166/PRK")}
    text = query.read_text(encoding="utf-8")
    params = re.findall(r"^# Parameters?:(.*(?:\n#   .*)*)", text, flags=re.MULTILINE)
    wanted = {k: v for k, v in samples.items() if params and re.search(rf"\b{k}\b", params[0])}
    text = bind(vet(text), wanted).text  # as `diplokg query` passes values
    label = ", ".join(f"?{k} given" for k in wanted)
    for kind, store in (("in memory", memory), ("on-disk store", disk)):
        times, rows = [], 0
        for _ in range(repeat):
            start = time.perf_counter()
            result = store.query(text, **UNION)  # type: ignore[arg-type]
            rows = len(list(result)) if isinstance(result, (ox.QuerySolutions, ox.QueryTriples)) else 1
            times.append(time.perf_counter() - start)
            if times[-1] > 5:
                break
        detail = f"{rows} rows{'; ' + label if label else ''}; {len(times)} runs"
        _emit(f"question {query.stem}, {kind} ({detail})", statistics.median(times))


def _rdflib_graphs(world: Path):  # type: ignore[no-untyped-def]
    from rdflib import Dataset, Graph

    from kg.namespaces import ONTOLOGY_GRAPH

    start = time.perf_counter()
    ds = Dataset()
    ds.parse(str(world / "world.nq"), format="nquads")
    _emit("load: rdflib parse of world.nq", time.perf_counter() - start)
    ontology, data = Graph(), Graph()
    for s, p, o, g in ds.quads((None, None, None, None)):
        (ontology if g is not None and str(g) == str(ONTOLOGY_GRAPH) else data).add((s, p, o))
    return ontology, data


def stage_owlrl(world: Path) -> None:
    """rdflib load and owlrl closure (the baseline)."""
    from kg.reference.reason import owlrl_closure

    ontology, data = _rdflib_graphs(world)
    start = time.perf_counter()
    inferred = owlrl_closure(ontology, data)
    _emit("closure: owlrl (reference)", time.perf_counter() - start)
    _emit("owlrl inferred (kept)", len(inferred))
    _emit("peak memory, rdflib + owlrl (MB)", round(_peak_mb()))


def stage_shacl(world: Path) -> None:
    """pySHACL over asserted + inferred, as the build runs it."""
    from kg.reference.load import Asserted
    from kg.reference.reason import closure
    from kg.reference.shacl import shacl_violations
    from kg.validate.violations import Locator

    ontology, data = _rdflib_graphs(world)
    inferred = closure(ontology, data)
    locator = Locator(Asserted(ontology=ontology), world / "ontology" / "diplo.ttl")
    start = time.perf_counter()
    found = shacl_violations(ontology + data + inferred, ROOT / "ontology" / "shapes.ttl", locator)
    _emit(f"validation: pySHACL ({len(found)} violations)", time.perf_counter() - start)
    _emit("peak memory, rdflib + pySHACL (MB)", round(_peak_mb()))


def _run_build(world: Path, label: str, rdflib: bool) -> None:
    from kg.build import build
    from kg.paths import Project
    from kg.reference.build import build_rdflib

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DIPLOKG_BUILD"] = tmp
        with TreePeak() as tree:
            start = time.perf_counter()
            report = build_rdflib(Project(world)) if rdflib else build(Project(world))
            total = time.perf_counter() - start
    for step, seconds in report.seconds.items():
        _emit(f"{label}: {step}", seconds)
    for part, seconds in report.parts.items():
        _emit(f"{label}: {part} (part of validate, side by side)", seconds)
    _emit(f"{label}: total ({report.asserted:,} asserted, {report.inferred:,} inferred, "
          f"{len(report.violations)} violations)", total)
    _emit(f"peak memory, {label} (MB)", round(_peak_mb()))
    _emit(f"peak memory, {label}, with its child processes, sampled (MB)", round(tree.rss))


def stage_build(world: Path) -> None:
    """The real build, as ``diplokg build`` runs it: Oxigraph store, fast closure, SHACL as SPARQL,
    checks, sorted N-Quads and (from 100k quads) the on-disk store."""
    _run_build(world, "diplokg build", rdflib=False)


def stage_build_rdflib(world: Path) -> None:
    """The reference build (``diplokg build --validator pyshacl``): rdflib loader, closure on rdflib
    terms, pySHACL, checks, write; the baseline, capped."""
    _run_build(world, "diplokg build --validator pyshacl", rdflib=True)


def run_stage(
    stage: str, world: Path, cap: float, repeat: int, query: Path | None = None
) -> tuple[list[tuple[str, object]], str | None]:
    """Run one stage in a subprocess; return its measurements and, if capped, the cap message."""
    cmd = [sys.executable, __file__, "--stage", stage, "--world", str(world), "--repeat", str(repeat)]
    if query is not None:
        cmd += ["--query", str(query)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        out, _ = proc.communicate(timeout=cap)
        note = None if proc.returncode == 0 else f"failed (exit {proc.returncode})"
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        note = f"over {cap:.0f} s (stage killed after {time.perf_counter() - start:.0f} s)"
    rows = []
    for line in out.splitlines():
        if line.startswith("{"):
            item = json.loads(line)
            rows.append((item["name"], item["value"]))
    return rows, note


def _fmt(name: str, value: object) -> str:
    if isinstance(value, float):
        return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"
    return f"{value:,}" if isinstance(value, int) else str(value)


STAGES = ("fast", "questions", "owlrl", "shacl", "build", "build-rdflib")


Rows = list[tuple[str, object]]


def _median_rows(runs: list[tuple[Rows, str | None]]) -> tuple[Rows, str | None]:
    """Several runs of one stage as one: the median of each numeric measure (in the first run's order)
    with the number of runs in its name, and the first cap or failure note."""
    values: dict[str, list[object]] = {}
    for rows, _note in runs:
        for name, value in rows:
            values.setdefault(name, []).append(value)
    merged: Rows = []
    for name, found in values.items():
        numbers = [v for v in found if isinstance(v, (int, float))]
        if len(numbers) == len(found) and len(found) > 1:
            median = statistics.median(numbers)  # type: ignore[type-var]
            merged.append((f"{name} (median of {len(found)})", round(median) if isinstance(found[0], int) else median))
        else:
            merged.append((name, found[0]))
    return merged, next((note for _rows, note in runs if note), None)


def bench_size(
    size: int,
    cap: float,
    repeat: int,
    worlds: Path,
    qcap: float,
    stages: tuple[str, ...] = STAGES,
    build_repeat: int = 1,
) -> None:
    """Generate (or reuse) a world of ``size`` triples and print its table."""
    sys.path.insert(0, str(ROOT / "bench"))
    from world import generate  # type: ignore[import-not-found]

    world = worlds / f"world-{size}"
    if not (world / "world.nq").is_file():
        start = time.perf_counter()
        generate(size, world)
        print(f"(generated {world} in {time.perf_counter() - start:.0f} s)", file=sys.stderr)
    print(f"\n### {size:,} triples (target), median of {repeat}; cap {cap:.0f} s per baseline stage\n")
    print("| measure | value |\n| --- | --- |")
    for stage in stages:
        if stage == "questions":
            for query in sorted((ROOT / "queries").glob("*.rq")):
                rows, note = run_stage("question", world, qcap, 5, query)
                for name, value in rows:
                    print(f"| {name} | {_fmt(name, value)} |", flush=True)
                if note:
                    print(f"| question {query.stem} | {note} |", flush=True)
            continue
        if stage == "build":  # the goal's figure: a median of whole builds, each in a fresh process
            rows, note = _median_rows([run_stage(stage, world, 3600, 1) for _ in range(build_repeat)])
        else:
            uncapped = stage == "fast"
            rows, note = run_stage(stage, world, 3600 if uncapped else cap, repeat if stage == "fast" else 1)
        for name, value in rows:
            print(f"| {name} | {_fmt(name, value)} |", flush=True)
        if note:
            print(f"| {stage} stage | {note} |", flush=True)


def bench_cli(repeat: int) -> None:
    """Wall time of ``diplokg build`` and a first ``diplokg query`` on the repository, as fresh processes."""
    exe = str(Path(sys.executable).parent / "diplokg")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, DIPLOKG_BUILD=tmp)
        print("\n### seed-sized project (this repository), wall time of fresh processes\n")
        print("| command | median | runs |\n| --- | --- | --- |")
        for label, args in (
            ("diplokg build -q", ["build", "-q"]),
            ("diplokg query closed-missions (built)", ["query", "closed-missions"]),
            ("diplokg build -q --validator pyshacl (the rdflib build, baseline)",
             ["build", "-q", "--validator", "pyshacl"]),
            ("python -c 'import kg.cli' (start-up)", None),
        ):
            times = []
            for _ in range(repeat):
                cmd = [sys.executable, "-c", "import kg.cli"] if args is None else [exe, *args]
                start = time.perf_counter()
                subprocess.run(
                    cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
                )
                times.append(time.perf_counter() - start)
            print(f"| {label} | {statistics.median(times):.2f} s | {repeat} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--cap", type=float, default=300.0, help="seconds before a baseline stage is cut off")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--worlds", type=Path, default=Path(tempfile.gettempdir()) / "diplokg-worlds")
    parser.add_argument("--no-cli", action="store_true", help="skip the seed-sized CLI timings")
    parser.add_argument("--qcap", type=float, default=60.0, help="seconds before a question is cut off")
    parser.add_argument("--stages", nargs="*", choices=STAGES, default=list(STAGES),
                        help="which stages to run for each size (default: all)")
    parser.add_argument("--stage", choices=("fast", "question", "owlrl", "shacl", "build", "build-rdflib"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--query", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--world", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        {
            "fast": lambda: stage_fast(args.world, args.repeat),
            "owlrl": lambda: stage_owlrl(args.world),
            "shacl": lambda: stage_shacl(args.world),
            "build": lambda: stage_build(args.world),
            "build-rdflib": lambda: stage_build_rdflib(args.world),
            "question": lambda: stage_question(args.world, args.query, args.repeat),
        }[args.stage]()
        return
    if not args.no_cli:
        bench_cli(max(5, args.repeat))
    for size in args.sizes:
        bench_size(
            size,
            args.cap,
            args.repeat if size < 1_000_000 else 1,
            args.worlds,
            args.qcap,
            tuple(args.stages),
            build_repeat=args.repeat,
        )


if __name__ == "__main__":
    main()
