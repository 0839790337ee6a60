"""doctor's JSON document (schema: docs/schema/doctor.schema.json). No rich import on this path."""

from __future__ import annotations

from typing import Any

from envsetup import __version__
from envsetup.diagnose.finding import Finding, worst
from envsetup.facts import SCHEMA_VERSION, Facts
from envsetup.sanitize import dumps


def doctor_document(facts: Facts, findings: list[Finding], exit_code: int) -> dict[str, Any]:
    return {
        "kind": "envsetup.doctor",
        "schema_version": SCHEMA_VERSION,
        "envsetup_version": __version__,
        "status": worst(findings),
        "exit_code": exit_code,
        "facts": facts.to_dict(),
        "findings": [f.to_dict() for f in findings],
    }


def to_json(document: dict[str, Any]) -> str:
    return dumps(document, indent=2, sort_keys=False)
