"""What a verify run tells its caller while it runs: each check as it starts and as it ends.

The session calls these; it prints nothing. `envsetup verify` hands in a display from
render/progress.py; other callers (the install's import check) hand in nothing.
"""

from __future__ import annotations

from typing import Protocol

from envsetup.verify.catalogue import CheckInfo
from envsetup.verify.results import CheckResult


class CheckProgress(Protocol):
    def started(self, check: CheckInfo, number: int, total: int) -> None:
        """Check `number` of `total` (1-based) was handed to the worker."""

    def finished(self, result: CheckResult, number: int, total: int) -> None:
        """Check `number` came back (passed, failed, skipped, crashed or timed out)."""


class NoProgress:
    """The caller wants only the report."""

    def started(self, check: CheckInfo, number: int, total: int) -> None:
        pass

    def finished(self, result: CheckResult, number: int, total: int) -> None:
        pass
