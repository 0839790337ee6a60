"""A finding: what is wrong (or worth knowing), the evidence, and the fix."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SEVERITIES = ("error", "warning", "info")


@dataclass
class Finding:
    id: str  # stable, catalogued in docs/findings.md
    severity: str  # error, warning, info
    title: str = ""  # being retired: words live in render/words/ (render/finding_words.py)
    evidence: list[str] = field(default_factory=list)  # the facts that triggered it, with sources
    fix: str = ""  # being retired, as title
    # The values the words above are made of (JSON-safe: strings, numbers, bools, lists), so a
    # script or a test reads them without parsing prose; for a finding from a compatibility
    # verdict, the verdict's parameters (compat/verdicts.py).
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def worst(findings: list[Finding]) -> str:
    for severity in SEVERITIES:
        if any(f.severity == severity for f in findings):
            return severity
    return "ok"
