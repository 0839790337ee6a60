"""ENVSETUP_* variables that stand in for detection on machines without the GPU (CI, image builds).

Like uv's UV_CUDA_DRIVER_VERSION and conda's CONDA_OVERRIDE_CUDA / CONDA_OVERRIDE_CUDA_ARCH.
"""

from __future__ import annotations

import re
from typing import Mapping

from envsetup.compat.machine import split_arches
from envsetup.errors import UsageError
from envsetup.facts import Facts, Overrides
from envsetup.model.capability import ComputeCapability
from envsetup.model.gpu import Gpu

CUDA_VAR = "ENVSETUP_CUDA_DRIVER_VERSION"  # highest CUDA the (target) driver supports, e.g. 12.4
DRIVER_VAR = "ENVSETUP_DRIVER_VERSION"  # e.g. 550.54.15
ARCH_VAR = "ENVSETUP_GPU_ARCH"  # compute capabilities, e.g. "8.6" or "sm_86,sm_90"

_CUDA = re.compile(r"^\d{1,2}\.\d{1,2}$")
_DRIVER = re.compile(r"^\d{3}(\.\d{1,3}){0,2}$")


def read_overrides(environ: Mapping[str, str]) -> Overrides:
    """The values set; a UsageError naming the variable, the reason and an example for one that
    is not a value of its kind (a typo must not silently turn into "not overridden")."""
    result = Overrides()
    cuda = environ.get(CUDA_VAR, "").strip()
    if cuda:
        if not _CUDA.match(cuda):
            raise _bad(CUDA_VAR, cuda, "a CUDA version", "12.4")
        result.cuda_driver_version = cuda
    driver = environ.get(DRIVER_VAR, "").strip()
    if driver:
        if not _DRIVER.match(driver):
            raise _bad(DRIVER_VAR, driver, "an NVIDIA driver version", "550.54.15")
        result.driver_version = driver
    arch = environ.get(ARCH_VAR, "").strip()
    if arch:
        parsed = [normalise_arch(a) for a in split_arches(arch)]
        if not parsed or not all(parsed):
            raise _bad(ARCH_VAR, arch, "a list of compute capabilities", "sm_86,sm_90")
        result.gpu_arch = ",".join(p for p in parsed if p)
    return result


def _bad(variable: str, value: str, kind: str, example: str) -> UsageError:
    shown = value if len(value) <= 40 else value[:40] + "…"
    return UsageError(
        f"{variable}={shown!r} is not {kind}; fix: set it like {variable}={example}, or unset it "
        "to read this machine's own"
    )


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
