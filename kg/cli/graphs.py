"""``diplokg graphs``: the named graphs of the build and their sizes."""

from __future__ import annotations

from pathlib import Path

import click
import pyoxigraph as ox

from kg.cli.common import get_project, layout_option, project_option
from kg.cli.query import ensure_built
from kg.query.formats import Layout, lay_out


@click.command("graphs")
@layout_option
@project_option
def command(layout: Layout, project: Path | None) -> None:
    """List the named graphs of the built graph (ontology, gazetteer, one per source, inferred)
    with their triple counts. Builds first if needed."""
    built = ensure_built(get_project(project))
    rows = []
    for name in built.graph_names():
        count = sum(1 for _ in built.store.quads_for_pattern(None, None, None, ox.NamedNode(str(name))))
        rows.append((str(name), f"{count:,}"))
    click.echo(lay_out(("graph", "triples"), rows, layout=layout), nl=False)
