"""A contained child is forked only while no other thread of ours runs (a child forked while another
thread is inside Oxigraph can inherit a lock that thread held, and hang for ever), and the checks run
together in one child started before the shapes query the store beside it."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import pyoxigraph as ox
import pytest

from kg.build import build
from kg.errors import InputError
from kg.paths import Project
from kg.query.engine import StartedQueries
from kg.query.gate import vet
from kg.query.sandbox import UNLIMITED, Limits
from kg.store import cache

ARTICLE = "dprk-embassy-closures-2023"
COUNTS = "dprk-relations-counts"


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """At each fork of this process, how many threads started since the test began were running
    beside the forking one (threads other tests left behind do not count; the children report nothing)."""
    real_fork = os.fork
    parent = os.getpid()
    before = set(threading.enumerate())
    seen: list[int] = []

    def fork() -> int:
        if os.getpid() == parent:
            current = threading.current_thread()
            seen.append(sum(1 for t in threading.enumerate() if t not in before and t is not current))
        return real_fork()

    monkeypatch.setattr(os, "fork", fork)
    return seen


@pytest.mark.parametrize("rebuild", [False, True], ids=["clean build", "cached rebuild"])
def test_the_build_forks_only_while_it_runs_one_thread(
    project_copy: Callable[..., Project], forks: list[int], rebuild: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The article counts as the cached world here; the counts table is the small source edited.
    project = project_copy(only_sources=[ARTICLE, COUNTS])
    monkeypatch.setattr(cache, "WORLD_MIN_BYTES", cache.folder_bytes(project.sources / ARTICLE))
    assert build(project).written
    if rebuild:  # a cached rebuild validates what changed: its checks are forked too
        facts = project.sources / COUNTS / "facts.ttl"
        text = facts.read_text(encoding="utf-8")
        facts.write_text(text.replace('rdfs:label "', 'rdfs:label "(edited) ', 1), encoding="utf-8")
        forks.clear()
        report = build(project)
        assert report.written and report.reused, "the rebuild did not use the cache"
    assert forks, "the checks ran without a contained child"
    assert max(forks) == 0, f"forked while {max(forks)} other threads of the build ran"


STORE_DATA = b"""
<urn:a> <urn:p> <urn:b> <urn:g> .
<urn:b> <urn:p> <urn:c> <urn:g> .
"""


def _store() -> ox.Store:
    store = ox.Store()
    store.load(STORE_DATA, format=ox.RdfFormat.N_QUADS)
    return store


def test_queries_started_together_answer_as_each_alone() -> None:
    store = _store()
    texts = ["SELECT ?s WHERE { ?s <urn:p> ?o } ORDER BY ?s", "ASK { <urn:a> <urn:p> <urn:c> }",
             "SELECT ?o WHERE { <urn:b> <urn:p> ?o }"]
    queries = [vet(t, [], origin=f"q{i}.rq") for i, t in enumerate(texts)]
    together = StartedQueries(store, queries, UNLIMITED).answers()
    alone = [StartedQueries(store, [q], UNLIMITED).answers()[0] for q in queries]
    assert [(a.kind, a.rows, a.boolean) for a in together] == [(a.kind, a.rows, a.boolean) for a in alone]
    assert [len(a.rows) for a in together] == [2, 0, 1] and together[1].boolean is False


def test_a_failing_query_is_named_and_a_cancelled_child_is_gone() -> None:
    store = _store()
    fine = vet("SELECT ?s WHERE { ?s ?p ?o }", [], origin="fine.rq")
    capped = StartedQueries(store, [fine, fine], Limits(timeout=None, memory_mib=None, max_rows=1))
    with pytest.raises(Exception, match=r"^fine\.rq: "):
        capped.answers()
    slow = vet("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }", [], origin="slow.rq")
    started = StartedQueries(store, [slow] * 50_000, UNLIMITED)
    started.cancel()
    with pytest.raises(Exception, match="cancelled"):
        started.answers()


@pytest.mark.parametrize("text", ["ASK { ?s ?p ?o }", "SELECT ?focus WHERE { ?focus undeclared:p ?o }"])
def test_a_check_that_cannot_run_is_named_before_any_child_starts(
    project_copy: Callable[..., Project], forks: list[int], text: str
) -> None:
    from kg.validate.checks import start_store_checks
    from kg.validate.violations import Locator

    project = project_copy(only_sources=[ARTICLE])
    (project.checks / "zz-broken-violation.rq").write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"zz-broken-violation\.rq"):
        start_store_checks(_store(), project.checks, Locator.__new__(Locator))
    assert forks == []
