"""Quality checks: each is silent on the real data and fires on a small invalid fixture made for it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from kg.build import build
from kg.paths import Project
from kg.validate.checks import check_files

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "checks"
CHECKS = sorted(p.name.removesuffix("-violation.rq") for p in check_files(ROOT / "queries" / "checks"))


def test_every_check_has_a_fixture() -> None:
    missing = [name for name in CHECKS if not (FIXTURES / name).is_dir()]
    assert not missing, f"checks without a fixture under tests/fixtures/checks/: {missing}"


def test_the_new_checks_are_there() -> None:
    assert {"closure-without-date", "fact-without-evidence", "mission-sender-is-host", "unknown-modality"} <= set(
        CHECKS
    )


@pytest.mark.parametrize("name", [pytest.param(n, id=n) for n in CHECKS])
def test_check_is_silent_on_the_real_data(built: object, name: str) -> None:
    report = built.report  # type: ignore[attr-defined]
    assert not [v for v in report.violations if v.check == f"check {name}"]


@pytest.mark.parametrize("name", [pytest.param(n, id=n) for n in CHECKS])
def test_check_fires_on_its_fixture(project_copy: Callable[..., Project], name: str) -> None:
    fixture = FIXTURES / name
    if not fixture.is_dir():
        pytest.fail(f"no fixture for check {name}: add tests/fixtures/checks/{name}/")
    project = project_copy(only_sources=[])
    if (fixture / "source.ttl").is_file():
        shutil.copytree(fixture, project.sources / f"fixture-{name}")
        expected = project.sources / f"fixture-{name}"
    else:
        with project.ontology.open("a", encoding="utf-8") as handle:
            handle.write("\n" + (fixture / "ontology.ttl").read_text(encoding="utf-8"))
        expected = project.ontology
    report = build(project)
    assert not report.written
    found = [v for v in report.violations if v.check == f"check {name}"]
    assert found, [str(v) for v in report.violations]
    for violation in found:
        assert violation.path is not None
        assert violation.path == expected or expected in violation.path.parents, str(violation)


VALID = sorted(p.name for p in (FIXTURES / "valid").iterdir() if p.is_dir())


@pytest.mark.parametrize("name", [pytest.param(n, id=n) for n in VALID])
def test_check_is_silent_on_its_valid_fixture(project_copy: Callable[..., Project], name: str) -> None:
    assert name in CHECKS
    project = project_copy(only_sources=[])
    shutil.copytree(FIXTURES / "valid" / name, project.sources / f"fixture-{name}")
    report = build(project)
    assert report.written, [str(v) for v in report.violations]


def test_mission_status_conflict_names_both_sources_dates(project_copy: Callable[..., Project]) -> None:
    project = project_copy(only_sources=[])
    shutil.copytree(FIXTURES / "mission-status-conflict", project.sources / "fixture")
    found = [v for v in build(project).violations if v.check == "check mission-status-conflict"]
    assert [(v.focus.rsplit("/", 1)[-1], v.message) for v in found] == [(
        "PRK-FJI-embassy",
        "open in one source (listed open on 2022-11-16) and closed in another (2019-05) with no reopening "
        "recorded: one mission mapped from two, a wrong date, or a reopening to record")]
    assert found[0].path is not None and found[0].path.name == "facts.ttl" and found[0].line == 11


@pytest.mark.parametrize(
    ("modality_line", "expected"),
    [
        pytest.param("    diplo:modality <http://example.org/rumoured> .", "unknown modality http://example.org/rumoured",
                     id="outside-the-set"),
        pytest.param("    .", "fact has no diplo:modality", id="none"),
        pytest.param("    diplo:modality diplo:Reported , <http://example.org/rumoured> .",
                     "unknown modality http://example.org/rumoured", id="one-of-two-outside"),
    ],
)
def test_unknown_modality_reports_each_case_once_with_its_message(
    project_copy: Callable[..., Project], modality_line: str, expected: str
) -> None:
    project = project_copy(only_sources=[])
    folder = project.sources / "fixture-modality"
    shutil.copytree(FIXTURES / "unknown-modality", folder)
    facts = folder / "facts.ttl"
    text = facts.read_text(encoding="utf-8")
    old = "    diplo:modality <http://example.org/rumoured> ."
    assert old in text
    facts.write_text(text.replace(old, modality_line), encoding="utf-8")
    found = [v for v in build(project).violations if v.check == "check unknown-modality"]
    assert [(v.focus.rsplit("/", 1)[-1], v.message) for v in found] == [("closure-UGA", expected)]
