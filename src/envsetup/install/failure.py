"""How a failed step is told: one line naming the step, the reason, the telling output line,
what happened to the environment, the log and the fix."""

from __future__ import annotations

import re
from pathlib import Path

from envsetup.errors import EnvsetupError
from envsetup.install.network import NetworkCause, network_failure
from envsetup.install.plan import CHECK_RESOLVES, CREATE_ENV, INSTALL
from envsetup.install.runner import StepOutcome
from envsetup.parsers.uv_abi_hint import abi_mismatch
from envsetup.sanitize import redact_text

READ_BACK = "read-back"
VERIFY = "verify"

FIXES = {
    CREATE_ENV: "check that the requested Python is installed (python3.X on PATH), or pass --python "
    "with a version that is",
    CHECK_RESOLVES: "the pins are not on that index: check --torch/--cuda/--python, "
    "or that --index-url-base mirrors this variant",
    INSTALL: "read the log for the failing package, then retry",
    READ_BACK: "the environment's Python does not start; retry with --force",
    VERIFY: "torch failed its import check in the new environment (the log has why); "
    "run `envsetup doctor` to check the build fits this machine",
}

# What each manager's create-env failure needs: pip makes the venv with an installed Python; uv
# uses an installed one and downloads one only when none is (which needs the network).
CREATE_ENV_FIXES = {
    "pip": FIXES[CREATE_ENV] + " (or use --manager uv, which can download one)",
    "uv": "install Python {python} (uv python install {python} while online), or pass --python "
    "with a version installed here",
    "conda": "check that conda can reach its channels and offers python={python}",
}

NETWORK_CAUSES = {
    NetworkCause.PROXY: "the proxy refused or could not be reached",
    NetworkCause.DNS: "DNS lookup failed",
    NetworkCause.TLS: "its TLS certificate is not trusted here",
    NetworkCause.REFUSED: "connection refused",
    NetworkCause.TIMEOUT: "timed out",
    NetworkCause.UNREACHABLE: "the network is unreachable",
    NetworkCause.CONNECT: "no connection",
}

NETWORK_FIX = (
    "check the network (DNS, a proxy in HTTPS_PROXY, offline?), or use --index-url-base for a "
    "mirror laid out as https://download.pytorch.org/whl (BASE/cpu/torch/..., docs/install.md)"
)
NETWORK_CREATE_ENV_FIX = (
    "uv needed to download Python {python}: install Python {python} here, or pass --python with "
    "a version installed here, or run again when online"
)


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


# Lines that open a message of their own in pip's and uv's output; any other line indented
# deeper than the one before it continues that one (uv indents a wrapped cause, and on a terminal
# draws it behind "│").
_OPENERS = re.compile(
    r"^(?:cause:|Caused by:|error:|ERROR:|WARNING:|warning:|hint:|help:|×|├─▶|╰─▶|CondaError"
    r"|PackagesNotFound|\[envsetup\])"
)


def logical_lines(tail: list[str]) -> list[str]:
    """`tail` with each wrapped message joined back into one line: the telling line is then
    whole, never cut mid-sentence where uv wrapped it."""
    joined: list[str] = []
    indents: list[int] = []
    for raw in tail:
        if not raw.strip():
            joined.append("")
            indents.append(0)
            continue
        body = raw.rstrip()
        stripped = body.lstrip()
        bar = stripped.startswith("│")
        if bar:
            stripped = stripped[1:].strip()
        indent = len(body) - len(body.lstrip())
        continues = (
            joined and joined[-1] and not _OPENERS.match(stripped) and (bar or indent > indents[-1])
        )
        if continues:
            joined[-1] = f"{joined[-1]} {stripped}"
        else:
            joined.append(body)
            indents.append(indent)
    return [line for line in joined if line]


def telling_line(tail: list[str]) -> str:
    """The line of output that best says what went wrong: pip's and uv's errors come last."""
    meaningful = [line.strip() for line in logical_lines(tail)]
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


def _fix(step_id: str, manager: str, python_version: str) -> str:
    if step_id == CREATE_ENV and manager in CREATE_ENV_FIXES:
        return CREATE_ENV_FIXES[manager].format(python=python_version or "X.Y")
    return FIXES.get(step_id, "read the log")


def _abi_fix(failure: StepError) -> str:
    """uv found the pins, but only for other Pythons (its ABI hint): name the nearest one."""
    if failure.step_id not in (CHECK_RESOLVES, INSTALL):
        return ""
    found = abi_mismatch(logical_lines(failure.tail))
    nearest = found.nearest() if found else None
    if found is None or nearest is None:
        return ""
    which = f"{found.project} {found.version}".strip()
    others = ", ".join(found.pythons)
    return (
        f"{which} on that index has wheels for Python {others}, none for Python {found.python}: "
        f"pass --python {nearest}"
    )


def failure_summary(
    failure: StepError, *, manager: str = "", python_version: str = "", index_url: str = ""
) -> tuple[str, str]:
    """What went wrong, in the words after the step's name, and the fix: a network failure is
    told as one ("cannot reach URL: DNS lookup failed"), whatever the tool concluded from it."""
    network = (
        network_failure(logical_lines(failure.tail))
        if failure.step_id
        in (
            CREATE_ENV,
            CHECK_RESOLVES,
            INSTALL,
        )
        else None
    )
    if network is None:
        said = f"{failure.reason}: {telling_line(failure.tail)}"
        return said, _abi_fix(failure) or _fix(failure.step_id, manager, python_version)
    url = network.url or index_url or "the index"
    # The cause in our words; the tool's own line (pip's is a 500-character retry warning with
    # an object address) stays in the log the message names.
    said = f"{failure.reason}: cannot reach {url}: {NETWORK_CAUSES[network.cause]}"
    if failure.step_id == CREATE_ENV and manager == "uv":
        return said, NETWORK_CREATE_ENV_FIX.format(python=python_version or "X.Y")
    return said, NETWORK_FIX


def step_failed(
    failure: StepError,
    what: str,
    log_path: Path,
    *,
    manager: str = "",
    python_version: str = "",
    index_url: str = "",
) -> StepFailed:
    # The telling line is pip's or uv's, and may quote the index URL with its credential; the
    # message is redacted when made, so no path that prints an exception can leak it.
    said, fix = failure_summary(
        failure, manager=manager, python_version=python_version, index_url=index_url
    )
    return StepFailed(
        redact_text(
            f"install failed at step {failure.step_id} ({said}); {what}; log: {log_path}; "
            f"fix: {fix}"
        ),
        step_id=failure.step_id,
        tail=[redact_text(line) for line in failure.tail],
        log_path=str(log_path),
    )
