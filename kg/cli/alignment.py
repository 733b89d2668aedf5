"""``diplokg alignment``: each state's agreement with China and Russia (or any anchor) in the UN
General Assembly, per calendar year, measured from the votes in the graph."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click

from kg.alignment.api import AgreementRow, VoteYear
from kg.alignment.coverage import DEFAULT_MIN_ROLL_CALLS, SELECTED
from kg.cli.common import endpoint_options, get_project, layout_option, project_option
from kg.cli.query import open_build
from kg.errors import InputError
from kg.http import Endpoint
from kg.query.formats import Layout, lay_out
from kg.query.layout import UNBOUNDED
from kg.store.files import write_atomic

#: The shared alignment columns (the brief's convention), then where the row stands in its year's ranking.
COLUMNS = ("state", "label", "anchor", "year", "agreement", "rollCalls", "scottsPi", "coverage", "rank", "flag")
ISSUES = ("me", "nu", "di", "hr", "co", "ec")


def year_text(row: AgreementRow) -> str:
    """A row's year, or its pooled years (``2022-2023``)."""
    return str(row.year) if row.last_year in (None, row.year) else f"{row.year}-{row.last_year}"


def _cells(row: AgreementRow, with_issue: bool) -> list[str]:
    cells = [
        row.state, row.label, row.anchor, year_text(row), f"{row.agreement:.4f}", str(row.roll_calls),
        "" if row.scotts_pi is None else f"{row.scotts_pi:.4f}", row.coverage,
        "" if row.rank is None else str(row.rank), row.flag,
    ]
    return [*cells, row.issue or ""] if with_issue else cells


def notes(rows: list[AgreementRow], years: list[VoteYear], minimum: int) -> list[str]:
    """What a reader must know to read the rows: the ranking rule, and the coverage of the years shown."""
    shown = {y for r in rows for y in range(r.year, (r.last_year or r.year) + 1)}
    flagged = sum(1 for r in rows if r.rank is None)
    out = [f"Ranked within each year (or pooled period) and anchor: measures over at least {minimum} roll calls "
           f"(--min-roll-calls); {flagged} of {len(rows)} rows are under it, flagged and not ranked."]
    selected = [y for y in years if y.year in shown and y.coverage == SELECTED]
    if selected:
        counts = ", ".join(f"{y.year}: {y.roll_calls}" for y in selected)
        out.append("Coverage 'selected': those years' roll calls are a selection of the recorded votes (the key "
                   f"votes of 2020-2024 and ES-11/7 of 2025), not comparable with the years of every recorded "
                   f"vote (1946-2019, 'all'). Roll calls in the graph per selected year: {counts}.")
    return out


def render(rows: list[AgreementRow], fmt: str, with_issue: bool, footer: list[str] | None = None,
           layout: Layout = "auto", width: int | None = None) -> str:
    """The rows as a table (laid out as ``layout`` says at ``width``, default the terminal's, ``footer``
    under it), CSV or JSON (one object per row)."""
    columns = [*COLUMNS, "issue"] if with_issue else list(COLUMNS)
    if fmt == "json":
        records = []
        for r in rows:
            record = {k: v for k, v in r.as_dict().items() if k in columns}
            if r.last_year not in (None, r.year):
                record["year"] = year_text(r)
            records.append(record)
        return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    cells = [_cells(r, with_issue) for r in rows]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(cells)
        return out.getvalue()
    text = lay_out(columns, cells, width, layout)
    return text + "".join(f"\n{line}\n" for line in footer or [])


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
@click.option("--min-roll-calls", "minimum", type=click.IntRange(min=1), default=DEFAULT_MIN_ROLL_CALLS,
              show_default=True, metavar="N",
              help="Rank only measures over at least N roll calls; the others are flagged, not ranked.")
@click.option("--pool", is_flag=True,
              help="One row per state and anchor over all the years asked (--from/--to) together, rather than "
                   "one per year: for the years of the selection, which hold few roll calls each. A period "
                   "that mixes every recorded vote (to 2019) with the selection (from 2020) is refused.")
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
    issue: str | None, minimum: int, pool: bool, fmt: str, layout: Layout, output: Path | None, timeout: float,
    project: Path | None,
    endpoint: Endpoint | None,
) -> None:
    """Agreement of each state with China and Russia (or other anchors) in the UN General Assembly.

    One row per state, anchor and year: Voeten's agreement index (1 same vote, 0.5 when one
    abstained, 0 yes against no, averaged over the roll calls both voted on), the number of those
    roll calls (rollCalls), Häge's Scott's pi (corrected for chance agreement), the year's coverage
    ('all': every recorded vote, 1946-2019; 'selected': a selection, the key votes of 2020-2024),
    and the rank among the states of that year and anchor; a measure over fewer roll calls than
    --min-roll-calls is flagged, not ranked. Builds first if needed. Without --year or --from/--to:
    every year. Exit 2 when there is no data for what was asked. With --endpoint: the same rows from
    a SPARQL store that holds the build (see `diplokg push`).
    """
    years = _years(year, first, last)
    if pool and (first is None or last is None):
        raise InputError("--pool needs the years to pool: --from YEAR --to YEAR")
    chosen = tuple(a.upper() for a in anchors) or ("CHN", "RUS")
    build = open_build(get_project(project) if endpoint is None else None, endpoint)
    rows = build.agreement_rows(years, chosen, states or None, issue, minimum, pool)
    footer = notes(rows, build.vote_years(), minimum) if rows and fmt == "table" else []
    if not rows:
        raise InputError(_no_data(chosen, years, issue, states))
    # A file is no terminal: its table cuts nothing (records only when asked), as for a pipe.
    width = UNBOUNDED if output is not None else None
    text = render(rows, fmt, with_issue=issue is not None, footer=footer, layout=layout, width=width)
    if output is not None:
        write_atomic(output, text.encode("utf-8"))
    else:
        click.echo(text, nl=False)
