"""The cached rebuild (kg/build/cached.py) writes what a clean build writes and reports what it reports.

A small world (the dossier with a few thousand of the world's votes and missions: conftest's
``small_world``) is built once with the world threshold lowered so that its two world sources are W;
each test copies that built project (its build folder and cache included), edits it, rebuilds with
the cache, and compares with a clean build of the same sources in a fresh copy: the same bytes of
``diplokg.nq`` when it is written, the same violations when it is not. Each edit also checks that
the cache was used (or, for the edits it must refuse, that it was not).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from test_shacl_sparql import BROKEN, _write_broken

import kg.store.cache as cache
import kg.store.files as files
from kg.alignment.kept import read_kept
from kg.build import BuildReport, build
from kg.paths import Project
from kg.store.cache import folder_bytes

CHECK_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "checks"
ARTICLE = "dprk-embassy-closures-2023"
_MISSION = """
mission:PRK-FRA-embassy a diplo:Embassy ;
    rdfs:label "Embassy of the DPRK in France (a test edit)"@en ;
    diplo:sendingState iso:PRK ; diplo:host iso:FRA ;
    diplo:evidence <s05> .
"""


def _threshold(root: Path) -> int:
    """The size that makes the two large world sources W (the folders with a mapping.toml are W anyway)."""
    large = ("unga-votes", "wikidata-missions")
    world = [folder_bytes(root / "sources" / name) for name in large]
    small = [folder_bytes(p) for p in (root / "sources").iterdir()
             if p.name not in large and not (p / "mapping.toml").is_file()]
    assert max(small) < min(world)
    return min(world)


@pytest.fixture(scope="module")
def template(small_world: Project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int]]:
    """The small world, copied and built once with a cache (and its world threshold)."""
    root = tmp_path_factory.mktemp("cached") / "project"
    for part in ("ontology", "queries", "sources"):
        shutil.copytree(small_world.root / part, root / part)
    threshold = _threshold(root)
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("DIPLOKG_BUILD", raising=False)
        mp.setattr(cache, "WORLD_MIN_BYTES", threshold)
        report = build(Project(root))
    assert report.written and not report.reused
    assert (root / "build" / "cache" / "manifest.json").is_file()
    yield root, threshold


@pytest.fixture
def copy_built(template: tuple[Path, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], Project]:
    """A fresh copy of the built template (build folder and cache included; modification times kept)."""
    root, threshold = template
    monkeypatch.delenv("DIPLOKG_BUILD", raising=False)
    monkeypatch.setattr(cache, "WORLD_MIN_BYTES", threshold)

    def make() -> Project:
        target = tmp_path / f"p{len(list(tmp_path.iterdir()))}"
        shutil.copytree(root, target)
        return Project(target)

    return make


def _clean(project: Project, tmp_path: Path) -> tuple[BuildReport, bytes | None, Path]:
    """A clean build of the same sources, in a fresh copy without build folder."""
    root = tmp_path / "clean"
    shutil.rmtree(root, ignore_errors=True)
    for part in ("ontology", "queries", "sources"):
        shutil.copytree(project.root / part, root / part)
    clean = Project(root)
    report = build(clean)
    return report, clean.built_graph.read_bytes() if report.written else None, root


def _violations(report: BuildReport, root: Path) -> list[str]:
    return sorted(str(v).replace(str(root), "ROOT") for v in report.violations)


def _append(project: Project, text: str, source: str = ARTICLE) -> None:
    with (project.sources / source / "facts.ttl").open("a", encoding="utf-8") as handle:
        handle.write(text)


def _replace(project: Project, old: str, new: str, source: str = ARTICLE) -> None:
    path = project.sources / source / "facts.ttl"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _add_fixture(name: str) -> Callable[[Project], None]:
    return lambda p: shutil.copytree(CHECK_FIXTURES / name, p.sources / f"fixture-{name}")


def _assert_world_inferred(project: Project) -> None:
    """Assert, in a new small source, a triple the world alone infers (it must leave the inferred graph)."""
    lines = (project.build / "cache" / "world-inferred.nt").read_text(encoding="utf-8").splitlines()
    triple = next(line for line in lines if "/id/mission/" in line.split(" ")[0])
    folder = project.sources / "asserts-inferred"
    folder.mkdir()
    (folder / "source.ttl").write_text(
        '@prefix diplo: <https://w3id.org/diplokg/ontology#> .\n@prefix dcterms: <http://purl.org/dc/terms/> .\n'
        '<> a diplo:NewsArticle ; dcterms:title "a note"@en .\n', encoding="utf-8")
    (folder / "facts.ttl").write_text(triple + " .\n", encoding="utf-8")


#: Edits that keep the graph valid, each applied in turn to a fresh copy (a list: several rebuilds).
VALID_EDITS: dict[str, list[Callable[[Project], None]]] = {
    "comment-only": [lambda p: _append(p, "\n# a comment\n")],
    "edit-a-label": [lambda p: _replace(p, '"Embassy of the DPRK in Angola"@en',
                                        '"Embassy of the DPRK in Angola, edited"@en')],
    "add-a-fact": [lambda p: _append(p, _MISSION)],
    "add-then-remove-a-fact": [lambda p: _append(p, _MISSION),
                               lambda p: _replace(p, _MISSION, "")],  # its inferred triples lose their only support
    "remove-a-fact": [lambda p: _replace(p, '    diplo:sendingState iso:PRK ; diplo:host iso:AGO ;\n', "")],
    "add-a-source": [_add_fixture("fact-without-evidence"), lambda p: _append(
        p, "<f1> diplo:evidence <s01> .\n", source="fixture-fact-without-evidence")],
    "remove-a-source": [lambda p: shutil.rmtree(p.sources / "dprk-relations-counts")],
    "assert-a-world-inferred-triple": [_assert_world_inferred],
}


@pytest.mark.parametrize("name", list(VALID_EDITS))
def test_a_cached_rebuild_writes_the_bytes_of_a_clean_build(
    copy_built: Callable[[], Project], tmp_path: Path, name: str
) -> None:
    project = copy_built()
    for edit in VALID_EDITS[name]:
        edit(project)
        report = build(project)
        assert report.reused, "the cache was not used"
        clean, data, root = _clean(project, tmp_path)
        assert _violations(report, project.root) == _violations(clean, root)
        assert report.written == clean.written
        if data is not None:
            assert project.built_graph.read_bytes() == data
            assert (report.asserted, report.inferred, report.derived) == (clean.asserted, clean.inferred, clean.derived)
            # The derived alignment's table, carried over and stamped for the new file (kg.alignment.kept).
            assert read_kept(project.built_graph) is not None
            assert (project.build / "alignment.csv").read_bytes() == (root / "build" / "alignment.csv").read_bytes()


#: The shapes' broken facts used here: one per kind of constraint (min and max count, sh:in, sh:class, sh:or
#: of datatypes, an ill-typed literal, a pattern, a blank node as focus, a source's subclass, targetSubjectsOf).
SHAPE_CASES = ("min-count", "max-count", "in", "class", "or-datatype", "ill-typed-date", "pattern",
               "blank-node-focus", "subclass-in-a-source", "target-subjects-of", "mission")
#: Edits that break the graph: every check fixture that is a source folder, and every broken fact of
#: the shapes' tests, added as a new small source; and edits of the article itself.
BROKEN_EDITS: dict[str, Callable[[Project], None]] = {
    **{f"check-{p.name}": _add_fixture(p.name) for p in sorted(CHECK_FIXTURES.iterdir())
       if (p / "source.ttl").is_file()},
    **{f"shape-{case}": (lambda p, facts=facts: _write_broken(p, facts)) for case, facts in BROKEN.items()
       if case in SHAPE_CASES},
    "article-fact-without-evidence": lambda p: _replace(
        p, "    diplo:mission mission:PRK-UGA-embassy ;\n    diplo:evidence <s05> ;\n",
        "    diplo:mission mission:PRK-UGA-embassy ;\n"),
    "article-unknown-term": lambda p: _replace(p, "mission:PRK-UGA-embassy a diplo:Embassy ;",
                                               "mission:PRK-UGA-embassy a diplo:Embasy ;"),
    "article-sender-is-host": lambda p: _append(p, _MISSION.replace("FRA", "PRK")),
    # A mission open in one source (Wikidata lists the Madrid embassy on 2022-11-16) and closed in another
    # before that day: through a fact's date, and through a source's date that bounds its undated
    # closures (the article's Spain and, by its other name, Hong Kong): kg/validate/focus.py's reach.
    "closure-dated-before-the-register": lambda p: _replace(
        p, '"2023-11-03"^^xsd:date', '"2021-11-03"^^xsd:date', source="dprk-mission-closures-2023-2024"),
    "article-dated-before-the-register": lambda p: (p.sources / ARTICLE / "source.ttl").write_text(
        (p.sources / ARTICLE / "source.ttl").read_text(encoding="utf-8").replace(
            'dcterms:date "2023"^^xsd:gYear', 'dcterms:date "2020"^^xsd:gYear'), encoding="utf-8"),
}
#: What the cached rebuild refuses (it then builds everything): a source that changes the class hierarchy, and
#: two values of a functional property (two modalities, two sending states: OWL 2 RL concludes owl:sameAs),
#: and a small source that holds votes (the Security Council votes of the veto check's fixture: a vote is
#: an input of the alignment measures, so the derived graph is made again from everything).
NOT_LOCAL = {"shape-subclass-in-a-source", "shape-max-count", "shape-mission", "check-veto-without-negative-vote"}


@pytest.mark.parametrize("name", list(BROKEN_EDITS))
def test_a_cached_rebuild_reports_the_violations_of_a_clean_build(
    copy_built: Callable[[], Project], tmp_path: Path, name: str
) -> None:
    project = copy_built()
    before = project.built_graph.read_bytes()
    BROKEN_EDITS[name](project)
    report = build(project)
    assert bool(report.reused) == (name not in NOT_LOCAL)
    clean, data, root = _clean(project, tmp_path)
    assert clean.violations
    assert _violations(report, project.root) == _violations(clean, root)
    assert report.written == clean.written
    if report.written:
        assert project.built_graph.read_bytes() == data
    else:
        assert project.built_graph.read_bytes() == before  # the previous build stays, and its cache


def test_a_violation_fixed_again_rebuilds_from_the_cache(copy_built: Callable[[], Project]) -> None:
    project = copy_built()
    before = project.built_graph.read_bytes()
    _append(project, _MISSION.replace("FRA", "PRK"))
    report = build(project)
    assert report.reused and [v.check for v in report.violations] == ["check mission-sender-is-host"]
    _replace(project, _MISSION.replace("FRA", "PRK"), "")
    report = build(project)
    assert report.reused and report.written and not report.violations
    assert project.built_graph.read_bytes() == before


@pytest.mark.parametrize(
    ("name", "spoil"),
    [
        ("missing-cache", lambda p: shutil.rmtree(p.build / "cache")),
        ("corrupt-manifest", lambda p: (p.build / "cache" / "manifest.json").write_text("{", encoding="utf-8")),
        ("manifest-of-another-shape",
         lambda p: (p.build / "cache" / "manifest.json").write_text("{}", encoding="utf-8")),
        ("missing-index", lambda p: (p.build / "cache" / "world-index.marshal").unlink()),
        ("built-file-replaced", lambda p: p.built_graph.write_bytes(p.built_graph.read_bytes())),
        ("ontology-changed", lambda p: p.ontology.write_text(p.ontology.read_text(encoding="utf-8") + "\n# x\n",
                                                             encoding="utf-8")),
        ("shapes-changed", lambda p: p.shapes.write_text(p.shapes.read_text(encoding="utf-8") + "\n# x\n",
                                                         encoding="utf-8")),
        ("check-changed", lambda p: (p.checks / "mission-sender-is-host-violation.rq").write_text(
            (p.checks / "mission-sender-is-host-violation.rq").read_text(encoding="utf-8") + "\n# x\n",
            encoding="utf-8")),
        ("world-source-changed", lambda p: (p.sources / "unga-votes" / "source.ttl").write_text(
            (p.sources / "unga-votes" / "source.ttl").read_text(encoding="utf-8") + "\n# x\n", encoding="utf-8")),
        ("votes-in-a-small-source", lambda p: _append(
            p, "<https://w3id.org/diplokg/id/x> <https://w3id.org/diplokg/ontology#votedYes>"
               " <https://w3id.org/diplokg/id/y> .\n")),
    ],
)
def test_what_the_cache_cannot_serve_makes_a_full_build(
    copy_built: Callable[[], Project], tmp_path: Path, name: str, spoil: Callable[[Project], None]
) -> None:
    project = copy_built()
    spoil(project)
    _append(project, _MISSION)
    report = build(project)
    assert not report.reused
    clean, data, root = _clean(project, tmp_path)
    assert _violations(report, project.root) == _violations(clean, root)
    if data is not None:
        assert project.built_graph.read_bytes() == data
        # The full build wrote a cache that the next build uses (none when a small source holds votes).
        assert bool(build(project).reused) == (name != "votes-in-a-small-source")


def test_no_cache_builds_everything(copy_built: Callable[[], Project]) -> None:
    project = copy_built()
    before = project.built_graph.read_bytes()
    report = build(project, cache=False)
    assert report.written and not report.reused
    assert project.built_graph.read_bytes() == before


def test_the_on_disk_store_after_a_cached_rebuild_answers_as_a_clean_one(
    copy_built: Callable[[], Project], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyoxigraph as ox

    monkeypatch.setattr(files, "DISK_STORE_MIN_QUADS", 100)
    project = copy_built()
    assert build(project, cache=False).written  # with an on-disk store now
    _append(project, _MISSION)
    _replace(project, '"Embassy of the DPRK in Angola"@en', '"Embassy of the DPRK in Angola, edited"@en')
    report = build(project)
    assert any("on-disk store" in what for what in report.reused)
    _clean_report, _data, root = _clean(project, tmp_path)

    def dump(path: Path) -> list[str]:
        store = files.open_store(path)
        assert isinstance(store, ox.Store)
        return sorted(f"{q} ." for q in store if not _has_blank(q))

    def _has_blank(q: ox.Quad) -> bool:
        return isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)

    ours, theirs = dump(project.built_graph), dump(Project(root).built_graph)
    assert files.fresh_disk_store(project.built_graph) is not None
    assert ours == theirs
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    count = [str(r[0]) for r in files.open_store(project.built_graph).query(query)]  # type: ignore[union-attr]
    assert count == [str(r[0]) for r in files.open_store(Project(root).built_graph).query(query)]  # type: ignore[union-attr]


def test_the_closure_in_two_parts_is_the_closure(small_world: Project, tmp_path: Path) -> None:
    """closure(W) then D gives the inferred graph the closure of everything at once gives."""
    import pyoxigraph as ox

    from kg.build.cached import world_graphs
    from kg.reason.closure import _file_triples, _inferred_lines
    from kg.reason.split import extend_closure, split_closure
    from kg.sources.folder import discover
    from kg.sources.load import load_project_store

    loaded = load_project_store(small_world)
    dump = tmp_path / "dump.nq"
    loaded.store.dump(output=str(dump), format=ox.RdfFormat.N_QUADS)
    whole = set(_inferred_lines(loaded.ontology, _file_triples(dump)))
    world = [f for f in discover(small_world.sources) if f.id in ("unga-votes", "wikidata-missions")]
    split = split_closure(loaded.ontology, dump, world_graphs(world))
    assert split is not None and len(split.lines) == len(set(split.lines))
    assert set(split.lines) == whole
    assert set(split.world_lines) != whole  # the small sources add to the world's closure
    # From closure(W)'s indexed triples alone, the rest again: the same, once W's and D's own triples are taken out.
    rest = [tuple(line[: line.rindex(" <")].split(" ", 2)) for line in split.rest]
    more = extend_closure(loaded.ontology, split.indexed, rest)  # type: ignore[arg-type]
    assert more is not None
    asserted = {" ".join(t) for t in _file_triples(dump)(None)}
    assert (set(split.world_lines) | more) - asserted == whole
