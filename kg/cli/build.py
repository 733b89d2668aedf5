"""``diplokg build``: load every source, reason, validate, and write the built graph."""

from __future__ import annotations

from pathlib import Path

import click

from kg.build import VALIDATORS, BuildReport, Reasoner, Validator, build
from kg.cli.common import get_project, note, project_option
from kg.paths import Project

#: As :data:`kg.reason.closure.REASONERS`, without importing the reasoners (rdflib's OWL machinery) at start-up.
REASONERS: tuple[Reasoner, ...] = ("fast", "owlrl")


#: How many source names the summary lists before it only counts the rest.
LISTED_SOURCES = 8
_DERIVED = "<https://w3id.org/diplokg/graph/derived/alignment>"


def source_list(sources: list[str]) -> str:
    """The sources a build loaded, as the summary names them: all of a few, the first of many."""
    shown = ", ".join(sources[:LISTED_SOURCES])
    if len(sources) > LISTED_SOURCES:
        shown += f" and {len(sources) - LISTED_SOURCES:,} more"
    return f"{len(sources):,} ({shown})"


def summary(project: Project, report: BuildReport) -> str:
    """The short summary a build prints."""
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items())
    if report.parts:
        steps += "; side by side in validate: " + ", ".join(f"{k} {v:.1f} s" for k, v in report.parts.items())
    lines = [
        f"sources:    {source_list(report.sources)}",
        f"asserted:   {report.asserted:,} triples (ontology, gazetteer and sources)",
        f"inferred:   {report.inferred:,} triples (OWL 2 RL closure, graph <https://w3id.org/diplokg/graph/inferred>)",
        *([f"derived:    {report.derived:,} triples (alignment measured from the votes, graph {_DERIVED})"]
          if report.derived else []),
        f"violations: {len(report.violations)}",
        *[f"reused:     {what}" for what in report.reused],
        f"time:       {sum(report.seconds.values()):.1f} s ({steps})",
    ]
    if report.written:
        lines.append(f"written:    {project.built_graph}")
    else:
        lines.append("not written: fix the violations above; the previous build is kept")
    return "\n".join(lines)


@click.command("build")
@project_option
@click.option("-q", "--quiet", is_flag=True, help="Print only violations and errors.")
@click.option(
    "--reasoner",
    type=click.Choice(REASONERS),
    default="fast",
    show_default=True,
    help="OWL 2 RL reasoner: 'fast' (rules compiled from the ontology) or 'owlrl' (the slow reference); "
    "both give the same inferred graph.",
)
@click.option(
    "--validator",
    type=click.Choice(VALIDATORS),
    default="sparql",
    show_default=True,
    help="SHACL validator: 'sparql' (the shapes compiled to SPARQL, run in Oxigraph) or 'pyshacl' "
    "(the slow reference, with the rdflib build); both report the same violations.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Build everything, even when build/cache holds the world's part of the previous build "
    "(by default a build whose world sources, ontology, shapes, checks and code are unchanged reuses "
    "it and redoes only the small sources).",
)
def command(project: Path | None, quiet: bool, reasoner: Reasoner, validator: Validator, no_cache: bool) -> None:
    """Load the ontology and every source, reason (OWL 2 RL), validate (SHACL and the quality
    checks) and write the built graph to build/diplokg.nq.

    With the world's large sources present, the build keeps a cache (build/cache) and the next build
    redoes only the small sources when nothing else changed (--no-cache builds everything).

    Exits 1 when the data has violations (each is printed with its file and line); the previous
    build is then kept.
    """
    proj = get_project(project)
    report = build(proj, progress=None if quiet else (lambda m: note(f"... {m}")), reasoner=reasoner,
                   validator=validator, cache=not no_cache)
    for violation in report.violations:
        click.echo(f"violation: {violation}", err=True)
    if not quiet or report.violations:
        click.echo(summary(proj, report))
    if report.violations:
        raise click.exceptions.Exit(1)
