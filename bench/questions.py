"""Time every library question and quality check on built world stores, old text against new, side by side.

For each size it builds the store once, as the build does at that scale: Oxigraph ``bulk_load`` of the
world's ``world.nq``, the fast OWL 2 RL closure (:func:`kg.reason.closure.store_closure`) into the inferred
graph; then writes it as the on-disk store ``diplokg build`` writes (:func:`kg.store.files.write_store`),
under ``$TMPDIR``, never in the worlds folder. Every query runs with the union default graph, as
``diplokg query`` runs it, in memory and on the on-disk store opened read-only (as
:func:`kg.store.files.open_store` opens it), in its own forked process so that a slow one can be cut off
after ``--cap`` seconds. Each cell is the median of ``--repeat`` runs, every row consumed.

"old" is the query's text at ``--old`` (by default where this branch left ``main``), "new" the text in
the working tree; both run in the same process one after the other, so their figures compare even on a
loaded machine. The ``same`` column says whether old and new gave the same rows (as a multiset).

A query with ``# Parameters:`` gets ``?asOf = 2020-01-01`` and ``?entity = iso:PRK`` in a ``VALUES``
block, as ``diplokg query`` and ``diplokg serve`` pass values (:func:`kg.query.sparqltext.bind`).

Usage::

    python bench/questions.py --sizes 100000 1000000
    python bench/questions.py --sizes 100000 --only alignment russia-pivot --cap 30
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402
from rdflib import XSD, Literal, URIRef  # noqa: E402
from rdflib.term import Node  # noqa: E402

from bench.table import Table  # noqa: E402
from kg.query.gate import vet  # noqa: E402
from kg.query.sparqltext import bind  # noqa: E402

UNION = {"use_default_graph_as_union": True}
SAMPLES: dict[str, Node] = {
    "asOf": Literal("2020-01-01", datatype=XSD.date),
    "entity": URIRef("https://w3id.org/diplokg/id/iso3166/PRK"),
}


def git_text(rev: str, path: Path) -> str | None:
    """A file's text at a git revision (None when it did not exist)."""
    rel = path.relative_to(ROOT).as_posix()
    proc = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{rel}"], capture_output=True, text=True)
    return proc.stdout if proc.returncode == 0 else None


def with_samples(text: str) -> str:
    """The query with the sample values of its declared parameters in a ``VALUES`` block."""
    params = re.findall(r"^# Parameters?:(.*(?:\n#   .*)*)", text, flags=re.MULTILINE)
    wanted = {k: v for k, v in SAMPLES.items() if params and re.search(rf"\b{k}\b", params[0])}
    return bind(vet(text), wanted).text


def build_memory(world: Path) -> tuple[ox.Store, dict[str, float]]:
    """The built store in memory: bulk load of world.nq, then the closure into the inferred graph."""
    from kg.namespaces import INFERRED_GRAPH
    from kg.reason.closure import store_closure
    from kg.sources.folder import parse_turtle

    ontology = parse_turtle(ROOT / "ontology" / "diplo.ttl", "https://w3id.org/diplokg/ontology")
    start = time.perf_counter()
    store = ox.Store()
    store.bulk_load(path=str(world / "world.nq"), format=ox.RdfFormat.N_QUADS)
    loaded = time.perf_counter()
    inferred = ox.NamedNode(str(INFERRED_GRAPH))
    triples = store_closure(ontology, store)
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, inferred) for t in triples)
    closed = time.perf_counter()
    return store, {"load": loaded - start, "closure": closed - loaded, "quads": len(store)}


