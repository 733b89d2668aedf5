"""Reading SPARQL text without an engine: where a query's WHERE group starts, and terms written as SPARQL.

A remote store speaks only the SPARQL 1.1 Protocol: it takes query text, so values for a question's
parameters (``?asOf``, ``?entity``) go into that text. They never go in by pasting user text into
the query: each value is an rdflib term, written as an N-Triples term (escaped), in a ``VALUES``
block placed first in the query's WHERE group, where the question's top-level filters see it.
"""

from __future__ import annotations

import re

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.errors import QueryError

# Tokens that may hold braces or '#' without meaning them: strings (long and short), IRIs, comments.
_SKIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n]*",
    re.S,
)
_CONSTRUCT = re.compile(r"\bCONSTRUCT\b", re.I)
_CONSTRUCT_WHERE = re.compile(r"\bCONSTRUCT\s+WHERE\b", re.I)


def _code(text: str) -> str:
    """The text with strings, IRIs and comments blanked out (same length), so braces can be counted."""
    return _SKIP.sub(lambda m: " " * len(m.group(0)), text)


def where_start(text: str) -> int:
    """The offset just after the ``{`` that opens the query's WHERE group.

    Raises:
        QueryError: The text has no group (it is not a query).
    """
    code = _code(text)
    depth = 0
    opened = 0
    # A CONSTRUCT template is a group of its own before the WHERE group (unless CONSTRUCT WHERE).
    skip = 1 if _CONSTRUCT.search(code) and not _CONSTRUCT_WHERE.search(code) else 0
    for i, ch in enumerate(code):
        if ch == "{":
            if depth == 0:
                if opened == skip:
                    return i + 1
                opened += 1
            depth += 1
        elif ch == "}":
            depth -= 1
    raise QueryError("query: no WHERE group found")


def term_text(term: Node) -> str:
    """An rdflib term as SPARQL text (N-Triples syntax, which SPARQL accepts).

    Raises:
        QueryError: A blank node (it cannot be named in a query).
    """
    if isinstance(term, URIRef):
        iri = str(term)
        if re.search(r"[<>\"{}|^`\\\s]", iri):
            raise QueryError(f"not a usable IRI: {iri!r}")
        return f"<{iri}>"
    if isinstance(term, Literal):
        return term.n3()
    if isinstance(term, BNode):
        raise QueryError("a blank node cannot be given as a value")
    raise QueryError(f"cannot write {term!r} as SPARQL")


def with_values(text: str, bindings: dict[str, Node]) -> str:
    """The query with a ``VALUES`` block first in its WHERE group binding each variable to its term."""
    if not bindings:
        return text
    names = sorted(bindings)
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise QueryError(f"not a variable name: {name!r}")
    head = " ".join(f"?{n}" for n in names)
    row = " ".join(term_text(bindings[n]) for n in names)
    at = where_start(text)
    return f"{text[:at]} VALUES ({head}) {{ ({row}) }}{text[at:]}"

