"""A real ``diplokg serve`` process on 127.0.0.1, started per test module with its own build folder."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass
class Served:
    """A running server: its base address, its process and its build file."""

    base: str
    process: subprocess.Popen[str]
    build: Path

    @property
    def sparql(self) -> str:
        return f"{self.base}/sparql"


def start_server(build_dir: Path, *args: str) -> Served:
    """Start ``diplokg serve --port 0`` on the build in ``build_dir``; wait until it answers."""
    env = dict(os.environ, DIPLOKG_BUILD=str(build_dir))
    code = "import sys; from kg.cli import entry; sys.exit(entry(sys.argv[1:]))"
    process = subprocess.Popen(
        [sys.executable, "-c", code, "serve", "--port", "0", "--project", str(ROOT), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    assert process.stderr is not None
    seen = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        seen.append(line)
        found = re.search(r"serving \d+ quads at (http://\S+)/sparql", line)
        if found:
            return Served(found.group(1), process, build_dir / "diplokg.nq")
    process.kill()
    raise AssertionError("the server did not start: " + "".join(seen))


def stop_server(served: Served) -> None:
    served.process.terminate()
    try:
        served.process.wait(10)
    except subprocess.TimeoutExpired:
        served.process.kill()


@pytest.fixture(scope="module")
def server_with(built: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Served]]:
    """Start servers (each on a copy of the session's build); all are stopped after the module."""
    started: list[Served] = []

    def start(*args: str) -> Served:
        folder = tmp_path_factory.mktemp("serve-build")
        shutil.copy(built.graph.path, folder / "diplokg.nq")
        served = start_server(folder, *args)
        started.append(served)
        return served

    yield start
    for served in started:
        stop_server(served)


def fetch(url: str, data: bytes | None = None, headers: dict[str, str] | None = None,
          method: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request (no proxy); the status, headers and body, also for an error status."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=60) as answer:
            return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()
