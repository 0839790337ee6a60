"""Whether CUDA can reach the GPUs at all: the NVSwitch fabric and a container's GPU pass-through.

Facts (plain data, published in doctor's JSON as `gpu_access`); probe/gpu_access.py reads them,
diagnose/fabric_rules.py judges them. Sources of the facts these hold:

- NVIDIA Fabric Manager User Guide, "NVSwitch-Based Systems" and "Fabric Manager Version"
  (https://docs.nvidia.com/datacenter/tesla/fabric-manager-user-guide/index.html): on DGX/HGX
  boards with NVSwitches CUDA cannot initialise until the fabric manager has set up the fabric,
  and the fabric manager must be of exactly the driver's version.
- The per-GPU fabric probe state ("Not Started" -> "In Progress" -> "Completed") and its status,
  as `nvidia-smi -q` prints them under "Fabric" (NVML nvmlGpuFabricInfo_t, state and status:
  https://docs.nvidia.com/deploy/nvml-api/structnvmlGpuFabricInfo__v2__t.html).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional


@dataclass
class GpuFabric:
    """One GPU's fabric registration as `nvidia-smi -q` prints it ("N/A" before Hopper)."""

    index: int
    state: str = ""  # Not Started, In Progress, Completed, N/A, Not Supported
    status: str = ""  # Success, or the error ("Insufficient Resources"); meaningful once Completed
    clique_id: Optional[str] = None
    cluster_uuid: Optional[str] = None


@dataclass
class FabricFacts:
    """The NVSwitch fabric of an HGX/DGX board and its fabric manager."""

    nvswitch: bool = False  # judged an NVSwitch system (evidence says why)
    evidence: list[str] = field(default_factory=list)
    # The fabric manager runs on this host (HGX/DGX 8-GPU boards); False on NVL72-class racks
    # (GB200/GB300), where it runs on the switch trays.
    manager_on_host: bool = True
    gpus: list[GpuFabric] = field(default_factory=list)
    gpus_source: str = ""
    manager_version: Optional[str] = None  # `nv-fabricmanager --version`, else the package's
    manager_source: str = ""
    manager_state: Optional[str] = (
        None  # `systemctl is-active nvidia-fabricmanager`: active, failed...
    )
    # The package manager was asked and has no fabric manager package installed.
    manager_package_absent: bool = False
    # Why the fabric manager was not looked at (e.g. "inside a container: it runs on the host").
    manager_unchecked: str = ""


@dataclass
class ContainerGpuFacts:
    """What a container shows of the GPU the host may or may not have passed through."""

    device_nodes: list[str] = field(default_factory=list)  # /dev/nvidia0, /dev/nvidiactl...
    amd_kfd: bool = False  # /dev/kfd: an AMD GPU passed through for ROCm
    # `nvidia-container-cli info` when the tool is present: the driver and GPUs it sees.
    cli_driver: Optional[str] = None
    cli_gpus: list[str] = field(default_factory=list)
    cli_error: str = ""


@dataclass
class GpuAccessFacts:
    fabric: FabricFacts = field(default_factory=FabricFacts)
    container: ContainerGpuFacts = field(default_factory=ContainerGpuFacts)


# GPUs sold as SXM modules for NVIDIA's 8-GPU HGX/DGX baseboards, whose GPUs connect through
# NVSwitches and need the fabric manager on the host (Fabric Manager User Guide, "NVSwitch-Based
# Systems": DGX A100 / HGX A100 8-GPU, DGX H100 / HGX H100 8-GPU, HGX H200, HGX B200/B300; A800,
# H800 and H20 are the same boards' export variants). The PCIe and NVL cards ("H100 PCIe",
# "H100 NVL", "H200 NVL") bridge at most pairs of GPUs, without NVSwitch. NVML's names, e.g.
# "NVIDIA A100-SXM4-80GB", "NVIDIA H100 80GB HBM3" (case 07, dstackai/dstack issue #2348).
_HGX_MODULE = re.compile(
    r"\b(?:A100|A800)-SXM|\bH100 80GB HBM3\b|\bH100 SXM|\bH800\b(?! PCIe)|\bH200\b(?! NVL)"
    r"|\bH20\b|\bB200\b|\bB300\b",
    re.IGNORECASE,
)
# DGX-2 / HGX-2: sixteen V100 SXM3 modules over first-generation NVSwitches (same guide).
_HGX2_MODULE = re.compile(r"\bV100-SXM3\b", re.IGNORECASE)
# NVL72-class racks (GB200, GB300): the fabric manager runs on the NVLink switch trays, not on
# the compute node (leptonai/gpud pull request #1106: a GB200 node's fabric state is Completed
# with no fabric manager service running there).
_RACK_MODULE = re.compile(r"\bGB[23]00\b", re.IGNORECASE)
# An 8-GPU baseboard; the 4-GPU HGX A100/H100 boards link their GPUs directly, without NVSwitch
# (telegraf's a100-sxm4-v12.xml: four A100-SXM4-80GB, fabric state N/A).
BOARD_GPUS = 8
HGX2_GPUS = 16


def fabric_module(name: str) -> bool:
    """Whether a GPU of this NVML name sits on a board that can carry NVSwitches."""
    return bool(_HGX_MODULE.search(name) or _HGX2_MODULE.search(name) or _RACK_MODULE.search(name))


def rack_module(name: str) -> bool:
    """A GB200/GB300 superchip: its fabric manager runs on the switch trays."""
    return bool(_RACK_MODULE.search(name))


def nvswitch_board(names: list[str]) -> bool:
    """Whether these GPUs (all the machine's) fill an NVSwitch baseboard: eight or more HGX
    modules, or sixteen V100 SXM3."""
    hgx = sum(1 for n in names if _HGX_MODULE.search(n))
    return hgx >= BOARD_GPUS or sum(1 for n in names if _HGX2_MODULE.search(n)) >= HGX2_GPUS


# Fabric states: a GPU that has not (yet) joined the fabric cannot run CUDA on an NVSwitch
# system; "Completed" with a status other than Success means registration failed.
NOT_READY_STATES = ("Not Started", "In Progress")
UNSUPPORTED_STATES = ("", "N/A", "Not Supported")
