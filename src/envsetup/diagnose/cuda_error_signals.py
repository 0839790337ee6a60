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
from envsetup.diagnose.gpu_access_rules import host_fabric_manager_mismatch, package_tool
from envsetup.diagnose.kernel_image import (
    build_for_driver,
    driver_floor_for,
    failing_build_floor,
    lowest_floor,
)
from envsetup.diagnose.library_signals import (
    shadowing_dirs,
)
from envsetup.diagnose.rocm_rules import (
    gfx_findings,
    installed_targets,
    torch_rocm,
    unsafe_family_value,
)
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
    failing_major = None
    if cuda is None and program is None:
        # No torch build stated: the one that failed is of the only CUDA major this driver
        # does not run (a cu130 build on a 12.8 driver: >= 580; pytorch PR #162531).
        inferred = failing_build_floor(facts, lookup, driver_cuda)
        if inferred:
            failing_major, need = inferred
    if driver and need and compat.meets_driver_floor(driver, need, facts.os.system or "Linux"):
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
            failing_major=failing_major if need else None,
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
            packager=package_tool(facts.os),
            # Only the fabric manager's journal line pasted, no CUDA error: the title says the
            # 802 will come, not that it came (NVIDIA/gpu-operator #544, NVIDIA/nvtrust #55).
            seen_error=None if any(s.id == "cuda-error-802" for s in signals) else False,
        )
    ]


def judge_rocm_no_binary(signals: list[Signal], facts: Facts, ev: Evidence):
    """hipErrorNoBinaryForGpu, or torch's "HIP error: invalid device function" (its other form):
    on an AMD GPU, the gfx target the ROCm build lacks and the override that runs a supported
    sibling's code objects; a CUDA build only when the machine shows NVIDIA GPUs and no AMD one.
    rocBLAS's missing Tensile library names the target itself (`gfx`, `library` in the signal):
    that target is the one judged. Where the installed wheel's own list is known (doctor --deep's
    arch list) and lacks the GPU's target, the finding is doctor's rocm-gfx-not-in-build, with
    the error as its evidence: one finding, one wording, from either path."""
    named = next((s for s in signals if s.params.get("gfx")), None)
    form = next((s.params["form"] for s in signals if s.params.get("form")), None)
    gfx = named.params["gfx"] if named else None
    if gfx is None and facts.rocm.gfx_targets:
        gfx = facts.rocm.gfx_targets[0]
    installed = installed_targets(facts)
    if gfx and named is None and installed and facts.rocm.gfx_targets:
        label = f"torch {facts.torch.version} ({facts.torch.source or 'installed'})"
        found = gfx_findings(facts.rocm, facts.torch.version, torch_rocm(facts), label, installed)
        if found:
            cited = [line for s in signals for line in ev(s)]
            for finding in found:
                finding.evidence = list(dict.fromkeys([*cited, *finding.evidence]))
            return found
    nvidia_only = bool(facts.nvidia.gpus) and not facts.rocm.gfx_targets and named is None
    override = None
    unsafe = None
    if gfx and named is not None and named.params.get("library"):
        # The library said it lacks this target, and which it has: the override runs a sibling
        # it has (a cut list: any wheel's targets, as judge_gfx does without a list).
        listed = tuple(named.params.get("available") or rocm_compat.all_targets())
        found_override = rocm_compat.override_for(gfx, listed)
        override = found_override.value if found_override else None
    elif gfx:
        # One judgement with doctor's rocm-gfx-not-in-build (envsetup.compat.rocm's sourced
        # lists): the override that runs a listed sibling of this target in this wheel.
        verdict = rocm_compat.judge_gfx(
            gfx, facts.torch.version, torch_rocm(facts), None, installed
        )
        if verdict.covered is None:
            # The wheel's list is not known for sure, yet the error says the target is missing
            # from it: the override of any list that has a sibling.
            verdict_override = rocm_compat.override_for(gfx, rocm_compat.all_targets())
        else:
            verdict_override = verdict.override
        override = verdict_override.value if verdict_override else None
    if gfx:
        unsafe = unsafe_family_value(gfx)
    return [
        finding_of(
            "rocm-no-binary-for-gpu",
            "error",
            signals,
            ev,
            gfx=gfx,
            gpu=_gpu_name(facts, gfx),
            form=form,
            library=named.params.get("library") if named else None,
            override=override,
            override_unsafe=unsafe,
            # The GPU's own target is the one an override runs as (gfx1030, gfx1100): setting
            # HSA_OVERRIDE_GFX_VERSION changes nothing; only a build that lists it helps.
            own_target=True
            if gfx and not override and rocm_compat.is_listed_target_of_override(gfx)
            else None,
            listed_torch=_first_listing(gfx),
            listed_unsure=True if _first_listing(gfx) and not _listing_confirmed(gfx) else None,
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


def judge_rocm_memory_fault(signals: list[Signal], facts: Facts, ev: Evidence):
    """ROCm's "Memory access fault by GPU node-N ... Reason: ...": a GPU kernel touched memory it
    may not. Its usual causes, from what the facts show: an HSA_OVERRIDE_GFX_VERSION that makes a
    GPU run another target's code (an MI210 left at 10.3.0: ROCm/legacy-rocm-build #5238; 11.0.0
    on a gfx1103: #4557), GPUs of more than one target (code built for one run on the other:
    ROCm/rocm-systems #11549, an iGPU beside a dGPU), else the program's own kernel."""
    node = next((s.params["node"] for s in signals if s.params.get("node") is not None), None)
    reason = next((s.params["reason"] for s in signals if s.params.get("reason")), None)
    override = facts.rocm.hsa_override_gfx_version
    targets = list(facts.rocm.gfx_targets)
    wrong = None
    if override:
        for gfx in targets:
            runs_as = rocm_compat.override_of_other_family(gfx, override)
            unsafe = rocm_compat.unsafe_override(gfx, override)
            if runs_as or unsafe:
                wrong = {"gfx": gfx, "runs_as": runs_as or (unsafe.runs_as if unsafe else None)}
                break
    families = {gfx[:-1] for gfx in targets}
    return [
        finding_of(
            "rocm-memory-access-fault",
            "error",
            signals,
            ev,
            node=node,
            reason=reason,
            override_set=override,
            wrong_override=wrong,
            gfx_targets=targets or None,
            mixed=True if len(families) > 1 else None,
            source="https://github.com/ROCm/legacy-rocm-build/issues/5238",
        )
    ]


def _gpu_name(facts: Facts, gfx: Any) -> Any:
    return next((g.name for g in facts.rocm.gpus if g.gfx == gfx and g.name), None)


def _listing_confirmed(gfx: Any) -> bool:
    listing = rocm_compat.first_wheels_listing(gfx) if gfx else None
    return bool(listing and listing.confirmed)


def _first_listing(gfx: Any) -> Any:
    """The first torch release whose ROCm wheels list `gfx` (confirmed or per PyTorch CI)."""
    listing = rocm_compat.first_wheels_listing(gfx) if gfx else None
    return listing.torch[0] if listing else None


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
