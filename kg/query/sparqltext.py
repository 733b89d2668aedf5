"""Values for a query's variables, as data: typed terms, written by our own writer into a ``VALUES``
block that passes the gate with the rest of the query.

A value (``--bind asOf=2024-02-01``, ``?entity=Uganda``) reaches an engine only this way:

1. it becomes a term made by Oxigraph's own constructors (:func:`value_of`: ``NamedNode`` checks an
   IRI, ``Literal`` a language tag), and is refused with one line when it cannot be written in the one
   form every parser we use reads alike (a blank node, a lone surrogate, a control character, an
   apostrophe in an IRI, a backslash before ``u``);
2. it is written by :func:`term_text`, which emits only what the gate's canonical form allows
   (``"..."`` with the escapes ``\\t \\n \\r \\b \\f \\" \\\\``, ``<iri>``, ``@tag``, ``^^<iri>``):
   ``tests/test_sparqltext.py`` proves that Oxigraph and rdflib read every written term back as the term;
3. the ``VALUES`` block goes first into the vetted query's WHERE group (where the question's top-level
   filters see it), and the gate reads the bound text (:func:`bind`): the question with placeholder
   values of the same kinds, once (kept in the process, and beside the build:
   :meth:`kg.query.verdicts.Verdicts.template`), the block of the values on its own (its row must be the
   values given), and the whole by our lexer, the gate's first stage, which must read it as written.
   The engine runs that text and nothing else; ``tests/test_sparqltext.py`` checks the verdict against
   the gate's reading of the whole bound text, for hostile values in every kind of query.

``VALUES``, not Oxigraph's substitutions: with a substitution Oxigraph 0.5 plans some questions far
worse (closed-missions with ``asOf`` at a million triples over two minutes against 0.2 s).
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Protocol, cast

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef, Variable
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from kg.errors import QueryError
from kg.query.canonical import canonical
from kg.query.gate import VettedQuery, vet
from kg.terms import to_rdflib

#: A value as an engine takes it: a term made by Oxigraph's constructors.
Value = ox.NamedNode | ox.Literal

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# What a string may hold as it is; the rest is escaped (_ESCAPE) or refused.
_ESCAPE = {"\t": "\\t", "\b": "\\b", "\n": "\\n", "\r": "\\r", "\f": "\\f", '"': '\\"', "\\": "\\\\"}
# Characters the canonical lexer refuses in an IRI (SPARQL 1.1 grammar [139], and the apostrophe).
_NOT_IN_IRI = re.compile(r"[<>\"{}|^`\\'\x00-\x20\x7f]")
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


def code_of(text: str) -> str:
    """The text with strings, IRIs and comments blanked out (same length), so braces can be counted."""
    return _SKIP.sub(lambda m: " " * len(m.group(0)), text)


def where_start(text: str) -> int:
    """The offset just after the ``{`` that opens the query's WHERE group.

    Raises:
        QueryError: The text has no group (it is not a query).
    """
    code = code_of(text)
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


def _shown(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _iri(iri: str, name: str) -> ox.NamedNode:
    try:
        node = ox.NamedNode(iri)
    except (ValueError, UnicodeError) as exc:
        raise QueryError(f"value of {name}: not a valid IRI {_shown(iri)} ({str(exc).splitlines()[0]})") from None
    bad = _NOT_IN_IRI.search(node.value)
    if bad:
        raise QueryError(f"value of {name}: the IRI {_shown(iri)} holds {bad.group(0)!r}, which cannot be "
                         "written into a query")
    if "&&" in node.value or node.value.count("(") > node.value.count(")"):
        # The gate refuses such an IRI (parsers can read it as comparisons: canonical.py, unambiguous).
        raise QueryError(f"value of {name}: the IRI {_shown(iri)} holds '&&' or an unclosed '(', which parsers "
                         "can read as comparisons; write & as %26 and ( as %28")
    return node


def _check_text(text: str, name: str) -> None:
    """Refuse what the gate's canonical form cannot hold in a string."""
    for char in text:
        code = ord(char)
        if (code < 0x20 and char not in _ESCAPE) or code == 0x7F:
            raise QueryError(f"value of {name}: holds the control character U+{code:04X}")
        if 0xD800 <= code <= 0xDFFF:
            raise QueryError(f"value of {name}: holds U+{code:04X}, which is not a character (bytes that are "
                             "not UTF-8?)")
    if re.search(r"\\[uU]", text):
        raise QueryError(f"value of {name}: a backslash before 'u' cannot be written into a query (rdflib "
                         "reads \\u escapes everywhere in a query's text)")


def value_of(term: Node | Value, name: str = "a variable") -> Value:
    """``term`` as a value for an engine, made and checked by Oxigraph's term constructors.

    Args:
        term: An rdflib term or an Oxigraph term.
        name: The variable it is for (for messages).

    Raises:
        QueryError: A blank node, or a term that cannot be written into a query (one line).
    """
    if isinstance(term, ox.NamedNode):
        return _iri(term.value, name)
    if isinstance(term, URIRef):
        return _iri(str(term), name)
    if isinstance(term, ox.Literal | Literal):
        if isinstance(term, ox.Literal):
            text, language, datatype = term.value, term.language, term.datatype.value
        else:
            text, language = str(term), term.language
            datatype = str(term.datatype) if term.datatype is not None else _XSD_STRING
        _check_text(text, name)
        if language:
            try:
                return ox.Literal(text, language=language)
            except (ValueError, UnicodeError) as exc:
                raise QueryError(f"value of {name}: not a valid language tag {_shown(language)} "
                                 f"({str(exc).splitlines()[0]})") from None
        try:
            if datatype in (_XSD_STRING, _RDF_LANGSTRING):
                return ox.Literal(text)
            return ox.Literal(text, datatype=_iri(datatype, name))
        except (ValueError, UnicodeError) as exc:
            raise QueryError(f"value of {name}: {str(exc).splitlines()[0]}") from None
    if isinstance(term, BNode | ox.BlankNode):
        raise QueryError(f"value of {name}: a blank node cannot be given as a value")
    raise QueryError(f"value of {name}: cannot write {type(term).__name__} as SPARQL")


def term_text(term: Node | Value) -> str:
    """A term as SPARQL text, in the gate's canonical form (see the module's docstring).

    Raises:
        QueryError: As :func:`value_of`.
    """
    value = value_of(term)
    if isinstance(value, ox.NamedNode):
        return f"<{value.value}>"
    written = '"' + "".join(_ESCAPE.get(c, c) for c in value.value) + '"'
    if value.language:
        return f"{written}@{value.language}"
    if value.datatype.value != _XSD_STRING:
        return f"{written}^^<{value.datatype.value}>"
    return written


def values_block(values: Mapping[str, Node | Value]) -> str:
    """``VALUES (?a ?b) { (A B) }`` binding each variable (sorted by name) to its value.

    Raises:
        QueryError: A name that is not a plain variable name, or a value :func:`value_of` refuses.
    """
    names = sorted(values)
    for name in names:
        if not _VARIABLE.fullmatch(name):
            raise QueryError(f"not a variable name: {_shown(name)}")
    head = " ".join(f"?{n}" for n in names)
    row = " ".join(term_text(value_of(values[n], n)) for n in names)
    return f"VALUES ({head}) {{ ({row}) }}"


def _walk(node: object) -> Iterable[CompValue]:
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _walk(item)


#: Placeholder terms of each kind, for the question read once per kind of its values (see :func:`bind`).
_PLACEHOLDER_IRI = "urn:diplokg:placeholder"
#: A row of a ``VALUES`` block as rdflib reads it: each variable's name and the term it binds, in N3.
RowKey = tuple[tuple[str, str], ...]
_TEMPLATES: OrderedDict[tuple[str, str, tuple[str, ...], tuple[tuple[str, str], ...]],
                        tuple[VettedQuery, frozenset[RowKey]]] = OrderedDict()
#: Questions read with placeholder values that a process keeps (the library has 25).
KEPT_TEMPLATES = 64


class KeptTemplates(Protocol):
    """Where the gate's readings of templates are kept between processes (a build folder's verdicts,
    :meth:`kg.query.verdicts.Verdicts.template`)."""

    def template(self, text: str, allowed: Iterable[URIRef | str],
                 origin: str) -> tuple[VettedQuery, frozenset[RowKey]]:
        """The gate's verdict on ``text`` and the rows of its ``VALUES`` blocks as rdflib read them."""
        ...


def row_key(row: Mapping[Variable, Node]) -> RowKey:
    """A ``VALUES`` row as :data:`RowKey`."""
    return tuple(sorted((str(name), cast(Literal, term).n3()) for name, term in row.items()))


def rows_of(vetted: VettedQuery) -> frozenset[RowKey]:
    """The rows of every ``VALUES`` block of a vetted query, as rdflib read them (from its algebra)."""
    return frozenset(row_key(cast(Mapping[Variable, Node], row)) for row in _rows_read(vetted))


def _kind(value: Value) -> str:
    """What a term is as a token (an IRI, a string, a string with a language, a typed literal); what
    it holds does not change how a query is read."""
    if isinstance(value, ox.NamedNode):
        return "iri"
    if value.language:
        return "@" + value.language
    return "^^" + value.datatype.value


def _placeholder(kind: str) -> Value:
    if kind == "iri":
        return ox.NamedNode(_PLACEHOLDER_IRI)
    if kind.startswith("@"):
        return ox.Literal("placeholder", language=kind[1:])
    return ox.Literal("placeholder", datatype=ox.NamedNode(kind[2:]))


def _rows_read(vetted: VettedQuery) -> list[object]:
    """The rows of every ``VALUES`` block as rdflib read them."""
    return [row for node in _walk(vetted.algebra.algebra) if node.name == "values" for row in dict(node)["res"]]


def _with_row(node: object, old: dict[Variable, Node], new: dict[Variable, Node]) -> object:
    """``node`` (rdflib's algebra) with the ``VALUES`` row ``old`` replaced by ``new``, sharing what is
    unchanged."""
    if isinstance(node, CompValue):
        fields = dict(node)
        if node.name == "values" and fields.get("res") == [old]:
            fields["res"] = [new]
            return CompValue(node.name, **fields)
        changed = {key: _with_row(value, old, new) for key, value in fields.items()}
        if all(changed[key] is fields[key] for key in fields):
            return node
        return CompValue(node.name, **changed)
    if isinstance(node, list):
        items = [_with_row(item, old, new) for item in node]
        return node if all(a is b for a, b in zip(items, node)) else items
    return node


def _template(query: VettedQuery, at: int, kinds: tuple[tuple[str, str], ...],
              kept: KeptTemplates | None) -> tuple[VettedQuery, frozenset[RowKey]]:
    """The gate's reading of ``query`` with a block of placeholder values of these kinds, and the rows
    of its ``VALUES`` blocks: kept in ``kept`` (which keeps them in memory too), else in the process."""
    graphs = (*query.default_graphs, *query.named_graphs)
    if kept is not None:
        block = values_block({name: _placeholder(kind) for name, kind in kinds})
        return kept.template(f"{query.text[:at]} {block}{query.text[at:]}", graphs, query.origin)
    key = (query.text, query.origin, tuple(str(g) for g in graphs), kinds)
    found = _TEMPLATES.get(key)
    if found is None:
        block = values_block({name: _placeholder(kind) for name, kind in kinds})
        vetted = vet(f"{query.text[:at]} {block}{query.text[at:]}", graphs, origin=query.origin)
        found = (vetted, rows_of(vetted))
        _TEMPLATES[key] = found
        while len(_TEMPLATES) > KEPT_TEMPLATES:
            _TEMPLATES.popitem(last=False)
    else:
        _TEMPLATES.move_to_end(key)
    return found


def bind(query: VettedQuery, bindings: Mapping[str, Node | Value], kept: KeptTemplates | None = None) -> VettedQuery:
    """The query with its variables bound to values, as the gate reads the whole (see the module's
    docstring).

    The gate's verdict on the bound text is had in three readings, so that a question whose values
    change at every request is not read whole each time (rdflib takes 150-480 ms over network-as-of,
    whose answer takes 26 ms): the gate reads the question with a block of placeholder values of the
    same kinds (once per question and kinds: kept), the block of the values themselves on its own
    (small: its row must be the values given, term for term), and our lexer, the gate's first stage,
    reads the bound text as it is written. The block's terms are then single tokens of the placeholders'
    kinds (what the block's own reading shows), in the same place, so the gate reads the bound text as
    it read the template but for the terms: the verdict is the template's, with the values' row in its
    algebra. ``tests/test_sparqltext.py`` checks that verdict against the gate's reading of the whole.

    Args:
        query: A query that passed the gate.
        bindings: A value per variable name.
        kept: Where the template's reading is kept between processes (a build folder's verdicts): a
            question read there before is not read again by rdflib's parser, which takes seconds over
            network-as-of at every start of the command line otherwise. The verdict's algebra is then
            read from the bound text when rdflib's engine asks for it.

    Returns:
        The bound query (``query`` itself when there is nothing to bind).

    Raises:
        QueryError: A value that cannot be written, or a bound text that the gate refuses (a
            ``VALUES`` block cannot open the query's WHERE group, e.g. before a sub-SELECT), or that
            does not read back as the values given.
    """
    if not bindings:
        return query
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # "placeholder" is no xsd:date: rdflib would log a traceback
    try:
        return _bind(query, bindings, kept)
    finally:
        logger.setLevel(level)


def _bind(query: VettedQuery, bindings: Mapping[str, Node | Value], kept: KeptTemplates | None) -> VettedQuery:
    values = {name: value_of(term, name) for name, term in bindings.items()}
    block = values_block(values)
    at = where_start(query.text)
    text = f"{query.text[:at]} {block}{query.text[at:]}"
    kinds = tuple(sorted((name, _kind(value)) for name, value in values.items()))
    template, rows = _template(query, at, kinds, kept)
    alone = f"SELECT * WHERE {{ {block} }}"
    expected = {Variable(n): to_rdflib(v) for n, v in values.items()}
    placeholders = {Variable(n): to_rdflib(_placeholder(kind)) for n, kind in kinds}
    if (vet(alone).text != alone or _rows_read(vet(alone)) != [expected] or canonical(text).text != text
            or row_key(placeholders) not in rows):
        raise QueryError(f"{query.origin}: the values given did not read back as values; nothing was run")
    if getattr(template, "algebra_when_asked", False):
        # A kept verdict: its algebra is rdflib's reading of the bound text, made when asked for.
        return replace(template, text=text, algebra=cast(Query, None))
    algebra = Query(template.algebra.prologue,
                    cast(CompValue, _with_row(template.algebra.algebra, placeholders, expected)))
    return replace(template, text=text, algebra=algebra)