def time_query(open_store: object, text: str, repeat: int, cap: float) -> dict[str, object]:
    """Run ``text`` up to ``repeat`` times in a forked child; kill it after ``cap`` seconds.

    Returns the run times, the row count and a digest of the rows (sorted), or ``over`` when cut off.
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: open the store (inherited or from disk), run, report one line per run
        os.close(read_fd)
        try:
            store = open_store() if callable(open_store) else open_store
            text = with_samples(text)
            spent = 0.0
            for _ in range(repeat):
                start = time.perf_counter()
                result = store.query(text, **UNION)  # type: ignore[attr-defined]
                rows = sorted(str(s) for s in result) if isinstance(result, ox.QuerySolutions) else [str(result)]
                took = time.perf_counter() - start
                spent += took
                digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()[:12]
                os.write(write_fd, (json.dumps({"t": took, "rows": len(rows), "digest": digest}) + "\n").encode())
                if spent + took > cap:
                    break
        except BaseException as exc:  # report, never raise out of a forked child
            os.write(write_fd, (json.dumps({"error": f"{type(exc).__name__}: {exc}"}) + "\n").encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    deadline = time.monotonic() + cap
    buffer, over = b"", False
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            over = True
            break
        ready, _, _ = select.select([read_fd], [], [], left)
        if ready:
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            buffer += chunk
    if over:
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(read_fd)
    runs = [json.loads(line) for line in buffer.decode().splitlines() if line]
    errors = [r["error"] for r in runs if "error" in r]
    runs = [r for r in runs if "t" in r]
    out: dict[str, object] = {"times": [r["t"] for r in runs]}
    if runs:
        out.update(rows=runs[0]["rows"], digest=runs[0]["digest"])
    if over and not runs:
        out["over"] = cap
    if errors:
        out["error"] = errors[0]
    return out


def fmt(cell: dict[str, object]) -> str:
    """A cell: the median in ms, or why there is none."""
    if "error" in cell and not cell["times"]:
        return f"error: {cell['error'][:60]}"
    if "over" in cell:
        return f"over {cell['over']:.0f} s"
    times = cell["times"]
    assert isinstance(times, list)
    median = statistics.median(times)
    text = f"{median * 1000:.0f} ms" if median < 10 else f"{median:.1f} s"
    return text + (f" ({len(times)})" if len(times) < 5 else "")


def same(a: dict[str, object], b: dict[str, object]) -> str:
    if "digest" not in a or "digest" not in b:
        return "?"
    return f"yes ({a['rows']})" if a["digest"] == b["digest"] else f"NO ({a['rows']} vs {b['rows']})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--worlds", type=Path, default=Path(tempfile.gettempdir()) / "diplokg-worlds")
    parser.add_argument("--old", default=None, help="git revision of the old queries (default: merge-base with main)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cap", type=float, default=20.0, help="seconds before a query's runs are cut off")
    parser.add_argument("--only", nargs="*", default=None, help="query names (file stems) to time")
    parser.add_argument("--no-disk", action="store_true", help="skip the on-disk store")
    parser.add_argument("--no-old", action="store_true", help="time only the new text")
    args = parser.parse_args()
    old_rev = (
        args.old
        or subprocess.run(
            ["git", "-C", str(ROOT), "merge-base", "HEAD", "main"], capture_output=True, text=True, check=True
        ).stdout.strip()
    )
    files = sorted((ROOT / "queries").glob("*.rq")) + sorted((ROOT / "queries" / "checks").glob("*.rq"))
    if args.only:
        files = [f for f in files if f.stem in args.only]
    from kg.store.files import write_store

    header = ["world", "query"]
    for kind in ["memory"] + ([] if args.no_disk else ["disk"]):
        header += [f"{kind} new"] if args.no_old else [f"{kind} old", f"{kind} new", f"{kind} same rows"]
    table = Table(f"library questions (old = {old_rev[:7]}; median of {args.repeat}, cap {args.cap:.0f} s)", header)
    for size in args.sizes:
        world = args.worlds / f"world-{size}"
        store, info = build_memory(world)
        disk_dir = Path(tempfile.mkdtemp(prefix=f"diplokg-bench-store-{size}-"))
        try:
            start = time.perf_counter()
            if not args.no_disk:
                write_store(disk_dir / "store", store)
            wrote = time.perf_counter() - start
            table.note(f"{world.name}: {info['quads']:,} quads; load {info['load']:.1f} s, closure "
                       f"{info['closure']:.1f} s, on-disk store written in {wrote:.1f} s.")
            on_disk = str(disk_dir / "store")
            kinds: list[tuple[str, object]] = [("memory", store)]
            if not args.no_disk:
                kinds.append(("disk", lambda path=on_disk: ox.Store.read_only(path)))
            for path in files:
                name = path.relative_to(ROOT / "queries").as_posix().removesuffix(".rq")
                new = path.read_text(encoding="utf-8")
                old = None if args.no_old else git_text(old_rev, path)
                cells = [world.name, name]
                for _, opener in kinds:
                    new_cell = time_query(opener, new, args.repeat, args.cap)
                    if args.no_old:
                        cells.append(fmt(new_cell))
                        continue
                    if old is None:
                        cells += ["–", fmt(new_cell), "–"]
                    elif old == new:
                        cells += ["(unchanged)", fmt(new_cell), "–"]
                    else:
                        old_cell = time_query(opener, old, args.repeat, args.cap)
                        cells += [fmt(old_cell), fmt(new_cell), same(old_cell, new_cell)]
                table.row(*cells)
        finally:
            del store
            shutil.rmtree(disk_dir, ignore_errors=True)
    table.print()


if __name__ == "__main__":
    main()
