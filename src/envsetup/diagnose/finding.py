"""A finding: what is wrong (or worth knowing), the evidence, and the values its words are made of.

Its title and fix are worded in render/ (render/finding_words.py `words_for`, from the
catalogues in render/words/): logic says what, render says it to people."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SEVERITIES = ("error", "warning", "info")


@dataclass
class Finding:
    id: str  # stable, catalogued in docs/findings.md (doctor) or docs/check-command.md
    severity: str  # error, warning, info
    evidence: list[str] = field(default_factory=list)  # the facts that triggered it, with sources
    # The values its title and fix are made of (JSON-safe: strings, numbers, bools, lists), so a
    # script or a test reads them without parsing prose; for a finding from a compatibility
    # verdict, the verdict's parameters (compat/verdicts.py).
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """id, severity, evidence, params: what was found, without its words (for the
        envelope's finding, with title and fix: render/finding_words.py `finding_entry`)."""
        return asdict(self)


def worst(findings: list[Finding]) -> str:
    for severity in SEVERITIES:
        if any(f.severity == severity for f in findings):
            return severity
    return "ok"
