"""``diplokg report -o FILE.md``: every question with its answer and evidence, as one Markdown report."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import click

from kg.cli.ask import cells, filled
from kg.cli.common import (
    endpoint_options,
    for_terminal,
    get_project,
    limit_options,
    output_path,
    project_option,
    write_output,
)
from kg.cli.progress import Progress, Report, progress_option
from kg.cli.query import open_build, parse_binding
from kg.http import Endpoint
from kg.query.answers import keeping_answers
from kg.query.engine import BuiltGraph
from kg.query.entities import resolve_bindings
from kg.query.excerpts import readable
from kg.query.formats import literal_text
from kg.query.library import EvidenceView, Question, check_bindings, evidence_view, library
from kg.query.sandbox import Limits
from kg.query.verdicts import vet_kept

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


#: The characters that can start Markdown or HTML inline: each is written backslash-escaped (CommonMark
#: allows a backslash before any ASCII punctuation), so text from data can never become a tag, an
#: attribute, a link, an image, an entity, emphasis or a table cell's end.
_MARKUP = re.compile(r"([\\`*_\[\]<>&|~!#])")
#: An address the report may show as a link: http(s), nothing that could end the link or start markup.
_LINKABLE = re.compile(r"https?://[^\s<>\"`\\]+")


def _cell(text: str) -> str:
    """Text from data made safe for Markdown, also in a table cell: one line, every markup character
    escaped (see :data:`_MARKUP`)."""
    return for_terminal(_MARKUP.sub(r"\\\1", re.sub(r"\s+", " ", text).strip()))


def _address(address: str) -> str:
    """A row's address: an autolink when it is a plain http(s) URL, else escaped text."""
    return f"<{address}>" if _LINKABLE.fullmatch(address) else _cell(address)


def _words(variable: str) -> str:
    """A column name for people: ``announcedBy`` becomes ``announced by``."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", variable).lower()


def _run(built: BuiltGraph, text: str, origin: str, limits: Limits | None = None) -> list[tuple[str, ...]]:
    answer = built.run(vet_kept(built, text, origin), limits=limits)
    return [tuple(literal_text(t) for t in row) for row in answer.rows]


@dataclass(frozen=True)
class Part:
    """One part of the report's story: a heading, a few words on what it covers, its questions.

    Attributes:
        title: The part's heading.
        intro: What the part is about (no fact is stated here: the answers do that).
        questions: Question names in reading order, each with the values it is asked with (one
            answer per set of values; questions that take none get ``{}``).
    """

    title: str
    intro: str
    questions: tuple[tuple[str, dict[str, str]], ...]


#: The report's story: the closures first, then why they happened, the turn to Russia and China,
#: what the sources count and claim, and one state's record. Questions added to the library later
#: come at the end, in file-name order. Parameterised questions are answered with the values given
#: here: the network before the wave (2023-01-01) and after it (2024-02-01), and Uganda, where the
#: sources' accounts differ most.
STORY: tuple[Part, ...] = (
    Part("The closures", "Which DPRK missions the sources report closed or announced closed, when, where, and "
         "what remained open before and after.", (
        ("closed-missions", {}), ("closures-by-date", {}), ("farewell-visits", {}),
        ("network-as-of", {"asOf": "2023-01-01"}), ("network-as-of", {"asOf": "2024-02-01"}),
        ("regions", {}), ("wave-size", {}), ("wave-history", {}))),
    Part("Why they closed", "The causes the sources give: money, sanctions and strategy.", (
        ("closure-causes", {}), ("africa-income", {}), ("sanctions", {}), ("sanction-measures", {}))),
    Part("The turn to Russia and China", "What the sources say of the DPRK's alignment, and the events "
         "that led to it, in time order.", (
        ("alignment", {}), ("russia-pivot", {}), ("turning-points", {}), ("priority-partners", {}))),
    Part("Counts, disagreements, claims and predictions", "Where the sources give numbers, where they "
         "differ, and what they give only as claims or predictions.", (
        ("relation-count", {}), ("disagreements", {}), ("claims", {}), ("predictions", {}))),
    Part("One state's record", "Everything the sources state about one state, here Uganda (ask for "
         "another with `diplokg ask evidence-for --bind entity=NAME`).", (
        ("evidence-for", {"entity": "iso:UGA"}),)),
    Part("The world: votes and missions", "How the DPRK and the hosts of its missions vote with China and "
         "Russia in the UN General Assembly (measured from the votes), and what Wikidata lists beside the "
         "closures table and the article.", (
        ("dprk-alignment", {}), ("closures-and-alignment", {}), ("russia-movers", {}),
        ("alignment-ranking", {"year": "2019"}), ("dprk-missions-by-source", {}))),
    Part("Alignment now: the war, the closures and the Security Council", "The votes after 2019: the "
         "General Assembly's key votes of 2020-2024 (a selection of recorded votes, not every one: each "
         "table says so and gives its roll calls) and the Security Council's votes on the DPRK's sanctions, "
         "its vetoes included.", (
        ("ukraine-votes", {}), ("partners-and-russia", {}), ("council-votes", {}))),
)


def column_notes(returns: str, columns: tuple[str, ...]) -> str:
    """What each shown column holds, in the words of the question's ``# Returns:`` header (only the
    columns the table shows, in its order)."""
    notes = []
    for column in columns:
        if column == "evidence":
            notes.append("*evidence* (the numbers of the evidence listed under the table)")
            continue
        match = re.search(rf"\?{re.escape(column)}\b(\s*\((?:[^()]|\([^()]*\))*\))?", returns)
        words = match.group(1).strip() if match and match.group(1) else ""
        notes.append(f"*{_words(column)}*" + (f" {_cell(words)}" if words else ""))
    return "; ".join(notes)


#: The rows a section shows unless ``diplokg report --section-rows`` says otherwise (0: every row).
SECTION_ROWS = 200


def first_rows(view: EvidenceView, count: int) -> EvidenceView:
    """The view's first ``count`` rows, with only the evidence they cite, numbered again in order."""
    rows, refs = view.rows[:count], view.refs[:count]
    kept: dict[int, int] = {}
    for numbers in refs:
        for n in numbers:
            kept.setdefault(n, len(kept) + 1)
    return EvidenceView(view.columns, rows, [[kept[n] for n in numbers] for numbers in refs],
                        [view.evidence[n - 1] for n in kept])


