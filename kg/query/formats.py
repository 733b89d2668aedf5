"""Writing answers: a readable table for people, and the SPARQL 1.1 results formats for programs."""

from __future__ import annotations

import io
import shutil
from collections.abc import Sequence
from typing import Literal as TypingLiteral

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from kg.query.engine import Answer
from kg.terms import to_oxigraph

Format = TypingLiteral["table", "csv", "tsv", "json", "xml"]
FORMATS: tuple[Format, ...] = ("table", "csv", "tsv", "json", "xml")

#: Prefixes used to shorten IRIs in tables (and bound in Turtle output).
PREFIXES: dict[str, str] = {
    "diplo": "https://w3id.org/diplokg/ontology#",
    "iso": "https://w3id.org/diplokg/id/iso3166/",
    "region": "https://w3id.org/diplokg/id/region/",
    "mission": "https://w3id.org/diplokg/id/mission/",
    "person": "https://w3id.org/diplokg/id/person/",
    "agent": "https://w3id.org/diplokg/id/agent/",
    "commodity": "https://w3id.org/diplokg/id/commodity/",
    "src": "https://w3id.org/diplokg/id/source/",
    "graph": "https://w3id.org/diplokg/graph/",
    "prov": "http://www.w3.org/ns/prov#",
    "time": "http://www.w3.org/2006/time#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
}


