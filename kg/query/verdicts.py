"""The gate's verdicts on the project's own texts (the library's questions, the network's rules, the
report's and the pages' queries), kept beside a build so that a report, an explorer page or a served
page does not read them again in every process.

The gate (:func:`kg.query.gate.vet`) reads a query with rdflib's SPARQL parser, which costs 0.1-2 s for
a library question (network-as-of, 20 kB, 1.5-6 s) and is most of what ``diplokg report`` and ``diplokg
explore`` spent. What a verdict decides does not depend on the graph's data: only on the text, the
graphs ``FROM`` may name and the gate's own code. So a verdict is kept under a key made of the text and
the gate (:data:`FINGERPRINT` holds the gate's code and rdflib's and pyparsing's versions), in memory
for the process and in ``verdicts.json`` in the build folder for the next one.

What is kept is the verdict's outcome only: the kind, the projected variables and the dataset. The
text an engine executes is never read from the file: it is the canonical text
(:func:`kg.query.canonical.canonical`, cheap: our lexer, not rdflib's parser) of the text asked; an
entry whose text differs is a miss. A refusal is never kept: a refused text is read again, and refused
again, each time. rdflib's algebra of a recalled verdict is read when something asks for it (only
rdflib's engine does).

Values are bound by :func:`kg.query.sparqltext.bind`, whose reading of the question with placeholder
values is kept the same way, with the rows of its ``VALUES`` blocks as rdflib read them (``rows``: the
placeholders' row must be among them). A value never asked before then costs our lexer and rdflib's
reading of the values' block alone, not a reading of the question (network-as-of: 1.5-4 s at every
start of the command line); no verdict is kept per value, so the file holds the project's texts and
their templates, not a copy of the question for every value ever asked.

The file is the build folder's, like the built graph it sits beside: whoever can write it can write the
graph too.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import threading
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any, cast

import rdflib
from rdflib import URIRef
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from kg.errors import InputError
from kg.query import canonical as _canonical_module
from kg.query import gate as _gate_module
from kg.query import sparqltext as _sparqltext_module
from kg.query.canonical import Ambiguous, canonical
from kg.query.gate import QueryKind, VettedQuery, vet
from kg.query.sparqltext import RowKey, bind, code_of, rows_of
from kg.sources.jail import read_path

#: The file a build folder keeps its verdicts in.
FILE_NAME = "verdicts.json"
#: Verdicts a file keeps at most (the oldest go first): the library and its rules are about 60.
MAX_KEPT = 2000
#: The largest verdicts file read (2,000 verdicts of a few kB each fit well inside).
MAX_FILE_BYTES = 64 * 1024 * 1024
_KINDS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for module in (_gate_module, _canonical_module, _sparqltext_module):
        digest.update(Path(cast(str, module.__file__)).read_bytes())
    digest.update(rdflib.__version__.encode())
    with contextlib.suppress(metadata.PackageNotFoundError):
        digest.update(metadata.version("pyparsing").encode())
    return digest.hexdigest()


#: What a verdict depends on besides the text: the gate's code (its modules' bytes) and the parser's
#: versions. Another gate gives other keys, so no verdict outlives the code that made it.
FINGERPRINT = _fingerprint()


class Recalled(VettedQuery):
    """A verdict read back from the file: as the gate gave it, but for rdflib's algebra, which is read
    from the text the first time it is asked for (also after :func:`kg.query.sparqltext.bind` gave it
    another text: ``algebra_when_asked``)."""

    algebra_when_asked = True

    def _get_algebra(self) -> Query:
        found = self.__dict__.get("_algebra")
        if found is None:
            found = translateQuery(parseQuery(self.text))
            self.__dict__["_algebra"] = found
        return cast(Query, found)

    def _set_algebra(self, value: Query | None) -> None:
        self.__dict__["_algebra"] = value

    algebra = property(_get_algebra, _set_algebra)  # type: ignore[assignment]


def _key(text: str) -> str:
    """A verdict's key: the gate's fingerprint and the text. Not the graphs ``FROM`` may name: the
    gate's verdict on a text it passes does not depend on them but for the check that its ``FROM``
    graphs are among them, which :func:`_plausible` makes again on every recall (so a verdict outlives
    a rebuild that adds or removes a source, and serves the build's checks too)."""
    return hashlib.sha256(json.dumps([FINGERPRINT, text]).encode("utf-8")).hexdigest()


def _executed_text(text: str) -> str | None:
    """The text the gate's verdict would have (canonical), or None."""
    try:
        return canonical(text).text
    except Ambiguous:
        return None


class Verdicts:
    """Verdicts kept in memory and (with ``path``) in a JSON file between processes.

    Args:
        path: The file (None: this process only).
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._kept: dict[str, dict[str, Any]] | None = None

    def _entries(self) -> dict[str, dict[str, Any]]:
        if self._kept is None:
            self._kept = {}
            if self.path is not None:
                try:
                    found = json.loads(read_path(self.path, MAX_FILE_BYTES))
                    if isinstance(found, dict) and found.get("fingerprint") == FINGERPRINT:
                        self._kept = {k: v for k, v in found.get("verdicts", {}).items() if isinstance(v, dict)}
                except (InputError, ValueError):
                    pass  # missing, a link, too large or not JSON: nothing kept
        return self._kept

    def vet(self, text: str, allowed: Iterable[URIRef | str], origin: str,
            bindings: Mapping[str, Node] | None = None) -> VettedQuery:
        """The gate's verdict on ``text`` (with ``bindings`` bound as :func:`kg.query.sparqltext.bind`
        binds them), kept or read now.

        Raises:
            As :func:`kg.query.gate.vet` and :func:`kg.query.sparqltext.bind`.
        """
        allowed = list(allowed)
        if bindings:
            # The question's verdict and its reading with placeholder values are kept, not each value's
            # (the file would grow by the whole question with every value asked): a value costs our
            # lexer and rdflib's reading of the values' block alone.
            return bind(self.vet(text, allowed, origin), bindings, kept=self)
        key = _key(text)
        with self._lock:
            entry = self._entries().get(key)
        executed = _executed_text(text) if entry is not None else None
        if (entry is not None and executed is not None and entry.get("text") == executed
                and _plausible(entry, executed, allowed)):
            return _recalled(entry, executed, origin)
        verdict = vet(text, allowed, origin=origin)
        self._keep(key, verdict)
        return verdict

    def template(self, text: str, allowed: Iterable[URIRef | str],
                 origin: str) -> tuple[VettedQuery, frozenset[RowKey]]:
        """The gate's verdict on a question with placeholder values (:func:`kg.query.sparqltext.bind`),
        and the rows of its ``VALUES`` blocks as rdflib read them, kept or read now.

        Raises:
            As :func:`kg.query.gate.vet`.
        """
        allowed = list(allowed)
        key = _key(text)
        with self._lock:
            entry = self._entries().get(key)
        rows = _rows_kept(entry.get("rows")) if entry is not None else None
        executed = _executed_text(text) if rows is not None else None
        if (entry is not None and rows is not None and executed is not None and entry.get("text") == executed
                and _plausible(entry, executed, allowed)):
            return _recalled(entry, executed, origin), rows
        verdict = vet(text, allowed, origin=origin)
        rows = rows_of(verdict)
        self._keep(key, verdict, rows)
        return verdict, rows

    def _keep(self, key: str, verdict: VettedQuery, rows: frozenset[RowKey] | None = None) -> None:
        with self._lock:
            entries = self._entries()
            entries[key] = {"text": verdict.text, "kind": verdict.kind, "variables": list(verdict.variables),
                            "default": [str(g) for g in verdict.default_graphs],
                            "named": [str(g) for g in verdict.named_graphs]}
            if rows is not None:
                entries[key]["rows"] = sorted([list(pair) for pair in row] for row in rows)
            while len(entries) > MAX_KEPT:
                del entries[next(iter(entries))]
            if self.path is not None:
                _write(self.path, {"fingerprint": FINGERPRINT, "verdicts": entries})


def _plausible(entry: dict[str, Any], text: str, allowed: Iterable[URIRef | str]) -> bool:
    """Whether a kept verdict can be the gate's: a query kind, a dataset of allowed graphs only, and no
    ``SERVICE`` in the text's code (strings, IRIs and comments aside). A verdict the file holds that is
    not is read again by the gate (which refuses what must be refused): the file is data."""
    permitted = {str(g) for g in allowed}
    graphs = [*entry.get("default", ()), *entry.get("named", ())]
    return (entry.get("kind") in _KINDS and all(isinstance(g, str) and g in permitted for g in graphs)
            and not _SERVICE.search(code_of(text)))


def _rows_kept(found: object) -> frozenset[RowKey] | None:
    """The ``VALUES`` rows a kept template's entry holds (None: none kept, or not rows of names and
    terms in N3: the file is data, and such an entry is read again by the gate)."""
    if not isinstance(found, list):
        return None
    rows: set[RowKey] = set()
    for row in found:
        if not (isinstance(row, list) and all(isinstance(pair, list) and len(pair) == 2
                                               and all(isinstance(part, str) for part in pair) for pair in row)):
            return None
        rows.add(tuple((pair[0], pair[1]) for pair in row))
    return frozenset(rows)


def _recalled(entry: dict[str, Any], text: str, origin: str) -> VettedQuery:
    found = Recalled.__new__(Recalled)
    fields = {"text": text, "kind": cast(QueryKind, entry["kind"]),
              "variables": tuple(str(v) for v in entry.get("variables", ())),
              "default_graphs": tuple(URIRef(g) for g in entry.get("default", ())),
              "named_graphs": tuple(URIRef(g) for g in entry.get("named", ())), "origin": origin}
    for name, value in fields.items():
        object.__setattr__(found, name, value)
    object.__setattr__(found, "algebra", None)  # read from the text when asked for
    return found


def _write(path: Path, data: dict[str, Any]) -> None:
    """Write the file whole or not at all (a folder that cannot be written keeps no verdicts)."""
    try:
        handle, name = tempfile.mkstemp(prefix=".verdicts.", dir=path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out)
        os.replace(name, path)
    except OSError:
        return


_BY_FOLDER: dict[str, Verdicts] = {}
_BY_FOLDER_LOCK = threading.Lock()


def verdicts_for(graph: object) -> Verdicts:
    """The verdicts of a built graph's folder (a local build: :class:`kg.query.engine.BuiltGraph`), or of
    this process only (a remote store)."""
    path = getattr(graph, "path", None)
    return verdicts_in(path.parent if isinstance(path, Path) else None)


def verdicts_in(folder: Path | None) -> Verdicts:
    """The verdicts kept in a build folder (the build vets its checks through them), or of this process
    only (``None``, or a folder that is not there)."""
    folder = folder if folder is not None and folder.is_dir() else None
    name = str(folder) if folder is not None else ""
    with _BY_FOLDER_LOCK:
        found = _BY_FOLDER.get(name)
        if found is None:
            found = Verdicts(folder / FILE_NAME if folder is not None else None)
            _BY_FOLDER[name] = found
        return found


def vet_kept(graph: Any, text: str, origin: str, bindings: Mapping[str, Node] | None = None) -> VettedQuery:
    """:func:`kg.query.gate.vet` (then :func:`kg.query.sparqltext.bind`) of a project's own text for
    ``graph`` (the graphs ``FROM`` may name are its graphs), through the verdicts of its build folder."""
    return verdicts_for(graph).vet(text, graph.graph_names(), origin, bindings)
