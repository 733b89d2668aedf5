"""The question library: every ``queries/NAME.rq``, read with its header.

Each file starts with comment lines ``# Question:`` (the question in words), ``# Returns:`` (what each
row holds) and, when the question takes values, ``# Parameters:`` naming each one, e.g.
``entity (required) the entity's IRI`` or ``asOf (optional) an xsd:date``. A parameter is required
unless the word ``optional`` follows its name in parentheses. Continuation lines start with ``#`` and
more indentation.
"""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import XSD, Literal, URIRef
from rdflib.term import Node

from kg.errors import QueryError, did_you_mean

#: The columns every question returns as its evidence.
EVIDENCE_COLUMNS: tuple[str, ...] = ("source", "sentence", "modality")
#: Columns about the evidence that some questions return: shown with the evidence, not in the
#: people's table (a table row's address is printed under it), so rows that differ only in which
#: row or sentence backs them are one row citing each.
EVIDENCE_DETAIL_COLUMNS: tuple[str, ...] = ("address",)

_FIELD = re.compile(r"^#\s*([A-Za-z]+):\s*(.*)$")
_PARAMETER = re.compile(r"(?:^|;\s*|\)\s*)([A-Za-z_][A-Za-z0-9_]*)\s*\(([^)]*)\)")


@dataclass(frozen=True)
class Parameter:
    """A value a question takes as a binding.

    Attributes:
        name: The SPARQL variable's name (without ``?``).
        required: Whether the question needs it.
        description: What it is, in words.
    """

    name: str
    required: bool
    description: str
    datatype: str | None = None

    @property
    def takes_iri(self) -> bool:
        """Whether the value is an IRI (an entity), as the header says ("the entity's IRI")."""
        return self.datatype == IRI


#: The declared type of a parameter whose value is an IRI (an entity).
IRI = "IRI"
_DATATYPE = re.compile(r"\bxsd:([A-Za-z]+)")


@dataclass(frozen=True)
class Question:
    """One question of the library.

    Attributes:
        name: The file's stem (``closed-missions``).
        path: The ``.rq`` file.
        question: The question in words.
        returns: What each row holds, in words.
        parameters: The values it takes as bindings.
    """

    name: str
    path: Path
    question: str
    returns: str = ""
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        """The SPARQL text."""
        return self.path.read_text(encoding="utf-8")

    def parameter(self, name: str) -> Parameter | None:
        """The parameter of that name, if the question declares it."""
        return next((p for p in self.parameters if p.name == name), None)


def read_header(text: str) -> dict[str, str]:
    """The header fields of a query file (``Question``, ``Returns``, ``Parameters`` ...), joined into one line each."""
    fields: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _FIELD.match(line)
        if match and not line.startswith("#  "):
            current = match.group(1)
            fields[current] = [match.group(2).strip()]
        elif current is not None:
            fields[current].append(line.lstrip("#").strip())
    return {key: " ".join(part for part in parts if part) for key, parts in fields.items()}


def parse_parameters(text: str) -> tuple[Parameter, ...]:
    """The parameters named in a ``# Parameters:`` field, each with its own words and declared type.

    A parameter's type is the first ``xsd:NAME`` of its words (``asOf (optional) an xsd:date``), or
    an IRI when its words say ``IRI`` (``entity (required) the entity's IRI``); else it is untyped.
    """
    found: list[Parameter] = []
    matches = list(_PARAMETER.finditer(text))
    for n, match in enumerate(matches):
        name, note = match.group(1), match.group(2)
        if any(p.name == name for p in found):
            continue
        end = matches[n + 1].start() if n + 1 < len(matches) else len(text)
        words = text[match.start(): end].strip().lstrip(";").strip()
        datatype_match = _DATATYPE.search(words)
        datatype = (str(XSD) + datatype_match.group(1)) if datatype_match else IRI if "IRI" in words else None
        found.append(Parameter(name, required="optional" not in note.lower(), description=words, datatype=datatype))
    return tuple(found)


