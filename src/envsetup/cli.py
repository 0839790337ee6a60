"""The command line: thin adapters from flags to commands. Logic lives elsewhere."""

from __future__ import annotations

import io
import os
import signal
import sys
import threading
from typing import Optional

import typer

from envsetup import __version__
from envsetup.errors import EnvsetupError
from envsetup.exit_codes import ExitCode
from envsetup.failure import error_envelope, json_command, kind_of, quiet_interrupts, report

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
    try:
        code = _run(sys.argv)
    except KeyboardInterrupt:  # landed between a handler's `except` and its first line
        code = _fail("interrupted", "interrupted", ExitCode.INTERRUPTED)
    quiet_interrupts()  # a Ctrl-C while the interpreter shuts down must not print a traceback
    sys.exit(code)


def _run(argv: list[str]) -> int:
    try:
        # SIGINT raises KeyboardInterrupt again: the commands' cleanup (locks, half-made
        # environments) runs in their finally blocks, and the handlers below report it.
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.default_int_handler)
        _register(argv)
        result = app(standalone_mode=False)
    except EnvsetupError as exc:
        return _fail(kind_of(exc.exit_code), str(exc), exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):  # click turns a KeyboardInterrupt into Abort
        return _fail("interrupted", "interrupted", ExitCode.INTERRUPTED)
    except Exception as exc:
        quiet_interrupts()
        # click's usage errors (typer vendors click in some releases, so match by behaviour).
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            from envsetup.sanitize import dumps, for_terminal

            # click quotes the offending value, which may be a credential URL.
            shown = io.StringIO()
            exc.show(file=shown)
            typer.echo(for_terminal(shown.getvalue().rstrip("\n")), err=True)
            command = json_command(argv)
            if command is not None:
                document = error_envelope(command, "usage", exc.format_message(), ExitCode.USAGE)
                typer.echo(dumps(document, indent=2))
            return int(ExitCode.USAGE)
        if os.environ.get("ENVSETUP_DEBUG"):
            raise
        return _fail(
            "internal",
            f"internal error ({type(exc).__name__}: {exc}); fix: rerun with ENVSETUP_DEBUG=1 "
            "for the traceback and report it with the output of `envsetup doctor --record DIR`",
            ExitCode.INTERNAL,
        )
    if result == ExitCode.INTERRUPTED:
        # typer turns a KeyboardInterrupt inside a command into a silent Exit(130).
        return _fail("interrupted", "interrupted", ExitCode.INTERRUPTED)
    quiet_interrupts()
    # Commands return their exit code; click hands back typer.Exit's code the same way.
    return int(result) if isinstance(result, int) else int(ExitCode.OK)


def _fail(kind: str, message: str, code: ExitCode) -> int:
    quiet_interrupts()
    report(sys.argv, kind, message, int(code))
    return int(code)