def section(
    number: int,
    question: Question,
    built: BuiltGraph,
    values: dict[str, str] | None = None,
    limits: Limits | None = None,
    max_rows: int = SECTION_ROWS,
) -> list[str]:
    """One question of the report: the question, the values it is asked with, the answer as a table
    (with what each shown column holds; its first ``max_rows`` rows, every row for 0, and then how to
    get all of them), and the evidence of the rows shown."""
    values = values or {}
    out = [f"## {number}. {_cell(question.question)}", ""]
    given = {name: value for name, value in values.items() if question.parameter(name) is not None}
    bindings = check_bindings(f"question {question.name!r}", question.parameters,
                              dict(parse_binding(f"{k}={v}") for k, v in given.items()), None)
    bindings = resolve_bindings(built, question.parameters, bindings)
    if given:
        asked = ", ".join(f"{_words(k)} = {v}" for k, v in given.items())
        out += [f"*Asked with {asked}* (`diplokg ask {question.name} "
                + " ".join(f"--bind {k}={v}" for k, v in given.items()) + "`).", ""]
    answer = built.run(vet_kept(built, question.text, str(question.path), bindings), limits=limits)
    view = evidence_view(answer.variables, cells(answer), hidden=tuple(p.name for p in question.parameters))
    if not view.rows:
        return [*out, f"*Question `{question.name}`.* No answer in the current sources.", ""]
    total = len(view.rows)
    if max_rows and total > max_rows:
        view = first_rows(view, max_rows)
    columns, rows = filled(view)
    out += [f"*Question `{question.name}`; each row:* {column_notes(question.returns, columns)}.", ""]
    out.append("| " + " | ".join(_cell(_words(c)) for c in columns) + " |")
    out.append("|" + "|".join(" --- " for _ in columns) + "|")
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    out.append("")
    if len(rows) < total:
        binds = "".join(f" --bind {k}={v}" for k, v in given.items())
        out += [f"*The first {len(rows):,} of {total:,} rows. Every row: `diplokg report --section-rows 0` "
                f"(the whole report), or `diplokg ask {question.name}{binds} --format csv` (this answer).*", ""]
    if view.evidence:
        out += ["Evidence:", ""]
        for n, item in enumerate(view.evidence, 1):
            excerpt = readable(item.sentence)
            modality = f" ({_cell(item.modality)})" if item.modality else ""
            address = f" — {_address(excerpt.address)}" if excerpt.address else ""
            out.append(f"{n}. “{_cell(excerpt.text)}” — *{_cell(item.source)}*{modality}{address}")
        out.append("")
    return out


