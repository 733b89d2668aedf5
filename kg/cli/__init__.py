"""The ``diplokg`` command line: one module per command, errors turned into exit codes only here
(the codes and their meanings: :data:`kg.errors.EXIT_CODES`, printed by ``diplokg --help``)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

import click

from kg import __version__
from kg.cli.common import run_guarded
from kg.errors import EXIT_CODES, did_you_mean


class LazyGroup(click.Group):
    """A command group that imports a command's module only when that command runs.

    Start-up matters for a command-line tool: importing every command eagerly pulls in pyvis,
    jinja2 and networkx even for ``diplokg query``. Each name in :data:`COMMANDS` maps to the module
    ``kg.cli.<module>``, which defines ``command``.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """As click's, with the closest command names offered for a mistyped one."""
        name = args[0] if args else ""
        if name and name not in COMMANDS and not name.startswith("-"):
            hint = did_you_mean(name, COMMANDS)
            if hint:
                ctx.fail(f"No such command {name!r}: {hint[0].upper()}{hint[1:]}")
        return super().resolve_command(ctx, args)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is None:
            return None
        command: click.Command = importlib.import_module(f"kg.cli.{module}").command
        return command


#: Command name -> module under ``kg.cli``, in the order ``--help`` lists them.
COMMANDS: dict[str, str] = {
    "init": "init",
    "build": "build",
    "query": "query",
    "questions": "questions",
    "ask": "ask",
    "report": "report",
    "stats": "stats",
    "explore": "explore",
    "export": "export",
    "graphs": "graphs",
    "push": "push",
    "serve": "serve",
    "alignment": "alignment",
}


def exit_codes_help() -> str:
    """The exit codes as ``--help`` lists them, one a line (from :data:`kg.errors.EXIT_CODES`)."""
    return "\b\nExit codes:\n" + "\n".join(f"  {code:<4} {meaning}" for code, meaning in EXIT_CODES)


HELP = f"""diplokg: a knowledge graph of diplomatic relations, with the evidence behind every fact.

\b
Typical use:
  diplokg init my-project                make a project folder (outside a checkout of diplokg)
  diplokg build                          load sources, reason, validate, write build/diplokg.nq
  diplokg explore                        write the alignment explorer page (build/explorer.html)
  diplokg export world -f gexf -o w.gexf the world's missions and agreement, for Gephi (or map -o map.svg)
  diplokg questions                      list the analysts' questions in queries/
  diplokg ask closed-missions            answer one, with the evidence under the rows
  diplokg report -o report.md            every question and its answer, as one Markdown report
  diplokg query -e 'SELECT ...' --format csv
  diplokg alignment --year 2019          agreement with China and Russia in the UN General Assembly

{exit_codes_help()}
"""


@click.group(cls=LazyGroup, help=HELP,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="diplokg")
def main() -> None:
    """The command group (its help is :data:`HELP`)."""


def entry(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with an argument list and return its exit code (used by the console script and tests)."""
    return run_guarded(main, list(argv) if argv is not None else sys.argv[1:])


def cli_main() -> None:
    """The console script's entry point."""
    sys.exit(entry())
