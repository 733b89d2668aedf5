"""The Oxigraph build agrees with the rdflib build: the same loaded quads, the same written bytes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.build import build
from kg.errors import InputError
from kg.paths import Project
from kg.reference.build import build_rdflib
from kg.reference.load import load_project
from kg.sources.load import load_project_store, may_hold_blank_nodes
from kg.store.files import quads_of

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "dprk-embassy-closures-2023"

BLANKS = """@prefix diplo: <https://w3id.org/diplokg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <https://example.org/> .
ex:a ex:list ( ex:b ex:c ) ; ex:anon [ ex:p "in [brackets] and (parens)" ] .
_:x ex:q _:y . _:y ex:q _:x .
ex:d ex:r [ ex:s [ ex:t 1 ] ] .
"""
NO_BLANKS = """@prefix ex: <https://example.org/> .
# a comment with [ brackets ] and ( parens ) and _:label
ex:a ex:label "a label (with parens) [and brackets] _:not-a-node" , '''long
[text]''' ; ex:iri <https://example.org/x_:y> .
"""


def _quad_lines(store: ox.Store) -> set[str]:
    return set((store.dump(format=ox.RdfFormat.N_QUADS) or b"").decode("utf-8").splitlines())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(BLANKS, True, id="blank-nodes"),
        pytest.param(NO_BLANKS, False, id="brackets-only-in-strings-comments-iris"),
        pytest.param('<a> <b> "unterminated [ .', True, id="unterminated-string-errs-on-yes"),
        pytest.param("<a> <b> <c> .", False, id="plain"),
    ],
)
def test_may_hold_blank_nodes(text: str, expected: bool) -> None:
    assert may_hold_blank_nodes(text.encode("utf-8")) is expected


def test_the_store_loader_gives_the_quads_and_blank_labels_of_the_rdflib_loader(
    project_copy: Callable[..., Project],
) -> None:
    proj = project_copy(only_sources=[ARTICLE])
    (proj.sources / ARTICLE / "blanks.ttl").write_text(BLANKS, encoding="utf-8")
    (proj.sources / ARTICLE / "plain.ttl").write_text(NO_BLANKS, encoding="utf-8")
    asserted = load_project(proj)
    from kg.namespaces import ONTOLOGY_GRAPH

    reference = ox.Store()
    reference.extend(quads_of([(ONTOLOGY_GRAPH, asserted.ontology), *asserted.graphs.items()]))
    loaded = load_project_store(proj)
    assert _quad_lines(loaded.store) == _quad_lines(reference)
    assert loaded.asserted == len(asserted.ontology) + sum(len(g) for g in asserted.graphs.values())
    assert any(line.startswith("_:b") for line in _quad_lines(loaded.store))


@pytest.mark.parametrize(
    ("filename", "content", "line"),
    [
        pytest.param("facts.ttl", '@prefix ex: <http://ex/> .\nex:a ex:b ex:c .\nex:a ex:b "open .\n', 3,
                     id="no-blanks"),
        pytest.param("facts.ttl", "@prefix ex: <http://ex/> .\nex:a ex:b [ ex:c ex:d ] .\nex:a ex:b .\n", 3,
                     id="with-blanks"),
    ],
)
def test_both_loaders_report_the_same_error(
    project_copy: Callable[..., Project], filename: str, content: str, line: int
) -> None:
    proj = project_copy(only_sources=[ARTICLE])
    (proj.sources / ARTICLE / filename).write_text(content, encoding="utf-8")
    errors = []
    for load in (load_project, load_project_store):
        with pytest.raises(InputError) as caught:
            load(proj)  # type: ignore[operator]
        errors.append(str(caught.value))
        assert caught.value.line == line
    assert errors[0] == errors[1]


def test_the_store_build_writes_the_bytes_of_the_rdflib_build_on_the_real_project(
    project_copy: Callable[..., Project],
) -> None:
    proj = project_copy()
    assert build(proj).written
    ours = proj.built_graph.read_bytes()
    proj.built_graph.unlink()
    assert build_rdflib(proj).written
    assert proj.built_graph.read_bytes() == ours



@pytest.mark.slow
def test_the_store_build_writes_the_bytes_of_the_rdflib_build_on_a_10k_world(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, world_10k: Project
) -> None:
    world = world_10k
    monkeypatch.setenv("DIPLOKG_BUILD", str(tmp_path / "build"))
    report = build(world)
    assert report.written and report.asserted > 8000
    ours = world.built_graph.read_bytes()
    world.built_graph.unlink()
    assert build_rdflib(world).written
    assert world.built_graph.read_bytes() == ours
