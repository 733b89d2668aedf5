"""Opening a build: a local one (built first when it is missing or older than its sources), or a SPARQL
store that holds one (``diplokg push``). The command line opens its graph here too."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import cast

from kg.build import build
from kg.errors import InputError, ValidationFailed
from kg.http import AuthScheme, DatasetMode, Endpoint
from kg.paths import Project, find_project, packaged_project
from kg.query.engine import BuiltGraph
from kg.query.sandbox import DEFAULT_TIMEOUT

from .build import Build

__all__ = ["ensure_built", "open", "open_endpoint", "open_graph", "open_project"]

#: Where progress lines go (``None``: nowhere); the command line prints them on standard error.
Progress = Callable[[str], None] | None
#: The built graph's file name in a build folder (:attr:`kg.paths.Project.built_graph`).
BUILT_GRAPH = "diplokg.nq"


def _inputs(project: Project) -> list[Path]:
    files = [project.ontology, project.shapes, *project.checks.glob("*.rq")]
    files += [p for p in project.sources.rglob("*") if p.is_file()]
    return files


def ensure_built(project: Project, progress: Progress = None) -> BuiltGraph:
    """The project's built graph, building it first when it is missing or older than its inputs.

    Args:
        project: The project (its build folder: :attr:`kg.paths.Project.build`).
        progress: Told when a build starts (the command line prints it).

    Raises:
        ValidationFailed: The build found violations (run ``diplokg build`` to see them).
        InputError: A source, the ontology or the shapes cannot be read.
    """
    target = project.built_graph
    stale = not target.is_file()
    if not stale:
        built_at = target.stat().st_mtime
        stale = any(p.stat().st_mtime > built_at for p in _inputs(project))
    if stale:
        if progress is not None:
            progress("... building first (the built graph is missing or older than its sources)")
        report = build(project)
        if not report.written:
            raise ValidationFailed(
                f"the data has {len(report.violations)} violation(s); run `diplokg build` to see them"
            )
    return BuiltGraph(target)


def open_graph(project: Project, endpoint: Endpoint | None, progress: Progress = None) -> BuiltGraph:
    """The graph to ask: the store at ``endpoint`` when given (answering like a built graph), else the
    local build (built first if needed)."""
    if endpoint is None:
        return ensure_built(project, progress)
    from kg.query.remote import RemoteGraph

    return cast(BuiltGraph, RemoteGraph(endpoint))


def open_project(project: Project | None, endpoint: Endpoint | None = None, progress: Progress = None) -> Build:
    """A :class:`Build` of ``project`` (its local build, built first if needed), or of the store at
    ``endpoint``. With a store, ``project`` only gives the questions (None: found when first needed)."""
    if endpoint is not None:
        from kg.query.remote import RemoteGraph

        return Build(cast(BuiltGraph, RemoteGraph(endpoint)), project, endpoint)
    if project is None:
        raise InputError("a local build needs its project")
    found = Build(ensure_built(project, progress), project)
    found.note = progress
    return found


def _project_near(path: Path) -> Project | None:
    """The project a build folder belongs to: the nearest one up from it, else the installed package's."""
    try:
        return find_project(path)
    except InputError:
        return packaged_project()


def open(path: str | os.PathLike[str] | None = None, project: str | os.PathLike[str] | None = None) -> Build:
    """Open a build to ask it questions, run queries, read the alignment and the networks.

    Args:
        path: A build folder (one holding ``diplokg.nq``, opened as it is), a ``.nq`` file, or a project
            folder (one holding ``ontology/diplo.ttl``, whose build is made or brought up to date first,
            as the command line does). Default: the project found from the working directory
            (``DIPLOKG_PROJECT``, else the nearest folder up with ``ontology/diplo.ttl``).
        project: The project whose questions (``queries/``) to ask (default: the project ``path`` is
            in, else the one that ships with the package).

    Returns:
        The build.

    Raises:
        InputError: No build or project there.
        ValidationFailed: A project's build found violations.
    """
    chosen = Project(Path(project).resolve()) if project is not None else None
    if chosen is not None and not chosen.ontology.is_file():
        raise InputError("not a diplokg project (no ontology/diplo.ttl)", path=chosen.root)
    if path is None:
        here = chosen or find_project()
        return open_project(here)
    where = Path(path).resolve()
    if (where / "ontology" / "diplo.ttl").is_file():
        return open_project(Project(where))
    nquads = where / BUILT_GRAPH if where.is_dir() else where
    if not nquads.is_file() or nquads.suffix != ".nq":
        raise InputError(
            f"no build here: expected a build folder holding {BUILT_GRAPH}, a .nq file or a project folder "
            "(run `diplokg build` first)", path=where,
        )
    return Build(BuiltGraph(nquads), chosen or _project_near(nquads.parent))


def open_endpoint(
    url: str,
    timeout: float = DEFAULT_TIMEOUT,
    user: str | None = None,
    password: str | None = None,
    auth: AuthScheme = "digest",
    dataset: DatasetMode = "ours",
    project: str | os.PathLike[str] | None = None,
) -> Build:
    """Open a build loaded into a SPARQL 1.1 store (``diplokg push``), asked over the protocol.

    Every query passes our gate before it leaves, names our graphs as its dataset, and waits at most
    ``timeout`` seconds for each answer (:mod:`kg.query.remote`).

    Args:
        url: The store's query address, e.g. ``http://127.0.0.1:7878/query``.
        timeout: The longest wait for each exchange with the store, in seconds (the command line's
            ``--timeout``); a query given its own ``timeout`` waits that long.
        user: A user name, when the store wants one.
        password: That user's password.
        auth: ``digest`` or ``basic``.
        dataset: ``ours`` (name our graphs in every request: right on any store) or ``store`` (the
            store's default graph is the union of its graphs and holds only the build).
        project: The project whose questions to ask (default: found from the working directory, else the
            one that ships with the package).

    Raises:
        RemoteError: Not an http(s) address, or a timeout that is not above 0.
    """
    endpoint = Endpoint(url, user, password, auth, timeout=timeout, dataset=dataset)
    chosen = Project(Path(project).resolve()) if project is not None else None
    return open_project(chosen, endpoint)
