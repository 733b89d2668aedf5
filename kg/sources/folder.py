"""Source folders: one folder per source under ``sources/``, each loaded into its own named graph.

A source folder holds:

- ``source.ttl`` (required): the source itself, as ``<>`` (a ``diplo:Source``: title, date, ...);
- ``text.txt`` (optional): the source's text, cut by the loader into sentences ``<s01>``, ``<s02>`` ...
  in reading order (one per heading or sentence);
- ``*.csv`` (optional): tables, each row an excerpt ``<FILE-r01>`` ... (``FILE`` the file's stem);
- any other ``*.ttl`` file: the facts, written in Turtle by an analyst;
- ``mapping.toml`` (optional): large tables (plain or gzipped CSV) mapped to triples by declared
  templates and look-up tables, rather than one excerpt per row (:mod:`kg.sources.tables`).

Relative IRIs in the Turtle files resolve against the source's base IRI, so ``<s05>`` is sentence 5 of
this source and ``<closure-UGA>`` a fact of this source. Adding a folder needs no code change.
"""

from __future__ import annotations

import codecs
import csv
import fnmatch
import hashlib
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from kg.errors import InputError
from kg.namespaces import DIPLO, source_base
from kg.sources.jail import check_tree, read_path, refuse_kind
from kg.sources.tables import mapped_lines
from kg.sources.turtlesyntax import explain as explain_unfinished
from kg.terms import triples_to_rdflib

_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"‘'(])")
_SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class SourceFolder:
    """One source folder.

    Attributes:
        id: The folder's name, used in the source's IRIs and graph name.
        path: The folder.
    """

    id: str
    path: Path

    @property
    def base(self) -> str:
        """The base IRI of the source (the source's own IRI)."""
        return source_base(self.id)


#: The files a source folder's loader reads (a folder holding any of them needs ``source.ttl``).
_DATA_FILES = ("*.ttl", "*.csv", "text.txt")


def _regular_entries(folder: Path) -> list[os.DirEntry[str]]:
    """The entries of a folder, sorted by name, each looked at with ``lstat`` (never opened or followed):
    anything but a regular file or a folder is refused."""
    with os.scandir(folder) as entries:
        found = sorted(entries, key=lambda e: e.name)
    for entry in found:
        refuse_kind(entry.stat(follow_symlinks=False).st_mode, entry.path)
    return found


def discover(sources_dir: Path) -> list[SourceFolder]:
    """List the source folders (those holding ``source.ttl``), sorted by name.

    Every folder under ``sources/`` is checked whole first (:func:`kg.sources.jail.check_tree`): nothing
    the build reads later can be a link, a FIFO, a device or too large.

    Raises:
        InputError: A folder name is not a lowercase slug; a symbolic link, FIFO, socket or device in
            ``sources/`` or anywhere below a folder of it; a file over the cap; a folder with data files
            but no ``source.ttl``.
    """
    if not sources_dir.is_dir():
        raise InputError("the sources folder is missing", path=sources_dir)
    found = []
    for entry in _regular_entries(sources_dir):
        if not entry.is_dir(follow_symlinks=False):
            continue
        folder = Path(entry.path)
        check_tree(folder)
        names = {e.name for e in _regular_entries(folder) if e.is_file(follow_symlinks=False)}
        if "source.ttl" not in names:
            data = sorted(n for n in names if any(fnmatch.fnmatchcase(n, p) for p in _DATA_FILES))
            if data:
                raise InputError(f"holds data ({', '.join(data)}) but no source.ttl describing the source",
                                 path=folder)
            continue
        if not _SOURCE_ID.match(folder.name):
            raise InputError(
                "a source folder's name must be lowercase letters, digits and hyphens", path=folder
            )
        found.append(SourceFolder(folder.name, folder))
    return found


def split_sentences(text: str) -> list[str]:
    """Cut a text into headings and sentences, in reading order.

    Every line is a paragraph or heading; a paragraph is cut after ``.``, ``!`` or ``?`` followed by
    a space and a capital, digit or opening quote.
    """
    sentences: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            sentences.extend(part.strip() for part in _SENTENCE_BREAK.split(line) if part.strip())
    return sentences


def _ids(prefix: str, count: int) -> Iterator[str]:
    width = max(2, len(str(count)))
    for n in range(1, count + 1):
        yield f"{prefix}{n:0{width}d}"


def turtle_error(path: Path, exc: SyntaxError, data: bytes | None = None) -> InputError:
    """Our error for a Turtle syntax error of pyoxigraph: the file, the line, and what is wrong; given the
    file's ``data``, a statement or bracket left unfinished is named by the line where it began."""
    message = str(exc).split(" (", 1)[0] if "(" in str(exc) else str(exc)
    message = re.sub(r"^Parser error (at|between) ", "", message)
    line = exc.lineno
    if data is not None:
        line, message = explain_unfinished(data, exc, message)
    return InputError(f"invalid Turtle: {message}", path=path, line=line)


def token_error(path: Path, exc: MemoryError) -> InputError:
    """Our error for a Turtle token longer than pyoxigraph's buffer (16 MiB)."""
    limit = re.search(r"\d+", str(exc))
    size = f"{int(limit.group()) // (1024 * 1024)} MiB" if limit else "the parser's buffer"
    return InputError(f"invalid Turtle: a token (a string or IRI) is longer than {size}", path=path)