def parameters_of(text: str) -> tuple[Parameter, ...]:
    """The parameters a query's header declares (none for a query without a header)."""
    return parse_parameters(read_header(text).get("Parameters", ""))


#: The parameter an as-of date (``--as-of``) is bound to.
AS_OF = "asOf"


def as_of_literal(value: str) -> Literal:
    """``value`` as an ``xsd:date`` literal.

    Raises:
        QueryError: The value is not a real day written YYYY-MM-DD.
    """
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(value)
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"--as-of {value!r}: expected a date as YYYY-MM-DD") from None
    return Literal(day.isoformat(), datatype=XSD.date)


def typed_value(parameter: Parameter, value: Node) -> Node:
    """A ``--bind`` value as the parameter's declared type: a plain string for an ``xsd:date``
    parameter becomes an ``xsd:date`` literal (so date comparisons compare dates, not strings).

    Raises:
        QueryError: The value is not of the declared type.
    """
    if parameter.datatype is None or parameter.datatype == IRI or not isinstance(value, Literal):
        return value
    if value.datatype is not None and str(value.datatype) != parameter.datatype:
        raise QueryError(
            f"--bind {parameter.name}: expected an {_curie(parameter.datatype)}, got an {_curie(str(value.datatype))}"
        )
    typed = quiet_literal(str(value), URIRef(parameter.datatype))
    if parameter.datatype == str(XSD.date):
        try:
            return as_of_literal(str(value))
        except QueryError:
            raise QueryError(f"--bind {parameter.name}={value}: expected an xsd:date written YYYY-MM-DD") from None
    if typed.ill_typed:
        raise QueryError(f"--bind {parameter.name}={value}: not a valid {_curie(parameter.datatype)}")
    return typed