def short(term: Node | None) -> str:
    """A term as a person reads it: a prefixed name, a literal's text, or empty when unbound."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        text = str(term)
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if text.startswith(ns) and len(text) > len(ns):
                return f"{prefix}:{text[len(ns):]}"
        return f"<{text}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


#: Column rules for terminal tables: "a | b" between columns, "--+--" under the header, no edges.
_BOX = box.Box("    \n  | \n -+ \n  | \n -+ \n -+ \n  | \n    \n", ascii=True)
#: A column is never made narrower than this (or its header, if shorter).
_MIN_COLUMN = 8


def is_address(cell: str) -> bool:
    """Whether a cell is a web address (or an IRI in angle brackets): such cells are never cut."""
    return cell.startswith(("http://", "https://", "<http://", "<https://"))


#: A column the terminal table shows is at least this wide (or its widest cell, if narrower).
READABLE_COLUMN = 12


def columns_that_fit(
    variables: Sequence[str], rows: Sequence[Sequence[str]], total: int, always: Sequence[str] = ()
) -> list[int]:
    """The indices of the columns a terminal table of width ``total`` shows readably.

    Columns are taken in the question's order (its most telling first) as long as each can have at least
    :data:`READABLE_COLUMN` characters (or its widest cell, or its header, if that is less); the
    columns named in ``always`` (the evidence references) are kept whatever the width. The others
    are left to ``--format csv`` or ``json``.
    """
    def need(i: int) -> int:
        natural = max([cell_len(variables[i])] + [cell_len(r[i]) for r in rows])
        if any(is_address(r[i]) for r in rows):
            return natural
        return min(natural, max(READABLE_COLUMN, min(cell_len(variables[i]), READABLE_COLUMN + 2)))

    fixed = [i for i, v in enumerate(variables) if v in always]
    used = sum(need(i) + 3 for i in fixed)
    kept: list[int] = []
    for i in range(len(variables)):
        if i in fixed:
            continue
        if used + need(i) + 3 > total + 3:
            break
        kept.append(i)
        used += need(i) + 3
    return sorted(kept + fixed)


def column_widths(variables: Sequence[str], rows: Sequence[Sequence[str]], total: int) -> list[int]:
    """The width of each column so that a row fits ``total`` characters on one line.

    Each column starts at its widest cell (headers included) and the widest columns give way first,
    down to their header's width (or 8), then, if need be, to 3; columns holding web addresses keep
    their full width, so an address is never cut. Only an address wider than ``total`` makes the
    table wider.
    """
    natural = [max([cell_len(v)] + [cell_len(r[i]) for r in rows]) for i, v in enumerate(variables)]
    fixed = [any(is_address(r[i]) for r in rows) for i in range(len(variables))]
    widths = list(natural)
    budget = total - 3 * (len(variables) - 1)
    # First down to each header's width (or 8); if that is not enough, down to 3 (headers then end
    # in an ellipsis too).
    for floor in (
        [w if f else min(w, max(cell_len(v), _MIN_COLUMN)) for w, f, v in zip(natural, fixed, variables)],
        [w if f else min(w, 3) for w, f in zip(natural, fixed)],
    ):
        excess = sum(widths) - budget
        while excess > 0:
            shrinkable = [i for i in range(len(widths)) if widths[i] > floor[i]]
            if not shrinkable:
                break
            widest = max(shrinkable, key=lambda i: widths[i])
            others = [widths[i] for i in shrinkable if i != widest]
            step = min(excess, widths[widest] - floor[widest], max(1, widths[widest] - max(others, default=0)))
            widths[widest] -= step
            excess -= step
    return widths


def table(variables: Sequence[str], rows: Sequence[Sequence[str]], width: int | None = None) -> str:
    """Lay out rows as a plain-text table for a terminal: one line per row, never wrapped.

    Cells too long for their column end in an ellipsis (the full values are in the csv and json
    formats); headers are never cut, and neither are web addresses. Drawn by rich, which measures
    text in terminal cells.

    Args:
        variables: The column headers.
        rows: The rows, each cell as text (line breaks are shown as spaces).
        width: The width to fit, in characters (default: the terminal's, else 120).
    """
    if not variables:
        return ""
    total = width or shutil.get_terminal_size((120, 24)).columns
    flat = [tuple(" ".join(c.split("\n")) for c in row) for row in rows]
    widths = column_widths(variables, flat, total)
    grid = Table(box=_BOX, show_edge=False, pad_edge=False, highlight=False, expand=False)
    for name, w in zip(variables, widths):
        grid.add_column(name, no_wrap=True, overflow="ellipsis", width=w)
    for row in flat:
        grid.add_row(*(Text(c) for c in row))
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=sum(widths) + 3 * (len(widths) - 1), color_system=None, highlight=False,
        emoji=False, markup=False, soft_wrap=False, legacy_windows=False,
    )
    console.print(grid)
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


def _tsv_term(term: Node | None) -> str:
    if term is None:
        return ""
    return str(to_oxigraph(term))


def render(answer: Answer, fmt: Format = "table", width: int | None = None) -> str:
    """Write an answer in a format: CONSTRUCT and DESCRIBE always give Turtle.

    Args:
        answer: The answer.
        fmt: table (for people), csv, tsv, json or xml (the SPARQL 1.1 results formats).
        width: The table's width in characters (default: the terminal's).
    """
    if answer.graph is not None:
        for prefix, ns in PREFIXES.items():
            answer.graph.bind(prefix, ns)
        return answer.graph.serialize(format="turtle")
    if fmt == "table":
        if answer.kind == "ASK":
            return ("yes" if answer.boolean else "no") + "\n"
        rows = [tuple(short(t) for t in row) for row in answer.rows]
        footer = f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n"
        return table(answer.variables, rows, width) + footer
    if fmt == "tsv":
        if answer.kind == "ASK":
            return ("true" if answer.boolean else "false") + "\n"
        lines = ["\t".join(f"?{v}" for v in answer.variables)]
        lines += ["\t".join(_tsv_term(t) for t in row) for row in answer.rows]
        return "\n".join(lines) + "\n"
    data = answer.to_result().serialize(format=fmt)
    text = data.decode("utf-8") if isinstance(data, bytes) else str(data)
    return text if text.endswith("\n") else text + "\n"


def literal_text(term: Node | None) -> str:
    """The lexical text of a literal, or the short form of any other term."""
    return str(term) if isinstance(term, Literal) else short(term)
