"""What an install tells its caller of its steps while it runs: each step as it starts and ends.

provision() calls these around every step of the plan, the read-back and the import check; it
prints nothing. `envsetup install` hands in a display (render/progress.py) that shows each step
with its elapsed time.
"""

from __future__ import annotations

from typing import Protocol


class StepProgress(Protocol):
    def step_started(self, step_id: str, description: str, number: int, total: int) -> None:
        """Step `number` of `total` (1-based) starts; announced before its first output line."""

    def step_finished(self, step_id: str, duration_s: float, number: int, total: int) -> None:
        """Step `number` ended well (a failing step raises instead, and is told no end)."""


class NoSteps:
    """The caller wants no step events."""

    def step_started(self, step_id: str, description: str, number: int, total: int) -> None:
        pass

    def step_finished(self, step_id: str, duration_s: float, number: int, total: int) -> None:
        pass
