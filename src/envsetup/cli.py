"""The command line: thin adapters from flags to commands. Logic lives elsewhere.

typer loads only when the command line needs it: envsetup.fast_path serves `doctor` and
`explain` with plain flags and `--version` without it (doctor's start-up budget); everything else, errors and help
included, goes through the typer app, built on first use (`app` below).
"""

from __future__ import annotations

import signal
import sys
import threading
from typing import TYPE_CHECKING, Any, Optional

from envsetup import __version__
from envsetup.errors import EnvsetupError
from envsetup.exit_codes import ExitCode
from envsetup.failure import error_envelope, json_command, kind_of, quiet_interrupts, report

if TYPE_CHECKING:
    import typer

_APP: Optional[typer.Typer] = None


def __getattr__(name: str) -> Any:
    # `from envsetup.cli import app` keeps working; the app is built then, not at import.
    if name == "app":
        return _app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _app() -> typer.Typer:
    """The typer app with its root options (--version), built once."""
    global _APP
    if _APP is not None:
        return _APP
    import typer

    from envsetup.render.help_words import epilog

    app = typer.Typer(
        name="envsetup",
        help="Take a machine from fresh install to a verified PyTorch GPU environment.",
        epilog=epilog(""),
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        # -h as well as --help, on every command (click hands the setting down to them); the
        # rich help on every typer release the dependency range allows.
        context_settings={"help_option_names": ["-h", "--help"]},
        rich_markup_mode="rich",
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

    _APP = app
    return app


# command name -> (module under envsetup.commands, function in it)
COMMANDS = {
    "doctor": ("doctor", "doctor_command"),
    "install": ("install", "install_command"),
    "verify": ("verify", "verify_command"),
    "check-command": ("check_command", "check_command_command"),
    "explain": ("explain", "explain_command"),
}

# command group name -> (module under envsetup.commands, its typer.Typer), registered like COMMANDS
GROUPS = {
    "fleet": ("fleet", "fleet_app"),
}


def _register(argv: list[str]) -> None:
    """Register the command being run, or every command (for --help, completion, typos).

    Each command module owns its flags. Building the others' options would cost every run
    tens of milliseconds, and doctor has a start-up budget.
    """
    import importlib

    from envsetup.render.help_words import epilog

    named = [a for a in argv[1:2] if a in COMMANDS or a in GROUPS]
    for name in named or [*COMMANDS, *GROUPS]:
        if name in GROUPS:
            module_name, group = GROUPS[name]
            module = importlib.import_module(f"envsetup.commands.{module_name}")
            _app().add_typer(getattr(module, group), name=name)
            continue
        module_name, function = COMMANDS[name]
        module = importlib.import_module(f"envsetup.commands.{module_name}")
        _app().command(name, epilog=epilog(name))(getattr(module, function))


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
        result = _dispatch(argv)
    except EnvsetupError as exc:
        return _fail(kind_of(exc.exit_code), str(exc), exc.exit_code)
    except KeyboardInterrupt:
        return _fail("interrupted", "interrupted", ExitCode.INTERRUPTED)
    except Exception as exc:
        if _is_abort(exc) or _interrupt_behind(exc):  # click turns a KeyboardInterrupt into Abort
            return _fail("interrupted", "interrupted", ExitCode.INTERRUPTED)
        quiet_interrupts()
        # click's usage errors (typer vendors click in some releases, so match by behaviour).
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            import typer  # click raised it: typer is loaded already

            from envsetup.sanitize import dumps, for_terminal

            # One line, as every other envsetup error (click's own is a Usage/Try/Error block);
            # click quotes the offending value, which may be a credential URL.
            typer.echo(for_terminal(_usage_line(exc, argv)), err=True)
            command = json_command(argv)
            if command is not None:
                document = error_envelope(command, "usage", exc.format_message(), ExitCode.USAGE)
                typer.echo(dumps(document, indent=2))
            return int(ExitCode.USAGE)
        from envsetup.host import environment

        if environment().get("ENVSETUP_DEBUG"):
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


def _usage_line(exc: Any, argv: list[str]) -> str:
    """click's usage error as one line: 'envsetup install: No such option: --cdua Did you mean
    --cuda?; fix: see `envsetup install -h`'."""
    context = getattr(exc, "ctx", None)
    named = [a for a in argv[1:2] if a in COMMANDS or a in GROUPS]
    path = getattr(context, "command_path", None) or " ".join(["envsetup", *named])
    message = " ".join(str(exc.format_message()).split()).rstrip(".")
    return f"{path}: {message}; fix: see `{path} -h`"


def _dispatch(argv: list[str]) -> Any:
    """Run the command line: on the fast path when it qualifies, else through the typer app."""
    from envsetup.fast_path import simple_command

    call = simple_command(argv)
    if call is None:
        _register(argv)
        # The console script's name in usage lines and help, also under `python -m envsetup`.
        return _app()(standalone_mode=False, prog_name="envsetup")
    try:
        if call.command == "--version":
            from envsetup.render.stdout import echo

            echo(f"envsetup {__version__}")
            return ExitCode.OK
        if call.command == "explain":
            from envsetup.explain_run import run_explain

            return run_explain(**call.options)  # type: ignore[arg-type]
        from envsetup.doctor_run import run_doctor

        return run_doctor(**call.options)  # type: ignore[arg-type]
    # What typer's main does around a command, so that both paths end a run the same way.
    except EOFError:
        if sys.stderr is not None:
            sys.stderr.write("\n")
            sys.stderr.flush()
        raise KeyboardInterrupt from None  # click: Abort, reported as an interrupt
    except OSError as exc:
        import errno

        if exc.errno != errno.EPIPE:
            raise
        # The reader went away (`| head`): exit 1, and no complaint from the final flush.
        sys.stdout = _PacifyFlush(sys.stdout)  # type: ignore[assignment]
        sys.stderr = _PacifyFlush(sys.stderr)  # type: ignore[assignment]
        sys.exit(1)


class _PacifyFlush:
    """A stream whose flush ignores a broken pipe (click's PacifyFlushWrapper)."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped

    def flush(self) -> None:
        import errno

        try:
            self.wrapped.flush()
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise

    def __getattr__(self, attr: str) -> Any:
        return getattr(self.wrapped, attr)


def _is_abort(exc: BaseException) -> bool:
    """click's Abort (typer.Abort). Only the typer app raises it, so typer is loaded if it is one."""
    typer = sys.modules.get("typer")
    return typer is not None and isinstance(exc, typer.Abort)


def _interrupt_behind(exc: BaseException) -> bool:
    """Whether a KeyboardInterrupt is in `exc`'s chain of causes and contexts: Python 3.11 wraps
    one raised while a class is created (a dataclass's __set_name__, during an import) in
    RuntimeError("Error calling __set_name__ ..."). That is the user's Ctrl-C, not a bug."""
    seen: set[int] = set()
    link: Optional[BaseException] = exc
    while link is not None and id(link) not in seen:
        if isinstance(link, KeyboardInterrupt):
            return True
        seen.add(id(link))
        link = link.__cause__ or link.__context__
    return False


def _fail(kind: str, message: str, code: ExitCode) -> int:
    quiet_interrupts()
    report(sys.argv, kind, message, int(code))
    return int(code)
