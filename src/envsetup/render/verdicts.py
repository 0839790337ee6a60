"""Verdicts of envsetup.compat.assess for people and machines.

The sentences are in envsetup.compat.wording (diagnose and resolve, below render, word their
findings and explanation lines with them); this is the render layer's one door to them.
"""

from __future__ import annotations

from typing import Any

from envsetup.compat.verdicts import Verdict
from envsetup.compat.wording import describe as describe


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    """{"code": ..., "severity": ..., "text": ..., **params}: a verdict in --json output."""
    return {**verdict.to_dict(), "text": describe(verdict)}
