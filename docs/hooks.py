"""MkDocs hook: the parts of the manual that are made from the code and the files, at every build.

A page marks where a generated part goes with an HTML comment, ``<!-- diplokg:NAME -->``; this hook
(``hooks:`` in ``mkdocs.yml``) replaces it before the page is rendered:

- ``cli-reference``: every command and subcommand of ``diplokg`` with the help click prints for it;
- ``exit-codes``: the exit codes of :data:`kg.errors.EXIT_CODES`;
- ``questions``: every question of ``queries/`` with its header (:func:`kg.query.library.library`);
- ``checks``: every quality check of ``queries/checks/`` with its header;
- ``sources``: every folder of ``sources/``: its ``source.ttl``, its files and its README;
- ``readme-intro``: the README's opening (what diplokg is), up to its first section;
- ``gazetteer``: the provenance of the gazetteer's data (``kg/sources/data/README.md``).

An unknown marker stops the build. Text from files is escaped so that it reads as text, and the
links of an embedded README are shown as text: the site links to no other site and loads nothing
from one (``tests/test_docs.py`` checks both).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
from mkdocs.exceptions import PluginError
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDFS

from kg import __version__
from kg.cli import main
from kg.errors import EXIT_CODES
from kg.paths import Project
from kg.query.library import library, read_header

#: The checkout this manual describes (the folder above ``docs/``).
ROOT = Path(__file__).resolve().parent.parent
PROJECT = Project(ROOT)
#: The width click lays help out at, as a terminal of 100 columns would (``main``'s own maximum).
HELP_WIDTH = 100
MARKER = re.compile(r"<!-- diplokg:([a-z-]+) -->")
DIPLO = Namespace("https://w3id.org/diplokg/ontology#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SOURCE_BASE = "https://w3id.org/diplokg/id/source/"


def on_config(config: Any, **kwargs: Any) -> Any:
    """The package's version, for the footer (one place: ``kg.__version__``)."""
    config.extra["version"] = __version__
    return config


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any, **kwargs: Any) -> str:
    """Replace each ``<!-- diplokg:NAME -->`` of a page by the part it names."""

    def part(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in PARTS:
            raise PluginError(f"{page.file.src_uri}: unknown generated part {name!r} (known: {', '.join(PARTS)})")
        return PARTS[name]()

    return MARKER.sub(part, markdown)


# Text as Markdown ------------------------------------------------------------------------------

_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)


