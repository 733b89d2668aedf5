"""The package's structure: imports run downwards along the pipeline, and nothing imports in a circle.

Rooms, from the top: the command line (``kg.cli``), the Python API (``kg.api``, which the command line
calls) beside the build (``kg.build``) and the server (``kg.serve``), the stages
(``kg.sources``, ``kg.reason``, ``kg.validate``, ``kg.store``, ``kg.query``, ``kg.network`` and the
reference engines ``kg.reference``), and the foundation (terms, namespaces, errors, paths, the build
report). Every ``import`` counts, also those inside functions (the CLI loads commands lazily).
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

KG = Path(__file__).resolve().parent.parent / "kg"

FOUNDATION = {"kg", "kg.errors", "kg.namespaces", "kg.terms", "kg.paths", "kg.buildreport"}
STAGES = ("sources", "reason", "validate", "store", "query", "network", "alignment", "reference")
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(KG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(KG.rglob("*.py"))}


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The kg modules a file imports (``from kg.x import y`` counts ``kg.x.y`` when that is a module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("kg"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith("kg"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in known else node.module)
    return {name for name in found if name in known}


def room(module: str) -> str:
    """The room of a module: cli, build, a stage's name, or foundation."""
    if module in FOUNDATION:
        return "foundation"
    part = module.split(".")[1]
    return part if part in (*STAGES, "cli", "build", "serve", "api") else "foundation"


def rank(room_name: str) -> int:
    return {"cli": 3, "api": 2, "build": 2, "serve": 2, "foundation": 0}.get(room_name, 1)


#: The one import that is not a dependency: the package's root gives ``kg.open`` and the rest of the API
#: by loading :mod:`kg.api` when first asked for (PEP 562 ``__getattr__``), so ``import kg.errors`` never
#: loads it (tested below). Every other import of every module counts.
LAZY_FACADE = {("kg", "kg.api")}


@pytest.fixture(scope="module")
def graph() -> nx.DiGraph:
    known = modules()
    g = nx.DiGraph()
    for name, path in known.items():
        g.add_node(name)
        for target in imports_of(path, set(known)):
            if target != name and (name, target) not in LAZY_FACADE:
                g.add_edge(name, target)
    return g


def test_the_import_graph_is_read(graph: nx.DiGraph) -> None:
    assert graph.has_edge("kg.cli.build", "kg.build")
    assert graph.has_edge("kg.build", "kg.reference.build")
    assert graph.number_of_edges() > 60


def test_no_module_imports_in_a_circle(graph: nx.DiGraph) -> None:
    assert list(nx.simple_cycles(graph)) == []


def test_no_room_imports_in_a_circle(graph: nx.DiGraph) -> None:
    rooms = nx.DiGraph()
    for a, b in graph.edges:
        if room(a) != room(b):
            rooms.add_edge(room(a), room(b))
    assert list(nx.simple_cycles(rooms)) == []


def test_imports_run_downwards(graph: nx.DiGraph) -> None:
    upward = [(a, b) for a, b in graph.edges if rank(room(a)) < rank(room(b))]
    assert upward == []


def test_the_user_path_does_not_import_the_reference_engines(graph: nx.DiGraph) -> None:
    """Only the build's switch (``--validator pyshacl``/``--reasoner owlrl``) reaches them."""
    into_reference = sorted(a for a, b in graph.edges if room(b) == "reference" and room(a) != "reference")
    assert into_reference == ["kg.build"]


def test_the_package_root_loads_the_api_only_when_asked() -> None:
    """``import kg`` (which every ``import kg.x`` runs) does not load the API; ``kg.open`` does."""
    import subprocess
    import sys

    code = ("import sys, kg, kg.errors; assert 'kg.api' not in sys.modules, 'loaded early'; "
            "assert callable(kg.open) and 'kg.api' in sys.modules; print('ok')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "ok", done.stderr


def test_every_stage_is_a_package() -> None:
    for stage in STAGES:
        assert (KG / stage / "__init__.py").is_file(), stage


@pytest.mark.parametrize("path", sorted(KG.rglob("*.py")), ids=lambda p: str(p.relative_to(KG.parent)))
def test_no_module_is_over_about_400_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


def _architecture_section() -> str:
    """The documentation's architecture page (docs/architecture.md, moved there from the README)."""
    return (KG.parent / "docs" / "architecture.md").read_text(encoding="utf-8")


def test_the_architecture_page_names_every_module() -> None:
    """The architecture page matches the tree: every module of kg/ is named there (by its file name, in
    its stage's row or in the foundation's sentence), and every stage folder too."""
    section = _architecture_section()
    for stage in STAGES:
        assert f"`kg/{stage}/`" in section, stage
    for path in sorted(KG.rglob("*.py")):
        if path.name == "__init__.py" or path.parent.name == "cli":
            continue
        assert f"`{path.name}`" in section or f"`kg/{path.relative_to(KG).as_posix()}`" in section, path


def test_the_architecture_page_names_nothing_that_is_not_there() -> None:
    import re

    section = _architecture_section()
    for name in re.findall(r"`(kg/[\w/.]+)`", section):
        assert (KG.parent / name).exists(), name
