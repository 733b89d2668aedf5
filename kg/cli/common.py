"""Options and error handling shared by every command."""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from kg.errors import DiplokgError
from kg.paths import Project, find_project

F = TypeVar("F", bound=Callable[..., Any])


def project_option(func: F) -> F:
    """The ``--project DIR`` option, shared by every command."""
    return click.option(
        "--project",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="The project folder (default: the nearest folder up from here with ontology/diplo.ttl).",
    )(func)


def get_project(path: Path | None) -> Project:
    """The project at ``path``, or found from the working directory."""
    return find_project(path) if path is None else find_project_at(path)


def find_project_at(path: Path) -> Project:
    """The project rooted exactly at ``path``."""
    project = Project(path.resolve())
    if not project.ontology.is_file():
        raise DiplokgError("not a diplokg project (no ontology/diplo.ttl)", path=path)
    return project


def note(message: str) -> None:
    """A progress or status line for people, on standard error."""
    click.echo(message, err=True)


def run_guarded(group: click.Group, argv: list[str]) -> int:
    """Run a click group; turn our errors into one-line messages and exit codes, never a traceback."""
    try:
        # Without standalone mode, click returns the code of click.exceptions.Exit instead of raising it.
        returned = group.main(args=argv, prog_name="diplokg", standalone_mode=False)
    except DiplokgError as exc:
        click.echo(f"diplokg: error: {exc}", err=True)
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("diplokg: aborted", err=True)
        return 130
    except BrokenPipeError:
        _quiet_broken_pipe()
        return 0
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            _quiet_broken_pipe()
            return 0
        click.echo(f"diplokg: error: {exc}", err=True)
        return 2
    except KeyboardInterrupt:
        click.echo("diplokg: interrupted", err=True)
        return 130
    return returned if isinstance(returned, int) else 0


def _quiet_broken_pipe() -> None:
    # Point stdout at /dev/null so Python's final flush does not raise again.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
