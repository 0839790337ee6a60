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
            title=f"Could not read {p.what}: {p.reason}",
            evidence=[p.evidence] if p.evidence else [],
            fix=(
                "Run the command by hand to see what it prints; if the output looks right, report it "
                "with `envsetup doctor --record DIR` attached so the parser can learn it."
            ),
        )
        for p in facts.problems
    ]


RULES = [could_not_read]
