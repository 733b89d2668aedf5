"""The answer cache: bounded, one computation per key at a time, errors never kept."""

from __future__ import annotations

import threading
import time

import pytest

from kg.serve.cache import AnswerCache


def test_concurrent_identical_requests_compute_once() -> None:
    cache = AnswerCache(1 << 20)
    calls = []

    def make() -> tuple[bytes, str]:
        calls.append(1)
        time.sleep(0.2)
        return b"answer", "text/plain"

    results: list[tuple[bytes, str]] = []
    threads = [threading.Thread(target=lambda: results.append(cache.get_or_make("k", make))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and results == [(b"answer", "text/plain")] * 8


def test_the_budget_drops_the_least_recently_used() -> None:
    cache = AnswerCache(3 * AnswerCache.cost((b"x" * 100, "t")) + 50)
    for key in "abc":
        cache.get_or_make(key, lambda: (b"x" * 100, "t"))
    cache.get_or_make("a", lambda: (b"y", "t"))  # a hit: "a" is now the most recent
    cache.get_or_make("d", lambda: (b"x" * 100, "t"))
    cache.get_or_make("e", lambda: (b"x" * 100, "t"))
    assert cache.get_or_make("a", lambda: (b"new", "t"))[0] == b"x" * 100
    assert cache.get_or_make("b", lambda: (b"new", "t"))[0] == b"new"


def test_waiters_share_a_failure_which_is_not_kept() -> None:
    cache = AnswerCache(1 << 20)
    calls = []

    def slow_fail() -> tuple[bytes, str]:
        calls.append(1)
        time.sleep(0.2)
        raise TimeoutError("stopped")

    errors: list[str] = []

    def asker() -> None:
        try:
            cache.get_or_make("k", slow_fail)
        except TimeoutError as exc:
            errors.append(str(exc))

    threads = [threading.Thread(target=asker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and errors == ["stopped"] * 6
    assert cache.get_or_make("k", lambda: (b"ok", "t")) == (b"ok", "t")


def test_errors_are_not_kept_and_large_answers_not_stored() -> None:
    cache = AnswerCache(2 * AnswerCache.cost((b"x" * 200, "t")))

    def fail() -> tuple[bytes, str]:
        raise ValueError("boom")

    with pytest.raises(ValueError):
        cache.get_or_make("k", fail)
    assert cache.get_or_make("k", lambda: (b"ok", "t")) == (b"ok", "t")
    cache.get_or_make("big", lambda: (b"x" * 201, "t"))  # more than half the budget
    assert cache.get_or_make("big", lambda: (b"again", "t"))[0] == b"again"


class _QueryText:
    """A key part standing for a client's query text, whose life a test can watch."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _QueryText) and other.text == self.text


def test_keys_count_and_are_never_kept_whole() -> None:
    """Issue 23: 40 distinct 4 MB queries with small answers added 620 MB that were never freed (the
    cache counted answer bytes only and kept every query text as a key). Keys are now digests, and every
    byte an entry keeps counts against the budget."""
    import gc
    import weakref

    budget = 20 * AnswerCache.cost((b"answer", "application/sparql-results+json"))
    cache = AnswerCache(budget)
    watched = []
    for n in range(40):
        text = _QueryText(f"SELECT * WHERE {{ VALUES ?v {{ {n} }} }}" + " " * (4 * 1024 * 1024))
        watched.append(weakref.ref(text))
        cache.get_or_make(("sparql", 1, text), lambda: (b"answer", "application/sparql-results+json"))
        del text
    gc.collect()
    assert [ref for ref in watched if ref() is not None] == []  # no query text is held by the cache
    assert cache.size <= budget and len(cache) == 20
    assert cache.peek(("sparql", 1, _QueryText("SELECT * WHERE { VALUES ?v { 39 } }" + " " * (4 * 1024 * 1024))))