def story(questions: list[Question]) -> list[tuple[str, str, list[tuple[Question, dict[str, str]]]]]:
    """The report's parts with the library's questions in story order; questions the story does not
    place come last, under "More questions"."""
    by_name = {q.name: q for q in questions}
    placed: set[str] = set()
    parts = []
    for part in STORY:
        chosen = [(by_name[name], values) for name, values in part.questions if name in by_name]
        placed |= {q.name for q, _ in chosen}
        if chosen:
            parts.append((part.title, part.intro, chosen))
    rest: list[tuple[Question, dict[str, str]]] = [(q, {}) for q in questions if q.name not in placed]
    if rest:
        parts.append(("More questions", "Questions of the library the story above does not place.", rest))
    return parts


def report_text(built: BuiltGraph, questions: list[Question], limits: Limits | None = None,
                section_rows: int = SECTION_ROWS, progress: Report | None = None) -> str:
    """The whole report as Markdown: the same graph and library give the same text. Everything that
    comes from data is escaped (:func:`_cell`), so no data becomes HTML. Each section shows at most
    ``section_rows`` rows of its answer (0: every row) and says how to get the rest. ``progress`` is
    told of each question as it is asked."""
    progress = progress or (lambda _step: None)
    progress("the sources")
    sources = _run(built, _SOURCES, "report: sources", limits)
    modalities = _run(built, _MODALITIES, "report: modalities", limits)
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
    out += [f"- *{_cell(title)}* ({_cell(kind)}{', ' + _cell(date) if date else ''})" for title, kind, date in sources]
    out += ["", "How sure a source is (the modality given with each piece of evidence):", ""]
    out += [f"- **{_cell(label)}**: {_cell(definition)}" for label, definition in modalities]
    out += [
        "",
        "An empty cell means the sources do not say. Numbers in the evidence column point to the "
        "numbered evidence under each table.",
        "",
    ]
    number = 0
    parts = story(questions)
    total = sum(len(chosen) for _, _, chosen in parts)
    for title, intro, chosen in parts:
        out += [f"# {title}", "", intro, ""]
        for question, values in chosen:
            number += 1
            progress(f"question {number} of {total}, {question.name}")
            out += section(number, question, built, values, limits, section_rows)
    return "\n".join(out).rstrip("\n") + "\n"


@click.command("report")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The Markdown file to write (atomically).",
)
@click.option(
    "--section-rows",
    type=click.IntRange(min=0),
    default=SECTION_ROWS,
    show_default=True,
    help="Rows of each answer to show (0: every row); a longer answer says how to get the rest.",
)
@progress_option
@endpoint_options
@limit_options
@project_option
def command(output: Path, section_rows: int, progress: bool | None, timeout: float, max_memory: int,
            project: Path | None, endpoint: Endpoint | None) -> None:
    """Write every question of the library, with its answer and evidence, as one Markdown report.
    The limits apply to each question. Answers and the gate's verdicts are kept in the build folder
    (answers/, verdicts.json) for the next report or page on the same build."""
    proj = get_project(project)
    output_path(output)
    built = keeping_answers(open_build(proj, endpoint).graph)
    shown = Progress("report", progress)
    try:
        text = report_text(built, library(proj.queries), Limits(timeout=timeout, memory_mib=max_memory), section_rows,
                           shown)
    finally:
        shown.done()
    write_output(output, text)
