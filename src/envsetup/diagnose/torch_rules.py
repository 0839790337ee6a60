"""The installed torch build against this machine: CPU-only on a GPU box, driver too old, no kernels.

Each finding says what and why (id, evidence, params); render/words/doctor.py words it."""

from __future__ import annotations

from typing import Any, Optional

from envsetup import compat
from envsetup.compat.assess import assess, driver_floor
from envsetup.compat.build import Build
from envsetup.compat.verdicts import VerdictCode
from envsetup.diagnose.deep_rules import deep_findings
from envsetup.diagnose.finding import Finding
from envsetup.diagnose.install_target import install_command, install_params, new_env_command
from envsetup.diagnose.jetson_rules import jetson_params
from envsetup.diagnose.judge import (
    doctor_machine,
    installed_arch_list,
    installed_build,
    installed_info,
    judge_installed,
)
from envsetup.diagnose.kernel_image import builds_with_kernels
from envsetup.digits import small_int
from envsetup.facts import Facts
from envsetup.model.compute_platform import ComputePlatform, TorchFlavor
from envsetup.model.jetson import builds_for, pytorch_wheels_run
from envsetup.model.machine import platform_key_for
from envsetup.profiles.build_info import BuildInfo, BuildLookup


def _install_command(facts: Facts) -> str:
    """The install that replaces this torch (diagnose/install_target.py): into its own
    environment when install may install there, else into a new one."""
    return install_command(facts, ["--cuda", "auto"])


def not_installed(facts: Facts, lookup: BuildLookup) -> list[Finding]:
    deep = facts.torch.deep
    if facts.torch.version or not facts.python.version:
        return []
    if deep.ran and not deep.error:
        # torch imported and answered (--deep; its script names any failure in "error"):
        # installed, though no files name it. A recording of a paste where torch printed only
        # its CUDA warning (case 07's error 802) answers with no more than that.
        return []
    params: dict[str, Any] = {
        "python": facts.python.executable,
        **install_params(facts, ["--cuda", "auto"]),
    }
    jetson = facts.jetson
    if jetson.is_jetson and not pytorch_wheels_run(jetson):
        builds = builds_for(jetson.jetpack)
        if builds is None or not builds.index_url or not builds.torch:
            # `envsetup install --cuda auto` refuses here (resolve/jetson.py: no pip index of
            # NVIDIA's builds for this JetPack release): the fix is NVIDIA's wheels, not install.
            params["install_refused"] = "jetson-no-index"
            params["jetson"] = jetson_params(jetson, _env_python(facts))
    return [
        Finding(
            id="torch-not-installed",
            severity="info",
            evidence=[f"searched: {', '.join(facts.python.site_packages) or '(no site-packages)'}"],
            params=params,
        )
    ]


def _env_python(facts: Facts) -> Optional[str]:
    """'3.6' for the environment's Python 3.6.9."""
    parts = (facts.python.version or "").split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else None


def cpu_torch_on_gpu_host(facts: Facts, lookup: BuildLookup) -> list[Finding]:
    torch = facts.torch
    if torch.flavor is not TorchFlavor.CPU:
        return []
    verdicts = judge_installed(facts, None)
    cpu_on_gpu = [v for v in verdicts if v.code is VerdictCode.CPU_BUILD_ON_NVIDIA_GPU]
    if not cpu_on_gpu:
        return []
    gpus = ", ".join(
        f"{g.name or 'GPU'} (sm {g.compute_capability or '?'})" for g in facts.nvidia.gpus
    )
    info = installed_info(facts, lookup)
    return [
        Finding(
            id="torch-cpu-only-on-gpu-host",
            severity="error",
            evidence=[
                f"torch {torch.version}, built without CUDA ({torch.source})",
                f"GPUs: {gpus}; driver {facts.nvidia.driver_version} supports CUDA <= {facts.nvidia.driver_cuda_version}",
            ],
            params={
                **cpu_on_gpu[0].params,
                "torch": torch.version,
                "release": info.release if info else None,  # null: the release is not profiled
                "cuda_variants": list(info.cuda_variants) if info else [],
                "runs_here": _cuda_builds_that_run(facts, lookup, info),
                # PyPI's wheel of that release here (envsetup.profiles.pypi): "cpu" on Windows,
                # on aarch64 through 2.10, on Intel macOS; with no local label in the version,
                # a plain `pip install torch` is what put this build here.
                "pypi_build": info.pypi_build if info else None,
                "pypi_confirmed": info.pypi_status != "U" if info else None,
                "from_pypi": bool(info and info.pypi_build == "cpu" and "+" not in torch.version),
                "platform_key": platform_key_for(facts.os.system, facts.os.arch),
                "install": _install_command(facts),
            },
        )
    ]


