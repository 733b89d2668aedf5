"""``diplokg explore``: write the alignment explorer, one offline HTML page."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from kg.cli.common import endpoint_options, get_project, output_path, project_option
from kg.cli.progress import Progress, progress_option
from kg.cli.query import open_build
from kg.http import Endpoint
from kg.network.explorer import explorer_inputs
from kg.network.page import write_page
from kg.network.worldgraph import store_rows
from kg.query.answers import keeping_answers, kept_rows


@click.command("explore")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The HTML file to write (default: explorer.html in the build folder).")
@progress_option
@endpoint_options
@project_option
def command(output: Path | None, progress: bool | None, project: Path | None, endpoint: Endpoint | None) -> None:
    """Write the alignment explorer: one self-contained HTML page (no outside request). When the graph
    holds the UN votes and the world's missions it opens on a world map: each state filled by its
    agreement with China or Russia in the UN General Assembly in the year chosen (or its change since
    another year), a ranking beside it, and the missions drawn in their status at the end of the year.
    A second tab tells the DPRK's story: its events in time order beside the network of its missions,
    ties, sanctions and claims, each with its evidence, on the same time control. Prints the page's
    path. Builds first if needed. With --endpoint the page holds the DPRK's story and network only
    (the world view reads a local build). Answers and the gate's verdicts are kept in the build folder
    for the next page or report on the same build."""
    proj = get_project(project)
    if output is not None:
        output_path(output)
    built = keeping_answers(open_build(proj, endpoint).graph)
    world = kept_rows(built, functools.partial(store_rows, built.store)) if endpoint is None else None
    shown = Progress("explore", progress)
    try:
        inputs = explorer_inputs(built, world, shown)
        path = output if output is not None else proj.build / "explorer.html"
        shown("writing the page")
        write_page(inputs.graph, path, inputs.world, inputs.view, inputs.story)
    finally:
        shown.done()
    click.echo(str(path))


