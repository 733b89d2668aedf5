"""What a build reports (its sources, counts, violations and timings), shared by the build
(:mod:`kg.build`) and the reference build (:mod:`kg.reference.build`); a violation is found by the
shapes and checks of :mod:`kg.validate`."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal


@dataclass(frozen=True, order=True)
class Violation:
    """One problem in the data.

    Attributes:
        check: The shape or check that found it.
        focus: The node at fault.
        message: What is wrong.
        path: The file the node is written in, if known.
        line: The line there, if known.
    """

    check: str
    focus: str
    message: str
    path: Path | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}: " if self.path and self.line else f"{self.path}: " if self.path else ""
        return f"{where}{self.focus}: {self.message} [{self.check}]"



Reasoner = Literal["fast", "owlrl"]
Validator = Literal["sparql", "pyshacl"]
VALIDATORS: tuple[Validator, ...] = ("sparql", "pyshacl")

Progress = Callable[[str], None]


@dataclass
class BuildReport:
    """What a build did.

    Attributes:
        sources: The source folders loaded.
        asserted: The number of asserted triples (ontology included).
        inferred: The number of inferred triples.
        derived: The number of derived triples (the alignment measured from the votes).
        violations: Every SHACL and check violation found.
        written: Whether the built graph was written (only when there is no violation).
        seconds: Wall time of each step.
        parts: Time of each part of a step whose parts run side by side (so they add up to more
            than the step).
        reused: What a cached rebuild took from the previous build (empty for a full build).
    """

    sources: list[str] = field(default_factory=list)
    asserted: int = 0
    inferred: int = 0
    derived: int = 0
    violations: list[Violation] = field(default_factory=list)
    written: bool = False
    seconds: dict[str, float] = field(default_factory=dict)
    parts: dict[str, float] = field(default_factory=dict)
    reused: list[str] = field(default_factory=list)
    _clock: float = field(default_factory=time.perf_counter, repr=False, compare=False)

    def lap(self, step: str) -> None:
        """Add the wall time since the previous step (or since the report was made) to ``step``."""
        now = time.perf_counter()
        self.seconds[step] = self.seconds.get(step, 0.0) + now - self._clock
        self._clock = now
