"""Tables mapped to RDF by a declared mapping: a source folder's ``mapping.toml``.

A folder whose tables are too large to be excerpts row by row, or that need a look-up to name their
entities (votes, the world's missions), declares how each row becomes triples in ``mapping.toml``
instead of a Turtle file per row. Nothing is written in code per source: the file names the tables
(plain or gzipped CSV), the look-up tables (CSV files of the folder, recording how each entry was
matched), and for each table the triples of a row as templates.

```toml
[prefixes]                       # CURIE prefixes of the templates
diplo = "https://w3id.org/diplokg/ontology#"

[lookups.member]                 # a look-up table: the row's columns (right) equal its columns (left)
file = "mapping/members.csv"
key = { country_code = "country_code", country = "country" }
value = "{polity}"               # a term template over the look-up table's own row

[lookups.choice]                 # an inline look-up: the row's column, then a term per value
column = "vote"
values = { yes = "diplo:votedYes", no = "diplo:votedNo", abstain = "diplo:abstained" }

[[tables]]
file = "votes.csv.gz"
excerpts = false                 # true: every row is also an excerpt <STEM-rNNNN> (diplo:TableRow)
[[tables.nodes]]
subject = "<rc{rcid}>"
triples = [["{@choice}", "{@member}"]]
```

Term templates: ``a`` (rdf:type); ``{column}`` alone, a cell that is itself a term (``iso:PRK``);
``<...>`` an IRI, relative to the source's base; ``prefix:local`` a CURIE; ``"..."``, ``"..."@en``
or ``"..."^^prefix:type`` a literal; ``{@name}`` the value of a look-up. ``{column}`` inserts a
cell (percent-encoded inside IRIs); ``{_row}`` is the row's excerpt id. A triple whose template
uses an empty cell is left out (an empty cell says nothing). A value a look-up does not know is an
error naming the table, its line and the value: every value must be mapped, and the mapping table
says how.

``xsd:decimal`` literals are written in canonical form (the cell stays verbatim in the row's
excerpt), so the store and the reference build agree on their bytes.
"""

from __future__ import annotations

import operator
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from kg.errors import InputError
from kg.sources.jail import inside, read_path
from kg.sources.mappingspec import check_mapping
from kg.sources.tablefiles import excerpt_lines, read_rows, table_stem

MAPPING_FILE = "mapping.toml"
#: The largest ``mapping.toml`` read (it declares; the data is in the tables it names).
MAX_MAPPING_BYTES = 1024 * 1024
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_DIPLO = "https://w3id.org/diplokg/ontology#"
_XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
_FIELD = re.compile(r"\{([^{}]*)\}")
_LITERAL = re.compile(r'^"(.*)"(?:@([A-Za-z-]+)|\^\^(\S+))?$', re.DOTALL)

Row = dict[str, str]
Term = Callable[[Row], str]  # a term as N-Triples text (raises _Skip when a cell it needs is empty)


class _Skip(Exception):
    """A template met an empty cell."""


@dataclass
class _Lookup:
    name: str
    columns: tuple[str, ...]  # the row's columns making the key
    table: dict[tuple[str, ...], str]  # key -> term (N-Triples)
    origin: str
    left_out: set[tuple[str, ...]]  # keys whose entry maps to nothing (an empty value cell)


