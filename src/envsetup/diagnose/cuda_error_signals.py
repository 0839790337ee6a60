"""CUDA (and ROCm) runtime errors a program printed, judged on this machine's facts: a driver too
old for the build (error 35), fabric manager not ready (802), PTX newer than the driver (222),
initialisation failed (3), another cuDNN loaded, no ROCm kernels for the GPU, and the errors whose
finding needs no more than the driver's and torch's versions (100, 803, 804, 999...).
Driver floors: envsetup.compat (data/cuda_drivers.toml, NVIDIA minor version compatibility);
error codes: CUDA Runtime API enum cudaError. Called from signal_rules.judge_signals.
"""

from __future__ import annotations

from typing import Any

from envsetup import compat
from envsetup.compat import rocm as rocm_compat
from envsetup.diagnose.finding import Finding
from envsetup.diagnose.gpu_access_rules import host_fabric_manager_mismatch
from envsetup.diagnose.kernel_image import (
    build_for_driver,
    driver_floor_for,
    lowest_floor,
)
from envsetup.diagnose.library_signals import (
    shadowing_dirs,
)
from envsetup.diagnose.rocm_rules import wheel_rocm
from envsetup.diagnose.signal_common import Evidence, finding_of, install_command, torch_cuda
from envsetup.facts import Facts
from envsetup.model.paste import Signal
from envsetup.profiles.build_info import BuildLookup


def judge_driver_too_old(signals: list[Signal], facts: Facts, lookup: BuildLookup, ev: Evidence):
    """The build that runs on this driver (named exactly when its version or its CUDA is known),
    or the driver the build in use needs."""
    found = next(
        (s.params.get("driver_cuda") for s in signals if s.params.get("driver_cuda")), None
    )
    cuda = torch_cuda(facts)
    # deviceQuery's "cudaGetDeviceCount returned 35" with no torch stated: a CUDA program built
    # with a toolkit newer than the driver, not a torch build.
    program = None
    if not facts.torch.version and any(s.params.get("via") for s in signals):
        program = "cuda-runtime"
    # The driver the facts name is the one that failed only when it reports the same CUDA.
    same = found is None or found == facts.nvidia.driver_cuda_version
    driver = facts.nvidia.driver_version if same else None
    driver_cuda = found or facts.nvidia.driver_cuda_version
    runs = build_for_driver(facts, lookup, driver or None, driver_cuda or None)
    params: dict[str, Any] = {}
    if runs:
        release, variant, sure = runs
        build_cuda = f"{variant[2:-1]}.{variant[-1]}"
        params.update(
            release=release,
            variant=variant,
            install=install_command(facts, ["--torch", release, "--cuda", build_cuda]),
            build_need=None if sure else driver_floor_for(build_cuda, facts),
        )
    elif driver or driver_cuda:
        params.update(no_build=True, lowest=lowest_floor(facts, lookup))
    else:
        params.update(install=install_command(facts))
    need = driver_floor_for(cuda, facts)
    have, floor = compat.parse_version(driver), compat.parse_version(need)
    if have is not None and floor is not None and have >= floor:
        need = None  # this driver meets it: the build that failed is not the one in the facts
    return [
        finding_of(
            "cuda-driver-too-old",
            "error",
            signals,
            ev,
            driver_cuda=driver_cuda,
            have=driver or None,
            torch=facts.torch.version,
            cuda=cuda,
            need=need,
            program=program,
            **params,
        )
    ]


def judge_fabric_manager(signals: list[Signal], facts: Facts, ev: Evidence):
    mismatch = next((s for s in signals if s.id == "fabricmanager-version-mismatch"), None)
    driver = (mismatch.params.get("driver") if mismatch else None) or facts.nvidia.driver_version
    return [
        finding_of(
            "cuda-fabric-manager-not-ready",
            "error",
            signals,
            ev,
            driver=driver,
            fabricmanager=(mismatch.params.get("fabricmanager") if mismatch else None)
            or host_fabric_manager_mismatch(facts),
            branch=driver.split(".", 1)[0] if driver else None,
            gpus=len(facts.nvidia.gpus) or None,
            container=facts.os.container or None,
            on_host=None if facts.gpu_access.fabric.manager_on_host else False,
        )
    ]


