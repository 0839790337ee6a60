"""Recognise the ways nvidia-smi fails, from its own messages (and the kernel's, in dmesg)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Pattern, Tuple


@dataclass
class SmiFailure:
    id: str  # couldnt-communicate, version-mismatch, no-devices, gpu-lost, driver-not-loaded,
    # nvml-unknown-error, nvml-insufficient-permissions
    summary: str
    evidence: str  # the lines that show it, verbatim but stripped
    library_version: Optional[str] = None  # NVML's own version, printed by newer drivers


_LIBRARY_VERSION = re.compile(r"NVML library version:\s*(\d+(?:\.\d+)+)(?=\s)")

# Most specific first: a mismatch or a lost GPU also makes every later call fail.
_KINDS: Tuple[Tuple[str, str, Pattern[str]], ...] = (
    (
        "version-mismatch",
        "The NVIDIA driver's user-space libraries and its loaded kernel module are different "
        "versions (usually a driver update without a reboot).",
        re.compile(r"Driver/library version mismatch", re.IGNORECASE),
    ),
    (
        "gpu-lost",
        "A GPU stopped answering the driver (lost, fallen off the bus, or an unknown error).",
        re.compile(
            r"Unable to determine the device handle|fallen off the bus|GPU is lost",
            re.IGNORECASE,
        ),
    ),
    (
        # NVML cannot open the device nodes it sees: in a container, the runtime's device access
        # was taken back (systemd reloading the container's cgroups), NVIDIA/nvidia-container-
        # toolkit #48; the GPU itself still answers on the host.
        "nvml-unknown-error",
        "NVML could not be initialised (an unknown error): in a container, the container has "
        "lost access to its GPU devices.",
        re.compile(r"Failed to initialize NVML: Unknown Error", re.IGNORECASE),
    ),
    (
        # NVML sees the GPUs but may not open their device nodes (/dev/nvidia*): the node's mode
        # or group on a host; in a container SELinux (container_use_devices) or a rootless
        # runtime (NVIDIA/nvidia-container-toolkit issues #210, #33; NVIDIA/nvidia-docker #1608).
        "nvml-insufficient-permissions",
        "NVML may not open the GPU's device nodes (/dev/nvidia*): a permission, SELinux or "
        "rootless-container problem, not the driver.",
        re.compile(r"Failed to initialize NVML: Insufficient Permissions", re.IGNORECASE),
    ),
    (
        "driver-not-loaded",
        "The NVIDIA kernel driver is not loaded.",
        re.compile(r"NVML: Driver Not Loaded", re.IGNORECASE),
    ),
    (
        "no-devices",
        "nvidia-smi found no NVIDIA GPU.",
        re.compile(r"No devices were found", re.IGNORECASE),
    ),
    (
        "couldnt-communicate",
        "nvidia-smi could not communicate with the NVIDIA driver (not installed, not loaded, or "
        "not built for the running kernel).",
        # The apostrophe as nvidia-smi prints it, or as a word processor or forum retyped it.
        re.compile(
            r"couldn['\u2018\u2019\u02bc]t communicate with the NVIDIA driver", re.IGNORECASE
        ),
    ),
)


def _evidence(text: str, pattern: Pattern[str]) -> str:
    """The matching lines, plus the NVML library version line when there is one."""
    lines = [line.strip() for line in text.splitlines()]
    picked = [
        line for line in lines if pattern.search(line) or line.startswith("NVML library version")
    ]
    return "\n".join(picked)


def classify_smi_failure(text: str) -> Optional[SmiFailure]:
    """The failure nvidia-smi's output shows, or None when it shows none of the known ones."""
    for failure_id, summary, pattern in _KINDS:
        if pattern.search(text):
            evidence = _evidence(text, pattern)
            version = _LIBRARY_VERSION.search(text) if failure_id == "version-mismatch" else None
            return SmiFailure(
                id=failure_id,
                summary=summary,
                evidence=evidence or pattern.pattern,
                library_version=version.group(1) if version else None,
            )
    return None


__all__: List[str] = ["SmiFailure", "classify_smi_failure"]
