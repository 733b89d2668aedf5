"""Quality checks: each is silent on the real data and fires on a small invalid fixture made for it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from kg.build import build
from kg.checks import check_files
from kg.paths import Project

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
