"""``diplokg query``: run a SPARQL query over the built graph."""

from __future__ import annotations

import re
from pathlib import Path

import click

from kg.api import connect
from kg.api.build import Build
from kg.api.values import parse_binding as parse_binding  # the --bind reader, where the commands found it
from kg.cli.common import (
    endpoint_options,
    for_terminal,
    get_project,
    layout_option,
    limit_options,
    note,
    output_path,
    project_option,
    write_output,
)
from kg.errors import QueryError, did_you_mean
from kg.http import Endpoint
from kg.paths import Project
from kg.query.engine import ENGINES, BuiltGraph
from kg.query.formats import FORMATS, PREFIXES, render
from kg.query.library import check_bindings, parameters_of


def ensure_built(project: Project) -> BuiltGraph:
    """The built graph, building it first when it is missing or older than its inputs (the API's
    :func:`kg.api.connect.ensure_built`, its progress line on standard error).

    Raises:
        ValidationFailed: The build found violations (run ``diplokg build`` to see them).
    """
    return connect.ensure_built(project, progress=note)


def open_build(project: Project | None, endpoint: Endpoint | None) -> Build:
    """The API's :class:`kg.api.Build` of the project's build (built first if needed) or of the store at
    ``endpoint``: what every command that asks runs through."""
    return connect.open_project(project, endpoint, progress=note)


def query_names(project: Project) -> list[str]:
    """The names of the library's queries (``queries/NAME.rq``)."""
    return sorted(p.stem for p in project.queries.glob("*.rq"))


def resolve_query(project: Project, name_or_path: str) -> Path:
    """Find a query by name in the library, or as a file path.

    Raises:
        QueryError: No such query; the message offers the closest names, or lists them all.
    """
    candidate = project.queries / f"{name_or_path}.rq"
    if re.fullmatch(r"[A-Za-z0-9_-]+", name_or_path) and candidate.is_file():
        return candidate
    path = Path(name_or_path)
    if path.is_file():
        return path
    known = query_names(project)
    hint = did_you_mean(name_or_path, known)
    if hint:
        raise QueryError(f"unknown query {name_or_path!r}: {hint} (`diplokg questions` lists them all)")
    raise QueryError(f"unknown query {name_or_path!r}; the library has: {', '.join(known) or '(none)'}")


@click.command("query")
@click.argument("query", required=False)
@click.option("-e", "--expression", metavar="TEXT", help="Run this SPARQL text instead of a named query or file.")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
    help="Output format: a table for people, or a SPARQL 1.1 results format (CONSTRUCT/DESCRIBE print Turtle).",
)
@click.option("--asserted", is_flag=True, help="Query only what sources asserted (leave out the inferred graph).")
@click.option("--engine", type=click.Choice(ENGINES), default="oxigraph", show_default=True,
              help="The SPARQL engine.")
@click.option("-b", "--bind", "binds", multiple=True, metavar="NAME=VALUE",
              help="Give a variable a value, e.g. --bind entity=iso:PRK (repeatable).")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
              help="Ask as of this day: binds ?asOf (an xsd:date); only for queries whose header declares it.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (atomically) instead of standard output.")
@layout_option
@endpoint_options
@limit_options
@project_option
def command(
    query: str | None,
    expression: str | None,
    fmt: str,
    layout: str,
    asserted: bool,
    engine: str,
    binds: tuple[str, ...],
    as_of: str | None,
    output: Path | None,
    timeout: float,
    max_memory: int,
    project: Path | None,
    endpoint: Endpoint | None,
) -> None:
    """Run a SPARQL 1.1 query over the built graph (built first if needed), or on a store (--endpoint).

    QUERY is a name from the library (`closed-missions` runs queries/closed-missions.rq) or a
    file; or give the text with -e. The default graph is the union of every graph, asserted and
    inferred. SERVICE, updates (LOAD ...) and FROM with a graph that is not ours are refused.

    The prefixes tables print are known without a PREFIX line (a query's own PREFIX wins; the text
    run, on any engine or --endpoint, declares those it uses): {prefixes}.

    A diplo: term the ontology does not define (a misspelling: diplo:region for diplo:inRegion)
    gets a warning on standard error with the closest term; the answer and exit code are unchanged.
    """
    proj = get_project(project)
    if (query is None) == (expression is None):
        names = ", ".join(query_names(proj))
        raise QueryError(f"give a query name or file, or -e TEXT (not both); the library has: {names}")
    if expression is not None:
        text, origin = expression, "query"
    else:
        path = resolve_query(proj, query or "")
        text, origin = path.read_text(encoding="utf-8"), str(path)
    given = dict(parse_binding(b) for b in binds)
    check_bindings("this query", parameters_of(text), given, as_of)  # before a build: a mistake shows at once
    build = open_build(proj, endpoint)
    if output is not None:
        output_path(output)
    answer = build.run(text, given, as_of=as_of, asserted=asserted, engine=engine,  # type: ignore[arg-type]
                       timeout=timeout, max_memory=max_memory, origin=origin,
                       on_warning=lambda line: note(f"diplokg: warning: {line}"))
    out = render(answer, fmt, layout=layout)  # type: ignore[arg-type]
    if fmt == "table":
        out = for_terminal(out)
    if output is not None:
        write_output(output, out)
    else:
        click.echo(out, nl=False)


command.help = (command.help or "").replace("{prefixes}", ", ".join(f"{p}:" for p in PREFIXES))
