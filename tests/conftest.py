"""Shared fixtures: the project, one built graph per test session, the 10k synthetic world, and a CLI runner."""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kg.build import BuildReport, build
from kg.paths import Project
from kg.query.engine import BuiltGraph

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def project() -> Project:
    """The repository itself, as a project."""
    return Project(ROOT)


@dataclass
class Built:
    """A project built once into a temporary folder."""

    project: Project
    report: BuildReport
    graph: BuiltGraph


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """The real project, built once per session into a temporary build folder."""
    build_dir = tmp_path_factory.mktemp("build")
    mp = pytest.MonkeyPatch()
    mp.setenv("DIPLOKG_BUILD", str(build_dir))
    proj = Project(ROOT)
    report = build(proj)
    assert report.written, [str(v) for v in report.violations]
    yield Built(proj, report, BuiltGraph(proj.built_graph))
    mp.undo()


@pytest.fixture(scope="session")
def world_10k(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The 10k-triple synthetic world of bench/world.py (seeded), generated once per session.

    Tests only read it; a test that builds it must point DIPLOKG_BUILD elsewhere.
    """
    spec = importlib.util.spec_from_file_location("bench_world", ROOT / "bench" / "world.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    world: Project = module.generate(10_000, tmp_path_factory.mktemp("world") / "w10k")
    return world


@pytest.fixture
def project_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Project]:
    """Make a copy of the project (ontology, shapes, queries, sources) to break on purpose.

    Call it with ``only_sources=[...]`` to keep just those source folders.
    """

    def make(only_sources: list[str] | None = None) -> Project:
        root = tmp_path / "project"
        for part in ("ontology", "queries"):
            shutil.copytree(ROOT / part, root / part)
        (root / "sources").mkdir(parents=True)
        for folder in sorted((ROOT / "sources").iterdir()):
            if folder.is_dir() and (only_sources is None or folder.name in only_sources):
                shutil.copytree(folder, root / "sources" / folder.name)
        monkeypatch.setenv("DIPLOKG_BUILD", str(root / "build"))
        return Project(root)

    return make


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run the CLI in process: ``cli("query", "closed-missions")`` gives (exit code, stdout, stderr)."""
    from kg.cli import entry

    def run(*argv: str) -> tuple[int, str, str]:
        code = entry(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run
