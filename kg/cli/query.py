"""``diplokg query``: run a SPARQL query over the built graph."""

from __future__ import annotations

import re
from pathlib import Path
from typing import cast

import click
import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import Node

from kg.build import build
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
from kg.errors import QueryError, ValidationFailed, did_you_mean
from kg.http import Endpoint
from kg.paths import Project
from kg.query.engine import ENGINES, BuiltGraph
from kg.query.entities import resolve_bindings
from kg.query.formats import FORMATS, PREFIXES, render, short
from kg.query.gate import vet
from kg.query.library import check_bindings, parameters_of, quiet_literal
from kg.query.sandbox import Limits
from kg.query.vocabulary import warnings


def _inputs(project: Project) -> list[Path]:
    files = [project.ontology, project.shapes, *project.checks.glob("*.rq")]
    files += [p for p in project.sources.rglob("*") if p.is_file()]
    return files


def ensure_built(project: Project) -> BuiltGraph:
    """The built graph, building it first when it is missing or older than its inputs.

    Raises:
        ValidationFailed: The build found violations (run ``diplokg build`` to see them).
    """
    target = project.built_graph
    stale = not target.is_file()
    if not stale:
        built_at = target.stat().st_mtime
        stale = any(p.stat().st_mtime > built_at for p in _inputs(project))
    if stale:
        note("... building first (the built graph is missing or older than its sources)")
        report = build(project)
        if not report.written:
            raise ValidationFailed(
                f"the data has {len(report.violations)} violation(s); run `diplokg build` to see them"
            )
    return BuiltGraph(target)


def open_graph(project: Project, endpoint: Endpoint | None) -> BuiltGraph:
    """The graph to ask: the store at ``endpoint`` when given (answering like a built graph), else the
    local build (built first if needed)."""
    if endpoint is None:
        return ensure_built(project)
    from kg.query.remote import RemoteGraph

    return cast(BuiltGraph, RemoteGraph(endpoint))


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


def parse_binding(text: str) -> tuple[str, Node]:
    """Parse ``NAME=VALUE``: ``<iri>`` or ``prefix:local`` give an IRI, ``"2023-06-01"^^xsd:date`` (quotes
    optional) a typed literal, anything else a string (typed later by the parameter's declared type).

    Raises:
        QueryError: The binding is not of that form.
    """
    name, sep, value = text.partition("=")
    name = name.lstrip("?$")
    if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise QueryError(f"--bind {text!r}: expected NAME=VALUE")
    if value.startswith("<") and value.endswith(">"):
        return name, _iri(text, value[1:-1])
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES and re.fullmatch(r"[^\s<>\"{}|^`\\]*", local):
        return name, URIRef(PREFIXES[prefix] + local)
    if re.match(r"^https?://", value):
        return name, _iri(text, value)
    typed = re.fullmatch(r'"?(.*?)"?\^\^(?:<([^<>]+)>|([A-Za-z][\w-]*):([\w-]+))', value, re.DOTALL)
    if typed:
        lexical, iri, prefix, local = typed.groups()
        if iri is None and prefix not in PREFIXES:
            raise QueryError(f"--bind {text!r}: unknown prefix {prefix!r} in the datatype")
        datatype = _iri(text, iri) if iri is not None else URIRef(PREFIXES[prefix] + local)
        literal = quiet_literal(lexical, datatype)
        if literal.ill_typed:
            raise QueryError(f"--bind {text!r}: {lexical!r} is not a valid {short(datatype)}")
        return name, literal
    return name, Literal(value)


def _iri(given: str, iri: str) -> URIRef:
    """An IRI for ``--bind``, checked as Oxigraph checks it (absolute, no spaces or ``<>"{}|^`\\``).

    Raises:
        QueryError: Not a valid absolute IRI (one line, naming the option).
    """
    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        raise QueryError(f"--bind {given!r}: not a valid IRI ({str(exc).splitlines()[0]})") from None
    return URIRef(iri)


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
    bindings = check_bindings("this query", parameters_of(text), given, as_of)
    built = open_graph(proj, endpoint)
    bindings = resolve_bindings(built, parameters_of(text), bindings)
    vetted = vet(text, built.graph_names(), origin=origin)
    for line in warnings(vetted):
        note(f"diplokg: warning: {line}")
    if output is not None:
        output_path(output)
    limits = Limits(timeout=timeout, memory_mib=max_memory)
    answer = built.run(vetted, engine=engine, asserted_only=asserted, bindings=bindings, limits=limits)  # type: ignore[arg-type]
    out = render(answer, fmt, layout=layout)  # type: ignore[arg-type]
    if fmt == "table":
        out = for_terminal(out)
    if output is not None:
        write_output(output, out)
    else:
        click.echo(out, nl=False)


command.help = (command.help or "").replace("{prefixes}", ", ".join(f"{p}:" for p in PREFIXES))
