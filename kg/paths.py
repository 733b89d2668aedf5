"""Where a diplokg project keeps its files: one place, so code and tests agree."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError


@dataclass(frozen=True)
class Project:
    """The folders of one diplokg project (a checkout of this repository, or a copy of its layout).

    Attributes:
        root: The project folder.
    """

    root: Path

    @property
    def ontology(self) -> Path:
        """The OWL ontology."""
        return self.root / "ontology" / "diplo.ttl"

    @property
    def shapes(self) -> Path:
        """The SHACL shapes the data must conform to."""
        return self.root / "ontology" / "shapes.ttl"

    @property
    def sources(self) -> Path:
        """The folder holding one sub-folder per source."""
        return self.root / "sources"

    @property
    def queries(self) -> Path:
        """The query library, one question per ``.rq`` file."""
        return self.root / "queries"

    @property
    def checks(self) -> Path:
        """The quality checks, ``*-violation.rq``."""
        return self.root / "queries" / "checks"

    @property
    def build(self) -> Path:
        """The git-ignored folder of generated artefacts (``DIPLOKG_BUILD`` overrides it)."""
        override = os.environ.get("DIPLOKG_BUILD")
        return Path(override) if override else self.root / "build"

    @property
    def built_graph(self) -> Path:
        """The built knowledge graph, as sorted N-Quads."""
        return self.build / "diplokg.nq"


def find_project(start: Path | None = None) -> Project:
    """Find the project folder: ``DIPLOKG_PROJECT``, else the nearest folder up from ``start`` (or the
    working directory) that holds ``ontology/diplo.ttl``.

    Raises:
        InputError: No project folder was found.
    """
    env = os.environ.get("DIPLOKG_PROJECT")
    if env:
        project = Project(Path(env).resolve())
        if not project.ontology.is_file():
            raise InputError("DIPLOKG_PROJECT does not hold ontology/diplo.ttl", path=project.root)
        return project
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "ontology" / "diplo.ttl").is_file():
            return Project(folder)
    raise InputError(
        "no diplokg project here: run inside a project (a folder with ontology/diplo.ttl), pass "
        "--project DIR, or make one with `diplokg init DIR`",
        path=here,
    )


#: The project folders that ``diplokg init`` copies (the package ships them, see setup.py).
PROJECT_FOLDERS: tuple[str, ...] = ("ontology", "queries", "sources")


def packaged_project() -> Project | None:
    """The project that ships with the installed package (``kg/project/``, from the wheel), or the
    checkout this package is imported from (an editable install); None when neither is there."""
    package = Path(__file__).resolve().parent
    for root in (package / "project", package.parent):
        if all((root / part).is_dir() for part in PROJECT_FOLDERS) and (root / "ontology" / "diplo.ttl").is_file():
            return Project(root)
    return None