def blank_prefix(path: Path, base: str) -> str:
    """The prefix of the stable blank-node labels of one Turtle file (then a counter, in order of
    first appearance)."""
    return "b" + hashlib.sha256(f"{base}|{path.name}".encode()).hexdigest()[:10] + "x"


def read_text(path: Path) -> str:
    """A file's text, as UTF-8.

    Raises:
        InputError: The file is not UTF-8.
    """
    return _read_text(path)


def excerpt_rows(table: Path) -> list[tuple[str, int, str, str | None]]:
    """The data rows of a table as excerpts: (local id, position, text, source address or None).

    Raises:
        InputError: The table is not valid CSV, is empty, or a row's length differs from the header's.
    """
    text = _read_text(table)
    lines = text.splitlines()
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise InputError(f"invalid CSV: {exc}", path=table) from None
    if not rows:
        raise InputError("empty table: a header row is needed", path=table)
    header, body = rows[0], [r for r in rows[1:] if any(cell.strip() for cell in r)]
    found: list[tuple[str, int, str, str | None]] = []
    for position, (rid, row) in enumerate(zip(_ids(f"{table.stem}-r", len(body)), body), 1):
        if len(row) != len(header):
            line = next((n for n, raw in enumerate(lines, 1) if raw and row[0] in raw), None)
            raise InputError(
                f"row {position} has {len(row)} cells, the header has {len(header)}", path=table, line=line
            )
        address = row[header.index("source_url")] if "source_url" in header else ""
        text_of_row = "; ".join(f"{h}: {v}" for h, v in zip(header, row) if v)
        found.append((rid, position, text_of_row, address or None))
    return found


def sentence_ids(sentences: list[str]) -> list[str]:
    """The local ids of a text's sentences: ``s01``, ``s02`` ... (wider when there are 100 or more)."""
    return list(_ids("s", len(sentences)))


def parse_turtle(path: Path, base: str) -> Graph:
    """Parse one Turtle file strictly (with pyoxigraph), relative IRIs against ``base``.

    Raises:
        InputError: The file is not valid Turtle; the message names the line and what is wrong.
    """
    data = read_regular(path)
    try:
        triples = list(ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=base))
    except SyntaxError as exc:
        raise turtle_error(path, exc, data) from None
    except MemoryError as exc:  # pyoxigraph: "Reached the buffer maximal size of 16777216"
        raise token_error(path, exc) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", path=path) from None
    # Blank nodes get labels from their file and order of appearance, so the same input gives the
    # same labels (and the same built bytes) every time.
    prefix = blank_prefix(path, base)
    labels: dict[str, BNode] = {}

    def stable(term: Node) -> Node:
        if isinstance(term, BNode):
            return labels.setdefault(str(term), BNode(f"{prefix}{len(labels)}"))
        return term

    g = Graph()
    for s, p, o in triples_to_rdflib(triples):
        g.add((stable(s), p, stable(o)))
    return g


def read_regular(path: Path) -> bytes:
    """A regular file's bytes, a leading UTF-8 byte-order mark left out. The file is opened without
    following a symbolic link and without blocking, so a link or a FIFO put in place of a file is
    refused, never read (and never waited on); a file over :data:`kg.sources.jail.MAX_FILE_BYTES` is
    refused.

    Raises:
        InputError: The file is missing or unreadable, is not a regular file, or is over the cap.
    """
    data = read_path(path)
    return data[3:] if data.startswith(codecs.BOM_UTF8) else data


def _read_text(path: Path) -> str:
    try:
        return read_regular(path).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", path=path) from None


def load_source(folder: SourceFolder) -> Graph:
    """Load one source folder into a graph: its description, excerpts and facts.

    Raises:
        InputError: A file is unreadable or malformed, or ``source.ttl`` does not describe ``<>``.
    """
    base = folder.base
    me = URIRef(base)
    g = Graph()
    for ttl in sorted(folder.path.glob("*.ttl")):
        g += parse_turtle(ttl, base)
    if (me, RDF.type, None) not in g:
        raise InputError(
            "source.ttl must describe the source itself as <> with a type such as diplo:NewsArticle",
            path=folder.path / "source.ttl",
        )
    text_file = folder.path / "text.txt"
    if text_file.is_file():
        sentences = split_sentences(_read_text(text_file))
        for position, (sid, sentence) in enumerate(zip(_ids("s", len(sentences)), sentences), 1):
            node = URIRef(base + sid)
            g.add((node, RDF.type, DIPLO.Sentence))
            g.add((node, DCTERMS.isPartOf, me))
            g.add((node, DIPLO.position, Literal(position)))
            g.add((node, DIPLO.text, Literal(sentence)))
    for table in sorted(folder.path.glob("*.csv")):
        _add_table(g, table, me, base)
    mapped = "".join(mapped_lines(folder.path, base))
    if mapped:
        g.parse(data=mapped, format="nt")
    return g


def _add_table(g: Graph, table: Path, source: URIRef, base: str) -> None:
    for rid, position, text, address in excerpt_rows(table):
        node = URIRef(base + rid)
        g.add((node, RDF.type, DIPLO.TableRow))
        g.add((node, DCTERMS.isPartOf, source))
        g.add((node, DIPLO.position, Literal(position)))
        g.add((node, DIPLO.text, Literal(text)))
        if address:
            g.add((node, DIPLO.sourceAddress, Literal(address)))
