"""The installed torch build and this machine, as envsetup.compat.assess judges them.

Doctor's rules ask here instead of judging for themselves: one rule for doctor, install and
check-command.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Optional

from envsetup.compat.assess import assess
from envsetup.compat.build import Build
from envsetup.compat.machine import detected_gpus, machine_from_facts
from envsetup.compat.verdicts import Verdict
from envsetup.facts import Facts
from envsetup.model.compute_platform import ComputePlatform
from envsetup.model.machine import Machine
from envsetup.profiles.build_info import BuildInfo, BuildLookup


def doctor_machine(facts: Facts) -> Machine:
    """The machine as doctor sees it: its GPUs are facts.nvidia.gpus, which already carry
    ENVSETUP_GPU_ARCH (so each verdict names a GPU by its index)."""
    return replace(machine_from_facts(facts, strict=False), gpus=detected_gpus(facts))


def installed_platform(facts: Facts, info: Optional[BuildInfo] = None) -> Optional[ComputePlatform]:
    """The installed torch's compute platform: from torch's own files (facts.torch.flavor), the
    wheel's label naming it as the index does ("+rocm5.4.2" where HIP says 5.4), else the
    profile's variant. None: no torch, or one whose build is unknown."""
    torch = facts.torch
    if not torch.version:
        return None
    platform = ComputePlatform.from_flavor(torch.flavor, torch.cuda_version, torch.hip_version)
    labelled = ComputePlatform.from_local_version(torch.version)
    if labelled is not None and (platform is None or labelled.kind is platform.kind):
        platform = labelled
    if platform is None and info is not None:
        platform = ComputePlatform.try_parse(info.variant)
    return platform


def installed_info(facts: Facts, lookup: BuildLookup) -> Optional[BuildInfo]:
    """What the profiles say about the installed build.

    A wheel without a local label is looked up as the platform's PyPI default; when torch's
    files say it is another build (the aarch64 CUDA wheels carry no label), that build's
    profile entry is the one that describes it.
    """
    version = facts.torch.version or ""
    info = lookup(version, facts.os.system, facts.os.arch)
    platform = installed_platform(facts, info)
    unlabelled_other = (
        info is not None
        and platform is not None
        and info.variant != platform.tag
        and "+" not in version
    )
    if unlabelled_other and platform is not None:
        relabelled = lookup(f"{version}+{platform.tag}", facts.os.system, facts.os.arch)
        if relabelled is not None:
            return relabelled
    return info


def installed_arch_list(facts: Facts, info: Optional[BuildInfo]) -> tuple[list[str], str]:
    """The installed build's arch list and where it was read; ([], "") when unknown."""
    if facts.torch.deep.ran and facts.torch.deep.arch_list:
        return facts.torch.deep.arch_list, "torch.cuda.get_arch_list() (--deep)"
    platform = installed_platform(facts, info)
    # A profile entry for another build (an unlabelled wheel, a profile lacking this one) does
    # not describe this build's kernels.
    if info and info.arch_list and platform is not None and info.variant == platform.tag:
        return info.arch_list, f"profile for torch {info.release} {info.variant}"
    return [], ""


def installed_build(facts: Facts, info: Optional[BuildInfo]) -> Optional[Build]:
    """The installed torch as a Build: its compute platform (installed_platform), the arch list
    from --deep or the profile, the Python range from the profile. None: no build to judge."""
    platform = installed_platform(facts, info)
    if platform is None:
        return None
    arch_list, _ = installed_arch_list(facts, info)
    return Build(
        platform=platform,
        arch_list=tuple(arch_list) if arch_list else None,
        python_min=info.python_min if info else None,
        python_max=info.python_max if info else None,
        glibc_min=info.glibc_min if info else None,
    )


def judge_installed(facts: Facts, info: Optional[BuildInfo]) -> list[Verdict]:
    """assess(installed build, this machine); [] when there is no build to judge."""
    build = installed_build(facts, info)
    return assess(build, doctor_machine(facts)) if build else []
