"""``diplokg push --endpoint URL``: load the build into a SPARQL store (Graph Store HTTP Protocol)."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import get_project, note, project_option, push_endpoint_options
from kg.cli.query import ensure_built
from kg.errors import QueryError
from kg.http import DEFAULT_TIMEOUT, Endpoint
from kg.store.push import CHUNK, push


@click.command("push")
@click.option("--force", is_flag=True, help="Push even when the store already holds this very build.")
@click.option("--chunk", type=click.IntRange(min=1000), default=CHUNK, show_default=True,
              help="Triples per request.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_TIMEOUT, show_default=True,
              metavar="SECONDS", help="The longest one request may take, its answer included.")
@click.option("--bulk/--no-bulk", default=True, show_default=True,
              help="On the oxigraph server, load each graph with its bulk loader (its no_transaction "
                   "parameter, about twice as fast); other stores get the protocol's requests alone.")
@push_endpoint_options
@project_option
def command(force: bool, chunk: int, timeout: float, bulk: bool, project: Path | None,
            endpoint: Endpoint | None) -> None:
    """Load the build (built first if needed) into a store, one named graph per graph of the build,
    replacing what the last push loaded there.

    --endpoint is the store's Graph Store Protocol address: for the oxigraph server
    http://HOST:PORT/store, for Virtuoso http://HOST:PORT/sparql-graph-crud-auth (with --user and
    --password; digest sign-in). Then ask the store with `--endpoint` on query, ask, report, stats and
    explore (its SPARQL address: oxigraph /query, Virtuoso /sparql).
    """
    if endpoint is None:
        raise QueryError("give the store's Graph Store Protocol address: --endpoint URL")
    proj = get_project(project)
    built = ensure_built(proj)
    report = push(built.path, endpoint, force=force, chunk=chunk, progress=note, bulk=bulk)
    if report.skipped:
        click.echo(f"{endpoint.url} already holds this build (push --force to send it again)")
        return
    removed = f"; deleted {len(report.removed)} graph(s) no longer in the build" if report.removed else ""
    click.echo(f"pushed {report.triples} triples in {len(report.graphs)} graphs to {endpoint.url} "
               f"({report.requests} requests{', bulk loader' if report.bulk else ''}, {report.seconds:.1f} s){removed}")
