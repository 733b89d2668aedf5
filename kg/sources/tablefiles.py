"""Reading tables: plain or gzipped CSV files of a source folder, and a row as an excerpt."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError
from kg.nogc import no_gc
from kg.sources.jail import gunzip, read_inside

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_DIPLO = "https://w3id.org/diplokg/ontology#"


def table_stem(path: Path) -> str:
    """The stem of a table's excerpt ids: its name without ``.csv`` or ``.csv.gz``."""
    name = path.name
    for suffix in (".csv.gz", ".csv"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def read_table_text(folder: Path, relative: str) -> str:
    """A table's text (gunzipped when its name ends in ``.gz``), read inside its source folder.

    Args:
        folder: The source folder.
        relative: The table's path in it, checked by :func:`kg.sources.jail.inside`.

    Raises:
        InputError: The file is not a regular file inside the folder, is over a cap (its size, or what
            it decompresses to), is not gzip or not UTF-8.
    """
    path = folder / relative
    data = read_inside(folder, relative)
    if path.name.endswith(".gz"):
        data = gunzip(data, path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", path=path) from None


def read_rows(folder: Path, relative: str) -> tuple[list[str], list[list[str]]]:
    """The header and data rows of a (gzipped) CSV table of a source folder; blank rows are left out.

    Raises:
        InputError: Unreadable (see :func:`read_table_text`), not valid CSV, empty, or a row with more
            or fewer cells than the header.
    """
    path = folder / relative
    text = read_table_text(folder, relative)
    try:
        with no_gc():  # lists of strings: 2.1 s of processor time for the votes with the collector, 0.85 s without
            rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise InputError(f"invalid CSV: {exc}", path=path) from None
    del text
    if not rows:
        raise InputError("empty table: a header row is needed", path=path)
    header = rows[0]
    width = len(header)
    body = []
    for line, row in enumerate(rows[1:], 2):
        if len(row) == width and row[0] and not row[0].isspace():  # (the usual row, checked cheaply)
            body.append(row)
        elif not "".join(row).strip():  # a blank row: every cell empty or white space
            continue
        elif len(row) != width:
            raise InputError(f"row has {len(row)} cells, the header has {width}", path=path, line=line)
        else:
            body.append(row)
    return header, body


def excerpt_lines(base: str, rid: str, position: int, header: list[str], row: list[str]) -> Iterator[str]:
    """The N-Triples of one row as an excerpt: the same triples :func:`kg.sources.folder.excerpt_rows`
    gives a plain table's row (its text ``column: value; ...``, its ``source_url`` as address)."""
    node = f"<{base}{rid}>"
    text = "; ".join(f"{h}: {v}" for h, v in zip(header, row) if v)
    yield f"{node} <{_RDF_TYPE}> <{_DIPLO}TableRow> .\n"
    yield f"{node} <http://purl.org/dc/terms/isPartOf> <{base}> .\n"
    yield f'{node} <{_DIPLO}position> "{position}"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
    yield f"{node} <{_DIPLO}text> {ox.Literal(text)} .\n"
    if "source_url" in header and (address := row[header.index("source_url")]):
        yield f"{node} <{_DIPLO}sourceAddress> {ox.Literal(address)} .\n"
