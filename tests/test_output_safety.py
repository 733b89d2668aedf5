"""``-o`` writes only where it is told to: a missing folder is refused (not created), a read-only file
is not silently replaced; each with one line and exit 2."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

COMMANDS = [
    pytest.param(["query", "closed-missions"], id="query"),
    pytest.param(["ask", "wave-size"], id="ask"),
    pytest.param(["report"], id="report"),
]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_missing_folder_is_refused(command: list[str], built: Any, cli: Callable, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "out.txt"
    code, _out, err = cli(*command, "--project", str(built.project.root), "-o", str(target))
    assert code == 2 and err.count("\n") == 1 and "does not exist" in err, err
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_read_only_file_is_not_replaced(
    command: list[str], built: Any, cli: Callable, tmp_path: Path
) -> None:
    """A file without write permission is read-only, also for root (who may write it anyway)."""
    target = tmp_path / "out.txt"
    target.write_text("keep me")
    target.chmod(0o444)
    code, _out, err = cli(*command, "--project", str(built.project.root), "-o", str(target))
    assert code == 2 and "read-only" in err, err
    assert target.read_text() == "keep me"


@pytest.mark.parametrize("fmt", ["table", "report"])
def test_terminal_codes_from_data_are_shown_not_obeyed(
    fmt: str, project_copy: Callable[..., Any], cli: Callable, tmp_path: Path
) -> None:
    """A sentence holding an escape sequence (clear the screen, retitle the window) and a bidi override
    reaches the table and the report as visible ``\\uXXXX`` text."""
    project = project_copy(only_sources=["dprk-embassy-closures-2023"])
    text = project.sources / "dprk-embassy-closures-2023" / "text.txt"
    hostile = "\x1b[2J\x1b]0;pwned\x07 \u202e"
    text.write_text(text.read_text(encoding="utf-8").replace("North Korea has been", f"{hostile} North Korea has been"),
                    encoding="utf-8")
    if fmt == "table":
        query = 'SELECT ?t WHERE { ?s <https://w3id.org/diplokg/ontology#text> ?t FILTER(CONTAINS(?t, "pwned")) }'
        code, out, err = cli("query", "--project", str(project.root), "-e", query)
    else:
        code, _out, err = cli("report", "--project", str(project.root), "-o", str(tmp_path / "r.md"))
        out = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert code == 0, err
    assert "pwned" in out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\u001b" in out