class Mapping:
    """A folder's ``mapping.toml``, compiled: the triples of each table's rows as N-Triples text."""

    def __init__(self, folder: Path, base: str) -> None:
        self.folder = folder
        self.base = base
        self.path = folder / MAPPING_FILE
        try:
            self.spec = tomllib.loads(read_path(self.path, MAX_MAPPING_BYTES).decode("utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"invalid TOML: {exc}", path=self.path) from None
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text ({exc.reason})", path=self.path) from None
        except RecursionError:
            raise InputError("invalid TOML: nested too deeply", path=self.path) from None
        check_mapping(self.spec, self.path)
        self.prefixes: dict[str, str] = dict(self.spec.get("prefixes", {}))
        self.lookups = {name: self._lookup(name, spec) for name, spec in self.spec.get("lookups", {}).items()}

    # --- templates ---------------------------------------------------------------------------

    def _error(self, message: str) -> InputError:
        return InputError(message, path=self.path)

    def _expand(self, template: str, encode: bool) -> Callable[[Row], str]:
        parts = _FIELD.split(template)  # text, field, text, field ...
        if len(parts) == 1:
            return lambda _row: template

        def fill(row: Row) -> str:
            out = []
            for i, part in enumerate(parts):
                if i % 2 == 0:
                    out.append(part)
                    continue
                value = row.get(part)
                if value is None:
                    raise self._error(f"template {template!r}: no column {part!r}")
                if value == "":
                    raise _Skip
                out.append(quote(value, safe="") if encode else value)
            return "".join(out)

        return fill

    def _iri(self, text: str) -> str:
        if ":" in text and not text.startswith(("<", '"')):
            prefix, local = text.split(":", 1)
            if prefix in self.prefixes:
                return self.prefixes[prefix] + local
            if "//" not in local:
                raise self._error(f"unknown prefix {prefix!r} in {text!r}")
        return text

    def term(self, template: str, lookup_context: str = "") -> Term:
        """Compile a term template (see the module) into a function of a row."""
        if template == "a":
            return lambda _row: f"<{RDF_TYPE}>"
        if template.startswith("{@") and template.endswith("}"):
            return self._use_lookup(template[2:-1], lookup_context)
        if _FIELD.fullmatch(template):
            return self._cell_term(template[1:-1])
        literal = _LITERAL.match(template)
        if literal:
            text, lang, datatype = literal.groups()
            fill = self._expand(text, encode=False)
            dt = self._iri(datatype) if datatype else None

            def make_literal(row: Row) -> str:
                value = fill(row)
                if dt == _XSD_DECIMAL:
                    value = _canonical_decimal(value)
                if dt:
                    return str(ox.Literal(value, datatype=ox.NamedNode(dt)))
                if lang:
                    return str(ox.Literal(value, language=lang))
                return str(ox.Literal(value))

            return make_literal
        if template.startswith("<") and template.endswith(">"):
            fill = self._expand(template[1:-1], encode=True)
            base = self.base
            return lambda row: f"<{_resolve(base, fill(row))}>"
        if ":" in template:
            prefix, local = template.split(":", 1)
            if prefix not in self.prefixes:
                raise self._error(f"unknown prefix {prefix!r} in {template!r}")
            namespace = self.prefixes[prefix]
            fill = self._expand(local, encode=True)
            return lambda row: f"<{namespace}{fill(row)}>"
        raise self._error(f"not a term template: {template!r}")

    def _cell_term(self, column: str) -> Term:
        """A cell that holds a term itself (a CURIE such as ``iso:PRK``): parsed once per value."""
        cache: dict[str, str] = {}

        def read(row: Row) -> str:
            value = row.get(column)
            if value is None:
                raise self._error(f"no column {column!r}")
            if value == "":
                raise _Skip
            if value not in cache:
                if _FIELD.search(value) or value.startswith("{"):
                    raise self._error(f"column {column!r} holds a template, not a term: {value!r}")
                cache[value] = self.term(value)({})
            return cache[value]

        return read

    # --- look-ups ----------------------------------------------------------------------------

    def _lookup(self, name: str, spec: dict) -> _Lookup:
        if "values" in spec:
            column = spec.get("column")
            if not isinstance(column, str):
                raise self._error(f"look-up {name!r}: an inline look-up needs its column")
            inline: dict[tuple[str, ...], str] = {(k,): self.term(v)({}) for k, v in spec["values"].items()}
            return _Lookup(name, (column,), inline, f"{self.path.name} [lookups.{name}]", set())
        file, key, value = spec.get("file"), spec.get("key"), spec.get("value")
        if not (isinstance(file, str) and isinstance(key, dict) and isinstance(value, str)):
            raise self._error(f"look-up {name!r} needs file, key and value (or column and values)")
        relative = inside(self.folder, file, self.path)
        path = self.folder / relative
        header, rows = read_rows(self.folder, relative)
        for column in key:
            if column not in header:
                raise InputError(f"look-up {name!r}: no column {column!r}", path=path, line=1)
        make = self.term(value)
        table: dict[tuple[str, ...], str] = {}
        left_out: set[tuple[str, ...]] = set()
        for row in rows:
            record = dict(zip(header, row))
            entry = tuple(record[c] for c in key)
            try:
                table[entry] = make(record)
            except _Skip:
                left_out.add(entry)  # the key is known and maps to nothing: its rows make no triple here
        return _Lookup(name, tuple(key.values()), table, str(path.relative_to(self.folder)), left_out)

    def _use_lookup(self, name: str, context: str) -> Term:
        lookup = self.lookups.get(name)
        if lookup is None:
            raise self._error(f"unknown look-up {name!r}{context}")
        columns, table, left_out = lookup.columns, lookup.table, lookup.left_out

        def find(row: Row) -> str:
            key = tuple(row[c] for c in columns)
            found = table.get(key)
            if found is None and not any(key):
                raise _Skip  # every cell of the key is empty: the row says nothing here
            if found is None:
                if key in left_out:
                    raise _Skip
                raise _Unmapped(name, key, lookup.origin)
            return found

        return find

    # --- tables ------------------------------------------------------------------------------

    def tables(self) -> list[dict]:
        """The table declarations, in file order."""
        return list(self.spec.get("tables", []))

    def lines(
        self, declaration: dict, excerpt: Callable[[str, int, list[str], list[str]], Iterator[str]]
    ) -> Iterator[str]:
        """The N-Triples lines of one declared table: its excerpts (when declared) and its triples.

        Args:
            declaration: One ``[[tables]]`` entry.
            excerpt: Makes the excerpt lines of a row: (row id, position, header, row).

        Raises:
            InputError: A row a look-up cannot map, a malformed template or table.
        """
        file = declaration.get("file") if isinstance(declaration, dict) else None
        if not isinstance(file, str):
            raise self._error("a [[tables]] entry needs its file")
        relative = inside(self.folder, file, self.path)
        path = self.folder / relative
        header, rows = read_rows(self.folder, relative)
        stem = table_stem(path)
        width = max(2, len(str(len(rows))))
        columns = [*header, "_row"]
        nodes = []
        for node in declaration.get("nodes", []):
            subject = self._memo(node["subject"], columns)
            triples = [(self._memo(p, columns), self._memo(o, columns)) for p, o in node.get("triples", [])]
            nodes.append((subject, triples))
        with_excerpts = bool(declaration.get("excerpts", False))
        # The row's excerpt id is made only where something uses it (the votes' rows have none).
        with_rid = with_excerpts or self._uses_row_id(declaration)
        for position, row in enumerate(rows, 1):
            if with_rid:
                rid = f"{stem}-r{position:0{width}d}"
                row.append(rid)
                if with_excerpts:
                    yield from excerpt(rid, position, header, row[:-1])
            try:
                for subject, triples in nodes:
                    s = subject(row)
                    if s is None:
                        continue
                    for p, o in triples:
                        pt, ot = p(row), o(row)
                        if pt is not None and ot is not None:
                            yield f"{s} {pt} {ot} .\n"
            except _Unmapped as exc:
                raise InputError(str(exc), path=path, line=position + 1) from None

    def _memo(self, template: str, columns: list[str]) -> Callable[[list[str]], str | None]:
        """A term template as a function of a row (a list of cells), remembered per distinct value of
        the cells it reads (a roll call's subject is made once, not once per vote)."""
        make = self.term(template)
        used = self._columns_of(template)
        for column in used:
            if column not in columns:
                raise self._error(f"template {template!r}: the table has no column {column!r}")
        if not used:
            try:
                constant = make({})
            except _Skip:
                constant = None
            return lambda _row: constant
        index = [columns.index(c) for c in used]
        cache: dict[str | tuple[str, ...], str | None] = {}
        single = len(index) == 1
        pick = operator.itemgetter(*index)  # one cell: the cell itself is the key (no tuple made per row)

        def term(row: list[str]) -> str | None:
            key = pick(row)
            try:
                return cache[key]
            except KeyError:
                pass
            try:
                value: str | None = make(dict(zip(used, (key,) if single else key)))
            except _Skip:
                value = None
            if used != ("_row",):
                cache[key] = value
            return value

        return term

    def _uses_row_id(self, declaration: dict) -> bool:
        """Whether a table's templates read the row's excerpt id (``{_row}``)."""
        return any("_row" in self._columns_of(template)
                   for node in declaration.get("nodes", [])
                   for template in (node["subject"], *(t for pair in node.get("triples", []) for t in pair)))

    def _columns_of(self, template: str) -> tuple[str, ...]:
        if template.startswith("{@") and template.endswith("}"):
            lookup = self.lookups.get(template[2:-1])
            if lookup is None:
                raise self._error(f"unknown look-up {template[2:-1]!r}")
            return lookup.columns
        return tuple(dict.fromkeys(_FIELD.findall(template)))


def mapped_lines(folder: Path, base: str) -> Iterator[str]:
    """The N-Triples lines of every table a folder's ``mapping.toml`` declares (none without one).

    Raises:
        InputError: The mapping, a table or a look-up is malformed, or a value is not mapped.
    """
    if not (folder / MAPPING_FILE).is_file():
        return
    mapping = Mapping(folder, base)

    def excerpt(rid: str, position: int, header: list[str], row: list[str]) -> Iterator[str]:
        return excerpt_lines(base, rid, position, header, row)

    for declaration in mapping.tables():
        yield from mapping.lines(declaration, excerpt)


class _Unmapped(Exception):
    def __init__(self, name: str, key: tuple[str, ...], origin: str) -> None:
        super().__init__(f"look-up {name!r} ({origin}) has no entry for {', '.join(map(repr, key))}")


def _resolve(base: str, reference: str) -> str:
    if re.match(r"^[a-z][a-z0-9+.-]*:", reference):
        return reference
    return base + reference


def _canonical_decimal(text: str) -> str:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text  # not a number: the store reports it as an ill-typed literal
    if value == value.to_integral_value():
        return f"{value.quantize(Decimal(1))}.0"
    return format(value.normalize(), "f")
