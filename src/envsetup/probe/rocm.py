"""AMD ROCm: present, which version, and the GPUs' gfx targets (rocminfo)."""

from __future__ import annotations

import re

from envsetup.facts import OsFacts, RocmFacts
from envsetup.host.base import Host
from envsetup.probe.common import first_line, probe_timeout

# rocminfo names each agent "  Name:   gfx1031" (GPU) or the CPU's model (not a gfx target).
_GFX_NAME = re.compile(r"^\s*Name:\s+(gfx[0-9a-f]+)\b", re.MULTILINE)


def gfx_targets(rocminfo: str) -> list[str]:
    """The GPU agents' gfx targets rocminfo lists, in order, once each."""
    return list(dict.fromkeys(_GFX_NAME.findall(rocminfo)))


def probe_rocm(host: Host, os_facts: OsFacts) -> RocmFacts:
    facts = RocmFacts()
    if os_facts.system != "Linux":
        return facts
    facts.smi_path = host.which("rocm-smi")
    root = host.environ().get("ROCM_PATH") or "/opt/rocm"
    text = host.read_text(f"{root}/.info/version")
    if text and first_line(text):
        facts.version, facts.source = first_line(text), f"file:{root}/.info/version"
    elif facts.smi_path:
        facts.source = f"rocm-smi at {facts.smi_path} (version unknown)"
    rocminfo = host.which("rocminfo")
    if rocminfo:
        result = host.run([rocminfo], probe_timeout(host.environ()))
        if result.ok:
            facts.gfx_targets = gfx_targets(result.output)
    return facts
