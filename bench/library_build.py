"""Time every library question on a real build (the world build: ``DIPLOKG_BUILD=DIR diplokg build``),
the old text (``--old``, default: the merge-base with main) against this checkout's, in the same run.

Each question runs in process on the build's on-disk store (read-only, the union default graph), with
the values the library's samples give (``asOf`` 2020-01-01, ``entity`` the DPRK, ``year`` 2019) written
as a ``VALUES`` block as ``diplokg query`` writes them; median of ``--repeat`` runs, old and new
alternated; the rows of both compared in order. One table, the load average beside each row.

Usage::

    python bench/library_build.py --build /tmp/world/build --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402
from rdflib import XSD, Literal, URIRef  # noqa: E402
from rdflib.term import Node  # noqa: E402

from bench.table import Table, ms  # noqa: E402
from kg.query.gate import vet  # noqa: E402
from kg.query.library import library  # noqa: E402
from kg.query.sparqltext import bind  # noqa: E402

SAMPLES: dict[str, Node] = {"asOf": Literal("2020-01-01", datatype=XSD.date),
                            "entity": URIRef("https://w3id.org/diplokg/id/iso3166/PRK"),
                            "year": Literal("2019", datatype=XSD.gYear)}


def timed(store: ox.Store, text: str) -> tuple[float, list[tuple[str | None, ...]]]:
    start = time.perf_counter()
    rows = [tuple(None if t is None else str(t) for t in s) for s in store.query(text, use_default_graph_as_union=True)]  # type: ignore[union-attr]
    return time.perf_counter() - start, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, required=True, help="a build folder holding store/")
    parser.add_argument("--old", default=None, help="baseline revision (default: merge-base with main)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    rev = args.old or subprocess.run(["git", "-C", str(ROOT), "merge-base", "HEAD", "main"],
                                     capture_output=True, text=True, check=True).stdout.strip()
    store = ox.Store.read_only(str(args.build / "store"))
    table = Table(f"library questions on {args.build} ({len(store):,} quads), in process on the on-disk store "
                  f"(old = {rev[:9]}; median of {args.repeat})", ["question", "rows", "old", "new", "same rows"])
    for question in library(ROOT / "queries"):
        if args.only and question.name not in args.only:
            continue
        values = {p.name: SAMPLES[p.name] for p in question.parameters if p.name in SAMPLES}
        new = bind(vet(question.text), values).text
        found = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:queries/{question.name}.rq"],
                               capture_output=True, text=True)
        old = bind(vet(found.stdout), values).text if found.returncode == 0 else None
        times: dict[str, list[float]] = {"old": [], "new": []}
        rows: dict[str, list[tuple[str | None, ...]]] = {}
        for _ in range(args.repeat):
            for name, text in (("old", old), ("new", new)):
                if text is None or (name == "old" and text == new):
                    continue
                seconds, rows[name] = timed(store, text)
                times[name].append(seconds)
        same = "unchanged" if old == new else "-" if old is None else "yes" if rows["old"] == rows["new"] else "NO"
        old_cell = ms(statistics.median(times["old"])) if times["old"] else "(same text)" if old == new else "-"
        table.row(question.name, len(rows["new"]), old_cell, ms(statistics.median(times["new"])), same)
    table.note("Goal (issue 26): every question under 200 ms computed per request on serve (and under 1 s from "
               "the command line, start-up included); this is the engine's part, in process.")
    table.print()


if __name__ == "__main__":
    main()
