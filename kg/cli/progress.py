"""Progress of a long command on standard error: shown when standard error is a terminal, or when
``--progress`` asks for it; never in the command's output (a file, or standard output)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

import click

#: What a long piece of work calls with a few words on the step it starts.
Report = Callable[[str], None]

progress_option = click.option(
    "--progress/--no-progress",
    default=None,
    help="Show progress on standard error (default: when standard error is a terminal).",
)


class Progress:
    """Steps written to standard error: on a terminal one line rewritten in place, else a line each.

    Args:
        label: The command's name, before each step.
        enabled: Show progress (None: when standard error is a terminal).
        stream: Where to write (standard error).
    """

    def __init__(self, label: str, enabled: bool | None = None, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.terminal = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = self.terminal if enabled is None else enabled
        self.label = label
        self._shown = False

    def __call__(self, step: str) -> None:
        if not self.enabled:
            return
        if self.terminal:
            self.stream.write(f"\r\033[K... {self.label}: {step}")
            self._shown = True
        else:
            self.stream.write(f"... {self.label}: {step}\n")
        self.stream.flush()

    def done(self) -> None:
        """End the line rewritten in place (a terminal), so that what follows starts on its own."""
        if self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._shown = False
