"""AMD ROCm: present, which version, and each GPU's gfx target (rocminfo, else the KFD topology).

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

from envsetup.digits import small_int
from envsetup.facts import AmdGpu, OsFacts, RocmFacts
from envsetup.host.base import Host
from envsetup.probe.common import first_line, probe_timeout

KFD_NODES = "/sys/class/kfd/kfd/topology/nodes"

# rocminfo names each agent "  Name:   gfx1031" (GPU) or the CPU's model (not a gfx target), and
# gives a GPU agent's product as "  Marketing Name:   AMD Radeon RX 6700 XT".
_GFX_NAME = re.compile(r"^\s*Name:\s+(gfx[0-9a-f]+)\b", re.MULTILINE)
_AGENT_LINE = re.compile(r"^\s*(Name|Marketing Name):\s*(.*?)\s*$")
_KFD_VERSION = re.compile(r"^gfx_target_version\s+(\d{1,7})\s*$", re.MULTILINE)
_NODE = re.compile(r"/nodes/(\d+)/properties$")
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


def _node_number(path: str) -> int:
    found = _NODE.search(path)
    return (small_int(found.group(1)) or 0) if found else 0


def kfd_gpus(host: Host) -> list[AmdGpu]:
    """The GPU nodes of the KFD topology, in node order."""
    gpus = []
    for path in sorted(host.glob(f"{KFD_NODES}/*/properties"), key=_node_number):
        text = host.read_text(path, 1 << 16)
        gfx = kfd_gfx_target(text) if text else None
        if gfx:
            gpus.append(AmdGpu(gfx=gfx, source=f"file:{path}"))
    return gpus


def probe_rocm(host: Host, os_facts: OsFacts) -> RocmFacts:
    facts = RocmFacts()
    if os_facts.system != "Linux":
        return facts
    facts.smi_path = host.which("rocm-smi")
    environ = host.environ()
    root = environ.get("ROCM_PATH") or "/opt/rocm"
    text = host.read_text(f"{root}/.info/version")
    if text and first_line(text):
        facts.version, facts.source = first_line(text), f"file:{root}/.info/version"
    elif facts.smi_path:
        facts.source = f"rocm-smi at {facts.smi_path} (version unknown)"
    rocminfo = host.which("rocminfo")
    if rocminfo:
        result = host.run([rocminfo], probe_timeout(environ))
        if result.ok:
            facts.gpus = rocminfo_gpus(result.output)
        else:
            facts.kfd_error = kfd_open_error(result.output)
    if not facts.gpus:
        facts.gpus = kfd_gpus(host)  # the kernel's answer: no ROCm user space needed
    facts.gfx_targets = list(dict.fromkeys(gpu.gfx for gpu in facts.gpus))
    facts.hsa_override_gfx_version = environ.get("HSA_OVERRIDE_GFX_VERSION") or None
    return facts
