"""What one look-up costs in the built store: on disk (the store ``diplokg build`` writes from 100k
quads, which ``diplokg query`` opens) and in memory (the same N-Quads bulk-loaded).

It picks ``--lookups`` random excerpts of the built graph (subjects of ``diplo:text``, each in one
source graph) and looks up their text, in any graph, three ways: ``Store.quads_for_pattern``, on disk
twice (the first pass reads the files into the page cache), then a one-pattern SPARQL query with the
excerpt substituted, on disk and in memory. It prints the mean time per look-up of each.

Usage (the world must be built first)::

    python bench/world.py --triples 1000000 --out /tmp/world-1m
    diplokg build --project /tmp/world-1m
    python bench/lookups.py /tmp/world-1m
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.table import Table

TEXT = ox.NamedNode("https://w3id.org/diplokg/ontology#text")
QUERY = "SELECT ?s ?text WHERE { ?s <https://w3id.org/diplokg/ontology#text> ?text }"


def _per_lookup(subjects: list[ox.NamedNode], look_up: Callable[[ox.NamedNode], int]) -> float:
    """Mean seconds per call of ``look_up`` over ``subjects`` (each must find something)."""
    start = time.perf_counter()
    found = sum(look_up(subject) for subject in subjects)
    seconds = time.perf_counter() - start
    assert found >= len(subjects), "a look-up found nothing: is the world built?"
    return seconds / len(subjects)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("world", type=Path, help="a built world (its build/ holds diplokg.nq and store/)")
    parser.add_argument("--lookups", type=int, default=5000, help="how many look-ups to time (default 5000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    built = args.world / "build"
    disk = ox.Store.read_only(str(built / "store"))
    quads = disk.quads_for_pattern(None, TEXT, None, None)
    excerpts = sorted({quad.subject for quad in quads if isinstance(quad.subject, ox.NamedNode)}, key=str)
    subjects = random.Random(args.seed).sample(excerpts, min(args.lookups, len(excerpts)))
    print(f"{len(disk):,} quads; {len(subjects):,} look-ups of (excerpt, diplo:text) in any graph\n")

    def pattern(store: ox.Store) -> Callable[[ox.NamedNode], int]:
        return lambda subject: sum(1 for _ in store.quads_for_pattern(subject, TEXT, None, None))

    def sparql(store: ox.Store) -> Callable[[ox.NamedNode], int]:
        def look_up(subject: ox.NamedNode) -> int:
            rows = store.query(QUERY, substitutions={ox.Variable("s"): subject}, use_default_graph_as_union=True)
            assert isinstance(rows, ox.QuerySolutions)
            return sum(1 for _ in rows)

        return look_up

    rows = [
        ("disk, quads_for_pattern, first pass", _per_lookup(subjects, pattern(disk))),
        ("disk, quads_for_pattern, second pass", _per_lookup(subjects, pattern(disk))),
        ("disk, SPARQL (one pattern, substitution)", _per_lookup(subjects, sparql(disk))),
    ]
    memory = ox.Store()
    memory.bulk_load(path=str(built / "diplokg.nq"), format=ox.RdfFormat.N_QUADS)
    rows += [
        ("memory, quads_for_pattern", _per_lookup(subjects, pattern(memory))),
        ("memory, SPARQL (one pattern, substitution)", _per_lookup(subjects, sparql(memory))),
    ]
    table = Table(f"look-ups on {args.world} ({len(subjects):,} look-ups)", ["look-up", "time per look-up"])
    for name, seconds in rows:
        table.row(name, f"{seconds * 1e6:.0f} µs")
    table.print()


if __name__ == "__main__":
    main()
