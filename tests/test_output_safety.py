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
