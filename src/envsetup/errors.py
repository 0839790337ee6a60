"""User-facing errors: one line naming the thing, the reason and the fix."""

from __future__ import annotations

from envsetup.exit_codes import ExitCode


class EnvsetupError(Exception):
    """An error the CLI prints as one line, then exits with `exit_code`."""

    exit_code: ExitCode = ExitCode.FINDINGS

    def __init__(self, message: str, exit_code: ExitCode | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(EnvsetupError):
    exit_code = ExitCode.USAGE
