"""``diplokg push`` and ``--endpoint`` on the commands: the same output from a store as from the build."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .test_remote import VIRTUOSO_DEVIATIONS

#: Oxigraph evaluates a listed default graph one graph at a time: the explorer's node-facts rule takes
#: about 40 s so; these commands are tested there with --dataset store (oxigraph-union-store).
SLOW_LISTED = "the explorer's rules are slow on Oxigraph with a listed dataset (tested with --dataset store)"

CLI = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="module")
def pushed_cli(store: Any, built: Any) -> Any:
    """The store with the real build pushed by the command itself."""
    from kg.cli import entry

    argv = ["push", "--force", "--endpoint", store.gsp_url, *store.auth_args(), "--project", str(built.project.root)]
    assert entry(argv) == 0
    return store


def test_push_twice_says_the_store_holds_the_build(pushed_cli: Any, built: Any, cli: CLI) -> None:
    code, out, _ = cli("push", "--endpoint", pushed_cli.gsp_url, *pushed_cli.auth_args(),
                       "--project", str(built.project.root))
    assert code == 0 and "already holds this build" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["ask", "network-as-of", "--as-of", "2024-02-01"],
        ["ask", "evidence-for", "--bind", "entity=iso:UGA", "--format", "csv"],
        ["ask", "closed-missions", "--as-of", "2024-02-01"],
        ["query", "regions", "--format", "json"],
        ["query", "-e", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--asserted", "--format", "tsv"],
        ["stats", "--format", "json"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_commands_print_the_same_from_the_store(pushed_cli: Any, built: Any, cli: CLI, argv: list[str]) -> None:
    if argv[0] == "stats" and pushed_cli.name in ("oxigraph", "oxigraph-union"):
        pytest.skip(SLOW_LISTED)
    if pushed_cli.name == "virtuoso" and argv[1] in VIRTUOSO_DEVIATIONS:
        pytest.skip(f"Virtuoso: {VIRTUOSO_DEVIATIONS[argv[1]]} (tests/stores/test_remote.py)")
    project = ["--project", str(built.project.root)]
    code, here, _ = cli(*argv, *project)
    assert code == 0
    code, there, err = cli(*argv, *project, "--endpoint", pushed_cli.query_url, *pushed_cli.auth_args())
    assert code == 0, err
    assert there == here


def test_report_and_explore_are_the_same_from_the_store(pushed_cli: Any, built: Any, cli: CLI, tmp_path: Path) -> None:
    project = ["--project", str(built.project.root)]
    remote = ["--endpoint", pushed_cli.query_url, *pushed_cli.auth_args()]
    if pushed_cli.name in ("oxigraph", "oxigraph-union"):
        pytest.skip(SLOW_LISTED)
    for command in ("explore", "report"):
        assert cli(command, "-o", str(tmp_path / f"{command}-here"), *project)[0] == 0
        code, _, err = cli(command, "-o", str(tmp_path / f"{command}-there"), *project, *remote)
        assert code == 0, err
        same = (tmp_path / f"{command}-there").read_bytes() == (tmp_path / f"{command}-here").read_bytes()
        assert same, command


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE is not allowed"),
        ("DROP ALL", "updates"),
    ],
)
def test_the_gate_refuses_before_the_store_is_asked(pushed_cli: Any, built: Any, cli: CLI, query: str,
                                                     message: str) -> None:
    code, _, err = cli("query", "-e", query, "--endpoint", pushed_cli.query_url, *pushed_cli.auth_args(),
                       "--project", str(built.project.root))
    assert code == 2 and message in err and "store" not in err


def test_an_unreachable_store_is_one_line(built: Any, cli: CLI) -> None:
    code, _, err = cli("ask", "wave-size", "--endpoint", "http://127.0.0.1:9/sparql", "--project",
                       str(built.project.root))
    assert code == 2
    assert err.count("\n") == 1 and "no answer" in err and "Traceback" not in err


def test_dataset_store_on_a_store_whose_default_graph_is_empty_is_one_line(built: Any, cli: CLI) -> None:
    from .conftest import find_store

    plain = find_store("oxigraph")
    push_argv = ["push", "--endpoint", plain.gsp_url, "--project", str(built.project.root)]
    assert cli(*push_argv)[0] == 0
    code, _, err = cli("ask", "wave-size", "--endpoint", plain.query_url, "--dataset", "store",
                       "--project", str(built.project.root))
    assert code == 2 and "--dataset ours" in err and err.count("\n") == 1
