"""``diplokg alignment``: each state's agreement with China and Russia (or any anchor) in the UN
General Assembly, per calendar year, measured from the votes in the graph."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path

import click

from kg.alignment.api import AgreementRow, Votes, agreement_table
from kg.cli.common import endpoint_options, get_project, layout_option, project_option
from kg.cli.query import ensure_built
from kg.errors import InputError
from kg.http import Endpoint
from kg.query.formats import Layout, lay_out
from kg.store.files import write_atomic

COLUMNS = ("state", "label", "anchor", "year", "agreement", "votes", "scotts_pi")
ISSUES = ("me", "nu", "di", "hr", "co", "ec")


def _cells(row: AgreementRow, with_issue: bool) -> list[str]:
    cells = [
        row.state, row.label, row.anchor, str(row.year), f"{row.agreement:.4f}", str(row.votes),
        "" if row.scotts_pi is None else f"{row.scotts_pi:.4f}",
    ]
    return [*cells, row.issue or ""] if with_issue else cells


def render(rows: list[AgreementRow], fmt: str, with_issue: bool, layout: Layout = "auto") -> str:
    """The rows as a table (laid out as ``layout`` says), CSV or JSON (one object per row)."""
    columns = [*COLUMNS, "issue"] if with_issue else list(COLUMNS)
    if fmt == "json":
        records = []
        for r in rows:
            record = {k: v for k, v in r.as_dict().items() if k in columns}
            records.append(record)
        return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    cells = [_cells(r, with_issue) for r in rows]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(cells)
        return out.getvalue()
    return lay_out(columns, cells, layout=layout)


def _years(year: tuple[int, ...], first: int | None, last: int | None) -> list[int] | None:
    if year and (first is not None or last is not None):
        raise InputError("give --year, or --from and --to, not both")
    if year:
        return sorted(set(year))
    if first is None and last is None:
        return None
    low, high = first if first is not None else 1946, last if last is not None else 2100
    if low > high:
        raise InputError(f"--from {low} is after --to {high}")
    return list(range(low, high + 1))


def _no_data(anchors: tuple[str, ...], years: list[int] | None, issue: str | None, states: tuple[str, ...]) -> str:
    parts = [f"anchor {', '.join(anchors)}"]
    if states:
        parts.insert(0, f"state {', '.join(s.upper() for s in states)}")
    if years is not None:
        parts.append(f"year {years[0]}" if len(years) == 1 else f"years {years[0]}-{years[-1]}")
    if issue:
        parts.append(f"issue {issue}")
    return "no roll calls with votes of both for " + ", ".join(parts) + " in the graph"


@click.command("alignment")
@click.option("--year", "year", type=int, multiple=True, help="A calendar year (repeat for several).")
@click.option("--from", "first", type=int, default=None, help="First year of a range.")
@click.option("--to", "last", type=int, default=None, help="Last year of a range.")
@click.option("--anchor", "anchors", multiple=True, metavar="CODE",
              help="An anchor state, ISO alpha-3 (repeat; default CHN and RUS).")
@click.option("--state", "states", multiple=True, metavar="CODE", help="Only this state (repeat for several).")
@click.option("--issue", type=click.Choice(ISSUES), default=None,
              help="Only roll calls on one issue: me Palestinian conflict, nu nuclear weapons, di arms "
                   "control, hr human rights, co colonialism, ec economic development.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (atomically) instead of standard output.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              metavar="SECONDS", help="With --endpoint: the longest wait for each answer of the store.")
@layout_option
@endpoint_options
@project_option
def command(
    year: tuple[int, ...], first: int | None, last: int | None, anchors: tuple[str, ...], states: tuple[str, ...],
    issue: str | None, fmt: str, layout: Layout, output: Path | None, timeout: float, project: Path | None,
    endpoint: Endpoint | None,
) -> None:
    """Agreement of each state with China and Russia (or other anchors) in the UN General Assembly.

    One row per state, anchor and year: Voeten's agreement index (1 same vote, 0.5 when one
    abstained, 0 yes against no, averaged over the roll calls both voted on), the number of those
    roll calls, and Häge's Scott's pi (corrected for chance agreement). Builds first if needed.
    Without --year or --from/--to: every year. Exit 2 when there is no data for what was asked.
    With --endpoint: the same rows from a SPARQL store that holds the build (see `diplokg push`).
    """
    years = _years(year, first, last)
    chosen = tuple(a.upper() for a in anchors) or ("CHN", "RUS")
    if endpoint is not None:
        from kg.alignment.remote import RemoteWorld
        from kg.query.remote import RemoteGraph

        world = RemoteWorld(RemoteGraph(dataclasses.replace(endpoint, timeout=timeout)), timeout=timeout)
        rows = agreement_table(world, anchors=chosen, years=years, issue=issue, states=states or None)
    else:
        built = ensure_built(get_project(project))
        votes = Votes(built.store, built.path)
        rows = agreement_table(built.store, anchors=chosen, years=years, issue=issue, states=states or None,
                               votes=votes)
    if not rows:
        raise InputError(_no_data(chosen, years, issue, states))
    text = render(rows, fmt, with_issue=issue is not None, layout=layout)
    if output is not None:
        write_atomic(output, text.encode("utf-8"))
    else:
        click.echo(text, nl=False)