def as_text(text: str) -> str:
    """Text from a file, as Markdown that shows it as written (code spans kept, nothing else read as markup)."""
    out: list[str] = []
    last = 0
    for match in _CODE_SPAN.finditer(text):
        out.append(_escape(text[last:match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_escape(text[last:]))
    return "".join(out)


def _escape(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\*_\[\]#])", r"\\\1", text)


_LINK = re.compile(r"(?<!!)\[([^\]\n]*)\]\(([^)\s]+)\)")
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^>\s]+)>")


def embedded(markdown: str, depth: int) -> str:
    """A README embedded in a page: its headings ``depth`` levels lower, its links shown as text."""
    lines = []
    fenced = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced:
            if line.startswith("#"):
                line = "#" * depth + line
            line = _LINK.sub(lambda m: f"{m.group(1)} (`{m.group(2)}`)", line)
            line = _AUTOLINK.sub(lambda m: f"`{m.group(1)}`", line)
        lines.append(line)
    return "\n".join(lines)


def fenced(text: str) -> str:
    """Text in a fenced block, shown as it is."""
    return "```text\n" + text.rstrip() + "\n```"


# The command line ------------------------------------------------------------------------------


def commands() -> Iterator[tuple[tuple[str, ...], click.Command, click.Context]]:
    """Every command and subcommand, depth first in the order ``--help`` lists them, with its context."""

    def walk(path: tuple[str, ...], command: click.Command, ctx: click.Context) -> Iterator[
            tuple[tuple[str, ...], click.Command, click.Context]]:
        yield path, command, ctx
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None and not sub.hidden:
                    yield from walk((*path, name), sub, click.Context(sub, info_name=name, parent=ctx))

    settings = dict(main.context_settings)
    settings.update(terminal_width=HELP_WIDTH, max_content_width=HELP_WIDTH)
    yield from walk((), main, click.Context(main, info_name="diplokg", **settings))


def help_text(command: click.Command, ctx: click.Context) -> str:
    """What ``--help`` prints for a command, laid out at :data:`HELP_WIDTH` columns."""
    return command.get_help(ctx)


def cli_reference() -> str:
    """Every command's ``--help``, a section each (``diplokg`` itself first)."""
    parts = []
    for path, command, ctx in commands():
        title = " ".join(("diplokg", *path))
        summary = command.get_short_help_str(limit=HELP_WIDTH) if path else ""
        heading = "#" * min(2 + max(len(path) - 1, 0), 4)
        parts.append(f"{heading} {title}\n\n" + (f"{as_text(summary)}\n\n" if summary else "")
                     + fenced(help_text(command, ctx)))
    return "\n\n".join(parts)


def exit_codes() -> str:
    """The exit codes as a table."""
    rows = [f"| {code} | {as_text(meaning)} |" for code, meaning in EXIT_CODES]
    return "| code | meaning |\n| --- | --- |\n" + "\n".join(rows)


# The questions and checks ----------------------------------------------------------------------

_FIRST = ("Question", "Check", "Catches", "Why", "Parameters", "Returns")


def _fields(header: dict[str, str], skip: tuple[str, ...]) -> str:
    order = [k for k in _FIRST if k in header] + [k for k in header if k not in _FIRST]
    return "\n\n".join(f"**{key}.** {as_text(header[key])}" for key in order if key not in skip and header[key])


def questions() -> str:
    """Every question of the library, its header field by field, as the file states it."""
    parts = []
    for question in library(PROJECT.queries):
        header = read_header(question.text)
        parts.append(f"### {question.name}\n\n" + _fields(header, ())
                     + f"\n\n`diplokg ask {question.name}` · file `queries/{question.path.name}`")
    return "\n\n".join(parts)


def checks() -> str:
    """Every quality check, with what it catches and why."""
    parts = []
    for path in sorted(PROJECT.checks.glob("*-violation.rq")):
        header = read_header(path.read_text(encoding="utf-8"))
        parts.append(f"### {path.stem}\n\n" + _fields(header, ("Check",)) + f"\n\nfile `queries/checks/{path.name}`")
    return "\n\n".join(parts)


# The sources -----------------------------------------------------------------------------------

_SOURCE_FIELDS: tuple[tuple[str, URIRef], ...] = (
    ("title", DCTERMS.title), ("label", RDFS.label), ("creator", DCTERMS.creator),
    ("publisher", DCTERMS.publisher), ("date", DCTERMS.date), ("identifier", DCTERMS.identifier),
    ("licence", DCTERMS.license), ("from", DCTERMS.source), ("coverage", DIPLO.coverage),
    ("language", DCTERMS.language),
)


def _term(graph: Graph, node: Any) -> str:
    if isinstance(node, URIRef):
        qname = graph.namespace_manager.normalizeUri(node)
        return f"`{qname if not qname.startswith('<') else str(node)}`"
    return as_text(str(node))


def _size(n: int) -> str:
    """A file's size as people read it (bytes, KB, MB: powers of 1000)."""
    if n < 1000:
        return f"{n} bytes"
    return f"{n / 1000:,.1f} KB" if n < 1_000_000 else f"{n / 1_000_000:,.1f} MB"


def source(folder: Path) -> str:
    """One source folder as the sources page shows it."""
    base = URIRef(f"{SOURCE_BASE}{folder.name}/")
    graph = Graph()
    graph.bind("diplo", DIPLO)
    graph.parse(folder / "source.ttl", format="turtle", publicID=base)
    lines = [f"### {folder.name}", ""]
    kinds = sorted(_term(graph, t) for t in graph.objects(base, RDF.type))
    lines.append(f"- **type**: {', '.join(kinds)}")
    for label, prop in _SOURCE_FIELDS:
        values = sorted(_term(graph, v) for v in graph.objects(base, prop))
        if values:
            lines.append(f"- **{label}**: {', '.join(values)}")
    for period in graph.objects(base, DCTERMS.temporal):
        start, end = graph.value(period, DCAT.startDate), graph.value(period, DCAT.endDate)
        lines.append(f"- **period**: {start} to {end}")
    for description in graph.objects(base, DCTERMS.description):
        lines += ["", as_text(str(description))]
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    lines += ["", "Files: " + ", ".join(
        f"`{p.relative_to(folder).as_posix()}` ({_size(p.stat().st_size)})" for p in files) + "."]
    originals = [(name, digest) for name, digest in ORIGINALS.items() if name.startswith(f"{folder.name}/")]
    if originals:
        lines += ["", "The originals as received, by SHA-256 (`tests/fixtures/originals.sha256`; tests check the "
                  "copies here against them, a gzipped copy by its content): " + ", ".join(
                      f"`{name.split('/', 1)[1]}` `{digest}`" for name, digest in originals) + "."]
    readme = folder / "README.md"
    if readme.is_file():
        lines += ["", f"#### The folder's README (`sources/{folder.name}/README.md`)", "",
                  embedded(readme.read_text(encoding="utf-8"), 4)]
    return "\n".join(lines)


def _originals() -> dict[str, str]:
    """Each original's SHA-256 by its path under ``sources/``, as the project records them."""
    found: dict[str, str] = {}
    for line in (ROOT / "tests" / "fixtures" / "originals.sha256").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            digest, name = line.split(maxsplit=1)
            found[name.strip()] = digest
    return found


ORIGINALS = _originals()


def sources() -> str:
    """Every source folder (a folder of ``sources/`` with a ``source.ttl``), by name."""
    folders = sorted(p for p in PROJECT.sources.iterdir() if (p / "source.ttl").is_file())
    return "\n\n".join(source(folder) for folder in folders)


def gazetteer() -> str:
    """The gazetteer's data and its provenance, from its README."""
    readme = ROOT / "kg" / "sources" / "data" / "README.md"
    return "From `kg/sources/data/README.md`:\n\n" + embedded(readme.read_text(encoding="utf-8"), 2)


def readme_intro() -> str:
    """The README's opening paragraphs (what diplokg is): the front page says it in the same words."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("\n", text.index("# ")) + 1
    return text[start:text.index("\n## ", start)].strip()


PARTS: dict[str, Callable[[], str]] = {
    "readme-intro": readme_intro,
    "cli-reference": cli_reference,
    "exit-codes": exit_codes,
    "questions": questions,
    "checks": checks,
    "sources": sources,
    "gazetteer": gazetteer,
}
