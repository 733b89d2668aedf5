"""The world build (the world's vote records and missions: about 1.5 million triples) on real stores:
every question, ``alignment`` (2019 and 2022), the explorer's rules and the report give there what they
give on the local world build.

The world is pushed once into each store this module asks (:data:`WORLD_STORES`), and each local
answer is computed once for all of them. The store tests of the other modules run on the dossier; its
build is pushed back afterwards. The oxigraph server with our graphs named in every request
(``--dataset ours``) is not asked here: it evaluates a listed dataset one graph at a time, minutes
per rule at this size (docs/stores.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib.term import Node

from kg.network.graph import QUERY_DIR, run_query
from kg.query.engine import Answer
from kg.query.gate import vet
from kg.query.library import library
from kg.query.remote import RemoteGraph
from kg.store.push import push

from .conftest import ROOT, find_store
from .test_remote import ASKED, REPORT_DATES, rows

CLI = Callable[..., tuple[int, str, str]]

#: The stores asked at world scale: Virtuoso (our graphs named), the store issue 27 asks for. The
#: oxigraph server's union default graph (``--dataset store``) gave every answer here too (46 of 46,
#: 2026-12-08, by adding it to this tuple), but costs about 5 minutes of CI (push 114 s, putting the
#: dossier back 129 s, the report 77 s; load average 7-9).
WORLD_STORES = ("virtuoso",)

#: Where Virtuoso 7.2 gives no answer at world scale: the question is not sent there (a query that
#: hangs keeps its server thread, and later queries of the session waited on it: evidence-for for
#: Uganda did so after it). Found 2026-12-08: closures-and-alignment, which answers in 0.3 s on the local
#: world build and in 0.2 s on Virtuoso with either of its two OPTIONAL parts left out, never answers
#: with both (its server thread waits with no processor time, on a fresh server, through isql too; not
#: cured by ThreadsPerQuery = 1, MaxQueryMem = 4G, the evidence part as a subquery, the measures
#: read as one pattern, either part wrapped with the rest in a subquery, or without ORDER BY or
#: DISTINCT). Its plan compiles (explain, 0.8 s); it is the run that waits. The report asks every
#: question, so it is not asked of Virtuoso either.
VIRTUOSO_WORLD_HANGS: dict[str, str] = {
    "closures-and-alignment": "Virtuoso 7.2 never answers it at world scale (its two OPTIONALs together)",
}

QUESTIONS = [q.name for q in library(ROOT / "queries")]
RULES = sorted(p.stem for p in QUERY_DIR.glob("*.rq"))
#: ``alignment`` options asked of each store: a year of Voeten's data (all votes) and one of the key votes.
ALIGNMENT = (["--year", "2019", "--format", "csv"], ["--year", "2022", "--format", "csv"])


@pytest.fixture(scope="module", params=WORLD_STORES)
def world_pushed(request: pytest.FixtureRequest, world_built: Any, built: Any) -> Iterator[Any]:
    """Each store with the world build pushed into it; the dossier's build is pushed back afterwards."""
    store = find_store(request.param)
    push(world_built.graph.path, store.gsp(), force=True)
    yield store
    push(built.graph.path, store.gsp(), force=True)


@pytest.fixture(scope="module")
def local() -> dict[tuple[str, ...], Any]:
    """Local answers, each computed once for every store (keyed by what was asked)."""
    return {}


def once(cache: dict[tuple[str, ...], Any], key: tuple[str, ...], compute: Callable[[], Any]) -> Any:
    """The cached value of ``key``, computed on first use."""
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def sorted_records(records: list[dict[str, Node | None]]) -> list[tuple[tuple[str, str], ...]]:
    """A rule's records as sorted N-Triples text, for comparing engines."""
    return sorted(tuple(sorted((k, "" if v is None else v.n3()) for k, v in r.items())) for r in records)


