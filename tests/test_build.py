"""The build: reproducible bytes, asserted and inferred kept apart, and bad input handled cleanly."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests_support import Listener, drop_evidence

from kg.build import build
from kg.errors import InputError
from kg.namespaces import INFERRED_GRAPH
from kg.paths import Project

ARTICLE = "dprk-embassy-closures-2023"


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def test_two_builds_give_identical_bytes(project_copy: Callable[..., Project], tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    proj = project_copy()
    assert build(proj).written
    first = proj.built_graph.read_bytes()
    proj.built_graph.unlink()
    assert build(proj).written
    assert proj.built_graph.read_bytes() == first


def test_inferred_triples_live_apart_from_asserted_ones(built: object) -> None:
    text = built.project.built_graph.read_text(encoding="utf-8")  # type: ignore[attr-defined]
    lines = text.splitlines()
    inferred = {line.rsplit(" <", 1)[0] for line in lines if line.endswith(f"<{INFERRED_GRAPH}> .")}
    asserted = {line.rsplit(" <", 1)[0] for line in lines if not line.endswith(f"<{INFERRED_GRAPH}> .")}
    assert inferred, "the closure added nothing"
    assert not inferred & asserted, "the inferred graph repeats asserted triples"
    assert not any(line.startswith('"') for line in lines), "a literal as subject"


def test_summary_counts(built: object) -> None:
    report = built.report  # type: ignore[attr-defined]
    assert ARTICLE in report.sources
    assert report.asserted > 4000
    assert report.inferred > 1000
    assert report.violations == []


@pytest.mark.parametrize(
    ("filename", "content", "line", "fragment"),
    [
        pytest.param("facts.ttl", '@prefix ex: <http://ex/> .\nex:a ex:b ex:c .\nex:a ex:b "open .\n', 3,
                     "invalid Turtle", id="unterminated-string"),
        pytest.param("facts.ttl", "@prefix ex: <http://ex/> .\n\nex:a ex:b ex:c ex:d .\n", 3,
                     "invalid Turtle", id="missing-dot"),
        pytest.param("facts.ttl", "ex:a ex:b ex:c .\n", 1, "invalid Turtle", id="unknown-prefix"),
    ],
)
def test_malformed_source_names_file_and_line_and_keeps_the_previous_build(
    project_copy: Callable[..., Project], filename: str, content: str, line: int, fragment: str
) -> None:
    proj = project_copy(only_sources=[ARTICLE])
    assert build(proj).written
    before = proj.built_graph.read_bytes()
    bad = proj.sources / ARTICLE / filename
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        build(proj)
    assert caught.value.path == bad
    assert caught.value.line == line
    assert fragment in caught.value.message
    assert proj.built_graph.read_bytes() == before


def test_malformed_ontology_is_an_input_error(project_copy: Callable[..., Project]) -> None:
    proj = project_copy(only_sources=[ARTICLE])
    proj.ontology.write_text(proj.ontology.read_text(encoding="utf-8") + "\ndiplo:Broken a .\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        build(proj)
    assert caught.value.path == proj.ontology
    assert caught.value.line is not None


def test_cli_reports_bad_input_in_one_line_with_exit_2(project_copy: Callable[..., Project], cli: Callable) -> None:
    proj = project_copy(only_sources=[ARTICLE])
    (proj.sources / ARTICLE / "facts.ttl").write_text("<a> <b> .\n", encoding="utf-8")
    code, _out, err = cli("build", "--project", str(proj.root))
    assert code == 2
    errors = [line for line in err.splitlines() if line.startswith("diplokg: error:")]
    assert len(errors) == 1 and "Traceback" not in err
    assert "facts.ttl:1: invalid Turtle: line 1 column" in errors[0]


def test_violation_exits_1_naming_fact_and_file(project_copy: Callable[..., Project], cli: Callable) -> None:
    proj = project_copy(only_sources=[ARTICLE])
    drop_evidence(proj.sources / ARTICLE / "facts.ttl")
    code, _out, err = cli("build", "--project", str(proj.root))
    assert code == 1
    assert "farewell-UGA" in err and "facts.ttl:" in err and "evidence" in err
    assert not proj.built_graph.exists()
    # Only the gate's verdicts on the checks may stay (kg.query.verdicts: a whole file, kept for the
    # next build whatever this one found); no part of the build is left behind.
    assert sorted(p.name for p in proj.build.iterdir()) in ([], ["verdicts.json"]), "the sorted graph was left behind"


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "1 (s1)"),
        (8, "8 (s1, s2, s3, s4, s5, s6, s7, s8)"),
        (9, "9 (s1, s2, s3, s4, s5, s6, s7, s8 and 1 more)"),
        (1064, "1,064 (s1, s2, s3, s4, s5, s6, s7, s8 and 1,056 more)"),
    ],
)
def test_summary_names_a_few_sources_and_counts_the_rest(count: int, expected: str) -> None:
    from kg.cli.build import source_list

    assert source_list([f"s{i}" for i in range(1, count + 1)]) == expected


def test_owl_imports_are_never_fetched(project_copy: Callable[..., Project], listener: Listener) -> None:
    proj = project_copy(only_sources=[ARTICLE])
    extra = proj.sources / ARTICLE / "imports.ttl"
    extra.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        f"<> owl:imports <{listener.url}/ontology.ttl> .\n",
        encoding="utf-8",
    )
    build(proj)
    assert listener.hits == []


def test_the_listener_does_see_requests(listener: Listener) -> None:
    """The guard above could not fail if the listener were deaf: prove it hears a plain fetch."""
    from rdflib import Graph

    Graph().parse(f"{listener.url}/probe.ttl", format="turtle")
    assert listener.hits == ["/probe.ttl"]
