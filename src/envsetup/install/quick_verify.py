"""The quick check after an install: envsetup.verify's import check, when this build has it."""

from __future__ import annotations

from envsetup.install.failure import VERIFY, StepError

# verify's own check id: torch imports, and its version and build match its files.
VERIFY_CHECKS = ("torch.import",)


def verdict(result: object) -> tuple[bool, str]:
    """Read verify's report: its exit code, and the reason of what went wrong if anything did."""
    code = result if isinstance(result, int) else getattr(result, "exit_code", None)
    if not isinstance(code, int):
        return True, "ran"
    if code == 0:
        return True, "exit code 0"
    unusable = getattr(result, "unusable", None)
    failed = [c for c in getattr(result, "checks", []) if getattr(c, "status", "") == "fail"]
    reason = getattr(unusable, "reason", "") or (getattr(failed[0], "reason", "") if failed else "")
    return False, f"exit code {int(code)}" + (f": {reason}" if reason else "")


def quick_verify(python: str, wanted: bool) -> str:
    if not wanted:
        return "skipped: not requested"
    try:
        from envsetup.verify import run_verify  # type: ignore[import-not-found,attr-defined]
    except ImportError:
        return "skipped: envsetup.verify is not available in this build"
    passed, detail = verdict(run_verify(python, only=list(VERIFY_CHECKS)))
    if not passed:
        raise StepError(VERIFY, "import check failed", [detail])
    return f"import check passed ({detail})"
