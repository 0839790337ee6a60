"""Verdicts in words: code + parameters -> one sentence for people.

The judgement (compat/) says what, as codes with parameters; the resolver and check-command hand
their verdicts on as data, and only render/ words them: here. Nothing else words a verdict.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable

from envsetup.compat.verdicts import Verdict, VerdictCode
from envsetup.model.capability import Coverage


def _gpus(sms: list[str]) -> str:
    """['sm_90'] * 8 -> '8× sm_90'; each compute capability once, in order."""
    counted = Counter(sms)
    return ", ".join(f"{n}× {sm}" if n > 1 else sm for sm, n in counted.items())


def _driver_ok(p: dict) -> str:
    ceiling = f"supports CUDA ≤ {p['driver_cuda']}" if p.get("driver_cuda") else "supports"
    floor = _floor_met(p)
    if p.get("native"):
        return f"driver {p['have']} {ceiling}: enough for {p['build']} (CUDA {p['cuda']}, {floor})"
    return (
        f"driver {p['have']} {ceiling} < {p['cuda']}: {p['build']} runs through CUDA minor "
        f"version compatibility ({floor}; JIT of newer PTX may fail)"
    )


def _floor_met(p: dict) -> str:
    """How the driver meets the build's floor: 'driver ≥ 525.60.13', or, for a Linux driver of
    the floor's own branch below its point release (compat.meets_driver_floor, issue 11: every
    driver of a branch reports the branch's CUDA), that rule said, never 'driver ≥ FLOOR' beside
    a lower driver (attack13 M1: 525.60.11 against 525.60.13)."""
    from envsetup.compat import parse_version

    have, need = parse_version(str(p.get("have"))), parse_version(str(p.get("need")))
    if have is None or need is None or have >= need or have.release[0] != need.release[0]:
        return f"driver ≥ {p['need']}"
    cuda = f"a CUDA {p['driver_cuda']} driver by its branch" if p.get("driver_cuda") else "of it"
    return (
        f"driver branch {need.release[0]}: ≥ {p['need']} per NVIDIA's table, and {p['have']} "
        f"is {cuda}"
    )


def _arch_covered(p: dict) -> str:
    target = p["target"]
    if p["how"] == Coverage.EXACT.value:
        return f"{p['gpu']}: {p['sm']} is in the {p['build']} build"
    if p["how"] == Coverage.COMPATIBLE_CUBIN.value:
        return f"{p['gpu']}: {p['sm']} runs its {target} kernels (binary compatible)"
    return f"{p['gpu']}: {p['sm']} JIT-compiles its {target} PTX"


def _cuda_major(p: dict) -> str:
    return str(p["cuda"]).split(".")[0]


_WORDS: dict[VerdictCode, Callable[[dict], str]] = {
    VerdictCode.NO_BUILD_FOR_PLATFORM: lambda p: (
        f"there is no {p['build']} build for {p['platform_key']}"
    ),
    VerdictCode.GLIBC_BELOW_FLOOR: lambda p: (
        f"the wheels need glibc ≥ {p['need']}; this system has glibc {p['have']}"
    ),
    VerdictCode.GLIBC_OK: lambda p: f"glibc {p['have']} ≥ {p['need']}",
    VerdictCode.MUSL_LIBC: lambda p: (
        f"this system's C library is musl{' ' + p['have'] if p.get('have') else ''} (Alpine), "
        "and PyTorch's Linux wheels are manylinux builds for glibc: pip finds none, and a glibc "
        "wheel does not load on musl"
    ),
    VerdictCode.PYTHON_OUTSIDE_RANGE: lambda p: (
        f"Python {p['python']} is outside the supported {p['low']}–{p['high']}"
    ),
    VerdictCode.DRIVER_BELOW_FLOOR: lambda p: (
        f"driver {p['have']} is too old for the {p['build']} build: it needs ≥ {p['need']} "
        f"(CUDA {_cuda_major(p)}.x minor version compatibility)"
    ),
    VerdictCode.DRIVER_CUDA_TOO_LOW: lambda p: (
        f"driver CUDA {p['driver_cuda']} (no driver version) cannot run {p['build']}"
    ),
    VerdictCode.DRIVER_OK: _driver_ok,
    VerdictCode.DRIVER_CUDA_OK: lambda p: (
        f"driver CUDA {p['driver_cuda']} (no driver version) runs {p['build']}"
    ),
    VerdictCode.NO_NVIDIA_DRIVER: lambda p: (
        f"no NVIDIA driver found: {p['build']} installs, but CUDA needs a driver ≥ {p['need']}"
    ),
    VerdictCode.CUDA_BUILD_WITHOUT_NVIDIA: lambda p: (
        f"no NVIDIA GPU here, only AMD ones ({', '.join(p['amd_gfx'])}): {p['build']} installs, "
        "but a CUDA build cannot use them (they need a ROCm build)"
        if p.get("amd_gfx")
        else f"no NVIDIA driver found: {p['build']} installs, but CUDA needs a driver ≥ {p['need']}"
    ),
    VerdictCode.ARCH_NOT_COVERED: lambda p: (
        f"{p['gpu']} {p['sm']} has no kernels in the {p['build']} build "
        f"(arch list {';'.join(p['arch_list'])})"
    ),
    VerdictCode.ARCH_COVERED: _arch_covered,
    VerdictCode.ARCH_UNKNOWN: lambda p: (
        f"the {p['build']} build's arch list on {p['platform_key']} is not in the profile: "
        f"GPU coverage of {_gpus(p['sms'])} not checked"
    ),
    VerdictCode.CPU_BUILD_ON_NVIDIA_GPU: lambda p: (
        "a CPU-only build on a machine with a working NVIDIA GPU"
        + (f" ({_gpus(p['sms'])})" if p.get("sms") else "")
    ),
    VerdictCode.ROCM_BUILD_WITHOUT_ROCM: lambda p: (
        f"a {p['build']} build, but no ROCm was found on this machine"
    ),
}


def describe(verdict: Verdict) -> str:
    """One sentence for `verdict` (no trailing period)."""
    return _WORDS[verdict.code](verdict.params)


def summarize_blocked(build: str, verdicts: list[Verdict]) -> str:
    """Why one build cannot run, in one short clause ("cu118 needs driver ≥ 450.80.02, this one
    is 418.87"; "cu126 has no kernels for sm_120 (arch list ...)"), for a list of several builds."""
    for verdict in verdicts:
        p = verdict.params
        if verdict.code is VerdictCode.DRIVER_BELOW_FLOOR:
            return f"{build} needs driver ≥ {p['need']}, this one is {p['have']}"
        if verdict.code is VerdictCode.DRIVER_CUDA_TOO_LOW:
            return f"{build} needs a driver for CUDA {_cuda_major(p)}, this one supports CUDA ≤ {p['driver_cuda']}"
    missing = [v for v in verdicts if v.code is VerdictCode.ARCH_NOT_COVERED]
    if missing:
        sms = ", ".join(v["sm"] for v in missing)
        return f"{build} has no kernels for {sms} (arch list {';'.join(missing[0]['arch_list'])})"
    return "; ".join(describe(v) for v in verdicts if v.blocking)
