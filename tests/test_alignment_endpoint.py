"""``diplokg alignment --endpoint URL``: the same rows from a SPARQL endpoint as from the local build.

No store is needed here: the endpoint is ``diplokg serve`` (a real SPARQL 1.1 Protocol endpoint on
127.0.0.1, in its own process) over a small world's build, and a fake endpoint that holds none of
our graphs. ``tests/stores/test_alignment_store.py`` asks the oxigraph server and Virtuoso.
"""

from __future__ import annotations

import http.server
import json
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from serve.conftest import Served, fetch, start_server, stop_server

from kg.paths import Project

CLI = Callable[..., tuple[int, str, str]]

#: Options of `diplokg alignment`, each answered from the derived graph or computed from the votes.
CASES = [
    ["--format", "csv"],                                                  # derived: every year, CHN and RUS
    ["--year", "2019", "--anchor", "RUS", "--format", "json"],            # derived, one anchor
    ["--state", "PRK", "--state", "CUB", "--from", "2011", "--to", "2017", "--format", "csv"],
    ["--year", "2019", "--issue", "hr", "--format", "csv"],               # votes: one issue
    ["--anchor", "USA", "--from", "2016", "--to", "2019", "--format", "csv"],  # votes: another anchor
    ["--state", "prk", "--issue", "me", "--anchor", "CHN", "--anchor", "FRA", "--format", "csv"],
    ["--year", "2012", "--issue", "nu"],                                  # the people's table
    ["--from", "2019", "--to", "2025", "--format", "csv"],                # derived: every vote, then the selection
    ["--year", "2022"],                                                   # the table and its notes on coverage
    ["--from", "2022", "--to", "2023", "--pool", "--anchor", "RUS", "--format", "csv"],  # votes: pooled
    ["--year", "2022", "--anchor", "USA", "--min-roll-calls", "5", "--format", "csv"],   # votes: the selection
]

#: The questions on the votes after 2019 (and those extended to them), each answered by `diplokg serve`.
VOTE_QUESTIONS = ("ukraine-votes", "partners-and-russia", "council-votes", "dprk-alignment",
                  "closures-and-alignment", "alignment-ranking")


@pytest.fixture(scope="module")
def endpoint(small_build: Path) -> Iterator[Served]:
    """``diplokg serve`` on the small world's build."""
    served = start_server(small_build)
    yield served
    stop_server(served)


@pytest.fixture
def local(small_world: Project, small_build: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch) -> CLI:
    """``diplokg alignment`` on the small world's local build."""
    monkeypatch.setenv("DIPLOKG_BUILD", str(small_build))
    return lambda *argv: cli("alignment", *argv, "--project", str(small_world.root))


@pytest.mark.parametrize("argv", CASES, ids=" ".join)
def test_the_endpoint_gives_the_local_rows(endpoint: Served, local: CLI, cli: CLI, argv: list[str]) -> None:
    code, here, err = local(*argv)
    assert code == 0, err
    assert here.count("\n") > 2
    code, there, err = cli("alignment", *argv, "--endpoint", endpoint.sparql)
    assert code == 0, err
    assert there == here


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--year", "1990"], "no roll calls with votes of both for anchor CHN, RUS, year 1990"),
        (["--state", "XYZ"], "no state with the code 'XYZ'"),
        (["--anchor", "bad>code"], "no state with the code 'BAD>CODE'"),
    ],
)
def test_no_data_is_the_same_one_line(endpoint: Served, local: CLI, cli: CLI, argv: list[str], message: str) -> None:
    code, _, here = local(*argv)
    assert code == 2 and message in here
    code, _, there = cli("alignment", *argv, "--endpoint", endpoint.sparql)
    assert (code, there) == (2, here)


class _EmptyStore:
    """A SPARQL endpoint on 127.0.0.1 that holds nothing: every SELECT has no row, every ASK is false."""

    def __init__(self, delay: float = 0.0) -> None:
        self.queries: list[bytes] = []
        self.release = threading.Event()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                outer.queries.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                if delay:
                    outer.release.wait(delay)
                    return  # the client gave up: answer nothing
                body = json.dumps({"head": {"vars": ["g"]}, "results": {"bindings": []}, "boolean": False})
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def test_a_store_without_our_graphs_is_one_line(cli: CLI) -> None:
    store = _EmptyStore()
    try:
        code, out, err = cli("alignment", "--year", "2019", "--issue", "hr", "--endpoint", store.url)
    finally:
        store.close()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "holds none of our graphs" in err and "push" in err
    assert store.queries and all(b"SERVICE" not in q for q in store.queries)


def test_a_store_that_does_not_answer_in_time_is_one_line(cli: CLI) -> None:
    store = _EmptyStore(delay=30)
    try:
        code, out, err = cli("alignment", "--year", "2019", "--timeout", "0.5", "--endpoint", store.url)
    finally:
        store.close()
    assert code == 2 and out == "" and err.count("\n") == 1 and "timed out" in err


def test_an_unreachable_store_is_one_line(cli: CLI) -> None:
    code, _, err = cli("alignment", "--year", "2019", "--endpoint", "http://127.0.0.1:9/sparql")
    assert code == 2 and err.count("\n") == 1 and "no answer" in err and "Traceback" not in err


def test_the_dossier_alone_has_no_votes_there_either(cli: CLI, built: Any, tmp_path: Path) -> None:
    import shutil

    shutil.copy(built.graph.path, tmp_path / "diplokg.nq")
    served = start_server(tmp_path)
    try:
        code, _, err = cli("alignment", "--year", "2019", "--endpoint", served.sparql)
    finally:
        stop_server(served)
    assert code == 2 and err.count("\n") == 1 and "no roll calls with votes of both" in err


@pytest.mark.parametrize("name", VOTE_QUESTIONS)
def test_the_vote_questions_are_served_and_asked_through_the_endpoint(
    endpoint: Served, small_world: Project, small_build: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """`/questions/NAME` holds the rows the local build answers, and `ask --endpoint` prints what `ask` does."""
    from rdflib import XSD, Literal

    from kg.query.engine import BuiltGraph
    from kg.query.formats import literal_text
    from kg.query.gate import vet
    from kg.query.library import library

    question = next(q for q in library(small_world.queries) if q.name == name)
    given = {"year": "2022"} if question.parameter("year") else {}
    graph = BuiltGraph(small_build / "diplokg.nq")
    here = graph.run(vet(question.text, graph.graph_names()),
                     bindings={k: Literal(v, datatype=XSD.gYear) for k, v in given.items()})
    expected = [{v: literal_text(t) for v, t in zip(here.variables, row)} for row in here.rows]
    assert expected, name
    query = urllib.parse.urlencode([*given.items(), ("limit", "100000")])
    status, _, body = fetch(f"{endpoint.base}/questions/{name}?{query}")
    page = json.loads(body)
    assert status == 200 and page["rows"] == expected
    monkeypatch.setenv("DIPLOKG_BUILD", str(small_build))
    binds = [f"--bind=year={given['year']}"] if given else []
    code, local, err = cli("ask", name, *binds, "--project", str(small_world.root))
    assert code == 0, err
    code, remote, err = cli("ask", name, *binds, "--endpoint", endpoint.sparql)
    assert code == 0, err
    assert remote == local
