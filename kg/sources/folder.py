"""Source folders: one folder per source under ``sources/``, each loaded into its own named graph.

A source folder holds:

- ``source.ttl`` (required): the source itself, as ``<>`` (a ``diplo:Source``: title, date, ...);
- ``text.txt`` (optional): the source's text, cut by the loader into sentences ``<s01>``, ``<s02>`` ...
  in reading order (one per heading or sentence);
- ``*.csv`` (optional): tables, each row an excerpt ``<FILE-r01>`` ... (``FILE`` the file's stem);
- any other ``*.ttl`` file: the facts, written in Turtle by an analyst.

Relative IRIs in the Turtle files resolve against the source's base IRI, so ``<s05>`` is sentence 5 of
this source and ``<closure-UGA>`` a fact of this source. Adding a folder needs no code change.
"""

from __future__ import annotations

import csv
import hashlib
import io
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


def discover(sources_dir: Path) -> list[SourceFolder]:
    """List the source folders (those holding ``source.ttl``), sorted by name.

    Raises:
        InputError: A folder name is not a lowercase slug.
    """
    if not sources_dir.is_dir():
        raise InputError("the sources folder is missing", path=sources_dir)
    found = []
    for folder in sorted(p for p in sources_dir.iterdir() if p.is_dir()):
        if not (folder / "source.ttl").is_file():
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


def turtle_error(path: Path, exc: SyntaxError) -> InputError:
    """Our error for a Turtle syntax error of pyoxigraph: the file, the line, and what is wrong."""
    message = str(exc).split(" (", 1)[0] if "(" in str(exc) else str(exc)
    message = re.sub(r"^Parser error (at|between) ", "", message)
    return InputError(f"invalid Turtle: {message}", path=path, line=exc.lineno)


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
    try:
        data = path.read_bytes()
        triples = list(ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=base))
    except SyntaxError as exc:
        raise turtle_error(path, exc) from None
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


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
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
