"""Rows for Python: a small table of typed values, without pandas.

A :class:`Table` is a sequence of :class:`Row`; a row is a read-only mapping from column name to a
Python value (:func:`kg.api.values.python_value`: dates as :class:`datetime.date`, numbers as ``int`` or
``float``, IRIs as :class:`rdflib.URIRef`, unbound as ``None``) with its :attr:`Row.evidence`.

A question's answer (:meth:`kg.api.Build.ask`) gives one row per distinct answer, its evidence apart: the
library's questions return the evidence as the columns ``source``, ``sentence``, ``modality`` (and a table
row's ``address``), one answer row per piece of evidence; here those columns become :class:`Evidence`
items of the row they back, in the order the answer gives them. ``to_csv(evidence=True)`` writes them
back as columns, one line per piece of evidence (the shape of ``diplokg ask --format csv``).
"""

from __future__ import annotations

import csv
import datetime
import html
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, overload

from rdflib.term import Node

from kg.query.engine import Answer
from kg.query.excerpts import readable
from kg.query.library import EVIDENCE_COLUMNS, EVIDENCE_DETAIL_COLUMNS
from kg.store.files import write_atomic

from .values import Value, python_value

__all__ = ["EVIDENCE_FIELDS", "Evidence", "Row", "Table", "answer_table", "question_table"]

