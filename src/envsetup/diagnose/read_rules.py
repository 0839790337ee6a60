"""Outputs the probes could not make sense of."""

from __future__ import annotations

from envsetup.diagnose.finding import Finding
from envsetup.facts import Facts
from envsetup.profiles.build_info import BuildLookup


def could_not_read(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    return [
        Finding(
            id="could-not-read",
            severity="warning",
            evidence=[p.evidence] if p.evidence else [],
            params={"what": p.what, "reason": p.reason},
        )
        for p in facts.problems
    ]


RULES = [could_not_read]
