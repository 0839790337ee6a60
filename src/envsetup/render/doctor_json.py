"""doctor's --json document: the result envelope with data = {facts}
(schema: docs/schema/doctor.schema.json). No rich import on this path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from envsetup.diagnose.finding import Finding
from envsetup.facts import Facts
from envsetup.render.envelope import envelope, outcome_of
from envsetup.render.envelope import to_json as to_json
from envsetup.render.finding_words import finding_entry


@dataclass
class DoctorData:
    """doctor's `data`: what was read from the host (its own schema_version inside)."""

    facts: Facts


def doctor_document(facts: Facts, findings: list[Finding], exit_code: int) -> dict[str, Any]:
    return envelope(
        "doctor",
        exit_code=exit_code,
        outcome=outcome_of(exit_code),
        findings=[finding_entry(f) for f in findings],
        data={"facts": facts.to_dict()},
    )
