"""The one compatibility judgement: can build B run on machine M, and how.

Used by doctor's rules (an installed build), the resolver (every candidate build), check-command
(the build a pasted command would install); the verify worker runs the GPU-architecture part
(envsetup.model.capability, shipped to it). Facts and their sources:

- driver floor of a CUDA X.Y build: CUDA minor version compatibility (data/cuda_drivers.toml,
  compat.min_driver_for_torch_cuda): the one source of driver floors;
- GPU coverage: envsetup.model.capability (NVIDIA Binary Compatibility / PTX Compatibility);
- Python range and glibc floor: the release profile (profiles/torch-X.Y.toml);
- musl libc: PyTorch publishes manylinux (glibc) wheels only, and a musl system takes
  musllinux wheels only (PEP 656); pytorch/pytorch #102592 shows the 2.0.0 wheel failing to
  load on python:3.9-alpine.
"""

from __future__ import annotations

from typing import Optional

from envsetup import compat
from envsetup.compat.build import Build
from envsetup.compat.verdicts import Verdict, VerdictCode
from envsetup.model.capability import coverage
from envsetup.model.compute_platform import PlatformKind
from envsetup.model.machine import Machine
from envsetup.model.versions import at_least, in_release_range, parse_version


def assess(build: Build, machine: Machine) -> list[Verdict]:
    """Every verdict on `build` for `machine`, platform first, then glibc, Python, driver, GPUs.

    Pure. Unknown facts give no verdict or a note, never a blocking one.
    """
    if not build.available_on_platform or (
        build.platform_key is not None and build.platform_key != machine.platform_key
    ):
        return [
            Verdict(
                VerdictCode.NO_BUILD_FOR_PLATFORM,
                {"platform_key": machine.platform_key, "build": build.name},
            )
        ]
    verdicts = _glibc(build, machine) + _python(build, machine)
    kind = build.platform.kind
    if kind is PlatformKind.CUDA:
        driver = _driver(build, machine) if build.platform.cuda else []
        verdicts += driver + _arches(build, machine)
    elif kind is PlatformKind.CPU and machine.working_nvidia_gpu and not machine.is_macos:
        verdicts.append(
            Verdict(VerdictCode.CPU_BUILD_ON_NVIDIA_GPU, {"sms": [g.sm for g in machine.gpus]})
        )
    elif kind is PlatformKind.ROCM and not machine.rocm and not machine.amd_gfx:
        # An AMD GPU the kernel driver serves runs a ROCm wheel, which brings its own ROCm.
        verdicts.append(Verdict(VerdictCode.ROCM_BUILD_WITHOUT_ROCM, {"build": build.name}))
    return verdicts


def driver_floor(build: Build, system: str) -> Optional[str]:
    """The lowest driver that runs a CUDA build on `system` (minor version compatibility)."""
    if not build.platform.cuda:
        return None
    need = compat.min_driver_for_torch_cuda(build.platform.cuda, system)
    return need.driver if need else None


def _glibc(build: Build, machine: Machine) -> list[Verdict]:
    # Every PyTorch Linux wheel is a manylinux (glibc) build: none loads on musl libc (PEP 656).
    if machine.musl is not None and (build.platform_key or machine.platform_key).startswith(
        "linux"
    ):
        return [Verdict(VerdictCode.MUSL_LIBC, {"have": machine.musl, "need": build.glibc_min})]
    if not build.glibc_min or not machine.glibc:
        return []
    ok = at_least(machine.glibc, build.glibc_min)
    if ok is None:
        return []
    code = VerdictCode.GLIBC_OK if ok else VerdictCode.GLIBC_BELOW_FLOOR
    return [Verdict(code, {"have": machine.glibc, "need": build.glibc_min})]


def _python(build: Build, machine: Machine) -> list[Verdict]:
    if not build.python_min or not build.python_max or not machine.python:
        return []
    if in_release_range(machine.python, build.python_min, build.python_max) is not False:
        return []
    return [
        Verdict(
            VerdictCode.PYTHON_OUTSIDE_RANGE,
            {"python": machine.python, "low": build.python_min, "high": build.python_max},
        )
    ]


def _driver(build: Build, machine: Machine) -> list[Verdict]:
    cuda = build.platform.cuda or ""
    need = driver_floor(build, machine.system)
    base = {"build": build.name, "cuda": cuda}
    driver_cuda = parse_version(machine.driver_cuda)
    native = compat.runs_natively(cuda, machine.driver_cuda)
    if machine.driver and need:
        ok = compat.meets_driver_floor(machine.driver, need, machine.system)
        if ok is False:
            return [
                Verdict(
                    VerdictCode.DRIVER_BELOW_FLOOR, {**base, "have": machine.driver, "need": need}
                )
            ]
        if ok:
            return [
                Verdict(
                    VerdictCode.DRIVER_OK,
                    {
                        **base,
                        "have": machine.driver,
                        "need": need,
                        "driver_cuda": machine.driver_cuda,
                        "native": native,
                    },
                )
            ]
    if driver_cuda is not None and build.platform.cuda_major is not None:
        params = {**base, "driver_cuda": machine.driver_cuda, "native": native}
        if driver_cuda.major < build.platform.cuda_major:
            return [Verdict(VerdictCode.DRIVER_CUDA_TOO_LOW, params)]
        return [Verdict(VerdictCode.DRIVER_CUDA_OK, params)]
    if not machine.has_nvidia:
        # amd_gfx: the machine's AMD GPUs, whose build is ROCm (no NVIDIA driver to advise)
        params = {**base, "need": need, "amd_gfx": list(machine.amd_gfx) or None}
        return [Verdict(VerdictCode.CUDA_BUILD_WITHOUT_NVIDIA, params)]
    return [Verdict(VerdictCode.NO_NVIDIA_DRIVER, {**base, "need": need})]


def _arches(build: Build, machine: Machine) -> list[Verdict]:
    if not machine.gpus:
        return []
    if build.arch_list is None:
        return [
            Verdict(
                VerdictCode.ARCH_UNKNOWN,
                {
                    "build": build.name,
                    "platform_key": machine.platform_key,
                    "sms": [g.sm for g in machine.gpus],
                },
            )
        ]
    out = []
    for gpu in machine.gpus:
        if gpu.compute_capability is None:
            continue  # Machine.gpus holds known capabilities only; nothing to judge
        found = coverage(build.arch_list, gpu.compute_capability)
        params = {"build": build.name, "gpu": gpu.label, "index": gpu.detected_index, "sm": gpu.sm}
        if found is None:
            out.append(
                Verdict(
                    VerdictCode.ARCH_NOT_COVERED, {**params, "arch_list": list(build.arch_list)}
                )
            )
        else:
            out.append(
                Verdict(
                    VerdictCode.ARCH_COVERED,
                    {**params, "how": found.how.value, "target": str(found.target)},
                )
            )
    return out
