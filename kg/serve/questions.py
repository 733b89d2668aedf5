"""The library's questions as resources: ``/questions/NAME`` as JSON pages with numbered evidence.

A question's whole answer is computed once (as SPARQL results JSON, written by Oxigraph in its
worker) and read here without making a term object per cell. The JSON view is paged: ``?limit=``
rows (default :data:`DEFAULT_PAGE`) from ``?offset=`` (default 0), in the question's own order; the
page says how many rows the whole answer has (``count``) and where the next page is (``next``); its
laid-out answer and its evidence are those of the page's rows.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import asdict, dataclass
from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg.query.excerpts import readable
from kg.query.formats import PREFIXES, short
from kg.query.library import Evidence, Question, evidence_view
from kg.serve.protocol import ProtocolError

#: Rows of a question's answer in one page of its JSON view, unless ``?limit=`` asks otherwise.
DEFAULT_PAGE = 1000
#: The query-string names that page the view (no question may take them as parameters).
PAGING = ("limit", "offset")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@dataclass(frozen=True)
class Page:
    """Which rows of an answer a request wants."""

    limit: int = DEFAULT_PAGE
    offset: int = 0


def split_paging(params: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], Page, bool]:
    """The query string without ``limit``/``offset``, the page they ask for, and whether either was given.

    Raises:
        ProtocolError: 400 for a value that is not a whole number (limit at least 1), or one given twice.
    """
    rest = [(k, v) for k, v in params if k not in PAGING]
    found: dict[str, int] = {}
    for key, value in params:
        if key not in PAGING:
            continue
        if key in found:
            raise ProtocolError(400, f"give '{key}' once")
        least = 1 if key == "limit" else 0
        if not value.isdigit() or int(value) < least:
            raise ProtocolError(400, f"'{key}' is a whole number of rows, at least {least} (not {value!r})")
        found[key] = int(value)
    return rest, Page(found.get("limit", DEFAULT_PAGE), found.get("offset", 0)), bool(found)


def value(text: str) -> Node:
    """A value from a query string: ``<iri>``, an http(s) address, ``prefix:local``, else a string
    (typed by the question's declared type, or resolved to an entity by name)."""
    if text.startswith("<") and text.endswith(">"):
        return URIRef(text[1:-1])
    if text.startswith(("http://", "https://")):
        return URIRef(text)
    prefix, colon, local = text.partition(":")
    if colon and prefix in PREFIXES and local and not any(c in local for c in ' <>"{}|^`\\'):
        return URIRef(PREFIXES[prefix] + local)
    return Literal(text)


def describe(question: Question) -> dict[str, Any]:
    """A question as ``/questions`` lists it."""
    return {
        "name": question.name,
        "question": question.question,
        "returns": question.returns,
        "parameters": [{"name": p.name, "required": p.required} for p in question.parameters],
        "href": f"/questions/{question.name}",
    }


def cells(results: bytes, start: int = 0, stop: int | None = None) -> tuple[list[str], int, list[tuple[str, ...]]]:
    """The variables of SPARQL results JSON, how many rows it has, and its rows ``start:stop``, each
    cell as people read it (as :func:`kg.query.formats.literal_text` shows the term: a literal's text,
    a prefixed name, ``_:id``; empty when unbound). Only the rows asked for are laid out: a page of a
    large answer costs the server little beyond reading the JSON."""
    data = json.loads(results)
    variables: list[str] = list(data["head"]["vars"])
    bindings = data.get("results", {}).get("bindings", [])
    typed: dict[tuple[str, str], str] = {}
    rows: list[tuple[str, ...]] = []
    for binding in bindings[start:stop]:
        row = []
        for name in variables:
            term = binding.get(name)
            if term is None:
                row.append("")
            elif term["type"] == "uri":
                row.append(short(URIRef(term["value"])))
            elif term["type"] == "bnode":
                row.append(f"_:{term['value']}")
            elif "datatype" in term and term["datatype"] != _XSD_STRING:
                key = (term["value"], term["datatype"])
                if key not in typed:  # as rdflib reads it (a valid lexical form in its canonical form)
                    typed[key] = str(Literal(term["value"], datatype=URIRef(term["datatype"])))
                row.append(typed[key])
            else:
                row.append(term["value"])
        rows.append(tuple(row))
    return variables, len(bindings), rows


def page_json(question: Question, bindings: dict[str, str], params: list[tuple[str, str]], results: bytes,
              page: Page) -> bytes:
    """One page of a question's JSON view, from its whole answer as SPARQL results JSON."""
    variables, count, chosen = cells(results, page.offset, page.offset + page.limit)
    view = evidence_view(tuple(variables), chosen, hidden=tuple(p.name for p in question.parameters))
    after = page.offset + len(chosen)
    following = None
    if after < count:
        query = urllib.parse.urlencode([*params, ("limit", str(page.limit)), ("offset", str(after))])
        following = f"/questions/{question.name}?{query}"
    return json.dumps({
        "question": describe(question),
        "bindings": bindings,
        "variables": variables,
        "count": count,
        "offset": page.offset,
        "limit": page.limit,
        "next": following,
        "rows": [dict(zip(variables, row)) for row in chosen],
        "answer": {"columns": list(view.columns), "rows": [list(r) for r in view.rows], "evidence_refs": view.refs},
        "evidence": [evidence_record(e) for e in view.evidence],
    }, ensure_ascii=False).encode("utf-8")


def evidence_record(item: Evidence) -> dict[str, str]:
    """One piece of evidence as the JSON view gives it: the source, the sentence or row as stored, the
    modality, and as people read it (:func:`kg.query.excerpts.readable`): ``text`` (a table row as its
    cells, its note last), ``address`` (where the row was published) and ``note`` (the row's caveat)."""
    excerpt = readable(item.sentence)
    return {**asdict(item), "text": excerpt.text, "address": excerpt.address, "note": excerpt.note}
