"""How a run ends when it does not reach its result: one stderr line, and under --json an envelope.

Under --json the document is the result envelope every command prints (render/envelope.py) with
outcome "error", data null and `error: {kind, message}` (kinds: usage, failed, internal,
interrupted). Standard library only and cheap to import: the console entry loads it before typer,
so that a Ctrl-C during start-up can still be reported.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Any, Optional, Sequence


def kind_of(exit_code: int) -> str:
    """The error kind of an EnvsetupError's exit code."""
    return {2: "usage", 70: "internal", 130: "interrupted"}.get(int(exit_code), "failed")


def json_command(argv: Sequence[str]) -> Optional[str]:
    """The command whose --json document is wanted, or None (no --json, or no known command)."""
    from envsetup.render.envelope import COMMANDS

    if len(argv) < 2:
        return None
    command, options = argv[1], list(argv[2:])
    if command not in COMMANDS and options and f"{command}-{options[0]}" in COMMANDS:
        command, options = f"{command}-{options[0]}", options[1:]  # a group's: `fleet report`
    if command not in COMMANDS:
        return None
    if "--" in options:
        options = options[: options.index("--")]
    return command if "--json" in options else None


def error_envelope(command: str, kind: str, message: str, exit_code: int) -> dict[str, Any]:
    """The command's result envelope, empty, with the error that stopped it."""
    from envsetup.render.envelope import error_document

    return error_document(command, kind, message, exit_code)


def report(argv: Sequence[str], kind: str, message: str, exit_code: int) -> None:
    """Print `envsetup: MESSAGE` on stderr, and the error envelope on stdout under --json."""
    # Imported here, at the moment of failure: start-up stays standard-library only.
    from envsetup.sanitize import dumps, for_terminal

    command = json_command(argv)
    if command is not None:
        try:
            document = error_envelope(command, kind, message, exit_code)
        except Exception:
            document = None
        if document is not None:
            _write(sys.stdout, dumps(document, indent=2) + "\n")
    _write(sys.stderr, for_terminal(f"envsetup: {message}") + "\n")


def _write(stream: Any, text: str) -> None:
    try:
        stream.write(text)
        stream.flush()
    except (OSError, ValueError):  # a closed pipe (`| head`): nothing more can be said there
        pass


def quiet_interrupts() -> None:
    """From now on a Ctrl-C ends the run at once: the one line (and envelope), exit 130.

    For the moments when a KeyboardInterrupt would surface as a traceback: start-up imports, before
    main()'s handlers exist, and the reporting and interpreter teardown after them.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _interrupted)


def _interrupted(signum: int, frame: Any) -> None:
    from envsetup.exit_codes import ExitCode

    report(sys.argv, "interrupted", "interrupted", int(ExitCode.INTERRUPTED))
    os._exit(int(ExitCode.INTERRUPTED))
