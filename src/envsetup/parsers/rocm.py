"""AMD ROCm tools' text: rocminfo's agents, the KFD topology's node properties, rocm-smi's
product names. Pure: doctor's probe (probe/rocm.py) and explain's section reader
(explain/sections/rocm.py) read the same text with these functions.

The KFD topology (/sys/class/kfd/kfd/topology/nodes/N/properties) is the kernel's own answer and
needs no ROCm user space: each node's `gfx_target_version` is major*10000 + minor*100 + stepping
(0 on a CPU node), and the target's name writes minor and stepping in hex (90010 -> gfx90a,
100301 -> gfx1031). Source: the Linux kernel, drivers/gpu/drm/amd/amdkfd/kfd_device.c (the
gfx_target_version of each GC IP version, e.g. Navy Flounder 100301) and kfd_topology.c (the
`gfx_target_version` property it prints).
"""

from __future__ import annotations

import re
from typing import Optional

from envsetup.facts import AmdGpu

# rocminfo names each agent "  Name:   gfx1031" (GPU) or the CPU's model (not a gfx target), and
# gives a GPU agent's product as "  Marketing Name:   AMD Radeon RX 6700 XT".
_GFX_NAME = re.compile(r"^\s*Name:\s+(gfx[0-9a-f]+)\b", re.MULTILINE)
_AGENT_LINE = re.compile(r"^\s*(Name|Marketing Name):\s*(.*?)\s*$")
_KFD_VERSION = re.compile(r"^gfx_target_version\s+(\d{1,7})\s*$", re.MULTILINE)
# The ROCm runtime's words when it cannot open the compute device, as rocminfo prints them
# (ROCm/ROCm-docker #116: "Unable to open /dev/kfd read-write: Permission denied";
# ROCm/legacy-rocm-build #1798: "... read-write: No such file or directory").
_KFD_OPEN = re.compile(r"Unable to open /dev/kfd read-write: *(.+?)\s*$", re.MULTILINE)


def kfd_open_error(rocminfo: str) -> Optional[str]:
    """'Permission denied' from rocminfo's failure text; None when it says no such thing."""
    found = _KFD_OPEN.search(rocminfo)
    return found.group(1) if found else None


def gfx_targets(rocminfo: str) -> list[str]:
    """The GPU agents' gfx targets rocminfo lists, in order, once each."""
    return list(dict.fromkeys(_GFX_NAME.findall(rocminfo)))


def rocminfo_gpus(rocminfo: str) -> list[AmdGpu]:
    """Each GPU agent rocminfo lists: its gfx target and the Marketing Name that follows it.

    rocminfo prints a "Name:" line per agent and, per ISA, another "Name:" line naming the full
    ISA ("amdgcn-amd-amdhsa--gfx1031"), which does not start with gfx and is not a new agent."""
    gpus: list[AmdGpu] = []
    for line in rocminfo.splitlines():
        found = _AGENT_LINE.match(line)
        if not found:
            continue
        key, value = found.groups()
        if key == "Name" and re.fullmatch(r"gfx[0-9a-f]+", value):
            gpus.append(AmdGpu(gfx=value, source="command:rocminfo"))
        elif key == "Marketing Name" and gpus and not gpus[-1].name:
            gpus[-1].name = value
    return gpus


def gfx_from_kfd_version(value: int) -> Optional[str]:
    """KFD's gfx_target_version -> the target's name: 100301 -> 'gfx1031', 90010 -> 'gfx90a';
    None for 0 (a CPU node) or a value no target has."""
    major, rest = divmod(value, 10000)
    minor, stepping = divmod(rest, 100)
    if major == 0 or minor > 15 or stepping > 15:
        return None
    return f"gfx{major}{minor:x}{stepping:x}"


def kfd_gfx_target(properties: str) -> Optional[str]:
    """One topology node's properties text -> its GPU's gfx target; None for a CPU node."""
    found = _KFD_VERSION.search(properties)
    return gfx_from_kfd_version(int(found.group(1))) if found else None
