"""The derived alignment kept beside the build as a table: ``build/alignment.csv``.

The build measures every state's agreement with China and Russia per year and writes it into the
derived graph (:mod:`kg.alignment.derive`). Reading those 123,000 quads back from the on-disk store
costs about 1.5 s (a pattern read walks RocksDB at some 12 µs a quad), most of what ``diplokg
alignment`` spent. So the build also writes the same measures as a CSV file beside ``diplokg.nq``, one
row per state, anchor and year, in the graph's own lexical forms (:data:`COLUMNS`):

``state``, ``anchor`` (codes), ``year``, ``agreement``, ``agreementPoints``, ``rollCalls``, ``scottsPi``
(empty when undefined), ``coverage`` (``all`` or ``selected``), ``rank`` (empty when flagged), and
``stateIRI`` (the member's node in the graph).

A stamp file beside it (``alignment.csv.stamp``) names the built file it mirrors (its name, size and
modification time, as the on-disk store's stamp does: :func:`kg.store.files.fresh_disk_store`) and the
SHA-256 of the table. The table is used only while both hold; otherwise the measures are read from the
graph, as before. The file is read as data from a hostile folder (:func:`kg.sources.jail.read_path`: a
regular file only, never through a link, capped at :data:`MAX_FILE_BYTES`), then parsed strictly:
a row that is not what the build writes refuses the whole file (:class:`KeptRefused`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError

#: The table's file name in the build folder, and its stamp's.
FILE_NAME = "alignment.csv"
STAMP_NAME = "alignment.csv.stamp"
#: The table's columns, in order.
COLUMNS = ("state", "anchor", "year", "agreement", "agreementPoints", "rollCalls", "scottsPi", "coverage",
           "rank", "stateIRI")
#: The largest table read (the world's is about 1.5 MB: 34,000 rows of 1946-2025).
MAX_FILE_BYTES = 64 * 1024 * 1024
#: The largest stamp read.
MAX_STAMP_BYTES = 1024

_ONTOLOGY = "https://w3id.org/diplokg/ontology#"
_AGREEMENT = "https://w3id.org/diplokg/id/agreement/"
_PROPERTIES = {f"<{_ONTOLOGY}{name}>": name for name in
               ("state", "anchor", "year", "agreement", "agreementPoints", "rollCalls", "scottsPi", "coverage",
                "rank")}
_COVERAGE = {f"{_ONTOLOGY}AllRecordedVotes": "all", f"{_ONTOLOGY}SelectedVotes": "selected"}
_CODE = re.compile(r"[A-Za-z0-9-]{2,64}")
_YEAR = re.compile(r"[0-9]{4}")
_COUNT = re.compile(r"[1-9][0-9]{0,6}")
_DECIMAL = re.compile(r"-?[0-9]{1,7}(\.[0-9]{1,4})?")
_IRI = re.compile(r"https://w3id\.org/diplokg/id/[A-Za-z0-9/_.-]{1,200}")


class KeptRefused(InputError):
    """The kept table is there but cannot be the build's (a link, too large, altered, malformed)."""


@dataclass(frozen=True)
class KeptMeasure:
    """One row of the kept table, in the derived graph's lexical forms.

    Attributes:
        state: The member's IRI.
        anchor: The anchor's code (``CHN``).
        year: The calendar year.
        roll_calls: The roll calls both voted on.
        points: The agreement points (``71.0``), as the graph writes them.
        pi: Scott's pi as the graph writes it (``0.6247``), or None when undefined.
    """

    state: str
    anchor: str
    year: int
    roll_calls: int
    points: str
    pi: str | None


def _literal(text: str) -> str:
    """The value of an N-Triples object: an IRI's text, or a literal's lexical form."""
    if text.startswith("<"):
        return text[1:-1]
    return text[1:text.index('"', 1)]