@pytest.mark.parametrize("name", QUESTIONS)
def test_every_question_gives_the_local_answer_at_world_scale(world_pushed: Any, world_built: Any,
                                                              local: dict[tuple[str, ...], Any], name: str) -> None:
    if world_pushed.name == "virtuoso" and name in VIRTUOSO_WORLD_HANGS:
        pytest.xfail(f"not sent: {VIRTUOSO_WORLD_HANGS[name]}")
    question = next(q for q in library(ROOT / "queries") if q.name == name)
    vetted = vet(question.text, world_built.graph.graph_names(), origin=name)
    required: dict[str, Node] = {p.name: ASKED[p.name] for p in question.parameters if p.required}
    every: dict[str, Node] = {p.name: ASKED[p.name] for p in question.parameters}
    remote = RemoteGraph(world_pushed.query())
    for label, bindings in (("required", required), ("every", every)):
        if label == "every" and every == required:
            continue
        here: Answer = once(local, ("question", name, label),
                            lambda b=bindings: world_built.graph.run(vetted, bindings=b))  # type: ignore[misc]
        there = remote.run(vetted, bindings=bindings)
        assert there.variables == here.variables
        assert rows(there) == rows(here), bindings


@pytest.mark.parametrize("as_of", REPORT_DATES)
def test_network_as_of_on_the_report_dates_at_world_scale(world_pushed: Any, world_built: Any,
                                                         local: dict[tuple[str, ...], Any], as_of: str) -> None:
    from rdflib import XSD, Literal

    question = next(q for q in library(ROOT / "queries") if q.name == "network-as-of")
    vetted = vet(question.text, world_built.graph.graph_names(), origin=question.name)
    bindings: dict[str, Node] = {"asOf": Literal(as_of, datatype=XSD.date)}
    here = once(local, ("as-of", as_of), lambda: rows(world_built.graph.run(vetted, bindings=bindings)))
    assert rows(RemoteGraph(world_pushed.query()).run(vetted, bindings=bindings)) == here


@pytest.mark.parametrize("rule", RULES)
def test_every_explorer_rule_gives_the_local_rows_at_world_scale(world_pushed: Any, world_built: Any,
                                                                 local: dict[tuple[str, ...], Any], rule: str) -> None:
    here = once(local, ("rule", rule), lambda: sorted_records(run_query(world_built.graph, rule)))
    there = sorted_records(run_query(RemoteGraph(world_pushed.query()), rule))  # type: ignore[arg-type]
    assert len(here) > 0
    assert there == here


@pytest.mark.parametrize("argv", ALIGNMENT, ids=" ".join)
def test_alignment_gives_the_local_table_at_world_scale(world_pushed: Any, world_built: Any, world_cli: CLI,
                                                        local: dict[tuple[str, ...], Any], argv: list[str]) -> None:
    def compute() -> str:
        code, out, err = world_cli("alignment", *argv)
        assert code == 0, err
        return out

    here = once(local, ("alignment", *argv), compute)
    assert here.count("\n") > 100
    code, there, err = world_cli("alignment", *argv, "--endpoint", world_pushed.query_url, *world_pushed.auth_args())
    assert code == 0, err
    assert there == here


def test_the_report_is_the_local_one_at_world_scale(world_pushed: Any, world_built: Any, world_cli: CLI,
                                                    local: dict[tuple[str, ...], Any], tmp_path: Path) -> None:
    if world_pushed.name == "virtuoso" and VIRTUOSO_WORLD_HANGS:
        pytest.xfail(f"not sent: the report asks {', '.join(VIRTUOSO_WORLD_HANGS)} (VIRTUOSO_WORLD_HANGS)")
    def compute() -> bytes:
        out = tmp_path / "report-here.md"
        code, _, err = world_cli("report", "-o", str(out))
        assert code == 0, err
        return out.read_bytes()

    here = once(local, ("report",), compute)
    there_path = tmp_path / "report-there.md"
    code, _, err = world_cli("report", "-o", str(there_path), "--endpoint", world_pushed.query_url,
                             *world_pushed.auth_args())
    assert code == 0, err
    assert there_path.read_bytes() == here
