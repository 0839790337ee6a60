"""ROCm torch against the AMD GPUs' gfx targets: a wheel without a code object for a GPU's target
aborts at the first kernel with hipErrorNoBinaryForGpu (envsetup.compat.rocm holds the lists)."""

from __future__ import annotations

import shlex
from typing import Optional

from envsetup.compat import rocm as rocm_compat
from envsetup.diagnose.finding import Finding
from envsetup.facts import AmdGpu, Facts
from envsetup.model.compute_platform import TorchFlavor
from envsetup.parsers import ParseError
from envsetup.parsers.torch_build import flavor_from_local_version
from envsetup.profiles.build_info import BuildLookup

# The pasted or --deep error says the same; diagnose.signal_rules words it from the same facts.
_NO_BINARY = "hipErrorNoBinaryForGpu"


def wheel_rocm(version: Optional[str]) -> Optional[str]:
    """'1.12.1+rocm5.1.1' -> '5.1.1' (the ROCm the wheel was built with, as its index names it)."""
    if not version:
        return None
    try:
        flavor, rocm = flavor_from_local_version(version)
    except ParseError:
        return None
    return rocm if flavor == "rocm" else None


def _gpu_named(gpus: list[AmdGpu], gfx: str) -> AmdGpu:
    return next((g for g in gpus if g.gfx == gfx), AmdGpu(gfx=gfx))


def gfx_not_in_build(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    """One finding per gfx target the installed ROCm wheel has no code object for."""
    torch = facts.torch
    if torch.flavor is not TorchFlavor.ROCM or not facts.rocm.gfx_targets:
        return []
    if any(_NO_BINARY in line for line in torch.deep.stderr_tail):
        return []  # --deep saw the abort itself: signal_rules' rocm-no-binary-for-gpu says it
    rocm = wheel_rocm(torch.version)
    found = []
    for gfx in facts.rocm.gfx_targets:
        verdict = rocm_compat.judge_gfx(
            gfx, torch.version, rocm, facts.rocm.hsa_override_gfx_version
        )
        if verdict.covered is not False:
            continue
        gpu = _gpu_named(facts.rocm.gpus, gfx)
        wheel = verdict.wheel
        listing = rocm_compat.first_wheels_listing(gfx)
        evidence = [
            f"GPU {gpu.name + ' ' if gpu.name else ''}{gfx} ({gpu.source or 'rocm facts'})",
            f"torch {torch.version} ({torch.source or 'installed'})",
        ]
        if wheel is not None:
            evidence.append(f"the wheel's gfx targets: {';'.join(wheel.targets)} ({wheel.source})")
        if verdict.overridden_as:
            evidence.append(
                f"HSA_OVERRIDE_GFX_VERSION={facts.rocm.hsa_override_gfx_version} "
                f"(runs as {verdict.overridden_as})"
            )
        found.append(
            Finding(
                id="rocm-gfx-not-in-build",
                severity="error",
                evidence=evidence,
                params={
                    "gfx": gfx,
                    "gpu": gpu.name or None,
                    "torch": torch.version,
                    "rocm": rocm,
                    # None: no confirmed list for this wheel (the target is in no wheel at all)
                    "build_targets": list(wheel.targets) if wheel and wheel.confirmed else None,
                    "override": verdict.override.value if verdict.override else None,
                    "runs_as": verdict.override.runs_as if verdict.override else None,
                    "override_set": facts.rocm.hsa_override_gfx_version,
                    "listed_torch": list(listing.torch) if listing else None,
                    "listed_rocm": list(listing.rocm) if listing else None,
                    "source": rocm_compat.SOURCE,
                },
            )
        )
    return found


# Environments `envsetup install --env PREFIX --upgrade` installs into (as torch_rules').
_ENVIRONMENTS = ("venv", "conda", "uv")


def _rocm_install(facts: Facts) -> str:
    """The install of the ROCm build, into torch's own environment when it is one."""
    if facts.python.environment in _ENVIRONMENTS and facts.python.prefix:
        words = ["envsetup", "install", "--env", facts.python.prefix, "--backend", "rocm"]
        return shlex.join([*words, "--upgrade"])
    return "envsetup install --backend rocm"


def not_rocm_on_amd_gpu(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    """A CUDA or CPU torch on a machine whose GPUs are AMD ones only: it runs on the CPU alone
    (a CUDA build finds no NVIDIA driver); the ROCm build uses the GPUs."""
    torch = facts.torch
    if torch.flavor not in (TorchFlavor.CUDA, TorchFlavor.CPU) or not facts.rocm.gfx_targets:
        return []
    if facts.nvidia.gpus or facts.nvidia.driver_version:
        return []  # an NVIDIA GPU too: the CUDA/CPU rules judge the build against it
    gpus = [g.name or g.gfx for g in facts.rocm.gpus] or facts.rocm.gfx_targets
    return [
        Finding(
            id="torch-not-rocm-on-amd-gpu",
            severity="error",
            evidence=[
                f"torch {torch.version} [{torch.flavor.value}] ({torch.source or 'installed'})",
                *(
                    f"AMD GPU {g.name + ' ' if g.name else ''}{g.gfx} ({g.source})"
                    for g in facts.rocm.gpus
                ),
                "no NVIDIA GPU or driver found",
            ],
            params={
                "torch": torch.version,
                "flavor": torch.flavor.value,
                "gfx": list(facts.rocm.gfx_targets),
                "gpus": gpus,
                "install": _rocm_install(facts),
            },
        )
    ]


RULES = [gfx_not_in_build, not_rocm_on_amd_gpu]
