"""Diagnosis: pure functions from facts (and profile data) to findings. No I/O."""

from __future__ import annotations

from typing import Callable

from envsetup.diagnose.finding import Finding
from envsetup.facts import Facts
from envsetup.profiles.build_info import BuildLookup, no_profiles

Rule = Callable[[Facts, BuildLookup], "list[Finding]"]


def rules() -> list[Rule]:
    from envsetup.diagnose import (
        cuda_rules,
        deep_rules,
        driver_rules,
        extension_rules,
        gpu_access_rules,
        jetson_rules,
        libc_rules,
        library_shadow_rules,
        python_rules,
        read_rules,
        rocm_rules,
        toolkit_layout_rules,
        torch_rules,
        wsl_rules,
    )

    return [
        *read_rules.RULES,
        *driver_rules.RULES,
        *gpu_access_rules.RULES,
        *cuda_rules.RULES,
        *library_shadow_rules.RULES,
        *toolkit_layout_rules.RULES,
        *extension_rules.RULES,
        *libc_rules.RULES,
        *python_rules.RULES,
        *torch_rules.RULES,
        *rocm_rules.RULES,
        *jetson_rules.RULES,
        *deep_rules.RULES,
        *wsl_rules.RULES,
    ]


def diagnose(facts: Facts, lookup: BuildLookup = no_profiles) -> list[Finding]:
    """Every finding for `facts`, errors first."""
    order = {"error": 0, "warning": 1, "info": 2}
    from envsetup.diagnose.jetson_rules import drop_superseded

    found = drop_superseded([finding for rule in rules() for finding in rule(facts, lookup)])
    from envsetup.diagnose.wsl_rules import drop_superseded as drop_under_wsl1

    found = drop_under_wsl1(found)
    return sorted(found, key=lambda f: order.get(f.severity, 3))