def _cuda_builds_that_run(
    facts: Facts, lookup: BuildLookup, info: Optional[BuildInfo]
) -> list[str]:
    """The release's CUDA builds this machine runs, as the one judgement says (the driver's
    floor, and each build's arch list where its profile gives one), oldest CUDA first."""
    if info is None:
        return []
    public = (facts.torch.version or "").partition("+")[0]
    machine = doctor_machine(facts)
    runs = []
    for name in info.cuda_variants:
        other = lookup(f"{public}+{name}", facts.os.system, facts.os.arch)
        arch = tuple(other.arch_list) if other and other.arch_list else None
        build = Build(platform=ComputePlatform.parse(name), arch_list=arch)
        if not any(v.blocking for v in assess(build, machine)):
            runs.append(name)
    return runs


def driver_too_old(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    torch, nv = facts.torch, facts.nvidia
    if torch.flavor is not TorchFlavor.CUDA or not torch.cuda_version:
        return []
    too_old = [
        v
        for v in judge_installed(facts, None)
        if v.code in (VerdictCode.DRIVER_BELOW_FLOOR, VerdictCode.DRIVER_CUDA_TOO_LOW)
    ]
    if not too_old:
        return []
    build = installed_build(facts, None)
    need = driver_floor(build, facts.os.system) if build else None
    return [
        Finding(
            id="driver-too-old-for-torch",
            severity="error",
            evidence=[
                f"driver {nv.driver_version or '?'} ({nv.driver_source}) supports CUDA <= {nv.driver_cuda_version or '?'}",
                f"torch {torch.version} needs driver >= {need or '?'} ({_floor_source(torch.cuda_version, facts.os.system)})",
            ],
            params={
                **too_old[0].params,
                "verdict": too_old[0].code.value,
                "torch": torch.version,
                "cuda": torch.cuda_version,
                "have": nv.driver_version,
                "need": need,
                "driver_cuda": nv.driver_cuda_version,
                "install": _install_command(facts),
            },
        )
    ]


def _floor_source(cuda: str, system: str) -> str:
    requirement = compat.min_driver_for_torch_cuda(cuda, system)
    return requirement.source if requirement else "unknown"


def arch_missing(facts: Facts, lookup: BuildLookup) -> list[Finding]:
    torch = facts.torch
    if torch.flavor is not TorchFlavor.CUDA or not facts.nvidia.gpus:
        return []
    info = installed_info(facts, lookup)
    arch_list, where = installed_arch_list(facts, info)
    not_covered = [
        v for v in judge_installed(facts, info) if v.code is VerdictCode.ARCH_NOT_COVERED
    ]
    uncovered = {v["index"] for v in not_covered}
    missing = [g for g in facts.nvidia.gpus if g.index in uncovered]
    if not missing:
        return []
    # torch's own warning in --deep's stderr says it, with the build that has the kernels
    judged = {
        f.params.get("sm") for f in deep_findings(facts, lookup) if f.id == "cuda-no-kernel-image"
    }
    if judged and {v["sm"] for v in not_covered} <= judged:
        return []
    return [
        Finding(
            id="gpu-arch-not-in-torch-build",
            severity="error",
            evidence=[f"compiled for: {' '.join(arch_list)} ({where})"]
            + [
                f"GPU {g.index}: {g.name}, compute capability {g.compute_capability}"
                for g in missing
            ],
            params={
                "torch": torch.version,
                "sms": [v["sm"] for v in not_covered],
                "gpus": [v["gpu"] for v in not_covered],
                "names": [g.name or f"GPU {g.index}" for g in missing],  # as people call them
                "arch_list": list(arch_list),
                **_install_for_arch(facts, lookup, missing),
            },
        )
    ]


def _install_for_arch(facts: Facts, lookup: BuildLookup, missing: list[Any]) -> dict[str, Any]:
    """The install that gets kernels for `missing`, one `envsetup install` accepts: into this
    environment when a build covering them (and run by this driver) supports its Python; else
    the newest such build names the Python it needs (its profile's python range), and the
    install is a new environment with that Python (uv fetches it; install's own suggestion)."""
    here = _python_minor(facts.python.version)
    capability = next((g.compute_capability for g in missing if g.compute_capability), None)
    if here is None or capability is None:
        return {"install": _install_command(facts)}
    system, arch = facts.os.system or "Linux", facts.os.arch or "x86_64"
    covering: list[BuildInfo] = []  # newest first
    for release, variant in builds_with_kernels(capability, facts, lookup):
        info = lookup(f"{release}.0+{variant}", system, arch)
        low, high = (
            (_python_minor(info.python_min), _python_minor(info.python_max))
            if info
            else (None, None)
        )
        if info is None or low is None or high is None:
            continue
        if low <= here <= high:
            return {"install": _install_command(facts)}
        covering.append(info)
    if not covering:
        return {"install": _install_command(facts)}
    newest, oldest = covering[0], covering[-1]
    lowest_python = min(covering, key=lambda i: _python_minor(i.python_min) or here).python_min
    flags = ["--manager", "uv", "--python", newest.python_max, "--cuda", "auto"]
    return {
        "install": new_env_command(facts, flags),
        "python": facts.python.version,
        "releases": [oldest.release, newest.release],
        "needs_python": lowest_python,
    }


def _python_minor(version: Optional[str]) -> Optional[tuple[int, int]]:
    parts = (version or "").split(".")
    if len(parts) < 2:
        return None
    major, minor = small_int(parts[0]), small_int(parts[1])
    return (major, minor) if major is not None and minor is not None else None


def import_failed(facts: Facts, lookup: BuildLookup) -> list[Finding]:
    deep = facts.torch.deep
    if not deep.ran or not deep.error or not facts.torch.version:
        return []
    if deep_findings(facts, lookup):  # torch's stderr says why: signal_rules reports that
        return []
    return [
        Finding(
            id="torch-import-failed",
            severity="error",
            evidence=[deep.error],
            params={
                "install": _install_command(facts),
                # A ROCm build fails on ROCm's libraries, not CUDA's (attack12c H1, 08b).
                "flavor": facts.torch.flavor.value if facts.torch.flavor else None,
            },
        )
    ]


def cuda_unavailable(facts: Facts, lookup: BuildLookup) -> list[Finding]:
    deep, torch = facts.torch.deep, facts.torch
    if not deep.ran or deep.error or deep.cuda_available is not False:
        return []
    if deep_findings(facts, lookup):  # e.g. an 802 warning: the fabric manager, not the env
        return []
    nv = facts.nvidia
    if torch.flavor is not TorchFlavor.CUDA:
        return []
    # No GPU known: only where nothing looked for one (a pasted collect_env whose GPU and driver
    # lines say "Could not collect"); a probed machine without a GPU is not this finding.
    unknown = not nv.gpus and not nv.driver_version and nv.smi_state == "not-run"
    if not nv.gpus and not unknown:
        return []
    return [
        Finding(
            id="torch-cuda-unavailable",
            severity="error",
            evidence=[
                f"torch {torch.version} (CUDA {torch.cuda_version})",
                f"driver {nv.driver_version or 'unknown'}, "
                + (f"{len(nv.gpus)} GPU(s)" if nv.gpus else "no GPU known"),
            ],
            params={
                "torch": torch.version,
                "cuda": torch.cuda_version,
                "driver": nv.driver_version,
                "gpus": len(nv.gpus),
                "gpu_known": bool(nv.gpus),
            },
        )
    ]


def mps_unavailable(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    apple = facts.apple
    if not apple.apple_silicon or apple.mps_capable or not facts.torch.version:
        return []
    if facts.os.arch != "arm64":  # an x86_64 process under Rosetta 2: no macOS version has MPS
        return []
    return [
        Finding(
            id="mps-needs-newer-macos",
            severity="warning",
            evidence=[f"macOS {facts.os.macos_version} on {facts.os.arch}"],
            params={"macos_version": facts.os.macos_version},
        )
    ]


RULES = [
    not_installed,
    cpu_torch_on_gpu_host,
    driver_too_old,
    arch_missing,
    import_failed,
    cuda_unavailable,
    mps_unavailable,
]
