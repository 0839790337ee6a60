"""The NVIDIA driver: not loaded, mismatched, hung, blocked by nouveau, wrong driver in WSL.

Each finding says what and why (id, evidence, params); render/words/doctor.py words it."""

from __future__ import annotations

from typing import Optional

from envsetup.diagnose.finding import Finding
from envsetup.facts import Facts
from envsetup.profiles.build_info import BuildLookup


def _smi_evidence(facts: Facts) -> list[str]:
    nv = facts.nvidia
    lines = [f"{nv.smi_path or 'nvidia-smi'}: {nv.smi_evidence}"] if nv.smi_evidence else []
    if nv.nvml_error:
        lines.append(f"NVML: {nv.nvml_error}")
    return lines


def version_mismatch(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    nv = facts.nvidia
    nvml_says = "mismatch" in (nv.nvml_error or "").lower()
    if nv.smi_failure != "version-mismatch" and not nvml_says:
        return []
    evidence = _smi_evidence(facts)
    if nv.kernel_module_version:
        evidence.append(
            f"loaded kernel module: {nv.kernel_module_version} (/proc/driver/nvidia/version)"
        )
    return [
        Finding(
            id="driver-library-mismatch",
            severity="error",
            evidence=evidence,
            params={"kernel_module": nv.kernel_module_version, "library": nv.driver_version},
        )
    ]


# nvidia-smi failures that name their own problem: failure id -> finding id.
SPECIFIC_FAILURES = {"no-devices": "no-gpu-devices", "gpu-lost": "gpu-lost"}


def smi_failed(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    nv = facts.nvidia
    if nv.smi_state == "timed-out":
        return [Finding(id="nvidia-smi-hung", severity="error", evidence=_smi_evidence(facts))]
    if nv.smi_state == "not-found" and "nvidia" in nv.modules_loaded and not facts.os.container:
        # The kernel module is loaded but nvidia-smi is not on PATH: the driver's user-space
        # tools are missing (or the PATH lost them), not the driver.
        return [
            Finding(
                id="nvidia-smi-failed",
                severity="error",
                evidence=[
                    *_smi_evidence(facts),
                    f"loaded modules: {', '.join(nv.modules_loaded)}",
                ],
                params={"failure": "not-found", "cause": "tools-missing"},
            )
        ]
    if nv.smi_state != "failed" or nv.smi_failure == "version-mismatch":
        return []
    if nv.smi_failure == "nvml-unknown-error":
        # Inside a container: it lost its GPU devices (re-create it); params name the runtime.
        return [
            Finding(
                id="nvml-unknown-error",
                severity="error",
                evidence=_smi_evidence(facts),
                params={"container": facts.os.container or None},
            )
        ]
    if nv.smi_failure == "nvml-insufficient-permissions":
        # The driver answers; the device nodes are refused (their mode, SELinux, rootless).
        return [
            Finding(
                id="nvml-insufficient-permissions",
                severity="error",
                evidence=_smi_evidence(facts),
                params={"runtime": facts.os.container or None},
            )
        ]
    if nv.smi_failure == "no-devices":
        return [no_gpu_devices(facts)]
    if nv.smi_failure in SPECIFIC_FAILURES:
        finding_id = SPECIFIC_FAILURES[nv.smi_failure]
        return [Finding(id=finding_id, severity="error", evidence=_smi_evidence(facts))]
    # Which fix applies, as a code (the words follow it).
    cause = "wsl" if facts.os.wsl else ("nouveau" if nv.nouveau_loaded else "driver-not-loaded")
    return [
        Finding(
            id="nvidia-smi-failed",
            severity="error",
            evidence=_smi_evidence(facts),
            params={"failure": nv.smi_failure, "cause": cause},
        )
    ]


# The open kernel module took Data Center GPUs only until 545.23.06 ("Open nvidia.ko is only
# ready for use on Data Center GPUs", then RmInitAdapter failed): GeForce and workstation GPUs
# needed NVreg_OpenRmEnableUnsupportedGpus=1, which 545.23.06 deprecated and ignores (its
# kernel-open/nvidia/nv-reg.h, quoted in NixOS/nixpkgs #499412; NVIDIA/open-gpu-kernel-modules
# #393: 520.56.06 open on an RTX 3050 Ti Laptop GPU, "No devices were found").
OPEN_MODULE_ALL_GPUS = (545, 23, 6)
_NOT_DATA_CENTER = ("geforce", "quadro", "titan", "rtx a", " ada", "laptop", "mobile", "max-q")


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def _open_module_refuses(facts: Facts) -> Optional[str]:
    """The name of a non-data-center GPU an open kernel module older than 545.23.06 refuses."""
    nv = facts.nvidia
    version = nv.kernel_module_version or nv.driver_version
    if nv.kernel_module != "open" or not version:
        return None
    if _version_tuple(version) >= OPEN_MODULE_ALL_GPUS:
        return None
    names = [g.name for g in nv.gpus if g.name] + list(nv.pci_devices)
    return next((n for n in names if any(w in n.lower() for w in _NOT_DATA_CENTER)), None)


def no_gpu_devices(facts: Facts) -> Finding:
    """nvidia-smi: "No devices were found". Its params say what the facts add: the container it
    runs in (the GPU not passed in), an open kernel module too old for this GPU."""
    nv = facts.nvidia
    params: dict[str, object] = {"container": facts.os.container or None}
    evidence = _smi_evidence(facts)
    refused = _open_module_refuses(facts)
    if refused:
        params.update(open_module=nv.kernel_module_version or nv.driver_version, gpu=refused)
        evidence.append(f"kernel module: open {params['open_module']}; GPU: {refused}")
    return Finding(id="no-gpu-devices", severity="error", evidence=evidence, params=params)


def nouveau(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    if not facts.nvidia.nouveau_loaded:
        return []
    return [
        Finding(
            id="nouveau-loaded",
            severity="error",
            evidence=[
                *(f"lspci: {d}" for d in facts.nvidia.pci_devices if "nouveau" in d),
                *(
                    ["nouveau is loaded (/proc/modules or /sys/module/nouveau)"]
                    if not facts.nvidia.pci_devices
                    else []
                ),
            ],
            params={"devices": [d for d in facts.nvidia.pci_devices if "nouveau" in d]},
        )
    ]


def linux_driver_in_wsl(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    libs = facts.nvidia.linux_driver_in_wsl
    if not facts.os.wsl or not libs:
        return []
    return [
        Finding(
            id="wsl-linux-driver-installed",
            severity="error",
            evidence=[*facts.os.wsl_evidence, *(f"found {p}" for p in libs)],
        )
    ]


def cuda_version_na(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    raw = facts.nvidia.smi_cuda_version_raw
    if not raw:
        return []
    return [
        Finding(
            id="driver-cuda-unusable",
            severity="warning",
            evidence=[f"{facts.nvidia.smi_path or 'nvidia-smi'} header: CUDA Version: {raw}"],
            # Inside a container the runtime's way to mount libcuda differs (a pod: the NVIDIA
            # runtime class and NVIDIA_DRIVER_CAPABILITIES, not docker's --gpus).
            params={"reported": raw, "container": facts.os.container or None},
        )
    ]


def gpu_without_driver(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    nv = facts.nvidia
    if not nv.pci_devices or nv.driver_version or nv.nouveau_loaded:
        return []
    return [
        Finding(
            id="gpu-without-driver",
            severity="error",
            evidence=[f"lspci: {d}" for d in nv.pci_devices]
            + [f"NVML: {nv.nvml_error or 'unavailable'}"],
        )
    ]


RULES = [
    version_mismatch,
    smi_failed,
    nouveau,
    gpu_without_driver,
    linux_driver_in_wsl,
    cuda_version_na,
]
