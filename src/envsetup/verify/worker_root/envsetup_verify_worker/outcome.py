"""How a check reports: skipped, failed (with evidence and a fix), and what it may know of the run."""

from __future__ import annotations

import shlex
import sys
from typing import Any, Dict, Optional

INSTALL_FIX = "envsetup install --env {prefix} --cuda auto"


class CheckSkipped(Exception):
    """The check does not apply here (e.g. a GPU check on a machine without a GPU)."""

    def __init__(self, reason: str, evidence: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(reason)
        self.evidence = evidence or {}


class CheckFailed(Exception):
    def __init__(
        self, reason: str, evidence: Optional[Dict[str, Any]] = None, fix: Optional[str] = None
    ) -> None:
        super().__init__(reason)
        self.evidence = evidence or {}
        self.fix = fix


class Context:
    """What a check may know about the run: options from the runner and the target's prefix."""

    def __init__(self, options: Dict[str, Any]) -> None:
        self.require_gpu = bool(options.get("require_gpu", False))

    @property
    def install_fix(self) -> str:
        return INSTALL_FIX.format(prefix=shlex.quote(sys.prefix))
