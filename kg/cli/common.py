"""Options and error handling shared by every command."""

from __future__ import annotations

import dataclasses
import errno
import functools
import os
import re
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from kg.errors import DiplokgError, InputError
from kg.http import Endpoint, password_from_env
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


#: ``--endpoint`` where a command asks a store (query, ask, report, stats, explore, alignment).
ASK_ENDPOINT_HELP = ("Ask a SPARQL 1.1 Protocol endpoint that holds the build (see `diplokg push`) instead of "
                     "the local build, e.g. http://127.0.0.1:7878/query.")
#: ``--endpoint`` where a command loads a store (push): the Graph Store Protocol address, not the query one.
PUSH_ENDPOINT_HELP = ("The store's Graph Store HTTP Protocol address to load the build into (not its query "
                      "address), e.g. http://127.0.0.1:7878/store for the oxigraph server, "
                      "http://127.0.0.1:8890/sparql-graph-crud-auth for Virtuoso.")


def endpoint_options(func: F) -> F:
    """``--endpoint URL`` with ``--user``, ``--password``, ``--auth`` and ``--dataset``: run on a SPARQL store
    instead of the local build. The command receives ``endpoint`` as an :class:`Endpoint` (or ``None``)."""
    return _endpoint_options(func, ASK_ENDPOINT_HELP, with_dataset=True)


def push_endpoint_options(func: F) -> F:
    """``--endpoint URL`` (a Graph Store Protocol address) with ``--user``, ``--password`` and ``--auth``:
    the store ``diplokg push`` loads. The command receives ``endpoint`` as an :class:`Endpoint` (or ``None``)."""
    return _endpoint_options(func, PUSH_ENDPOINT_HELP, with_dataset=False)


def _endpoint_options(func: F, endpoint_help: str, with_dataset: bool) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, endpoint: str | None, user: str | None, password: str | None, auth: str,
                dataset: str, **kwargs: Any) -> Any:
        remote = None
        if endpoint is not None:
            timeout = kwargs.get("timeout")
            remote = Endpoint(endpoint, user, password_from_env(password), auth,  # type: ignore[arg-type]
                              dataset=dataset)  # type: ignore[arg-type]
            if isinstance(timeout, int | float):
                remote = dataclasses.replace(remote, timeout=float(timeout))
        return func(*args, endpoint=remote, **kwargs)

    options = [
        click.option("--endpoint", metavar="URL", default=None, help=endpoint_help),
        click.option("--user", metavar="NAME", default=None, help="User name for the endpoint."),
        click.option("--password", metavar="TEXT", default=None,
                     help="Password for the endpoint (default: $DIPLOKG_ENDPOINT_PASSWORD)."),
        click.option("--auth", type=click.Choice(("digest", "basic")), default="digest", show_default=True,
                     help="How to sign in to the endpoint."),
    ]
    # push names every graph itself, so --dataset means nothing there: accepted (scripts share their
    # sign-in options between push and the commands that ask) but not listed.
    options.append(
        click.option("--dataset", type=click.Choice(("ours", "store")), default="ours", show_default=True,
                     hidden=not with_dataset,
                     help="ours: name our graphs in every request (right on any store); store: use the "
                          "store's default graph, which must be the union of its graphs and hold only the "
                          "build (faster on Oxigraph --union-default-graph).")
    )
    decorated: Any = wrapper
    for option in reversed(options):
        decorated = option(decorated)
    return decorated  # type: ignore[no-any-return]


def limit_options(func: F) -> F:
    """``--timeout SECONDS`` and ``--max-memory MIB``: the limits of one query (:class:`kg.query.sandbox.Limits`)."""
    from kg.query.sandbox import DEFAULT_MEMORY_MIB, DEFAULT_TIMEOUT

    func = click.option(
        "--max-memory", "max_memory", type=click.IntRange(min=16), default=DEFAULT_MEMORY_MIB, show_default=True,
        metavar="MIB", help="Stop a query that needs more memory than this (exit 4).",
    )(func)
    return click.option(
        "--timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_TIMEOUT, show_default=True,
        metavar="SECONDS", help="Stop a query that runs longer than this (exit 3).",
    )(func)


def layout_option(func: F) -> F:
    """``--layout auto|table|records``: how ``--format table`` lays out rows, shared by every command
    that prints tables (:data:`kg.query.formats.LAYOUTS`)."""
    from kg.query.formats import LAYOUTS

    return click.option(
        "--layout", type=click.Choice(LAYOUTS), default="auto", show_default=True,
        help="How a table is laid out for people: table (one line a row, long cells cut to the terminal's "
             "width), records (one field a line, nothing cut, as psql's \\x), auto (records when a row "
             "does not fit the terminal; to a pipe or a file, with no $COLUMNS, a table with nothing cut).",
    )(func)


def output_path(path: Path) -> Path:
    """Check a file we are asked to write (``-o``): its folder must exist, and an existing file must be a
    regular file we may write (a read-only file is not silently replaced).

    Raises:
        InputError: The folder is missing, or the file is read-only or not a regular file.
    """
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"cannot write {path}: the folder {folder} does not exist")
    if os.path.lexists(path):
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"cannot write {path}: it exists and is not a regular file")
        if not info.st_mode & 0o222 or not os.access(path, os.W_OK):  # root passes os.access
            raise InputError(f"cannot write {path}: it is read-only (not replaced)")
    return path


#: Characters a terminal may act on: C0 and C1 controls (but line feed and tab), DEL, and the Unicode
#: bidirectional overrides and isolates (which reorder what is shown).
_TERMINAL_CODES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def for_terminal(text: str) -> str:
    """Text for people's eyes: every character a terminal could act on (an escape sequence from data
    could clear the screen, retitle the window or write the clipboard) shown as ``\\uXXXX`` instead."""
    return _TERMINAL_CODES.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def write_output(path: Path, text: str) -> None:
    """Write a command's output to ``path`` atomically, after :func:`output_path`'s checks, and say so."""
    from kg.store.files import write_atomic

    write_atomic(output_path(path), text.encode("utf-8"))
    note(f"wrote {path}")


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
    except click.exceptions.Abort as exc:  # click turns Ctrl-C into Abort
        interrupted = isinstance(exc.__cause__ or exc.__context__, KeyboardInterrupt)
        click.echo("diplokg: interrupted" if interrupted else "diplokg: aborted", err=True)
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
    finally:
        _containment_note()
    return returned if isinstance(returned, int) else 0


def _containment_note() -> None:
    """Say once, at the end, when queries ran with less containment than the README promises."""
    sandbox = sys.modules.get("kg.query.sandbox")
    why = sandbox.containment_note() if sandbox is not None else None
    if why:
        click.echo(f"diplokg: note: {why}", err=True)


def _quiet_broken_pipe() -> None:
    # Point stdout at /dev/null so Python's final flush does not raise again.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
