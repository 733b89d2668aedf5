"""A ``diplokg serve`` process of a checkout on a build, for the benches that time requests to it
(:mod:`bench.library_build`, :mod:`bench.serve_attack`).

The server is started on a free port (``--port 0``) with ``--no-warm``; its port is read from the line
it prints when it listens, and the rest of its standard error is drained in a thread so that it never
blocks on a full pipe.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

#: How a bench runs ``diplokg`` of a checkout (its ``PYTHONPATH``), not the installed one.
ENTRY = "import sys; from kg.cli import entry; sys.exit(entry(sys.argv[1:]))"


class Server:
    """``diplokg serve --port 0 --no-warm --project CODE`` of the checkout ``code`` on ``build``, with
    ``args`` after it (e.g. ``--cache-mib 0`` for every answer computed)."""

    def __init__(self, code: Path, build: Path, *args: str) -> None:
        env = dict(os.environ, DIPLOKG_BUILD=str(build), PYTHONPATH=str(code))
        self.process = subprocess.Popen(
            [sys.executable, "-c", ENTRY, "serve", "--port", "0", "--no-warm", "--project", str(code), *args],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env, cwd=code,
        )
        stderr = self.process.stderr
        assert stderr is not None
        for line in stderr:
            found = re.search(r"at http://127\.0\.0\.1:(\d+)/sparql", line)
            if found:
                self.port = int(found.group(1))
                threading.Thread(target=lambda: [None for _ in stderr], daemon=True).start()
                return
        raise SystemExit(f"the server of {code} did not start")

    def get(self, path: str, timeout: float = 300) -> tuple[int, float, bytes]:
        """GET ``path`` on a new connection: (status, seconds, body)."""
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
        return response.status, time.perf_counter() - started, body

    def wait_for_workers(self, give_up_after: float = 120) -> None:
        """Until the pool's workers are forked and idle (the first request would wait for them)."""
        give_up = time.monotonic() + give_up_after
        while time.monotonic() < give_up:
            status, _, body = self.get("/health")
            workers = json.loads(body).get("workers") if status == 200 else None
            if workers and workers.get("idle", 0) >= workers.get("size", 1):
                return
            time.sleep(0.2)

    def memory(self, field: str = "VmRSS") -> int:
        """The server process's own memory (kB field of /proc/PID/status), in MB."""
        with open(f"/proc/{self.process.pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) // 1024
        return 0

    def stop(self) -> None:
        """Stop the server (terminated; killed if it has not ended within 30 s)."""
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(30)
