"""``diplokg explore``: write the alignment explorer, one offline HTML page."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import endpoint_options, get_project, output_path, project_option
from kg.cli.query import open_graph
from kg.http import Endpoint
from kg.network.graph import explorer_graph
from kg.network.page import write_page
from kg.network.worldgraph import world_data


@click.command("explore")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The HTML file to write (default: explorer.html in the build folder).")
@endpoint_options
@project_option
def command(output: Path | None, project: Path | None, endpoint: Endpoint | None) -> None:
    """Write the alignment explorer: one self-contained HTML page (no outside request) with the
    network of missions, ties, sanctions, claims and alignment, each with its evidence, and, when the
    graph holds the UN votes or the world's missions, the world view (agreement with China and Russia
    per year, missions on a map). Prints the page's path. Builds first if needed. With --endpoint the
    page holds the network only (the world view reads a local build)."""
    proj = get_project(project)
    if output is not None:
        output_path(output)
    built = open_graph(proj, endpoint)
    graph = explorer_graph(built)
    world = world_data(built.store) if endpoint is None else None
    path = output if output is not None else proj.build / "explorer.html"
    write_page(graph, path, world)
    click.echo(str(path))
