"""``diplokg questions``: list the question library, name and question in words."""

from __future__ import annotations

import textwrap
from pathlib import Path

import click

from kg.cli.common import get_project, project_option
from kg.query.library import library


@click.command("questions")
@project_option
def command(project: Path | None) -> None:
    """List the questions the library answers (run one with `diplokg ask NAME`)."""
    proj = get_project(project)
    questions = library(proj.queries)
    width = max((len(q.name) for q in questions), default=0)
    for q in questions:
        wrapped = textwrap.wrap(q.question, 100 - width - 2) or [""]
        click.echo(f"{q.name.ljust(width)}  {wrapped[0]}")
        for line in wrapped[1:]:
            click.echo(f"{' ' * width}  {line}")
        needed = [p.name for p in q.parameters if p.required]
        if needed:
            click.echo(f"{' ' * width}  (needs --bind {', '.join(f'{n}=...' for n in needed)})")
