"""Writing answers: a readable table for people, and the SPARQL 1.1 results formats for programs."""

from __future__ import annotations

from typing import Literal as TypingLiteral

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.namespaces import PREFIXES  # the one list of prefixes (re-exported here, where callers found it)
from kg.query.engine import Answer
from kg.query.layout import (  # noqa: F401  (the terminal layout, re-exported where callers found it)
    LAYOUTS,
    READABLE_COLUMN,
    Layout,
    chosen_layout,
    column_widths,
    columns_that_fit,
    is_address,
    lay_out,
    natural_width,
    output_width,
    records,
    table,
    terminal_width,
)
from kg.terms import to_oxigraph

Format = TypingLiteral["table", "csv", "tsv", "json", "xml"]
FORMATS: tuple[Format, ...] = ("table", "csv", "tsv", "json", "xml")



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


def _tsv_term(term: Node | None) -> str:
    if term is None:
        return ""
    return str(to_oxigraph(term))


def render(answer: Answer, fmt: Format = "table", width: int | None = None, layout: Layout = "auto") -> str:
    """Write an answer in a format: CONSTRUCT and DESCRIBE always give Turtle.

    Args:
        answer: The answer.
        fmt: table (for people), csv, tsv, json or xml (the SPARQL 1.1 results formats).
        width: The table's width in characters (default: the terminal's).
        layout: For ``table``: one line a row (``table``), one field a line (``records``), or
            ``auto`` (records when a row does not fit the width).
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
        return lay_out(answer.variables, rows, width, layout) + footer
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
