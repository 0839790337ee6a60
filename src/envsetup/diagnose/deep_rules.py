"""doctor --deep's torch stderr, judged by signal_rules only when a deep check ran.

A module of its own so that plain doctor (no --deep) does not import the error classifier and
its patterns (about 14 ms of doctor's start-up, measured with bench/bench_doctor.py --importtime).
"""

from __future__ import annotations

from envsetup.diagnose.finding import Finding
from envsetup.facts import Facts
from envsetup.profiles.build_info import BuildLookup


def deep_findings(facts: Facts, lookup: BuildLookup) -> list[Finding]:
    """What torch's stderr (and its import error) say, judged on this machine; [] when no deep
    check ran (signal_rules.deep_findings)."""
    if not facts.torch.deep.ran:
        return []
    from envsetup.diagnose.signal_rules import deep_findings as judged

    return judged(facts, lookup)


RULES = [deep_findings]
