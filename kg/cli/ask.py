"""``diplokg ask NAME``: answer one question of the library, with the evidence under the answer."""

from __future__ import annotations

from pathlib import Path

import click
from rdflib.term import Node

from kg.cli.common import (
    endpoint_options,
    for_terminal,
    get_project,
    layout_option,
    limit_options,
    output_path,
    project_option,
    write_output,
)
from kg.cli.query import open_build, parse_binding
from kg.http import Endpoint
from kg.query.engine import ENGINES, Answer
from kg.query.excerpts import readable
from kg.query.formats import (
    FORMATS,
    Layout,
    chosen_layout,
    columns_that_fit,
    literal_text,
    output_width,
    records,
    render,
    table,
)
from kg.query.library import EvidenceView, Question, check_bindings, evidence_view, find_question


def cells(answer: Answer) -> list[tuple[str, ...]]:
    """The answer's rows as text: literals by their lexical form, IRIs shortened, unbound empty."""
    return [tuple(literal_text(t) for t in row) for row in answer.rows]


def filled(view: EvidenceView) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The view's columns and rows without the columns empty in every row, plus the evidence references."""
    keep = [i for i in range(len(view.columns)) if any(row[i] for row in view.rows)]
    columns = tuple(view.columns[i] for i in keep) + (("evidence",) if view.evidence else ())
    rows = [
        tuple(row[i] for i in keep) + ((", ".join(f"[{n}]" for n in refs),) if view.evidence else ())
        for row, refs in zip(view.rows, view.refs)
    ]
    return columns, rows


def people_text(
    question: Question, answer: Answer, bindings: dict[str, Node], width: int | None = None, layout: Layout = "auto"
) -> str:
    """The answer for people: the question, the rows with evidence references, then the evidence.

    Args:
        question: The question asked.
        answer: Its answer.
        bindings: The values given to its parameters.
        width: The terminal's width (default: the terminal's, else 120).
        layout: ``table`` (one line a row; the columns that do not fit are named under it),
            ``records`` (one field a line, every column), or ``auto`` (records when a row does not fit).
    """
    out = [question.question, ""]
    for name, value in sorted(bindings.items()):
        out.append(f"  {name} = {literal_text(value)}")
    if bindings:
        out.append("")
    view = evidence_view(answer.variables, cells(answer), hidden=tuple(p.name for p in question.parameters))
    if not view.rows:
        out.append("No answer in the current sources.")
        return "\n".join(out) + "\n"
    columns, rows = filled(view)
    total = width or output_width()
    left_out: list[str] = []
    if chosen_layout(columns, rows, total, layout) == "records":
        out.append(records(columns, rows, total).rstrip("\n"))
    else:
        keep = columns_that_fit(columns, rows, total, always=("evidence",))
        left_out = [c for i, c in enumerate(columns) if i not in keep]
        out.append(table([columns[i] for i in keep], [tuple(r[i] for i in keep) for r in rows], total).rstrip("\n"))
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    if left_out:
        out.append(f"(not shown at this width: {', '.join(left_out)}; every column: --layout records, "
                   "--format csv or json)")
    if view.evidence:
        out += ["", "Evidence"]
        out += evidence_lines(view)
    return "\n".join(out) + "\n"


def evidence_lines(view: EvidenceView) -> list[str]:
    """The numbered evidence for a terminal: the text (a table row as its cells), the source with the
    modality (when a statement rests on it), and a row's address on a line of its own, whole."""
    out = []
    for number, item in enumerate(view.evidence, 1):
        excerpt = readable(item.sentence)
        out.append(f"[{number}] “{excerpt.text}”")
        out.append(f"    {item.source}" + (f" ({item.modality})" if item.modality else ""))
        if excerpt.address:
            out.append(f"    {excerpt.address}")
    return out


@click.command("ask")
@click.argument("name")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="table: the answer for people, evidence listed under it; csv, tsv, json, xml: every column.",
)
@click.option(
    "-b",
    "--bind",
    "binds",
    multiple=True,
    metavar="NAME=VALUE",
    help="Give a parameter a value, e.g. --bind entity=iso:PRK (repeatable).",
)
@click.option(
    "--as-of",
    "as_of",
    metavar="YYYY-MM-DD",
    default=None,
    help="Answer as of this day (only for questions with an asOf parameter).",
)
@click.option("--asserted", is_flag=True, help="Answer only from what sources asserted (no inferred triples).")
@click.option("--engine", type=click.Choice(ENGINES), default="oxigraph", show_default=True, help="The SPARQL engine.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file (atomically) instead of standard output.",
)
@layout_option
@endpoint_options
@limit_options
@project_option
def command(
    name: str,
    fmt: str,
    layout: Layout,
    binds: tuple[str, ...],
    as_of: str | None,
    asserted: bool,
    engine: str,
    output: Path | None,
    timeout: float,
    max_memory: int,
    project: Path | None,
    endpoint: Endpoint | None,
) -> None:
    """Answer the question NAME (see `diplokg questions`), with the evidence behind each row.

    The table names, under the answer, each source sentence the rows rest on, with its source and
    its modality (reported, claimed, predicted, estimated).
    """
    proj = get_project(project)
    question = find_question(proj.queries, name)
    given = dict(parse_binding(b) for b in binds)
    check_bindings(f"question {question.name!r}", question.parameters, given, as_of)  # before a build
    build = open_build(proj, endpoint)
    if output is not None:
        output_path(output)
    answered = build.answer(question, given, as_of=as_of, asserted=asserted, engine=engine,  # type: ignore[arg-type]
                            timeout=timeout, max_memory=max_memory)
    people = fmt == "table"
    text = (for_terminal(people_text(question, answered.answer, answered.bindings, layout=layout)) if people
            else render(answered.answer, fmt))  # type: ignore[arg-type]
    if output is not None:
        write_output(output, text)
    else:
        click.echo(text, nl=False)
