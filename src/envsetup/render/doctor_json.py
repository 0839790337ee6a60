"""doctor's --json document: the result envelope with data = {facts, node, fingerprint, budget}
(schema: docs/schema/doctor.schema.json). No rich import on this path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from envsetup.diagnose.finding import Finding
from envsetup.facts import Facts
from envsetup.host.budget import BudgetReport
from envsetup.model.fingerprint import Fingerprint, ProfileLookup, fingerprint_of
from envsetup.render.envelope import envelope, outcome_of
from envsetup.render.envelope import to_json as to_json
from envsetup.render.finding_words import finding_entry


@dataclass
class DoctorData:
    """doctor's `data`: what was read from the host (its own schema_version inside); the node's
    name (--out's {host}) and fingerprint, for a fleet report to group nodes by; and what
    --budget cut (null without --budget)."""

    facts: Facts
    node: str
    fingerprint: Fingerprint
    budget: Optional[BudgetReport]


def doctor_document(
    facts: Facts,
    findings: list[Finding],
    exit_code: int,
    *,
    node: str = "",
    budget: Optional[BudgetReport] = None,
    profile_of: Optional[ProfileLookup] = None,
) -> dict[str, Any]:
    """`profile_of` names the profiles/ release of the torch build for the fingerprint."""
    return envelope(
        "doctor",
        exit_code=exit_code,
        outcome=outcome_of(exit_code),
        findings=[finding_entry(f) for f in findings],
        data={
            "facts": facts.to_dict(),
            "node": node,
            "fingerprint": fingerprint_of(facts, profile_of).to_dict(),
            "budget": budget_dict(budget),
        },
    )


def budget_dict(budget: Optional[BudgetReport]) -> Optional[dict[str, Any]]:
    if budget is None:
        return None
    return {"seconds": budget.seconds, "elapsed_s": budget.elapsed_s, "cut": list(budget.cut)}
