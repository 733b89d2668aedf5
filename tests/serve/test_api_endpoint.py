"""``kg.open_endpoint``: the Python API on a SPARQL store (a real ``diplokg serve`` process) gives the rows
a local build gives, through the bounded client of :mod:`kg.query.remote`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import kg
from kg.errors import QueryRefused

from .conftest import Served


@pytest.fixture(scope="module")
def both(server_with: Callable[..., Served], built: Any) -> tuple[kg.Build, kg.Build]:
    served = server_with()
    local = kg.open(built.graph.path, project=built.project.root)
    return kg.open_endpoint(served.sparql, timeout=60, project=built.project.root), local


@pytest.mark.parametrize(
    ("name", "bind", "as_of"),
    [
        pytest.param("closed-missions", {}, "2024-01-01", id="closed-missions-as-of"),
        pytest.param("evidence-for", {"entity": "Uganda"}, None, id="evidence-for-a-name"),
        pytest.param("wave-size", {}, None, id="wave-size"),
    ],
)
def test_a_store_gives_the_local_rows(both: tuple[kg.Build, kg.Build], name: str, bind: dict[str, str],
                                      as_of: str | None) -> None:
    remote, local = both
    theirs, ours = remote.ask(name, bind, as_of=as_of), local.ask(name, bind, as_of=as_of)
    assert theirs.columns == ours.columns and len(ours) > 0
    assert sorted(map(repr, theirs)) == sorted(map(repr, ours))
    assert sorted(repr(r.evidence) for r in theirs) == sorted(repr(r.evidence) for r in ours)


def test_a_store_is_asked_through_the_gate(both: tuple[kg.Build, kg.Build]) -> None:
    remote, _ = both
    with pytest.raises(QueryRefused):
        remote.query("SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }")
    assert remote.query("ASK { ?s ?p ?o }") is True
