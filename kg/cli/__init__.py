"""The ``diplokg`` command line: one module per command, errors turned into exit codes only here.

Exit codes: 0 success; 1 the data has violations (build); 2 bad input or usage.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from kg import __version__
from kg.cli.common import run_guarded


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="diplokg")
def main() -> None:
    """diplokg: a knowledge graph of diplomatic relations, with the evidence behind every fact.

    \b
    Typical use:
      diplokg build                          load sources, reason, validate, write build/diplokg.nq
      diplokg query closed-missions          run queries/closed-missions.rq and print a table
      diplokg query -e 'SELECT ...' --format csv

    Exit codes: 0 success, 1 the data has violations, 2 bad input or usage.
    """


#: The command modules, in the order ``--help`` lists them; each defines ``command``.
COMMANDS = ("build", "query", "questions", "ask", "report", "stats", "explore", "graphs")


def _register() -> None:
    import importlib
    import importlib.util

    for name in COMMANDS:
        if importlib.util.find_spec(f"kg.cli.{name}") is not None:
            main.add_command(importlib.import_module(f"kg.cli.{name}").command)


_register()


def entry(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with an argument list and return its exit code (used by the console script and tests)."""
    return run_guarded(main, list(argv) if argv is not None else sys.argv[1:])
