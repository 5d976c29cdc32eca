"""The `adrs` command line. Every error is one line on stderr and a non-zero exit."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from adrs import __version__
from adrs.cli.dashboard_cmd import dashboard_cmd
from adrs.cli.inspect_cmd import best_cmd, runs_cmd, show_cmd, upgrade_cmd, validate_cmd
from adrs.cli.models_cmd import models_cmd
from adrs.cli.problems_cmd import problems
from adrs.cli.run_cmd import resume_cmd, run_cmd
from adrs.cli.sandbox_cmd import sandbox
from adrs.errors import AdrsError

# click >= 8.2 names it NoArgsIsHelpError; older releases raise a plain UsageError.
_NO_ARGS: type[click.UsageError] = getattr(click.exceptions, "NoArgsIsHelpError", click.UsageError)
EXIT_USAGE = 2
EXIT_ERROR = 1


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="adrs")
def cli() -> None:
    """ADRS: evolve programs for systems problems, with sandboxed, verified evaluation."""


for command in (
    run_cmd,
    resume_cmd,
    runs_cmd,
    best_cmd,
    show_cmd,
    validate_cmd,
    upgrade_cmd,
    problems,
):
    cli.add_command(command)

# Other components add their command groups here (sandbox, models, dashboard).
EXTENSIONS: list[click.Command] = [models_cmd, sandbox, dashboard_cmd]


def _one_line(message: str) -> str:
    return " ".join(message.split())


def main(argv: Sequence[str] | None = None) -> int:
    for extension in EXTENSIONS:
        if extension.name not in cli.commands:
            cli.add_command(extension)
    try:
        cli.main(
            args=list(argv) if argv is not None else None, prog_name="adrs", standalone_mode=False
        )
    except _NO_ARGS as exc:  # "adrs" or a group alone: the help is the answer
        click.echo(exc.ctx.get_help() if exc.ctx else "", err=True)
        return EXIT_USAGE
    except click.UsageError as exc:
        where = (
            f" (see 'adrs {exc.ctx.command_path.split(' ', 1)[1]} --help')"
            if (exc.ctx and " " in exc.ctx.command_path)
            else " (see 'adrs --help')"
        )
        click.echo(f"adrs: error: {_one_line(exc.format_message())}{where}", err=True)
        return EXIT_USAGE
    except click.exceptions.Abort:
        click.echo("adrs: aborted", err=True)
        return 130
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        click.echo(f"adrs: error: {_one_line(exc.format_message())}", err=True)
        return exc.exit_code
    except AdrsError as exc:
        click.echo(f"adrs: error: {_one_line(str(exc))}", err=True)
        return EXIT_ERROR
    except KeyboardInterrupt:
        click.echo(
            "\nadrs: interrupted (the archive is intact; 'adrs resume RUN_ID' continues)", err=True
        )
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
