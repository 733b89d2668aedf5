"""Answers kept beside a build: what the report and the explorer page asked of it, for the next time.

A build never changes once written (a rebuild writes a new ``diplokg.nq`` in its place), so the
answer Oxigraph gave to a query text over it stays the answer. ``diplokg report``, ``diplokg
explore`` and the server's ``/report`` and ``/explorer`` keep the answers their queries got in
``answers/`` in the build folder (:class:`AnswerStore`), under the identity of the built file (its
inode, size and modification time: a rebuild is another identity, and the answers of the old one are
removed), and read them back instead of asking again. The answers are Oxigraph's own serialisation
(TSV, JSON or N-Triples), read back as any answer is (data, never code); an answer over
:data:`MAX_ANSWER_BYTES` is not kept, nor any answer of a query with a row cap (its refusal must come
from the engine). Only the callers that set :attr:`kg.query.engine.BuiltGraph.answers` use them: a
question asked of ``diplokg serve`` or ``diplokg query`` is computed as before.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.sources.jail import read_path

#: The folder in the build folder that keeps the answers.
FOLDER_NAME = "answers"
#: The largest answer kept.
MAX_ANSWER_BYTES = 32 * 1024 * 1024


def build_identity(built: Path) -> str | None:
    """The identity of a built file (None when it is not there)."""
    try:
        stat = built.stat()
    except OSError:
        return None
    return hashlib.sha256(f"{stat.st_ino}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:24]


class AnswerStore:
    """The answers kept for one build.

    Args:
        built: The built ``diplokg.nq``; its folder holds ``answers/``.
    """

    def __init__(self, built: Path) -> None:
        self.identity = build_identity(built)
        self.root = built.parent / FOLDER_NAME
        self.folder = self.root / (self.identity or "none")
        self._cleaned = False

    @staticmethod
    def key(*parts: Any) -> str:
        """A key for a query: its text, its dataset and the form of its answer."""
        return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode("utf-8")).hexdigest()

    def get(self, key: str) -> bytes | None:
        """The answer kept under ``key``, or None."""
        if self.identity is None:
            return None
        try:
            return read_path(self.folder / key, MAX_ANSWER_BYTES)  # a regular file, never a link, capped
        except InputError:
            return None

    def put(self, key: str, data: bytes) -> None:
        """Keep ``data`` under ``key`` (whole or not at all; quietly not where the folder cannot be written)."""
        if self.identity is None or len(data) > MAX_ANSWER_BYTES:
            return
        try:
            self._clean()
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=".answer.", dir=self.folder)
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(name, self.folder / key)
        except OSError:
            return

    def _clean(self) -> None:
        """Remove the answers of other builds (once per store)."""
        if self._cleaned:
            return
        self._cleaned = True
        with contextlib.suppress(OSError):
            for other in self.root.iterdir():
                if other.name != self.folder.name:
                    shutil.rmtree(other, ignore_errors=True)


def keeping_answers(graph: Any) -> Any:
    """``graph`` (a :class:`kg.query.engine.BuiltGraph`) as a view that keeps its answers beside the
    build (sharing its store and workers); any other graph (a remote store) as it is."""
    path = getattr(graph, "path", None)
    if not hasattr(graph, "answers") or not isinstance(path, Path) or not path.is_file():
        return graph
    view = copy.copy(graph)
    view.answers = AnswerStore(graph.path)
    return view


def kept_rows(graph: Any, rows: Any) -> Any:
    """A function running SELECT texts into rows (``rows``: text -> list of ``{variable: value}``, as the
    explorer's world view reads them) whose answers are kept beside ``graph``'s build when it keeps
    answers (:func:`keeping_answers`). The answers are kept by text alone: ``rows`` must answer from that
    very build (``diplokg explore`` passes its store's own queries; a server's page asks its workers
    anew)."""
    kept: AnswerStore | None = getattr(graph, "answers", None)
    if kept is None:
        return rows

    def run(text: str) -> list[dict[str, Any]]:
        key = kept.key("rows", text)
        data = kept.get(key)
        if data is not None:
            found = json.loads(data)
            if isinstance(found, list):
                return found
        found = rows(text)
        kept.put(key, json.dumps(found).encode("utf-8"))
        return list(found)

    return run
