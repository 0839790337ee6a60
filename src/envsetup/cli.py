"""The command line: thin adapters from flags to commands. Logic lives elsewhere."""

from __future__ import annotations

import os
import sys
from typing import Optional

import typer

from envsetup import __version__
from envsetup.errors import EnvsetupError
from envsetup.exit_codes import ExitCode

app = typer.Typer(
    name="envsetup",
    help="Take a machine from fresh install to a verified PyTorch GPU environment.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"envsetup {__version__}")
        raise typer.Exit(ExitCode.OK)


@app.callback()
def _root(
    version: Optional[bool] = typer.Option(
        None, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Detect, diagnose, install and verify PyTorch GPU environments."""


# command name -> (module under envsetup.commands, function in it)
COMMANDS = {
    "doctor": ("doctor", "doctor_command"),
    "install": ("install", "install_command"),
    "verify": ("verify", "verify_command"),
    "check-command": ("check_command", "check_command_command"),
}


def _register(argv: list[str]) -> None:
    """Register the command being run, or every command (for --help, completion, typos).

    Each command module owns its flags. Building the others' options would cost every run
    tens of milliseconds, and doctor has a start-up budget.
    """
    import importlib

    named = [a for a in argv[1:2] if a in COMMANDS]
    for name in named or COMMANDS:
        module_name, function = COMMANDS[name]
        module = importlib.import_module(f"envsetup.commands.{module_name}")
        app.command(name)(getattr(module, function))


def main() -> None:
    _register(sys.argv)
    try:
        result = app(standalone_mode=False)
    except EnvsetupError as exc:
        from envsetup.sanitize import for_terminal

        typer.echo(for_terminal(f"envsetup: {exc}"), err=True)
        sys.exit(int(exc.exit_code))
    except KeyboardInterrupt:
        typer.echo("envsetup: interrupted", err=True)
        sys.exit(int(ExitCode.INTERRUPTED))
    except typer.Abort:
        typer.echo("envsetup: aborted", err=True)
        sys.exit(int(ExitCode.INTERRUPTED))
    except Exception as exc:
        # click's usage errors (typer vendors click in some releases, so match by behaviour).
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            sys.exit(int(ExitCode.USAGE))
        if os.environ.get("ENVSETUP_DEBUG"):
            raise
        typer.echo(
            f"envsetup: internal error ({type(exc).__name__}: {exc}); fix: rerun with ENVSETUP_DEBUG=1 "
            "for the traceback and report it with the output of `envsetup doctor --record DIR`",
            err=True,
        )
        sys.exit(int(ExitCode.FINDINGS))
    # Commands return their exit code; click hands back typer.Exit's code the same way.
    sys.exit(int(result) if isinstance(result, int) else int(ExitCode.OK))
