"""What containment costs: every library question run in process (the baseline: Oxigraph, rows turned
into rdflib terms, as queries ran before issue 14) and contained (:meth:`kg.query.engine.BuiltGraph.run`:
the canonical gate's text in a forked child with the network lock, memory ceiling and time limit, the
answer sent back through a pipe), alternately in the same run. Each cell is the median of ``--repeat``
runs. It also times the gate alone (:func:`kg.query.gate.vet`) and an empty contained job (the fork
and pipe alone).

Usage::

    python bench/containment.py build/diplokg.nq            # the small project's build
    python bench/containment.py /tmp/w1m/diplokg.nq --repeat 5 --only closed-missions wave-size
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402

from bench.table import Table  # noqa: E402
from kg.query.engine import BuiltGraph  # noqa: E402
from kg.query.gate import vet  # noqa: E402
from kg.query.library import library  # noqa: E402
from kg.query.sandbox import Limits, contained  # noqa: E402
from kg.terms import to_rdflib  # noqa: E402


def baseline(store: ox.Store, text: str) -> int:
    """The query as it ran before: in process, on the text as written, rows made rdflib terms."""
    result = store.query(text, use_default_graph_as_union=True)
    rows = [tuple(None if s[v] is None else to_rdflib(s[v]) for v in result.variables) for s in result]  # type: ignore[union-attr, arg-type]
    return len(rows)


def cpu() -> float:
    """CPU seconds of this process and its finished children (the figure a loaded machine does not inflate)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("nquads", type=Path)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    built = BuiltGraph(args.nquads)
    start = time.perf_counter()
    store = built.store
    print(f"opened {args.nquads} ({len(store):,} quads) in {time.perf_counter() - start:.2f} s")
    names = built.graph_names()
    questions = [q for q in library(ROOT / "queries") if not any(p.required for p in q.parameters)]
    if args.only:
        questions = [q for q in questions if q.name in args.only]
    empty, empty_cpu = [], []
    for _ in range(args.repeat * 3):
        t0, c0 = time.perf_counter(), cpu()
        contained(lambda: b"", Limits())
        empty.append(time.perf_counter() - t0)
        empty_cpu.append(cpu() - c0)
    table = Table(f"containment on {args.nquads} (median of {args.repeat}; baseline: the query in process)",
                  ["question", "rows", "vet ms", "in-process ms", "contained ms", "overhead ms", "CPU in-proc ms",
                   "CPU contained ms"])
    table.row("(an empty contained job: fork, limits, seccomp, pipe, wait)", "", "", "", f"{median_ms(empty):.1f}",
              f"{median_ms(empty):.1f}", "", f"{median_ms(empty_cpu):.1f}")
    overheads, cpu_overheads = [], []
    for question in questions:
        text = question.text
        vets, base, cont, base_cpu, cont_cpu = [], [], [], [], []
        rows = 0
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            query = vet(text, names, origin=str(question.path))
            t1, c1 = time.perf_counter(), cpu()
            rows = baseline(store, text)
            t2, c2 = time.perf_counter(), cpu()
            answer = built.run(query)
            t3, c3 = time.perf_counter(), cpu()
            base_cpu.append(c2 - c1)
            cont_cpu.append(c3 - c2)
            vets.append(t1 - t0)
            base.append(t2 - t1)
            cont.append(t3 - t2)
            assert len(answer.rows) == rows, question.name
        overhead = median_ms(cont) - median_ms(base)
        overheads.append(overhead)
        cpu_overheads.append(median_ms(cont_cpu) - median_ms(base_cpu))
        table.row(question.name, rows, f"{median_ms(vets):.1f}", f"{median_ms(base):.1f}", f"{median_ms(cont):.1f}",
                  f"{overhead:.1f}", f"{median_ms(base_cpu):.1f}", f"{median_ms(cont_cpu):.1f}")
    table.note(f"Median overhead of containment over the questions: {statistics.median(overheads):.1f} ms wall, "
               f"{statistics.median(cpu_overheads):.1f} ms CPU (vetting not included; it ran before too).")
    table.print()


if __name__ == "__main__":
    main()
