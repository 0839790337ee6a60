"""The import check that ends an install: the last step, run inside the lock and before the record
says "complete", so that an install whose torch does not import is undone like any failed step.

What checks is passed in: verify sits above install, and install never imports it.
envsetup.verified_install passes envsetup verify's import check.
"""

from __future__ import annotations

from typing import Callable, Optional, Tuple

from envsetup.install.failure import VERIFY, StepError

# The target environment's interpreter -> (passed, what happened: "exit code 0", the failure).
ImportCheck = Callable[[str], Tuple[bool, str]]


def quick_verify(python: str, check: Optional[ImportCheck]) -> str:
    """The record's note on the check; StepError (step "verify") when the check fails."""
    if check is None:
        return "skipped: not requested"
    passed, detail = check(python)
    if not passed:
        raise StepError(VERIFY, "import check failed", [detail])
    return f"import check passed ({detail})"
