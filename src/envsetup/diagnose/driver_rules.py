"""The NVIDIA driver: not loaded, mismatched, hung, blocked by nouveau, wrong driver in WSL."""

from __future__ import annotations

from envsetup.diagnose.finding import Finding
from envsetup.facts import Facts
from envsetup.profiles.build_info import BuildLookup

RELOAD_MODULES = "sudo rmmod nvidia_uvm nvidia_drm nvidia_modeset nvidia && sudo modprobe nvidia"
BLACKLIST_NOUVEAU = (
    "printf 'blacklist nouveau\\noptions nouveau modeset=0\\n' | sudo tee "
    "/etc/modprobe.d/blacklist-nouveau.conf && sudo update-initramfs -u && sudo reboot"
)


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
            title="The loaded NVIDIA kernel module and the driver libraries are different versions",
            evidence=evidence,
            fix=(
                "A driver update replaced the libraries but the old module is still loaded: reboot, "
                f"or reload the module with `{RELOAD_MODULES}` (stop processes using the GPU first)."
            ),
            params={"kernel_module": nv.kernel_module_version, "library": nv.driver_version},
        )
    ]


# nvidia-smi failures that name their own problem: failure id -> (finding id, title, fix).
SPECIFIC_FAILURES = {
    "no-devices": (
        "no-gpu-devices",
        "The NVIDIA driver is loaded but sees no GPU",
        "Check that the GPU is visible on the bus (`lspci | grep -i nvidia`) and supported by "
        "this driver branch; in a container, pass the GPU in (`docker run --gpus all`).",
    ),
    "gpu-lost": (
        "gpu-lost",
        "A GPU stopped responding (fallen off the bus or unknown error)",
        "Check `sudo dmesg | grep -i xid` (Xid 79: fell off the bus), power and cooling, then reboot.",
    ),
}


def smi_failed(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    nv = facts.nvidia
    if nv.smi_state == "timed-out":
        return [
            Finding(
                id="nvidia-smi-hung",
                severity="error",
                title="nvidia-smi did not answer: the driver is probably wedged",
                evidence=_smi_evidence(facts),
                fix=(
                    "Look for Xid errors with `sudo dmesg | grep -i -E 'nvrm|xid'`; enable persistence "
                    "mode (`sudo nvidia-smi -pm 1`) if it is slow rather than hung; otherwise reboot."
                ),
            )
        ]
    if nv.smi_state != "failed" or nv.smi_failure == "version-mismatch":
        return []
    if nv.smi_failure in SPECIFIC_FAILURES:
        finding_id, title, fix = SPECIFIC_FAILURES[nv.smi_failure]
        return [
            Finding(
                id=finding_id, severity="error", title=title, evidence=_smi_evidence(facts), fix=fix
            )
        ]
    # Which fix applies, as a code (the words below follow it).
    cause = "wsl" if facts.os.wsl else ("nouveau" if nv.nouveau_loaded else "driver-not-loaded")
    if cause == "wsl":
        fix = (
            "In WSL the Windows driver provides the GPU: update the NVIDIA driver on Windows, run "
            "`wsl --update` and `wsl --shutdown` from Windows, and do not install a Linux driver inside WSL."
        )
    elif cause == "nouveau":
        fix = f"nouveau holds the GPU: blacklist it and reboot: `{BLACKLIST_NOUVEAU}`."
    else:
        fix = (
            "Install (or reinstall) the driver for the running kernel and reboot, e.g. "
            "`sudo ubuntu-drivers install` on Ubuntu; check `lsmod | grep nvidia`, and whether "
            "Secure Boot blocks the unsigned module (`mokutil --sb-state`)."
        )
    return [
        Finding(
            id="nvidia-smi-failed",
            severity="error",
            title="nvidia-smi cannot talk to the NVIDIA driver",
            evidence=_smi_evidence(facts),
            fix=fix,
            params={"failure": nv.smi_failure, "cause": cause},
        )
    ]


def nouveau(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    if not facts.nvidia.nouveau_loaded:
        return []
    return [
        Finding(
            id="nouveau-loaded",
            severity="error",
            title="The open-source nouveau driver is loaded: CUDA cannot use the GPU",
            evidence=[
                *(f"lspci: {d}" for d in facts.nvidia.pci_devices if "nouveau" in d),
                *(
                    ["nouveau is loaded (/proc/modules or /sys/module/nouveau)"]
                    if not facts.nvidia.pci_devices
                    else []
                ),
            ],
            fix=f"Blacklist nouveau, install the NVIDIA driver and reboot: `{BLACKLIST_NOUVEAU}`.",
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
            title="A Linux NVIDIA driver is installed inside WSL; it shadows the Windows driver's libraries",
            evidence=[*facts.os.wsl_evidence, *(f"found {p}" for p in libs)],
            fix=(
                "Remove it: `sudo apt-get remove --purge '^nvidia-.*' '^libnvidia-.*'` (keep only a "
                "`cuda-toolkit-X-Y` package, never `cuda` or `cuda-drivers`); WSL mounts the Windows "
                "driver at /usr/lib/wsl/lib."
            ),
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
            title=f"nvidia-smi reports 'CUDA Version: {raw}': the driver's CUDA library (libcuda) is not usable here",
            evidence=[f"{facts.nvidia.smi_path or 'nvidia-smi'} header: CUDA Version: {raw}"],
            fix=(
                "In a container, run it with the NVIDIA Container Toolkit (`--gpus all` / the nvidia "
                "runtime) so libcuda is mounted; in WSL, update the Windows driver and `wsl --update`."
            ),
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
            title="An NVIDIA GPU is on the PCI bus but no NVIDIA driver is loaded",
            evidence=[f"lspci: {d}" for d in nv.pci_devices]
            + [f"NVML: {nv.nvml_error or 'unavailable'}"],
            fix=(
                "Install the NVIDIA driver for this kernel and reboot (Ubuntu: `sudo ubuntu-drivers "
                "install`; RHEL/Rocky: the `nvidia-driver` module from NVIDIA's repository); if it is "
                "installed, `sudo modprobe nvidia` shows why the module does not load (Secure Boot?)."
            ),
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
