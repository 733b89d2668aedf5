"""The contained child process (kg.query.sandbox) on its own: the network lock holds even when the gate
is bypassed on purpose, and each limit ends with its own error."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import pytest
from tests_support import Listener

from kg.errors import QueryError, QueryMemoryExceeded, QueryTimeout, TooManyRows
from kg.query.gate import vet
from kg.query.nonet import NetworkLockUnavailable, forbid_network
from kg.query.sandbox import UNLIMITED, Limits, contained

CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def _lock_available() -> bool:
    def probe() -> bytes:
        try:
            forbid_network()
        except NetworkLockUnavailable:
            return b"no"
        return b"yes"

    return contained(probe, UNLIMITED) == b"yes"


needs_lock = pytest.mark.skipif(not _lock_available(), reason="no seccomp here: the network lock is unavailable")


@needs_lock
def test_a_socket_cannot_be_opened_in_the_child(listener: Listener) -> None:
    host, port = listener.server.server_address[:2]

    def connect() -> bytes:
        with socket.create_connection((host, port), timeout=5) as conn:
            conn.sendall(b"GET /socket HTTP/1.0\r\n\r\n")
        return b"connected"

    with pytest.raises(QueryError, match="Operation not permitted"):
        contained(connect, UNLIMITED)
    assert listener.hits == []


@needs_lock
def test_oxigraph_service_without_the_gate_reaches_nobody(listener: Listener) -> None:
    """The gate bypassed on purpose: Oxigraph is handed a SERVICE query directly, in the child."""
    store = ox.Store()

    def service() -> bytes:
        return str(list(store.query(f"SELECT * WHERE {{ SERVICE <{listener.url}/service> {{ ?s ?p ?o }} }}"))).encode()

    with pytest.raises(QueryError, match="not permitted"):
        contained(service, UNLIMITED)
    assert listener.hits == []
    # The control: the same query outside the child does reach the listener.
    with pytest.raises((OSError, RuntimeError)):  # the listener answers Turtle, which Oxigraph refuses
        list(store.query(f"SELECT * WHERE {{ SERVICE <{listener.url}/control> {{ ?s ?p ?o }} }}"))
    assert listener.hits == ["/control"]


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_the_row_cap(engine: str, built: Any) -> None:
    graph = built.graph
    query = vet("SELECT * WHERE { ?s ?p ?o }", graph.graph_names())
    with pytest.raises(TooManyRows, match="more than 5 rows"):
        graph.run(query, engine=engine, limits=Limits(max_rows=5))
    capped = graph.run(vet("SELECT * WHERE { ?s ?p ?o } LIMIT 5"), engine=engine, limits=Limits(max_rows=5))
    assert len(capped.rows) == 5
    construct = vet("CONSTRUCT WHERE { ?s ?p ?o }")
    with pytest.raises(TooManyRows):
        graph.run(construct, engine=engine, limits=Limits(max_rows=5))


def test_the_time_limit(built: Any) -> None:
    with pytest.raises(QueryTimeout, match=r"longer than 0\.5 s"):
        built.graph.run(vet(CROSS), limits=Limits(timeout=0.5))


def test_the_time_limit_bounds_rdflib_regex(built: Any) -> None:
    query = vet('SELECT ?s WHERE { BIND("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!" AS ?s) FILTER(REGEX(?s, "^(a+)+$")) }')
    with pytest.raises(QueryTimeout):
        built.graph.run(query, engine="rdflib", limits=Limits(timeout=1))


def test_the_memory_ceiling(built: Any) -> None:
    query = vet("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g")
    with pytest.raises(QueryMemoryExceeded, match="more than 100 MiB"):
        built.graph.run(query, limits=Limits(timeout=120, memory_mib=100))


def test_the_memory_ceiling_on_rdflib(built: Any) -> None:
    query = vet("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?d")
    with pytest.raises(QueryMemoryExceeded):
        built.graph.run(query, engine="rdflib", limits=Limits(timeout=300, memory_mib=100))


def test_an_error_of_ours_keeps_its_class_and_message() -> None:
    def refuse() -> bytes:
        raise TooManyRows("too many, said the child")

    with pytest.raises(TooManyRows, match="said the child"):
        contained(refuse)


def test_an_engine_failure_is_one_line() -> None:
    def fail() -> bytes:
        raise RuntimeError("first line\nsecond line")

    with pytest.raises(QueryError) as caught:
        contained(fail)
    assert str(caught.value) == "query failed: first line"
