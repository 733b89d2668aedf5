"""Shared fixtures: the project, one built graph per test session, the 10k synthetic world, and a CLI runner."""

from __future__ import annotations

import functools
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
#: The world's sources: the vote records and the world's missions (about a million triples), built
#: once per session by ``world_built``; every other test builds the dossier (the article and its tables,
#: without them) in well under a second. The key votes of 2020-2024 and the Security Council's votes are
#: small, but vote records like Voeten's: with them, the DPRK's questions would count its votes.
WORLD_SOURCES = ("unga-votes", "wikidata-missions", "unga-key-votes-2020-2024", "unsc-dprk-votes")
#: The two large ones, of which a small world keeps a few rows (the others are copied whole).
LARGE_WORLD_SOURCES = ("unga-votes", "wikidata-missions")


def copy_project(root: Path, world: bool = False, only_sources: list[str] | None = None) -> Project:
    """Copy the project (ontology, queries, sources) to ``root``: without the world's sources unless
    ``world``, or with just ``only_sources``."""
    for part in ("ontology", "queries"):
        shutil.copytree(ROOT / part, root / part)
    (root / "sources").mkdir(parents=True)
    for folder in sorted((ROOT / "sources").iterdir()):
        if not folder.is_dir():
            continue
        in_world = folder.name in WORLD_SOURCES
        wanted = folder.name in only_sources if only_sources is not None else (world or not in_world)
        if wanted:
            shutil.copytree(folder, root / "sources" / folder.name)
    return Project(root)


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
def dossier(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A copy of the real project without the world's sources: the DPRK dossier (article and tables)."""
    return copy_project(tmp_path_factory.mktemp("dossier") / "project")


#: The dossier's build folder once :func:`built` has made it: the build the CLI of every later test finds.
_DOSSIER_BUILD: list[str] = []


@pytest.fixture(scope="session")
def built(dossier: Project) -> Iterator[Built]:
    """The real project without the world's sources (the dossier), built once per session."""
    mp = pytest.MonkeyPatch()
    mp.setenv("DIPLOKG_BUILD", str(dossier.root / "build"))
    report = build(dossier)
    assert report.written, [str(v) for v in report.violations]
    _DOSSIER_BUILD[:] = [str(dossier.root / "build")]
    yield Built(dossier, report, BuiltGraph(dossier.built_graph))
    _DOSSIER_BUILD.clear()
    mp.undo()


@pytest.fixture(autouse=True)
def _dossier_build_found(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts with DIPLOKG_BUILD naming the dossier's build (once it is made), whatever the
    tests before it did: made first inside a test that set DIPLOKG_BUILD itself, the session fixture's
    setting was undone with that test's, and later tests' CLI found another build (test_cli_as_of and
    the FROM attack cases failed, depending on the order the suite ran in)."""
    if _DOSSIER_BUILD:
        monkeypatch.setenv("DIPLOKG_BUILD", _DOSSIER_BUILD[0])


@pytest.fixture(scope="session")
def world_built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """The whole real project, the world's sources included, built once per session (tens of seconds)."""
    build_dir = tmp_path_factory.mktemp("world-build")
    mp = pytest.MonkeyPatch()
    mp.setenv("DIPLOKG_BUILD", str(build_dir))
    proj = Project(ROOT)
    report = build(proj)
    graph = BuiltGraph(proj.built_graph)
    mp.undo()  # the dossier's build stays the one the other tests' CLI finds (see world_cli)
    assert report.written, [str(v) for v in report.violations]
    yield Built(proj, report, graph)


@pytest.fixture
def world_cli(
    world_built: Built, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., tuple[int, str, str]]
) -> Callable[..., tuple[int, str, str]]:
    """The CLI run on the whole real project, built once by ``world_built``."""
    monkeypatch.setenv("DIPLOKG_BUILD", str(world_built.graph.path.parent))
    root = str(world_built.project.root)
    return lambda *argv: cli(*argv, "--project", root)


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

    Call it with ``only_sources=[...]`` to keep just those source folders; the world's sources are
    left out unless ``world=True``.
    """

    def make(only_sources: list[str] | None = None, world: bool = False) -> Project:
        root = tmp_path / "project"
        project = copy_project(root, world=world, only_sources=only_sources)
        monkeypatch.setenv("DIPLOKG_BUILD", str(root / "build"))
        return project

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


#: The members and missions a small world keeps: the anchors, the DPRK and a few others.
SMALL_WORLD_MEMBERS = ("CN", "RU", "KP", "US", "ES", "UG", "IN", "ZA", "CU", "FR")
SMALL_WORLD_QIDS = ("Q148", "Q159", "Q423", "Q30", "Q29", "Q1036", "Q668", "Q258")


#: The years of a small world: the two periods of russia-movers.
SMALL_WORLD_YEARS = ("2010", "2011", "2012", "2013", "2016", "2017", "2018", "2019")


def write_small_world(root: Path, years: tuple[str, ...] = SMALL_WORLD_YEARS) -> None:
    """Write the world's sources into ``root/sources``: of the two large ones a few rows (the roll calls of
    ``years`` and the votes on them of :data:`SMALL_WORLD_MEMBERS`, and the missions sent by or to
    :data:`SMALL_WORLD_QIDS`), the small ones whole (the key votes of 2020-2024, the Security Council's
    votes). Rows are copied unchanged (gzipped), with the real mapping files, so the loader and the
    measures meet the real formats at a few thousand triples. The missions' Turtle files, which cite
    rows by number, are left out."""
    for name in WORLD_SOURCES:
        large = name in LARGE_WORLD_SOURCES
        shutil.copytree(ROOT / "sources" / name, root / "sources" / name,
                        ignore=shutil.ignore_patterns("*.csv.gz") if large else None)
    for cites_rows in ("facts.ttl", "entities.ttl"):  # they cite rows by number: not this subset's
        (root / "sources" / "wikidata-missions" / cites_rows).unlink()
    for relative, data in _small_world_tables(years).items():
        (root / "sources" / relative).write_bytes(data)


@functools.lru_cache(maxsize=4)
def _small_world_tables(years: tuple[str, ...]) -> dict[str, bytes]:
    import csv
    import gzip
    import io

    def subset(src: Path, keep: Callable[[dict[str, str]], bool]) -> bytes:
        with gzip.open(src, "rt", encoding="utf-8", newline="") as handle:
            text = handle.read()
        header = text.splitlines(keepends=True)[0]
        reader = csv.DictReader(io.StringIO(text, newline=""))
        out = io.StringIO(newline="")
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames or [], lineterminator="\n")
        writer.writerows(row for row in reader if keep(row))
        return gzip.compress((header + out.getvalue()).encode("utf-8"), mtime=0)

    votes = ROOT / "sources" / "unga-votes"
    with gzip.open(votes / "roll-calls.csv.gz", "rt", encoding="utf-8", newline="") as handle:
        rcids = {row["rcid"] for row in csv.DictReader(handle) if row["date"][:4] in years}
    missions = ROOT / "sources" / "wikidata-missions" / "missions-2022-11-16.csv.gz"
    return {
        "unga-votes/roll-calls.csv.gz": subset(votes / "roll-calls.csv.gz", lambda r: r["rcid"] in rcids),
        "unga-votes/roll-call-issues.csv.gz": subset(votes / "roll-call-issues.csv.gz", lambda r: r["rcid"] in rcids),
        "unga-votes/votes.csv.gz": subset(
            votes / "votes.csv.gz", lambda r: r["rcid"] in rcids and r["country_code"] in SMALL_WORLD_MEMBERS
        ),
        f"wikidata-missions/{missions.name}": subset(
            missions, lambda r: r["operatorQID"] in SMALL_WORLD_QIDS and r["countryQID"] in SMALL_WORLD_QIDS
        ),
    }


@pytest.fixture(scope="session")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The dossier with a small world (see :func:`write_small_world`): a few thousand triples."""
    root = tmp_path_factory.mktemp("small-world") / "project"
    project = copy_project(root)
    write_small_world(root)
    return project


@pytest.fixture(scope="session")
def small_build(small_world: Project) -> Path:
    """The small world built once for the session, in its own build folder (tests only read it)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("DIPLOKG_BUILD", str(small_world.root / "build"))
    report = build(small_world)
    mp.undo()
    assert report.written, [str(v) for v in report.violations]
    return small_world.root / "build"
