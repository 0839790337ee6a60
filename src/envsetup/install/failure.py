"""How a failed step is told: one line naming the step, the reason, the telling output line,
what happened to the environment, the log and the fix."""

from __future__ import annotations

from pathlib import Path

from envsetup.errors import EnvsetupError
from envsetup.install.plan import CHECK_RESOLVES, CREATE_ENV, INSTALL
from envsetup.install.runner import StepOutcome
from envsetup.sanitize import redact_text

READ_BACK = "read-back"
VERIFY = "verify"

FIXES = {
    CREATE_ENV: "check that the requested Python is installed (or use --manager uv, which fetches it)",
    CHECK_RESOLVES: "the pins are not on that index: check --torch/--cuda/--python, "
    "or that --index-url-base mirrors this variant",
    INSTALL: "read the log for the failing package, then retry",
    READ_BACK: "the environment's Python does not start; retry with --force",
    VERIFY: "torch failed its import check in the new environment (the log has why); "
    "run `envsetup doctor` to check the build fits this machine",
}


class StepFailed(EnvsetupError):
    """A step failed: the one-line message names it, the reason, the log and the fix."""

    def __init__(self, message: str, *, step_id: str, tail: list[str], log_path: str) -> None:
        super().__init__(message)
        self.step_id = step_id
        self.tail = tail
        self.log_path = log_path


class StepError(Exception):
    def __init__(self, step_id: str, reason: str, tail: list[str]) -> None:
        super().__init__(reason)
        self.step_id = step_id
        self.reason = reason
        self.tail = tail


def reason_of(outcome: StepOutcome) -> str:
    if outcome.not_found:
        return "its program could not be started"
    if outcome.timed_out:
        return "timed out"
    return f"exit status {outcome.returncode}"


def telling_line(tail: list[str]) -> str:
    """The line of output that best says what went wrong: pip's and uv's errors come last."""
    meaningful = [line.strip() for line in tail if line.strip()]
    for line in reversed(meaningful):
        # uv explains a failed resolution on a "cause:" line (a "╰─▶" one on a terminal)
        # after its "error:" line; the cause is what names the missing pin.
        for marker in ("cause:", "╰─▶"):
            if line.startswith(marker):
                return line[len(marker) :].strip()
    for line in reversed(meaningful):
        if line.startswith(("ERROR:", "error:", "CondaError", "PackagesNotFound")):
            return line
    return meaningful[-1] if meaningful else "no output"


def step_failed(failure: StepError, what: str, log_path: Path) -> StepFailed:
    # The telling line is pip's or uv's, and may quote the index URL with its credential; the
    # message is redacted when made, so no path that prints an exception can leak it.
    return StepFailed(
        redact_text(
            f"install failed at step {failure.step_id} ({failure.reason}: "
            f"{telling_line(failure.tail)}); {what}; log: {log_path}; "
            f"fix: {FIXES.get(failure.step_id, 'read the log')}"
        ),
        step_id=failure.step_id,
        tail=[redact_text(line) for line in failure.tail],
        log_path=str(log_path),
    )
