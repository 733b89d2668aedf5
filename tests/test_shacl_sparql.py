"""The SHACL shapes compiled to SPARQL report exactly what pySHACL reports.

Each case builds a copy of the project twice, with ``--validator pyshacl`` (the rdflib build) and
with ``--validator sparql`` (the Oxigraph build), and compares every violation: shape, focus node,
message, file and line. Cases: every fixture folder under ``tests/fixtures/``, small sources made to
break each kind of constraint our shapes use, and the real data.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from kg.build import build
from kg.errors import InputError
from kg.paths import Project
from kg.validate.shapes import compile_shapes

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROOT = Path(__file__).resolve().parent.parent

#: Fixture folders (a source folder, or Turtle to append to the ontology) and whether SHACL fires on them
#: (checks/valid/ holds the cases checks must stay silent on: tests/test_checks.py builds them).
FOLDERS = [
    *sorted(p for p in (FIXTURES / "checks").iterdir() if p.is_dir() and p.name != "valid"),
    FIXTURES / "hostile-source",
    FIXTURES / "network-rules-source",
    FIXTURES / "sources" / "fixture-extra-counts",
]

_HEAD = """@prefix diplo: <https://w3id.org/diplokg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix iso: <https://w3id.org/diplokg/id/iso3166/> .
@prefix mission: <https://w3id.org/diplokg/id/mission/> .
"""
_FACT = '<f1> a diplo:Summit ; rdfs:label "a summit"@en ; diplo:evidence <s01> ; diplo:modality diplo:Reported'

#: Small facts, each breaking (or, for the control, keeping) the constraints of one kind.
BROKEN = {
    "control-valid": _FACT + ' ; diplo:date "2023-09-13"^^xsd:date ; diplo:datePrecision time:unitDay .',
    "min-count": '<f1> a diplo:Summit ; rdfs:label "a summit"@en ; diplo:evidence <s01> .',
    "max-count": _FACT + " , diplo:Claimed .",
    "in": _FACT.replace("diplo:Reported", "diplo:Rumoured") + " .",
    "class": _FACT + " ; diplo:evidence <f1> .",
    "class-literal": _FACT + ' ; diplo:evidence "s01" .',
    "or-datatype": _FACT + ' ; diplo:date "2023-09-13" ; diplo:datePrecision time:unitDay .',
    "ill-typed-date": _FACT + ' ; diplo:date "2023-02-30"^^xsd:date ; diplo:datePrecision time:unitDay .',
    "datatype-langstring": '<> dcterms:title "a title"@en .',
    "datatype-integer": '<c1> a diplo:Count ; diplo:countOf diplo:StatesWithRelations ; diplo:value "many" ;'
    ' diplo:evidence <s01> ; diplo:modality diplo:Reported .',
    "ill-typed-integer": '<c1> a diplo:Count ; diplo:countOf diplo:StatesWithRelations ;'
    ' diplo:value "1x"^^xsd:integer ; diplo:evidence <s01> ; diplo:modality diplo:Reported .',
    "pattern": 'iso:XX a diplo:State ; rdfs:label "nowhere"@en ; diplo:iso3166Alpha3 "xx1" ; diplo:iso3166Alpha2 "X" .',
    "min-length": '<s09> a diplo:Sentence ; diplo:text "" ; dcterms:isPartOf <> ; diplo:position 9 .',
    "blank-node-focus": "[] a diplo:Summit ; diplo:modality diplo:Reported .",
    "subclass-in-a-source": "<MyFact> rdfs:subClassOf diplo:Fact . <x2> a <MyFact> .",
    "blank-node-subclass": "_:c rdfs:subClassOf diplo:Fact . <x1> a _:c .",
    "target-subjects-of": '<i1> diplo:startDate "2020-01-01"^^xsd:date , "2021"^^xsd:gYear ; diplo:endDate 5 .',
    "mission": "mission:PRK-PRK-embassy a diplo:Embassy ; diplo:sendingState iso:PRK , iso:CHN ;"
    " diplo:host <https://example.org/nowhere> .",
    "council-vote": '<v1> a diplo:CouncilVote ; rdfs:label "a vote"@en ; diplo:evidence <s01> ;'
    ' diplo:modality diplo:Reported ; diplo:date "2022-05-26"^^xsd:date ; diplo:datePrecision time:unitDay ;'
    ' diplo:outcome diplo:Vetoed , diplo:Adopted ; diplo:votedNo <https://example.org/nowhere> ;'
    ' diplo:votedOn <d1> . <d1> a diplo:DraftResolution ; diplo:evidence <s01> ; diplo:modality diplo:Reported .',
}


def _copy_fixture(project: Project, folder: Path) -> None:
    if (folder / "source.ttl").is_file():
        shutil.copytree(folder, project.sources / f"fixture-{folder.name}")
    else:
        with project.ontology.open("a", encoding="utf-8") as handle:
            handle.write("\n" + (folder / "ontology.ttl").read_text(encoding="utf-8"))


def _write_broken(project: Project, facts: str) -> None:
    folder = project.sources / "broken"
    folder.mkdir()
    (folder / "source.ttl").write_text(_HEAD + '<> a diplo:NewsArticle ; dcterms:title "broken" .\n', encoding="utf-8")
    (folder / "text.txt").write_text("A summit was held. It was reported.\n", encoding="utf-8")
    (folder / "facts.ttl").write_text(_HEAD + facts + "\n", encoding="utf-8")


def _both(project: Project) -> tuple[list[str], list[str]]:
    reference = build(project, validator="pyshacl")
    ours = build(project, validator="sparql")
    return [str(v) for v in reference.violations], [str(v) for v in ours.violations]


@pytest.mark.parametrize("folder", [pytest.param(f, id=f.name) for f in FOLDERS])
def test_same_violations_as_pyshacl_on_each_fixture(project_copy: Callable[..., Project], folder: Path) -> None:
    project = project_copy(only_sources=[])
    _copy_fixture(project, folder)
    reference, ours = _both(project)
    assert ours == reference


def test_the_fixtures_do_exercise_the_shapes(project_copy: Callable[..., Project]) -> None:
    project = project_copy(only_sources=[])
    for folder in FOLDERS:
        _copy_fixture(project, folder)
    report = build(project)
    shapes = {v.check for v in report.violations if v.check.startswith("shape ")}
    assert "shape Fact" in shapes, shapes


@pytest.mark.parametrize("case", list(BROKEN))
def test_same_violations_as_pyshacl_on_each_kind_of_constraint(
    project_copy: Callable[..., Project], case: str
) -> None:
    project = project_copy(only_sources=[])
    _write_broken(project, BROKEN[case])
    reference, ours = _both(project)
    assert ours == reference
    shape_violations = [v for v in ours if "[shape " in v]
    if case == "control-valid":
        assert shape_violations == []
    else:
        assert shape_violations, f"case {case} broke no shape"
        assert all("broken/facts.ttl" in v or "broken/source.ttl" in v for v in shape_violations if "/f1:" in v)


def test_same_violations_on_the_real_data(
    built: object, small_world: Project, small_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real data: no violation with either validator. The session builds used the SPARQL one: the
    dossier (``built``), the small world (``small_build``: every source, the world's two large ones cut
    to a few thousand rows read by the same loaders and mappings) and the whole world (``world_built``,
    which refuses a build with violations). pyshacl reads the dossier with the small world: every kind
    of node the real data has, not a million votes of the same kind (pyshacl on the whole world took
    over 4 CPU minutes, the largest part of this module and one of the largest of the suite)."""
    assert built.report.violations == []  # type: ignore[attr-defined]
    assert (small_build / "diplokg.nq").exists()
    monkeypatch.setenv("DIPLOKG_BUILD", str(tmp_path))
    reference = build(small_world, validator="pyshacl")
    assert reference.violations == []
    assert reference.written


def test_an_unsupported_construct_is_refused(tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <http://example.org/> .\n"
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ;\n"
        "  sh:property [ sh:path ex:p ; sh:qualifiedMinCount 1 ; sh:message \"m\" ] .\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        compile_shapes(shapes)
    assert "sh:qualifiedMinCount" in caught.value.message
    assert caught.value.path == shapes


def test_every_property_shape_of_ours_compiles(project: Project) -> None:
    _graph, checks = compile_shapes(project.shapes)
    assert len(checks) >= 30
    assert {c.check for c in checks} >= {"shape Fact", "shape Excerpt", "shape Interval", "shape Polity"}
