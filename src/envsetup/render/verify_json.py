"""verify's --json document: the result envelope, with each failed check as a finding and
data = {target, unusable, summary, duration_s, checks} (docs/schema/verify.schema.json)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Optional

from envsetup.diagnose.finding import Finding
from envsetup.facts import Facts
from envsetup.host.budget import BudgetReport
from envsetup.model.fingerprint import Fingerprint, ProfileLookup, fingerprint_of
from envsetup.render.doctor_json import budget_dict
from envsetup.render.envelope import UNUSABLE, envelope, finding, outcome_of, to_json
from envsetup.render.finding_words import words_for
from envsetup.verify.results import FAIL, CheckResult, Target, Unusable, VerifyReport


@dataclass
class Summary:
    """How many checks passed, failed, were skipped."""

    pass_: int
    fail: int
    skip: int


@dataclass
class VerifyData:
    """verify's `data`. target is the interpreter checked; unusable is set (exit 3) when no
    check could run; checks lists every check run, in order, with its evidence. node and
    fingerprint as in doctor's data (the fingerprint of the target environment, with the driver
    NVML reports on this machine); budget: what --budget cut (null without it)."""

    target: Target
    unusable: Optional[Unusable]
    summary: Summary
    duration_s: float
    checks: list[CheckResult]
    node: str
    fingerprint: Fingerprint
    budget: Optional[BudgetReport]


def check_finding(check: CheckResult) -> dict[str, Any]:
    """A failed check as a finding: its id, what failed, its evidence (one line per key), its fix."""
    evidence = [
        f"{key}: {value if isinstance(value, str) else json.dumps(value, sort_keys=True)}"
        for key, value in sorted(check.evidence.items())
    ]
    return finding(check.id, "error", check.reason or check.title, evidence, check.fix or "")


def signal_finding(found: Finding) -> dict[str, Any]:
    """What torch printed, judged (envsetup.verify.signals), with its words."""
    words = words_for(found)
    return finding(found.id, found.severity, words.title, found.evidence, words.fix, found.params)


def verify_document(
    report: VerifyReport,
    *,
    facts: Optional[Facts] = None,
    node: str = "",
    budget: Optional[BudgetReport] = None,
    profile_of: Optional[ProfileLookup] = None,
) -> dict[str, Any]:
    """`facts`: what verify knows of its target (verify.signals.target_facts, with the driver
    added); the fingerprint is made of them (all null without)."""
    code = int(report.exit_code)
    error = None
    outcome = outcome_of(code)
    if report.unusable is not None:
        # The same `error` object every command's --json carries when it does not succeed.
        message = f"{report.unusable.reason}; fix: {report.unusable.fix}"
        error = {"kind": "failed", "message": message}
        outcome = UNUSABLE
    return envelope(
        "verify",
        exit_code=code,
        outcome=outcome,
        error=error,
        findings=[check_finding(c) for c in report.checks if c.status == FAIL]
        + [signal_finding(f) for f in report.findings],
        data={
            **report.to_dict(),
            "node": node,
            "fingerprint": (
                fingerprint_of(facts, profile_of) if facts is not None else Fingerprint.empty()
            ).to_dict(),
            "budget": budget_dict(budget),
        },
    )


def render_json(report: VerifyReport, **node_data: Any) -> str:
    """The document as printed; `node_data` as verify_document takes it."""
    return to_json(verify_document(report, **node_data))
