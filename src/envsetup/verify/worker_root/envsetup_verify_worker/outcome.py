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
        # The runner says which install this target accepts (envsetup's rules: --upgrade for an
        # environment, a new one for a base interpreter) and whether a GPU build fits the machine
        # (None: --cuda auto is the CPU build there). The format below is for a runner that
        # does not say.
        self._install_fix = options.get("install_fix")
        self._gpu_install_fix = options.get("gpu_install_fix", self._install_fix)
        self._gpu_fix_said = "gpu_install_fix" in options

    @property
    def install_fix(self) -> str:
        if isinstance(self._install_fix, str) and self._install_fix:
            return self._install_fix
        return INSTALL_FIX.format(prefix=shlex.quote(sys.prefix))

    @property
    def gpu_fix(self) -> str:
        """The fix for a GPU that torch does not see, under --require-gpu."""
        if self._gpu_fix_said and not self._gpu_install_fix:
            return (
                "check the driver with `envsetup doctor` (it says why no GPU is seen: driver, "
                "device, container); no GPU build of torch fits this machine until one is"
            )
        return f"check the driver with `envsetup doctor`; install a GPU build: {self.install_fix}"