def judge_rocm_no_binary(signals: list[Signal], facts: Facts, ev: Evidence):
    """hipErrorNoBinaryForGpu: on an AMD GPU, the gfx target the ROCm build lacks and the
    override that runs a supported sibling's code objects; a CUDA build only when the machine
    shows NVIDIA GPUs and no AMD one. rocBLAS's missing Tensile library names the target
    itself (`gfx`, `library` in the signal): that target is the one judged."""
    named = next((s for s in signals if s.params.get("gfx")), None)
    gfx = named.params["gfx"] if named else None
    if gfx is None and facts.rocm.gfx_targets:
        gfx = facts.rocm.gfx_targets[0]
    nvidia_only = bool(facts.nvidia.gpus) and not facts.rocm.gfx_targets and named is None
    override = None
    if gfx and named is not None and named.params.get("library"):
        # The library said it lacks this target, and which it has: the override runs a sibling
        # it has (a cut list: any wheel's targets, as judge_gfx does without a list).
        listed = tuple(named.params.get("available") or rocm_compat.all_targets())
        found = rocm_compat.override_for(gfx, listed)
        override = found.value if found else None
    elif gfx:
        # One judgement with doctor's rocm-gfx-not-in-build (envsetup.compat.rocm's sourced
        # lists): the override that runs a listed sibling of this target in this wheel.
        verdict = rocm_compat.judge_gfx(gfx, facts.torch.version, wheel_rocm(facts.torch.version))
        override = verdict.override.value if verdict.override else None
    return [
        finding_of(
            "rocm-no-binary-for-gpu",
            "error",
            signals,
            ev,
            gfx=gfx,
            library=named.params.get("library") if named else None,
            override=override,
            # No wheel of any release lists it and no sibling runs in its place (RDNA1's gfx1010,
            # gfx1012; gfx803): no ROCm release to name.
            in_no_wheel=True
            if gfx and not override and not nvidia_only and not rocm_compat.in_any_wheel(gfx)
            else None,
            rocm=facts.rocm.version,
            torch=facts.torch.version,
            nvidia=True if nvidia_only else None,
            install=install_command(facts) if nvidia_only else None,
        )
    ]


def judge_simple(
    id_: str, severity: str, signals: list[Signal], facts: Facts, ev: Evidence
) -> Finding:
    return finding_of(
        id_,
        severity,
        signals,
        ev,
        driver=facts.nvidia.driver_version,
        driver_cuda=facts.nvidia.driver_cuda_version,
        torch=facts.torch.version,
        install=install_command(facts),
    )


def judge_ptx(signals: list[Signal], facts: Facts, ev: Evidence):
    nvcc = facts.cuda.nvcc_on_path_version
    need = compat.toolkit_driver(nvcc, facts.os.system or "Linux") if nvcc else None
    return [
        finding_of(
            "cuda-ptx-newer-than-driver",
            "error",
            signals,
            ev,
            driver=facts.nvidia.driver_version,
            driver_cuda=facts.nvidia.driver_cuda_version,
            nvcc=nvcc,
            need=need.driver if need else None,
        )
    ]


def judge_cudnn_mismatch(signals: list[Signal], facts: Facts, ev: Evidence):
    s = signals[0]
    return [
        finding_of(
            "cudnn-version-mismatch",
            "error",
            signals,
            ev,
            compiled=s.params.get("compiled"),
            found=s.params.get("found"),
            shadowing=shadowing_dirs(facts, "libcudnn.so") or None,
            install=install_command(facts),
        )
    ]


# CUDA initialisation errors that say why; a "3: initialization error" printed with one of them
# (gpu_burn retries, a second process) only repeats that the runtime did not start.
SPECIFIC_INIT_ERRORS = (
    "cuda-error-35",
    "cuda-error-100",
    "cuda-error-802",
    "cuda-error-803",
    "cuda-error-804",
    "fabricmanager-version-mismatch",
)


def judge_init_failed(signals: list[Signal], facts: Facts, ev: Evidence):
    """CUDA error 3 (cudaErrorInitializationError: "the CUDA driver and runtime could not be
    initialized", CUDA Runtime API, enum cudaError): in a forked worker, CUDA initialised in the
    parent before the fork; otherwise the driver (a library/module mismatch, a module that did
    not load, an update without reboot)."""
    return [
        finding_of(
            "cuda-driver-init-failed",
            "error",
            signals,
            ev,
            in_worker=True if any(s.params.get("in_worker") for s in signals) else None,
            driver=facts.nvidia.driver_version or None,
            kernel_module=facts.nvidia.kernel_module_version or None,
        )
    ]


def judge_host_compiler_rejected(signals: list[Signal], facts: Facts, ev: Evidence):
    """nvcc's host_config.h stopped the build: the host gcc is newer than this CUDA release
    accepts (the pasted twin of doctor's extension-host-compiler-unsupported, which needs the
    compiler's version; the message gives the highest it accepts and, by its path, the toolkit)."""
    found = []
    for highest in dict.fromkeys(str(s.params.get("highest")) for s in signals):
        group = [s for s in signals if str(s.params.get("highest")) == highest]
        toolkit = next((s.params["toolkit"] for s in group if s.params.get("toolkit")), None)
        found.append(
            finding_of(
                "nvcc-host-compiler-unsupported",
                "error",
                group,
                ev,
                compiler="gcc",
                highest=highest,
                toolkit=toolkit,
                nvcc=facts.cuda.nvcc_on_path_version,
            )
        )
    return found
