"""The data nvidia-smi parsers return, whichever output form they read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional


@dataclass
class SmiMigDevice:
    """A MIG instance under a physical GPU (from `-L` or `-q -x`)."""

    index: int
    profile: Optional[str] = None  # "1g.5gb"; None where the output does not name it
    uuid: Optional[str] = None
    gpu_instance_id: Optional[int] = None
    compute_instance_id: Optional[int] = None
    memory_total_mib: Optional[int] = None


@dataclass
class SmiGpu:
    index: int
    name: str = ""
    bus_id: Optional[str] = None  # as printed: "00000000:01:00.0"
    uuid: Optional[str] = None
    memory_total_mib: Optional[int] = None
    compute_capability: Optional[str] = None  # "8.6"
    mig_mode: Optional[str] = None  # "Enabled" / "Disabled"; None where not supported
    driver_model: Optional[str] = None  # Windows only: "WDDM" / "TCC"
    pcie_gen: Optional[int] = None
    pcie_gen_max: Optional[int] = None
    pcie_width: Optional[int] = None
    pcie_width_max: Optional[int] = None
    # The table shortens long names with "..."; the full name then needs another source.
    name_truncated: bool = False
    persistence_mode: Optional[str] = None  # "On" / "Off" (Linux table)
    mig_devices: List[SmiMigDevice] = field(default_factory=list)


@dataclass
class SmiReport:
    driver_version: Optional[str]
    cuda_version: Optional[str]  # None when the output says "N/A" / "ERR!"
    cuda_version_raw: Optional[str]  # the literal text, e.g. "ERR!"
    gpus: List[SmiGpu] = field(default_factory=list)
    # True when the text stops before its end, so GPUs or fields may be missing.
    partial: bool = False
    # The nvidia-smi tool's own version. Under WSL it differs from driver_version, which is then
    # the Windows host driver.
    smi_version: Optional[str] = None
    nvml_version: Optional[str] = None
