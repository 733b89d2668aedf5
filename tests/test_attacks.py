"""The attack suite: every case of ``tests/attacks/queries.toml`` through the real command line, with a
listener on 127.0.0.1 that must receive nothing, and no traceback for any input.

Cases marked ``process = true`` run the installed command in a child process, exactly as a user
would (with the network lock on). The others run in process with the network lock switched off, so
that the gate alone is shown to hold.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import tomllib
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests_support import Listener

from kg.paths import Project

ATTACKS = Path(__file__).resolve().parent / "attacks"
CASES: list[dict[str, Any]] = tomllib.loads((ATTACKS / "queries.toml").read_text(encoding="utf-8"))["case"]


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def _text(case: dict[str, Any], url: str) -> str:
    text: str = case["text"].replace("{url}", url)
    depth = case.get("depth", 0)
    return text.replace("{open}", "(" * depth).replace("{close}", ")" * depth)


def _as_at_a_terminal() -> None:
    """In the child before it runs: Ctrl-C as a terminal delivers it (a harness that starts the tests in
    the background, with SIGINT ignored as a shell does for background jobs, would pass that on)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _command(argv: list[str], interrupt: float | None) -> tuple[int, str, str]:
    """Run the installed command line in a child process (Ctrl-C after ``interrupt`` seconds)."""
    process = subprocess.Popen(
        [sys.executable, "-c", "from kg.cli import cli_main; cli_main()", *argv],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_as_at_a_terminal,
    )
    if interrupt is not None:
        time.sleep(interrupt)
        process.send_signal(signal.SIGINT)
    try:
        out, err = process.communicate(timeout=120)  # a guard against a hang, not a timing assertion
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    return process.returncode, out, err


def _argv(case: dict[str, Any], text: str, root: Path, tmp_path: Path, copy: Callable[[], Project],
          url: str = "") -> list[str]:
    args: list[str] = [a.replace("{url}", url) for a in case.get("args", [])]
    via = case["via"]
    if via == "query":
        return ["query", "--project", str(root), *args, "-e", text]
    if via == "file":
        path = tmp_path / "attack.rq"
        path.write_bytes(text.encode("utf-8"))  # bytes: carriage returns stay what they are
        return ["query", "--project", str(root), *args, str(path)]
    project = copy()
    if via == "check":
        (project.checks / "attack-violation.rq").write_bytes(text.encode("utf-8"))
        return ["build", "--project", str(project.root), *args]
    (project.queries / "attack.rq").write_bytes(text.encode("utf-8"))
    if via == "question":
        return ["ask", "attack", "--project", str(project.root), *args]
    assert via == "report", via
    return ["report", "-o", str(tmp_path / "report.md"), "--project", str(project.root), *args]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_attack(
    case: dict[str, Any],
    listener: Listener,
    built: Any,
    tmp_path: Path,
    cli: Callable[..., tuple[int, str, str]],
    project_copy: Callable[..., Project],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    listener.hits.clear()
    text = _text(case, listener.url)
    engines = [[], ["--engine", "rdflib"]] if case.get("engine_both") else [[]]
    for engine in engines:
        argv = _argv(case, text, built.project.root, tmp_path, project_copy, listener.url)
        argv[1:1] = engine
        if case.get("process"):
            code, out, err = _command(argv, case.get("interrupt"))
        else:
            # The gate alone must hold: the network lock is switched off (skipped where there is none,
            # as when this suite runs against the code before it existed).
            try:
                import kg.query.sandbox as sandbox
            except ImportError:
                sandbox = None  # type: ignore[assignment]
            if sandbox is not None:
                monkeypatch.setattr(sandbox, "forbid_network", lambda: None)
            code, out, err = cli(*argv)
        assert "Traceback" not in err, err
        assert code == case["exit"], (code, err)
        if code != 0:
            last = err.strip().splitlines()[-1]
            assert last.startswith(("diplokg: error: ", "diplokg: interrupted")), err
            assert case.get("message", "") in last, err
        if "output" in case:
            assert case["output"] in out
        if "same_as" in case:
            same = ["query", "--project", str(built.project.root), *case.get("args", []), "-e", case["same_as"]]
            assert cli(*same)[1] == out
    assert listener.hits == []


def test_the_suite_covers_every_way_in() -> None:
    """Each way a query reaches an engine (a user's text, a file, a question, a check, the report) has
    cases, and so does each limit."""
    assert {c["via"] for c in CASES} == {"query", "file", "question", "check", "report"}
    assert {c["exit"] for c in CASES} >= {0, 2, 3, 4, 130}


def test_the_listener_would_notice(listener: Listener) -> None:
    """Proof that the listener hears a request when one is made (the control of every case above)."""
    import urllib.request

    listener.hits.clear()
    with urllib.request.urlopen(f"{listener.url}/control", timeout=10) as reply:
        reply.read()
    assert listener.hits == ["/control"]
    listener.hits.clear()


def test_ctrl_c_leaves_no_child_behind(listener: Listener, built: Any) -> None:
    """After Ctrl-C the query's child process is gone (the parent killed it before exiting).

    The command and its query's child carry a marker in their environment, so processes of other
    runs on the machine are not counted; Ctrl-C is sent once the query's child is running."""
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    marker = f"diplokg-test-{uuid.uuid4()}"
    env = dict(os.environ, DIPLOKG_TEST_MARK=marker)
    process = subprocess.Popen(
        [sys.executable, "-c", "from kg.cli import cli_main; cli_main()",
         "query", "--project", str(built.project.root), "-e", text],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, preexec_fn=_as_at_a_terminal,
    )
    try:
        deadline = time.monotonic() + 60  # a guard against a hang, not a timing assertion
        while len(_marked_processes(marker)) < 2 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(_marked_processes(marker)) >= 2, "the query's child process never started"
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130 and "interrupted" in err
    assert _marked_processes(marker) == set()


def _marked_processes(marker: str) -> set[int]:
    """The processes whose environment holds ``DIPLOKG_TEST_MARK=marker`` (a command and its children)."""
    needle = f"DIPLOKG_TEST_MARK={marker}".encode()
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                environ = (entry / "environ").read_bytes()
            except OSError:
                continue
            if needle in environ.split(b"\0"):
                found.add(int(entry.name))
    return found
