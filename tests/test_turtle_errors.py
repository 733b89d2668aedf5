"""A Turtle file with a statement or bracket left unfinished: the error names the line where it began,
not the line (or the end of the file) where the parser noticed (issue 27)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import InputError
from kg.paths import Project
from kg.sources.folder import parse_turtle
from kg.sources.load import load_turtle
from kg.sources.turtlesyntax import unfinished_statement

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "turtle-unfinished"
BASE = "https://w3id.org/diplokg/id/source/fixture/"
CASES = sorted(FIXTURES.glob("*.ttl"))


def _expected(path: Path) -> tuple[int, str]:
    """The ``# expect: line N, KIND`` header of a fixture."""
    found = re.search(r"^# expect: line (\d+), (\S+)$", path.read_text(encoding="utf-8"), re.M)
    assert found is not None, path
    return int(found.group(1)), found.group(2)


def _check(error: InputError, path: Path) -> None:
    line, kind = _expected(path)
    assert error.path == path and error.line == line, str(error)
    if kind == "statement":
        assert "the statement that begins on this line does not end with '.'" in error.message
    elif kind == "parser":
        assert error.message.startswith("invalid Turtle: line 5 ")
    else:
        assert f"the '{kind}' opened on this line is not closed" in error.message
    assert "\n" not in str(error)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_parse_names_the_line_where_the_unfinished_statement_began(path: Path) -> None:
    with pytest.raises(InputError) as caught:
        parse_turtle(path, BASE)
    _check(caught.value, path)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_loading_into_the_store_says_the_same(path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_turtle(ox.Store(), path, BASE, ox.NamedNode(BASE))
    _check(caught.value, path)


def test_the_build_names_that_line_in_one_line(project_copy: Callable[..., Project], cli: Callable) -> None:
    proj = project_copy(only_sources=["dprk-embassy-closures-2023"])
    shutil.copy(FIXTURES / "missing-dot-mid-file.ttl", proj.sources / "dprk-embassy-closures-2023" / "facts.ttl")
    code, _out, err = cli("build", "--project", str(proj.root))
    assert code == 2
    (line,) = [line for line in err.splitlines() if line.startswith("diplokg: error:")]
    assert line.startswith("diplokg: error: ") and "facts.ttl:9: invalid Turtle: the statement that begins" in line


@pytest.mark.parametrize(
    ("text", "line", "column", "expected"),
    [
        pytest.param("<a> <b> 1.5 .\n<c> <d> <e>\n<f> <g> <h> .\n", 3, 1, (2, "statement"), id="decimal"),
        pytest.param("@prefix ex: <http://e/> .\nex:a ex:b ex:c.d .\nex:e ex:f ex:g\n\n", 5, 1, (3, "statement"),
                     id="dot-in-a-name"),
        pytest.param('<a> <b> "x . y" .\n<c> <d> ( <e>\n<f> .\n', 4, 1, (2, "("), id="open-list"),
        pytest.param("PREFIX ex: <http://e/>\nex:a ex:b ex:c\nex:d ex:e ex:f .\n", 3, 1, (2, "statement"),
                     id="sparql-prefix-has-no-dot"),
        pytest.param("<a> <b> <c> .\n", 2, 1, None, id="nothing-open"),
    ],
)
def test_unfinished_statement(text: str, line: int, column: int, expected: tuple[int, str] | None) -> None:
    found = unfinished_statement(text, line, column)
    assert (None if found is None else (found.line, found.what)) == expected