def quiet_literal(lexical: str, datatype: URIRef) -> Literal:
    """A typed literal, without rdflib logging a traceback when the text is not of the type (check
    ``.ill_typed``)."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        return Literal(lexical, datatype=datatype)
    finally:
        logger.setLevel(level)


def _curie(datatype: str) -> str:
    return "xsd:" + datatype.removeprefix(str(XSD)) if datatype.startswith(str(XSD)) else datatype


def check_bindings(
    what: str, parameters: tuple[Parameter, ...], bindings: dict[str, Node], as_of: str | None
) -> dict[str, Node]:
    """The bindings for a query with these parameters: ``bindings`` plus ``asOf`` from ``as_of``.

    Args:
        what: How to name the query in a message ("question 'wave-size'", "this query").
        parameters: The parameters its header declares.
        bindings: The values given by name (``--bind``).
        as_of: The ``--as-of`` day, if given.

    Raises:
        QueryError: ``--as-of`` where the header declares no ``asOf``, a malformed day, or a
            required parameter without a value.
    """
    result = dict(bindings)
    for name, value in bindings.items():
        declared = next((p for p in parameters if p.name == name), None)
        if declared is not None:
            result[name] = typed_value(declared, value)
    if as_of is not None:
        if not any(p.name == AS_OF for p in parameters):
            raise QueryError(
                f"{what} takes no as-of date: --as-of works only where the header declares '# Parameters: {AS_OF}'"
            )
        result[AS_OF] = as_of_literal(as_of)
    missing = [p for p in parameters if p.required and p.name not in result]
    if missing:
        first = missing[0]
        option = "--as-of YYYY-MM-DD" if first.name == AS_OF else f"--bind {first.name}=VALUE"
        kind = f", an {_curie(first.datatype)}" if first.datatype and first.datatype != IRI else ""
        if first.takes_iri:
            kind = ", an IRI such as iso:PRK, or a name or ISO code such as Uganda or UGA"
        raise QueryError(f"{what} needs a value for {first.name}: give {option}{kind}")
    return result


def read_question(path: Path) -> Question:
    """Read one question file.

    Raises:
        QueryError: The file has no ``# Question:`` header.
    """
    header = read_header(path.read_text(encoding="utf-8"))
    if not header.get("Question"):
        raise QueryError(f"{path}: a question file needs a '# Question:' header")
    return Question(
        name=path.stem,
        path=path,
        question=header["Question"],
        returns=header.get("Returns", ""),
        parameters=parse_parameters(header.get("Parameters", "")),
    )


def library(queries_dir: Path) -> list[Question]:
    """Every question in ``queries/``, sorted by name (the checks folder is not part of it)."""
    return [read_question(p) for p in sorted(queries_dir.glob("*.rq"))]


def find_question(queries_dir: Path, name: str) -> Question:
    """The question of that name.

    Raises:
        QueryError: No such question; the message offers the closest names, or lists them all.
    """
    path = queries_dir / f"{name}.rq"
    if re.fullmatch(r"[A-Za-z0-9_-]+", name) and path.is_file():
        return read_question(path)
    known = [q.name for q in library(queries_dir)]
    hint = did_you_mean(name, known)
    if hint:
        raise QueryError(f"unknown question {name!r}: {hint} (`diplokg questions` lists them all)")
    raise QueryError(f"unknown question {name!r}; the library has: {', '.join(known) or '(none)'}")


@dataclass(frozen=True)
class Evidence:
    """One distinct piece of evidence: a sentence (or table row) of a source, with its modalities
    (comma-separated; empty when only entities, which are not statements, cite it)."""

    source: str
    sentence: str
    modality: str


@dataclass
class EvidenceView:
    """An answer laid out for people: the answer columns, each row with references to numbered evidence.

    Attributes:
        columns: The answer's columns (evidence and parameter columns left out).
        rows: The distinct answer rows, in the answer's order, as text.
        refs: For each row, the numbers (1-based) of its evidence.
        evidence: The distinct evidence, numbered by first appearance.
    """

    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    refs: list[list[int]]
    evidence: list[Evidence]


def evidence_view(
    variables: tuple[str, ...], rows: list[tuple[str, ...]], hidden: tuple[str, ...] = ()
) -> EvidenceView:
    """Split answer rows (as text) into answer columns and numbered evidence.

    Rows that differ only in their evidence are merged into one row citing every piece of it.

    Args:
        variables: The answer's variables.
        rows: The rows, each cell as text (empty when unbound).
        hidden: Further columns to leave out (the parameters, shown apart).
    """
    drop = set(EVIDENCE_COLUMNS) | set(EVIDENCE_DETAIL_COLUMNS) | set(hidden)
    keep = [i for i, v in enumerate(variables) if v not in drop]
    where = {v: variables.index(v) for v in EVIDENCE_COLUMNS if v in variables}
    view = EvidenceView(columns=tuple(variables[i] for i in keep), rows=[], refs=[], evidence=[])
    # One piece of evidence per source and text: the same sentence cited by a statement (reported)
    # and by an entity (no modality) is listed once, with the modalities it is given.
    numbers: dict[tuple[str, str], int] = {}
    modalities: list[list[str]] = []
    index: dict[tuple[str, ...], int] = {}
    for row in rows:
        answer = tuple(row[i] for i in keep)
        if answer not in index:
            index[answer] = len(view.rows)
            view.rows.append(answer)
            view.refs.append([])
        if "sentence" not in where:
            continue
        source, sentence, modality = (row[where[v]] if v in where else "" for v in EVIDENCE_COLUMNS)
        if not sentence:
            continue  # a row that counts (the votes of evidence-for) quotes no sentence: no evidence number
        key = (source, sentence)
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            modalities.append([])
        if modality and modality not in modalities[numbers[key] - 1]:
            modalities[numbers[key] - 1].append(modality)
        refs = view.refs[index[answer]]
        if numbers[key] not in refs:
            refs.append(numbers[key])
    view.evidence = [Evidence(s, text, ", ".join(modalities[n - 1])) for (s, text), n in numbers.items()]
    for refs in view.refs:
        refs.sort()
    return view