def table_from_nquads(data: bytes) -> bytes:
    """The kept table (CSV bytes) of the derived graph's N-Quads (what
    :func:`kg.alignment.derive.append_alignment` returns): empty when it holds no measure."""
    fields: dict[str, dict[str, str]] = {}
    for line in data.decode("utf-8").splitlines():
        subject, predicate, rest = line.split(" ", 2)
        name = _PROPERTIES.get(predicate)
        if name is None or not subject.startswith(f"<{_AGREEMENT}"):
            continue
        obj = rest[: rest.rindex(" <")]  # the object, without the graph and the final " ."
        fields.setdefault(subject, {})[name] = _literal(obj)
    if not fields:
        return b""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    rows = []
    for found in fields.values():
        state, anchor = found["state"], found["anchor"]
        rows.append((_code(state), _code(anchor), found["year"][:4], found["agreement"], found["agreementPoints"],
                     found["rollCalls"], found.get("scottsPi", ""), _COVERAGE[found["coverage"]],
                     found.get("rank", ""), state))
    rows.sort(key=lambda r: (r[2], r[1], r[0], r[9]))
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _code(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _stamp(nquads: Path, table: bytes) -> bytes:
    from kg.store.files import stamp_of

    return (stamp_of(nquads) + f"sha256 {hashlib.sha256(table).hexdigest()}\n").encode("ascii")


def write_kept(nquads: Path, table: bytes) -> None:
    """Write the kept table beside ``nquads`` (already in place) with its stamp, each file atomically;
    an empty table removes them (a build without votes)."""
    from kg.store.files import write_atomic

    if not table:
        remove_kept(nquads)
        return
    (nquads.parent / STAMP_NAME).unlink(missing_ok=True)  # no moment where an old stamp vouches for it
    write_atomic(nquads.parent / FILE_NAME, table)
    write_atomic(nquads.parent / STAMP_NAME, _stamp(nquads, table))


def remove_kept(nquads: Path) -> None:
    """Remove the kept table and its stamp, if any."""
    for name in (STAMP_NAME, FILE_NAME):
        (nquads.parent / name).unlink(missing_ok=True)


def carried_table(nquads: Path) -> bytes | None:
    """The kept table, if it mirrors ``nquads`` now: for a rebuild that keeps the derived graph as it is
    (:mod:`kg.build.cached`), to stamp again with :func:`write_kept` once the new file is in place."""
    try:
        return _fresh_bytes(nquads)
    except InputError:
        return None


def _fresh_bytes(nquads: Path) -> bytes | None:
    """The table's bytes when its stamp matches ``nquads`` and the table, None when it is missing or stale.

    Raises:
        KeptRefused: The stamp or the table is a link or not a regular file, too large, or the table is
            not the one the stamp names.
    """
    from kg.store.files import stamp_of

    folder = nquads.parent
    stamp_path, table_path = folder / STAMP_NAME, folder / FILE_NAME
    if not os.path.lexists(stamp_path) or not os.path.lexists(table_path):
        return None
    stamp = _read(stamp_path, MAX_STAMP_BYTES)
    lines = stamp.decode("ascii", errors="replace").split("\n")
    try:
        current = stamp_of(nquads)
    except OSError:
        return None
    if len(lines) != 3 or lines[0] + "\n" != current:
        return None  # another build's (or a malformed stamp): not this one's
    table = _read(table_path, MAX_FILE_BYTES)
    if lines[1] != f"sha256 {hashlib.sha256(table).hexdigest()}":
        raise KeptRefused("ignored: it is not the table the build wrote (its SHA-256 differs from its stamp's)",
                          path=table_path)
    return table


def _read(path: Path, cap: int) -> bytes:
    """A file of the build folder read as :func:`kg.sources.jail.read_path` reads a source's.

    Raises:
        KeptRefused: A link, not a regular file, larger than ``cap``, or unreadable (saying which).
    """
    from kg.sources.jail import read_path, size_text

    try:
        return read_path(path, cap)
    except InputError:
        try:
            info = os.lstat(path)
        except OSError as exc:
            why = f"cannot read it ({exc.strerror})"
        else:
            if stat.S_ISLNK(info.st_mode):
                why = "it is a symbolic link (the build writes a regular file)"
            elif not stat.S_ISREG(info.st_mode):
                why = "it is not a regular file"
            elif info.st_size > cap:
                why = f"{size_text(info.st_size)} is over the cap of {size_text(cap)}"
            else:
                why = "cannot read it"
        raise KeptRefused(f"ignored: {why}", path=path) from None


def read_kept(nquads: Path) -> list[KeptMeasure] | None:
    """The measures of the kept table beside ``nquads``, or None when there is none that mirrors it.

    Raises:
        KeptRefused: A table is there for this build but cannot be read as the build wrote it (a link,
            too large, altered, a malformed row): the measures are then read from the graph.
    """
    table = _fresh_bytes(nquads)
    if table is None:
        return None
    return parse_table(table, nquads.parent / FILE_NAME)


def parse_table(table: bytes, path: Path) -> list[KeptMeasure]:
    """The rows of a kept table, parsed strictly.

    Raises:
        KeptRefused: Not UTF-8, another header, or a row that is not one the build writes (naming its line).
    """
    try:
        text = table.decode("utf-8")
    except UnicodeDecodeError:
        raise KeptRefused("ignored: not UTF-8", path=path) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    found: list[KeptMeasure] = []
    try:
        header = next(reader, None)
        if header is None or tuple(header) != COLUMNS:
            raise KeptRefused(f"ignored: its header is not {','.join(COLUMNS)}", path=path, line=1)
        for row in reader:
            found.append(_measure(row, path, reader.line_num))
    except csv.Error as exc:
        raise KeptRefused(f"ignored: not CSV ({exc})", path=path, line=reader.line_num) from None
    return found


def _measure(row: Sequence[str], path: Path, line: int) -> KeptMeasure:
    if len(row) != len(COLUMNS):
        raise KeptRefused(f"ignored: {len(row)} fields where the build writes {len(COLUMNS)}", path=path, line=line)
    state, anchor, year, agreement, points, calls, pi, coverage, rank, iri = row
    valid = (_CODE.fullmatch(state) and _CODE.fullmatch(anchor) and _YEAR.fullmatch(year)
             and _DECIMAL.fullmatch(agreement) and _DECIMAL.fullmatch(points) and _COUNT.fullmatch(calls)
             and (pi == "" or _DECIMAL.fullmatch(pi)) and coverage in ("all", "selected")
             and (rank == "" or _COUNT.fullmatch(rank)) and _IRI.fullmatch(iri) and _code(iri) == state)
    if not valid:
        raise KeptRefused("ignored: a row the build does not write", path=path, line=line)
    return KeptMeasure(iri, anchor, int(year), int(calls), points, pi or None)


def select(measures: Iterable[KeptMeasure], anchors: Sequence[str], years: set[int] | None) -> list[KeptMeasure]:
    """The measures of the anchors (codes) and years (None: every year) asked."""
    wanted = set(anchors)
    return [m for m in measures if m.anchor in wanted and (years is None or m.year in years)]


__all__ = [
    "COLUMNS",
    "FILE_NAME",
    "STAMP_NAME",
    "KeptMeasure",
    "KeptRefused",
    "carried_table",
    "parse_table",
    "read_kept",
    "remove_kept",
    "select",
    "table_from_nquads",
    "write_kept",
]
