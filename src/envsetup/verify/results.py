"""What a verify run found: one result per check, and the report around them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Optional

from envsetup.diagnose.finding import Finding
from envsetup.exit_codes import ExitCode
from envsetup.facts import Facts

PASS = "pass"
FAIL = "fail"
SKIP = "skip"


@dataclass
class CheckResult:
    id: str
    title: str
    status: str  # pass, fail, skip
    reason: str = ""  # why it failed or was skipped; empty on pass
    duration_s: float = 0.0
    evidence: dict[str, Any] = field(default_factory=dict)
    fix: Optional[str] = None
    output: str = ""  # what the worker printed, kept for failures (crashes above all)


@dataclass
class Target:
    python: str
    python_version: str = ""
    prefix: str = ""
    torch_version: Optional[str] = None
    torch_build: Optional[str] = None


@dataclass
class Unusable:
    """The target could not run checks at all (exit 3)."""

    reason: str
    fix: str


@dataclass
class VerifyReport:
    target: Target
    checks: list[CheckResult] = field(default_factory=list)
    unusable: Optional[Unusable] = None
    duration_s: float = 0.0
    # What torch printed, judged (envsetup.verify.signals): shown with the failures and in the
    # envelope's findings; not in `data`, whose checks carry the output itself.
    findings: list[Finding] = field(default_factory=list)
    # What verify knows of its target as doctor's facts (verify.signals.target_facts): the
    # fingerprint is made of them; None when no check ran.
    facts: Optional[Facts] = None

    def counts(self) -> dict[str, int]:
        return {
            status: sum(c.status == status for c in self.checks) for status in (PASS, FAIL, SKIP)
        }

    @property
    def exit_code(self) -> ExitCode:
        if self.unusable is not None:
            return ExitCode.TARGET_UNUSABLE
        if any(c.status == FAIL for c in self.checks):
            return ExitCode.FINDINGS
        return ExitCode.OK

    def to_dict(self) -> dict[str, Any]:
        """verify's `data` in the result envelope (render/verify_json.py)."""
        return {
            "target": asdict(self.target),
            "unusable": asdict(self.unusable) if self.unusable else None,
            "summary": self.counts(),
            "duration_s": round(self.duration_s, 3),
            "checks": [asdict(c) for c in self.checks],
        }
