"""Helpers shared by test modules (not fixtures): a local HTTP listener that records requests, and a fact
of the article made to violate a shape."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path


class Listener:
    """An HTTP server on 127.0.0.1 that answers every request with a tiny Turtle file and records its path."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                listener.hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/turtle")
                self.end_headers()
                self.wfile.write(b"<http://x/a> <http://x/b> <http://x/leaked> .\n")

            do_POST = do_GET

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        """Stop the server."""
        self.server.shutdown()
        self.server.server_close()


#: A fact of the article whose evidence (sentence s05) is taken away: a fact with no source sentence
#: violates the shapes, so a build of it writes nothing.
_WITH_EVIDENCE = "    diplo:evidence <s05> ;\n    diplo:modality diplo:Reported .\n\n<farewell-AGO>"
_WITHOUT_EVIDENCE = "    diplo:modality diplo:Reported .\n\n<farewell-AGO>"


def drop_evidence(facts: Path) -> None:
    """Take the evidence away from the fact before ``<farewell-AGO>`` in the article's ``facts.ttl``."""
    text = facts.read_text(encoding="utf-8")
    assert _WITH_EVIDENCE in text, "the article's facts changed: update tests/tests_support.py"
    facts.write_text(text.replace(_WITH_EVIDENCE, _WITHOUT_EVIDENCE), encoding="utf-8")
