"""``diplokg init DIR``: make a project folder from the data that ships with the package."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import click

from kg.cli.common import note
from kg.errors import InputError
from kg.paths import PROJECT_FOLDERS, packaged_project


def init_project(target: Path) -> Path:
    """Copy the packaged ontology, queries and sources into ``target`` (a new or empty folder).

    The copy is made in a temporary folder beside ``target`` and renamed into place, so an
    interrupted init leaves no half-made project.

    Raises:
        InputError: ``target`` is a file or a folder that is not empty, or the package has no data.
    """
    shipped = packaged_project()
    if shipped is None:
        raise InputError("this installation of diplokg has no project data to copy (reinstall the package)")
    target = target.resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError("not an empty folder: give a new folder for the project", path=target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for part in PROJECT_FOLDERS:
            shutil.copytree(shipped.root / part, staging / part,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "__init__.py"))
        if target.exists():
            target.rmdir()
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


@click.command("init")
@click.argument("folder", type=click.Path(path_type=Path))
def command(folder: Path) -> None:
    """Make a diplokg project in FOLDER (new or empty): the ontology, the question library and the
    sources that ship with the package, ready for `diplokg build`. Add sources under FOLDER/sources/."""
    made = init_project(folder)
    note(f"made a diplokg project in {made}")
    click.echo(f"next: cd {made} && diplokg build && diplokg ask closed-missions")
