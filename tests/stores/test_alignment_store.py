"""``diplokg alignment --endpoint URL`` on real stores: the same CSV as the local build, for the
derived measures and for those computed from the votes, on a store whose default graph is the union of
its graphs and on one where it is not (``--dataset ours``), and with ``--dataset store``; and the
questions on the votes (those of 2020-2024 and the Security Council's too) asked there.

The small world (the dossier with a few years and members of the world's sources) is pushed into
each store for this module; the dossier's build, which the other store tests expect, is pushed back
afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kg.paths import Project
from kg.store.push import push

CLI = Callable[..., tuple[int, str, str]]

CASES = [
    ["--format", "csv"],
    ["--year", "2019", "--anchor", "RUS", "--format", "json"],
    ["--state", "PRK", "--state", "CUB", "--from", "2011", "--to", "2017", "--format", "csv"],
    ["--year", "2019", "--issue", "hr", "--format", "csv"],
    ["--anchor", "USA", "--from", "2016", "--to", "2019", "--format", "csv"],
    ["--state", "prk", "--issue", "me", "--anchor", "CHN", "--anchor", "FRA", "--format", "csv"],
    ["--from", "2019", "--to", "2025", "--format", "csv"],
    ["--year", "2022"],
    ["--from", "2022", "--to", "2023", "--pool", "--anchor", "RUS", "--format", "csv"],
]
#: The questions on the votes, each asked with ``ask --endpoint`` (alignment-ranking for 2022).
VOTE_QUESTIONS = ("ukraine-votes", "partners-and-russia", "council-votes", "dprk-alignment",
                  "closures-and-alignment", "alignment-ranking")


@pytest.fixture(scope="module")
def world_store(store: Any, small_build: Path, built: Any) -> Iterator[Any]:
    """The store holding the small world; the dossier's build is pushed back afterwards."""
    push(small_build / "diplokg.nq", store.gsp(), force=True)
    yield store
    push(built.graph.path, store.gsp(), force=True)


@pytest.mark.parametrize("argv", CASES, ids=" ".join)
def test_alignment_from_the_store_is_the_local_one(world_store: Any, small_world: Project, small_build: Path,
                                                   cli: CLI, monkeypatch: pytest.MonkeyPatch,
                                                   argv: list[str]) -> None:
    monkeypatch.setenv("DIPLOKG_BUILD", str(small_build))
    code, here, err = cli("alignment", *argv, "--project", str(small_world.root))
    assert code == 0, err
    assert here.count("\n") > 2
    remote = ["--endpoint", world_store.query_url, *world_store.auth_args()]
    code, there, err = cli("alignment", *argv, *remote)
    assert code == 0, err
    assert there == here


def test_no_data_on_the_store_is_one_line(world_store: Any, cli: CLI) -> None:
    remote = ["--endpoint", world_store.query_url, *world_store.auth_args()]
    code, out, err = cli("alignment", "--year", "1990", "--issue", "hr", *remote)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "no roll calls with votes of both for anchor CHN, RUS, year 1990, issue hr" in err


@pytest.mark.parametrize("name", VOTE_QUESTIONS)
def test_the_vote_questions_from_the_store_are_the_local_ones(world_store: Any, small_world: Project,
                                                              small_build: Path, cli: CLI,
                                                              monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv("DIPLOKG_BUILD", str(small_build))
    binds = ["--bind", "year=2022"] if name == "alignment-ranking" else []
    code, here, err = cli("ask", name, *binds, "--project", str(small_world.root))
    assert code == 0, err
    assert "No answer" not in here
    remote = ["--endpoint", world_store.query_url, *world_store.auth_args()]
    code, there, err = cli("ask", name, *binds, *remote)
    assert code == 0, err
    assert there == here
