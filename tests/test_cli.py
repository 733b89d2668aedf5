"""The command line end to end, in process: build, query in every format, bindings, output files."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from kg.paths import Project

ARTICLE = "dprk-embassy-closures-2023"
HOSTS = (
    "PREFIX diplo: <https://w3id.org/diplokg/ontology#> "
    "SELECT DISTINCT ?m ?region WHERE { ?m diplo:hostRegion ?region }"
)


@pytest.fixture
def article_project(project_copy: Callable[..., Project]) -> Project:
    return project_copy(only_sources=[ARTICLE])


def test_build_then_query_closed_missions_as_csv(article_project: Project, cli: Callable) -> None:
    root = str(article_project.root)
    code, out, err = cli("build", "--project", root)
    assert code == 0, err
    assert "sources:    1" in out and "violations: 0" in out and str(article_project.built_graph) in out
    code, out, err = cli("query", "closed-missions", "--format", "csv", "--project", root)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["host"] for r in rows} == {"Uganda", "Angola", "Hong Kong", "Spain"}
    assert all(r["sentence"].startswith("The closures were announced") for r in rows)
    assert {r["modality"] for r in rows} == {"reported"}


def test_query_builds_first_when_nothing_is_built(article_project: Project, cli: Callable) -> None:
    assert not article_project.built_graph.exists()
    code, out, err = cli("query", "closed-missions", "--format", "csv", "--project", str(article_project.root))
    assert code == 0, err
    assert "building first" in err and article_project.built_graph.exists()
    assert "Embassy of the DPRK in Spain" in out


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "xml"])
def test_every_format_parses(fmt: str, engine: str, cli: Callable, built: object) -> None:
    code, out, err = cli("query", "-e", HOSTS, "--format", fmt, "--engine", engine,
                         "--project", str(built.project.root))  # type: ignore[attr-defined]
    assert code == 0, err
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        regions = {r["region"] for r in rows}
    elif fmt == "tsv":
        lines = out.splitlines()
        assert lines[0] == "?m\t?region"
        regions = {line.split("\t")[1] for line in lines[1:]}
    elif fmt == "json":
        data = json.loads(out)
        regions = {b["region"]["value"] for b in data["results"]["bindings"]}
    elif fmt == "xml":
        ns = {"s": "http://www.w3.org/2005/sparql-results#"}
        root = ET.fromstring(out)
        regions = {b.find("s:uri", ns).text for b in root.iterfind(".//s:binding[@name='region']", ns)}  # type: ignore[union-attr]
    else:
        assert out.splitlines()[0].split("|")[0].strip() == "m"
        regions = {line.split("|")[1].strip() for line in out.splitlines()[2:-1]}
    africa = {"region:africa", "<https://w3id.org/diplokg/id/region/africa>",
              "https://w3id.org/diplokg/id/region/africa"}
    assert regions & africa


def test_asserted_only_leaves_out_inferences(cli: Callable, built: object) -> None:
    root = str(built.project.root)  # type: ignore[attr-defined]
    _, with_inferred, _ = cli("query", "-e", HOSTS, "--format", "csv", "--project", root)
    code, asserted, err = cli("query", "-e", HOSTS, "--format", "csv", "--asserted", "--project", root)
    assert code == 0, err
    assert len(with_inferred.splitlines()) > 1
    assert asserted.splitlines() == ["m,region"]


def test_bind_passes_values_without_pasting(cli: Callable, built: object) -> None:
    query = ("PREFIX diplo: <https://w3id.org/diplokg/ontology#> "
             "SELECT DISTINCT ?m ?host WHERE { ?m diplo:host ?host ; diplo:sendingState ?s } ORDER BY ?m")
    code, out, err = cli("query", "-e", query, "--bind", "host=iso:UGA", "--format", "csv",
                         "--project", str(built.project.root))  # type: ignore[attr-defined]
    assert code == 0, err
    assert out.splitlines()[1:] == ["https://w3id.org/diplokg/id/mission/PRK-UGA-embassy,https://w3id.org/diplokg/id/iso3166/UGA"]


def test_construct_prints_turtle(cli: Callable, built: object) -> None:
    query = ("PREFIX diplo: <https://w3id.org/diplokg/ontology#> "
             "CONSTRUCT { ?m diplo:host ?h } WHERE { ?m diplo:host ?h ; diplo:sendingState ?s }")
    code, out, err = cli("query", "-e", query, "--project", str(built.project.root))  # type: ignore[attr-defined]
    assert code == 0, err
    assert "@prefix diplo:" in out and "mission:PRK-ESP-embassy" in out


def test_output_file_is_written(tmp_path: Path, cli: Callable, built: object) -> None:
    target = tmp_path / "answer.json"
    code, out, _err = cli("query", "closed-missions", "--format", "json", "-o", str(target),
                         "--project", str(built.project.root))  # type: ignore[attr-defined]
    assert code == 0 and out == ""
    assert "mission" in json.loads(target.read_text(encoding="utf-8"))["head"]["vars"]


def test_help_lists_the_commands_and_exit_codes(cli: Callable) -> None:
    code, out, _ = cli("--help")
    assert code == 0
    for word in ("build", "query", "Exit codes"):
        assert word in out


def test_usage_error_exits_2(cli: Callable) -> None:
    code, _, err = cli("query", "--format", "yaml", "-e", "ASK {}")
    assert code == 2 and "yaml" in err


# Messages that help (issue 27): one table of exit codes, printed by --help and listed by the README;
# "did you mean" for a mistyped command, question, query or graph; help texts that say what happens.

ROOT = Path(__file__).resolve().parent.parent


def _readme_exit_codes() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("Exit codes: **0**")
    return text[start:text.index("\n\n", start)].replace("`", "").replace("\n", " ")


def test_help_and_readme_list_the_same_exit_codes(cli: Callable) -> None:
    import re

    from kg.errors import EXIT_CODES

    code, out, _ = cli("--help")
    assert code == 0
    listed = re.findall(r"^\s+(\d+)\s+(.+)$", out.split("Exit codes:", 1)[1], re.M)
    assert [(int(c), m.strip()) for c, m in listed] == list(EXIT_CODES)
    readme = _readme_exit_codes()
    assert [int(c) for c in re.findall(r"\*\*(\d+)\*\*", readme)] == [c for c, _ in EXIT_CODES]
    for number, meaning in EXIT_CODES:
        assert f"**{number}** {meaning}" in readme, (number, meaning)


def test_every_error_type_exits_with_a_listed_code() -> None:
    import kg.errors as errors
    from kg.errors import EXIT_CODES, DiplokgError

    types = [t for t in vars(errors).values() if isinstance(t, type) and issubclass(t, DiplokgError)]
    assert len(types) >= 8
    assert {t.exit_code for t in types} <= {c for c, _ in EXIT_CODES}


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param(("qurey",), "did you mean 'query'?", id="command"),
        pytest.param(("ask", "closed-mision"), "did you mean 'closed-missions'?", id="question"),
        pytest.param(("query", "closures-by-dat"), "did you mean 'closures-by-date'", id="query"),
        pytest.param(("ask", "closed-missions", "--formt", "csv"), "did you mean '--format'?", id="option"),
        pytest.param(("query", "-e", "SELECT * FROM <https://w3id.org/diplokg/graph/inferrd> WHERE { ?s ?p ?o }"),
                     "did you mean 'https://w3id.org/diplokg/graph/inferred'?", id="graph"),
    ],
)
def test_a_mistyped_name_gets_the_closest_one(cli: Callable, built: object, monkeypatch, argv: tuple[str, ...],
                                              expected: str) -> None:
    monkeypatch.chdir(built.project.root)  # type: ignore[attr-defined]
    monkeypatch.setenv("DIPLOKG_BUILD", str(built.graph.path.parent))  # type: ignore[attr-defined]
    code, _out, err = cli(*argv)
    assert code == 2
    assert expected.lower() in err.lower(), err
    assert "the library has:" not in err  # no list of every name when one is close


def test_a_name_nothing_is_close_to_still_lists_the_names(cli: Callable, built: object, monkeypatch) -> None:
    monkeypatch.chdir(built.project.root)  # type: ignore[attr-defined]
    monkeypatch.setenv("DIPLOKG_BUILD", str(built.graph.path.parent))  # type: ignore[attr-defined]
    code, _out, err = cli("ask", "zzzz")
    assert code == 2 and "the library has: " in err and "closed-missions" in err and "did you mean" not in err


def test_push_help_asks_for_the_graph_store_address_and_serve_help_points_down(cli: Callable) -> None:
    _code, push, _ = cli("push", "--help")
    endpoint = push.split("--endpoint URL", 1)[1].split("--user", 1)[0]
    assert "Graph Store" in endpoint and "Ask a SPARQL" not in endpoint and "/store" in endpoint
    assert "--dataset" not in push  # push names every graph itself: the option is accepted, not listed
    _code, serve, _ = cli("serve", "--help")
    description = serve.split("Options:", 1)[0]
    assert "above" not in description and "--timeout" in description and "below" in description
    _code, ask, _ = cli("ask", "--help")
    assert "Ask a SPARQL 1.1 Protocol endpoint" in ask.split("--endpoint URL", 1)[1].split("--user", 1)[0]
