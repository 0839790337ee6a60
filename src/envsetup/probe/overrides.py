"""ENVSETUP_* variables that stand in for detection on machines without the GPU (CI, image builds).

Like uv's UV_CUDA_DRIVER_VERSION and conda's CONDA_OVERRIDE_CUDA / CONDA_OVERRIDE_CUDA_ARCH.
"""

from __future__ import annotations

import re
from typing import Mapping

from envsetup.compat.machine import split_arches
from envsetup.facts import Facts, Overrides, ReadProblem
from envsetup.model.capability import ComputeCapability
from envsetup.model.gpu import Gpu
from envsetup.probe.common import problem

CUDA_VAR = "ENVSETUP_CUDA_DRIVER_VERSION"  # highest CUDA the (target) driver supports, e.g. 12.4
DRIVER_VAR = "ENVSETUP_DRIVER_VERSION"  # e.g. 550.54.15
ARCH_VAR = "ENVSETUP_GPU_ARCH"  # compute capabilities, e.g. "8.6" or "sm_86,sm_90"

_CUDA = re.compile(r"^\d{1,2}\.\d{1,2}$")
_DRIVER = re.compile(r"^\d{3}(\.\d{1,3}){0,2}$")


def read_overrides(environ: Mapping[str, str], problems: list[ReadProblem]) -> Overrides:
    result = Overrides()
    cuda = environ.get(CUDA_VAR, "").strip()
    if cuda:
        if _CUDA.match(cuda):
            result.cuda_driver_version = cuda
        else:
            problems.append(problem(CUDA_VAR, f"{cuda!r} is not a CUDA version like 12.4", cuda))
    driver = environ.get(DRIVER_VAR, "").strip()
    if driver:
        if _DRIVER.match(driver):
            result.driver_version = driver
        else:
            problems.append(
                problem(DRIVER_VAR, f"{driver!r} is not a driver version like 550.54.15", driver)
            )
    arch = environ.get(ARCH_VAR, "").strip()
    if arch:
        parsed = [normalise_arch(a) for a in split_arches(arch)]
        if parsed and all(parsed):
            result.gpu_arch = ",".join(p for p in parsed if p)
        else:
            problems.append(
                problem(ARCH_VAR, f"{arch!r} is not a compute capability like 8.6 or sm_86", arch)
            )
    return result


def normalise_arch(text: str) -> str | None:
    """'sm_86' / '86' / '8.6' -> '8.6' (envsetup.model.capability's spellings); None else."""
    found = ComputeCapability.try_parse(text)
    return str(found) if found else None


def apply_overrides(facts: Facts) -> None:
    """Make the overridden values the facts, saying so in their source."""
    o, nvidia = facts.overrides, facts.nvidia
    if o.driver_version:
        nvidia.driver_version, nvidia.driver_source = o.driver_version, f"override:{DRIVER_VAR}"
    if o.cuda_driver_version:
        nvidia.driver_cuda_version = o.cuda_driver_version
        nvidia.driver_cuda_source = f"override:{CUDA_VAR}"
    if o.gpu_arch:
        arches = [ComputeCapability.parse(a) for a in o.gpu_arch.split(",")]
        if not nvidia.gpus:
            nvidia.gpus = [Gpu(index=i, name="(override)") for i in range(len(arches))]
        for gpu, arch in zip(nvidia.gpus, arches + arches[-1:] * len(nvidia.gpus)):
            gpu.compute_capability = arch
        nvidia.gpus_source = f"override:{ARCH_VAR}"