#: The evidence's columns, as a question returns them and ``to_csv(evidence=True)`` writes them.
EVIDENCE_FIELDS: tuple[str, ...] = (*EVIDENCE_COLUMNS, *EVIDENCE_DETAIL_COLUMNS)


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence behind a row: what a source says, and how.

    Attributes:
        source: The source's title.
        sentence: The sentence, or a table row's text (``header: value; ...``), as the source gives it.
        modality: How the source says it (``reported``, ``claimed``, ``predicted``, ``estimated``), or
            empty where only an entity cites the text.
        address: Where a table row was published, when the question gives it.
    """

    source: str
    sentence: str
    modality: str = ""
    address: str = ""

    @property
    def text(self) -> str:
        """The evidence for a reader: a sentence as it is, a table row as its cells (as ``diplokg ask`` shows it)."""
        return readable(self.sentence).text


class Row(Mapping[str, Value]):
    """One row: a read-only mapping from column name to value, in the table's column order.

    Attributes:
        evidence: The evidence behind the row (empty for rows that have none, such as the alignment's).
    """

    __slots__ = ("_index", "_values", "evidence")

    def __init__(self, index: Mapping[str, int], values: Sequence[Value], evidence: Sequence[Evidence] = ()) -> None:
        self._index = index
        self._values = tuple(values)
        self.evidence: tuple[Evidence, ...] = tuple(evidence)

    def __getitem__(self, column: str) -> Value:
        return self._values[self._index[column]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._values)

    @property
    def values_tuple(self) -> tuple[Value, ...]:
        """The row's values in column order."""
        return self._values

    def __repr__(self) -> str:
        cells = ", ".join(f"{k}={v!r}" for k, v in zip(self._index, self._values))
        more = f", evidence={len(self.evidence)}" if self.evidence else ""
        return f"Row({cells}{more})"


def _text(value: Value) -> str:
    """A value as a CSV cell: empty for unbound, ISO 8601 for dates, ``true``/``false``, else ``str``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


class Table(Sequence[Row]):
    """Rows of typed values under named columns: a sequence of :class:`Row`.

    Args:
        columns: The column names, in order.
        rows: Each row's values (in column order) and its evidence.
    """

    def __init__(self, columns: Sequence[str], rows: Iterable[tuple[Sequence[Value], Sequence[Evidence]]] = ()) -> None:
        self.columns: tuple[str, ...] = tuple(columns)
        self._index = {name: i for i, name in enumerate(self.columns)}
        self._rows = [Row(self._index, values, evidence) for values, evidence in rows]

    @overload
    def __getitem__(self, item: int) -> Row: ...

    @overload
    def __getitem__(self, item: slice) -> Table: ...

    def __getitem__(self, item: int | slice) -> Row | Table:
        if isinstance(item, slice):
            return Table(self.columns, ((r.values_tuple, r.evidence) for r in self._rows[item]))
        return self._rows[item]

    def __len__(self) -> int:
        return len(self._rows)

    def column(self, name: str) -> list[Value]:
        """Every row's value in one column.

        Raises:
            KeyError: No such column.
        """
        at = self._index[name]
        return [r.values_tuple[at] for r in self._rows]

    def to_records(self, evidence: bool = False) -> list[dict[str, Any]]:
        """The rows as dictionaries (column name to value); with ``evidence``, each also holds an
        ``evidence`` list of dictionaries (source, sentence, modality, address)."""
        records: list[dict[str, Any]] = []
        for row in self._rows:
            record: dict[str, Any] = dict(zip(self.columns, row.values_tuple))
            if evidence:
                record["evidence"] = [asdict(e) for e in row.evidence]
            records.append(record)
        return records

    def to_csv(self, path: str | Path | None = None, evidence: bool = False) -> str:
        """The rows as CSV (a header line, then a line per row; values as in :func:`_text`).

        Args:
            path: Also write the CSV to this file (atomically).
            evidence: Add the evidence's columns (source, sentence, modality, address): a row is then
                written once per piece of its evidence, as a question's answer gives it.

        Returns:
            The CSV text.
        """
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([*self.columns, *(EVIDENCE_FIELDS if evidence else ())])
        for row in self._rows:
            cells = [_text(v) for v in row.values_tuple]
            if not evidence:
                writer.writerow(cells)
                continue
            for item in row.evidence or (Evidence("", ""),):
                writer.writerow([*cells, item.source, item.sentence, item.modality, item.address])
        text = out.getvalue()
        if path is not None:
            write_atomic(Path(path), text.encode("utf-8"))
        return text

    def __repr__(self) -> str:
        shown = "\n".join(f"  {r!r}" for r in self._rows[:5])
        more = f"\n  ... ({len(self._rows) - 5} more)" if len(self._rows) > 5 else ""
        head = f"Table({len(self._rows)} rows; columns: {', '.join(self.columns)})"
        return head + (f"\n{shown}{more}" if shown else "")

    def _repr_html_(self, limit: int = 50) -> str:
        """The first ``limit`` rows as an HTML table, every cell escaped (for notebooks)."""
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(_text(v))}</td>" for v in r.values_tuple) + "</tr>"
            for r in self._rows[:limit]
        )
        more = f"<p>{len(self._rows) - limit} more rows</p>" if len(self._rows) > limit else ""
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def answer_table(answer: Answer) -> Table:
    """A SELECT's answer as it is: every column, one row per solution, no evidence set apart."""
    return Table(answer.variables, ((tuple(python_value(t) for t in row), ()) for row in answer.rows))


def question_table(answer: Answer) -> Table:
    """A question's answer: one row per distinct answer (the columns but the evidence's), in the order of
    their first solution, each with its evidence (see the module's docstring). An answer without a
    ``sentence`` column is given as it is (:func:`answer_table`)."""
    variables = answer.variables
    if "sentence" not in variables:
        return answer_table(answer)
    where = {name: variables.index(name) for name in EVIDENCE_FIELDS if name in variables}
    keep = [i for i, name in enumerate(variables) if name not in where]
    grouped: dict[tuple[Node | None, ...], list[Evidence]] = {}
    for row in answer.rows:
        evidence = grouped.setdefault(tuple(row[i] for i in keep), [])
        cells = {name: "" if row[i] is None else str(row[i]) for name, i in where.items()}
        if not cells.get("sentence"):
            continue  # a row that counts (the votes of evidence-for) quotes no sentence
        item = Evidence(cells.get("source", ""), cells["sentence"], cells.get("modality", ""), cells.get("address", ""))
        if item not in evidence:
            evidence.append(item)
    return Table(
        tuple(variables[i] for i in keep),
        ((tuple(python_value(t) for t in key), evidence) for key, evidence in grouped.items()),
    )
