"""``diplokg report -o FILE.md``: every question with its answer and evidence, as one Markdown report."""

from __future__ import annotations

import re
from pathlib import Path

import click

from kg.cli.ask import cells, filled
from kg.cli.common import get_project, note, project_option
from kg.cli.query import ensure_built
from kg.query.engine import BuiltGraph
from kg.query.formats import literal_text
from kg.query.gate import vet
from kg.query.library import Question, evidence_view, library
from kg.store.files import write_atomic

_SOURCES = """
PREFIX diplo:   <https://w3id.org/diplokg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs:    <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?title ?kind ?date WHERE {
  GRAPH ?g { ?source a ?class ; dcterms:title ?title }
  FILTER(STRSTARTS(STR(?g), "https://w3id.org/diplokg/graph/source/"))
  ?class rdfs:subClassOf diplo:Source ; rdfs:label ?kind .
  OPTIONAL { ?source dcterms:date ?date }
}
ORDER BY ?title ?kind
"""

_MODALITIES = """
PREFIX diplo: <https://w3id.org/diplokg/ontology#>
PREFIX rdfs:  <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos:  <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?label ?definition WHERE {
  ?m a diplo:Modality ; rdfs:label ?label ; skos:definition ?definition .
}
ORDER BY ?label
"""


def _cell(text: str) -> str:
    """Text made safe for a Markdown table cell."""
    return re.sub(r"\s+", " ", text).replace("\\", "\\\\").replace("|", "\\|").strip()


def _words(variable: str) -> str:
    """A column name for people: ``announcedBy`` becomes ``announced by``."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", variable).lower()


def _run(built: BuiltGraph, text: str, origin: str) -> list[tuple[str, ...]]:
    answer = built.run(vet(text, built.graph_names(), origin=origin))
    return [tuple(literal_text(t) for t in row) for row in answer.rows]


def section(number: int, question: Question, built: BuiltGraph) -> list[str]:
    """One question of the report: the question, the answer as a table, and the evidence."""
    returns = re.sub(r"\?([A-Za-z][A-Za-z0-9]*)", lambda m: f"*{_words(m.group(1))}*", question.returns)
    out = [f"## {number}. {question.question}", "", f"*Question `{question.name}`; each row:* {returns}", ""]
    needed = [p for p in question.parameters if p.required]
    if needed:
        names = ", ".join(f"`{p.name}`" for p in needed)
        out += [
            f"This question needs a value ({names}) and is answered with `diplokg ask {question.name} "
            f"--bind {needed[0].name}=...`; see the question's file for examples.",
            "",
        ]
        return out
    answer = built.run(vet(question.text, built.graph_names(), origin=str(question.path)))
    view = evidence_view(answer.variables, cells(answer), hidden=tuple(p.name for p in question.parameters))
    if not view.rows:
        return [*out, "No answer in the current sources.", ""]
    columns, rows = filled(view)
    out.append("| " + " | ".join(_cell(_words(c)) for c in columns) + " |")
    out.append("|" + "|".join(" --- " for _ in columns) + "|")
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    out.append("")
    if view.evidence:
        out += ["Evidence:", ""]
        for n, item in enumerate(view.evidence, 1):
            out.append(f"{n}. “{_cell(item.sentence)}” — *{_cell(item.source)}* ({item.modality})")
        out.append("")
    return out


def report_text(built: BuiltGraph, questions: list[Question]) -> str:
    """The whole report as Markdown: the same graph and library give the same text."""
    sources = _run(built, _SOURCES, "report: sources")
    modalities = _run(built, _MODALITIES, "report: modalities")
    out = [
        "# What the sources say: North Korea's diplomatic network",
        "",
        "This report answers the questions of the diplokg library from its knowledge graph. The graph "
        "holds what each source states (missions closed, visits, counts, causes, sanctions, claims "
        "and predictions), each statement tied to the sentence or table row it comes from. Every "
        "answer below is followed by its evidence: the sentence quoted, the source named, and how "
        "sure the source is of it.",
        "",
        f"Sources ({len(sources)}):",
        "",
    ]
    out += [f"- *{_cell(title)}* ({kind}{', ' + date if date else ''})" for title, kind, date in sources]
    out += ["", "How sure a source is (the modality given with each piece of evidence):", ""]
    out += [f"- **{label}**: {_cell(definition)}" for label, definition in modalities]
    out += [
        "",
        "An empty cell means the sources do not say. Numbers in the evidence column point to the "
        "numbered evidence under each table.",
        "",
    ]
    for number, question in enumerate(questions, 1):
        out += section(number, question, built)
    return "\n".join(out).rstrip("\n") + "\n"


@click.command("report")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The Markdown file to write (atomically).",
)
@project_option
def command(output: Path, project: Path | None) -> None:
    """Write every question of the library, with its answer and evidence, as one Markdown report."""
    proj = get_project(project)
    built = ensure_built(proj)
    text = report_text(built, library(proj.queries))
    write_atomic(output, text.encode("utf-8"))
    note(f"wrote {output}")
