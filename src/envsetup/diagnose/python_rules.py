"""The target Python: externally managed (PEP 668), 32-bit, or outside the torch release's range.

Each finding says what and why (id, evidence, params); render/words/doctor.py words it."""

from __future__ import annotations

from envsetup.compat.verdicts import VerdictCode
from envsetup.diagnose.finding import Finding
from envsetup.diagnose.judge import installed_info, judge_installed
from envsetup.facts import Facts
from envsetup.profiles.build_info import BuildLookup


def externally_managed(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    py = facts.python
    if not py.externally_managed:
        return []
    return [
        Finding(
            id="pep668-externally-managed",
            severity="warning",
            evidence=[f"marker file: {py.externally_managed_path}"],
            params={"python": py.executable},
        )
    ]


def thirty_two_bit(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    if facts.python.bits != 32:
        return []
    return [
        Finding(
            id="python-32bit",
            severity="error",
            evidence=[f"{facts.python.executable}: {facts.python.version}, 32-bit"],
        )
    ]


def outside_torch_range(facts: Facts, lookup: BuildLookup) -> list[Finding]:
    torch, py = facts.torch, facts.python
    if not torch.version or not py.version:
        return []
    info = installed_info(facts, lookup)
    if info is None:
        return []
    outside = [
        v for v in judge_installed(facts, info) if v.code is VerdictCode.PYTHON_OUTSIDE_RANGE
    ]
    if not outside:
        return []
    return [
        Finding(
            id="python-unsupported-by-torch",
            severity="error",
            evidence=[
                f"torch {torch.version} ({torch.source})",
                f"Python {py.version} at {py.executable}",
            ],
            # The verdict's python, low, high: the release range is the installed build's.
            params={
                **outside[0].params,
                "python_version": py.version,
                "torch": torch.version,
                "release": info.release,
            },
        )
    ]


def install_incomplete(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    state = facts.python.envsetup_install
    if state not in ("incomplete", "incomplete-upgrade", "unreadable"):
        return []
    said = "incomplete, mode: upgrade" if state == "incomplete-upgrade" else state
    return [
        Finding(
            id="install-incomplete",
            severity="warning",
            evidence=[f"{facts.python.prefix}/envsetup-install.json says state: {said}"],
            params={"state": state, "prefix": facts.python.prefix},
        )
    ]


RULES = [externally_managed, thirty_two_bit, outside_torch_range, install_incomplete]
