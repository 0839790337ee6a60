"""AMD ROCm: present, which version, and each GPU's gfx target (rocminfo, else the KFD topology).
The tools' text is read by envsetup.parsers.rocm (shared with explain's pasted rocminfo).

The KFD topology (/sys/class/kfd/kfd/topology/nodes/N/properties) is the kernel's own answer and
needs no ROCm user space: each node's `gfx_target_version` is major*10000 + minor*100 + stepping
(0 on a CPU node), and the target's name writes minor and stepping in hex (90010 -> gfx90a,
100301 -> gfx1031). Source: the Linux kernel, drivers/gpu/drm/amd/amdkfd/kfd_device.c (the
gfx_target_version of each GC IP version, e.g. Navy Flounder 100301) and kfd_topology.c (the
`gfx_target_version` property it prints).
"""

from __future__ import annotations

import re

from envsetup.digits import small_int
from envsetup.facts import AmdGpu, OsFacts, RocmFacts
from envsetup.host.base import Host
from envsetup.parsers.rocm import (  # noqa: F401 (kept importable from here)
    gfx_from_kfd_version,
    gfx_targets,
    kfd_gfx_target,
    kfd_open_error,
    rocminfo_gpus,
)
from envsetup.probe.common import first_line, probe_timeout

KFD_NODES = "/sys/class/kfd/kfd/topology/nodes"
_NODE = re.compile(r"/nodes/(\d+)/properties$")


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
