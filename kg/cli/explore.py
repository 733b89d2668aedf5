"""``diplokg explore``: write the alignment explorer, one offline HTML page."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import endpoint_options, get_project, output_path, project_option
from kg.cli.query import open_graph
from kg.http import Endpoint
from kg.network.graph import explorer_graph
from kg.network.page import write_page


@click.command("explore")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The HTML file to write (default: explorer.html in the build folder).")
@endpoint_options
@project_option
def command(output: Path | None, project: Path | None, endpoint: Endpoint | None) -> None:
    """Write the alignment explorer: one self-contained HTML page (no outside request) with the
    network of missions, ties, sanctions, claims and alignment, each with its evidence. Prints the
    page's path. Builds first if needed."""
    proj = get_project(project)
    if output is not None:
        output_path(output)
    built = open_graph(proj, endpoint)
    graph = explorer_graph(built)
    path = output if output is not None else proj.build / "explorer.html"
    write_page(graph, path)
    click.echo(str(path))
