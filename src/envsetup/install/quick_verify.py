"""The quick check after an install: envsetup verify's import check in the new environment."""

from __future__ import annotations

from typing import TYPE_CHECKING

from envsetup.install.failure import VERIFY, StepError

if TYPE_CHECKING:
    from envsetup.verify import VerifyReport

# verify's own check id: torch imports, and its version and build match its files.
VERIFY_CHECKS = ("torch.import",)


def verdict(report: VerifyReport) -> tuple[bool, str]:
    """Whether the check passed, and the reason of what went wrong if anything did."""
    code = int(report.exit_code)
    if code == 0:
        return True, "exit code 0"
    failed = [c for c in report.checks if c.status == "fail"]
    reason = report.unusable.reason if report.unusable else (failed[0].reason if failed else "")
    return False, f"exit code {code}" + (f": {reason}" if reason else "")


def quick_verify(python: str, wanted: bool) -> str:
    if not wanted:
        return "skipped: not requested"
    from envsetup.verify import run_verify

    passed, detail = verdict(run_verify(python, only=list(VERIFY_CHECKS)))
    if not passed:
        raise StepError(VERIFY, "import check failed", [detail])
    return f"import check passed ({detail})"
