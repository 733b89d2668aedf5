"""``diplokg export``: the explorer's networks as GEXF, GraphML or node-link JSON, and its map as SVG."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import endpoint_options, get_project, note, output_path, project_option, write_output
from kg.cli.query import open_build
from kg.errors import DiplokgError
from kg.http import Endpoint

WHAT = ("world", "dprk", "map")


@click.command("export")
@click.argument("what", type=click.Choice(WHAT))
@click.option("-f", "--format", "fmt", type=click.Choice(("gexf", "graphml", "json", "svg")), default=None,
              help="gexf (Gephi; the default for a network), graphml (Cytoscape, yEd), json (node-link, d3 and "
                   "networkx); svg for the map (its only format).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (atomically) instead of standard output.")
@click.option("--year", type=int, default=None,
              help="The map's year (default: the latest year with enough roll calls); for a network, the year "
                   "at whose end the missions' status is given (default: the last year).")
@click.option("--anchor", default=None, help="The map's anchor, an ISO alpha-3 code (CHN or RUS; default CHN).")
@click.option("--missions-of", default=None,
              help="The map draws this state's missions (an ISO code; default PRK; 'none' for none).")
@endpoint_options
@project_option
def command(what: str, fmt: str | None, output: Path | None, year: int | None, anchor: str | None,
            missions_of: str | None, project: Path | None, endpoint: Endpoint | None) -> None:
    """Export what the explorer draws, to take away.

    \b
    WHAT is one of:
      world  the world's missions (sender -> host, with each mission's status by year and its evidence
             count) and every state's agreement with China and Russia by year (agreement_CHN_2019,
             rollCalls_CHN_2019 ...); the years' coverage (all votes, or selected) on the graph
      dprk   the DPRK view's network: its missions, ties, sanctions and claims with their evidence and
             fact counts, missions with their status by year, states with their agreement by year
      map    the world map as a static SVG for a report: agreement with --anchor in --year, and the
             DPRK's missions in their status at the end of that year

    \b
    Examples:
      diplokg export world -f gexf -o world.gexf
      diplokg export dprk -f graphml -o dprk.graphml
      diplokg export map --anchor RUS --year 2019 -o map.svg

    Builds first if needed. The world and the map read a local build (not --endpoint)."""
    from kg.network.export import dprk_network, network_text, world_network
    from kg.network.mapsvg import map_svg

    if output is not None:
        output_path(output)
    if what == "map" and fmt not in (None, "svg"):
        raise DiplokgError(f"the map is exported as svg, not {fmt}")
    if what != "map" and fmt == "svg":
        raise DiplokgError(f"svg is the map's format; export {what} as gexf, graphml or json")
    if what in ("world", "map") and endpoint is not None:
        raise DiplokgError(f"export {what} reads the world from a local build: leave out --endpoint")
    inputs = open_build(get_project(project), endpoint).explorer_inputs()
    if what != "dprk" and inputs.world is None:
        raise DiplokgError("the graph holds no world view (no UN votes and no located missions): build with "
                           "sources/unga-votes and sources/wikidata-missions")
    try:
        if what == "map":
            text = map_svg(inputs.world, inputs.view, anchor=anchor.upper() if anchor else None, year=year,
                           missions_of="" if (missions_of or "").lower() == "none" else missions_of)
        elif what == "world":
            assert inputs.world is not None
            text = network_text(world_network(inputs.world, inputs.view, year), fmt or "gexf")  # type: ignore[arg-type]
        else:
            text = network_text(dprk_network(inputs.graph, inputs.story, inputs.world, inputs.view, year),
                                fmt or "gexf")  # type: ignore[arg-type]
    except ValueError as exc:
        raise DiplokgError(str(exc)) from None
    if output is not None:
        write_output(output, text)
    else:
        click.echo(text, nl=False)
        if what == "map":
            note("(an SVG on standard output; -o FILE writes it to a file)")
