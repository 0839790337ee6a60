"""AMD ROCm: present, and which version."""

from __future__ import annotations

from envsetup.facts import OsFacts, RocmFacts
from envsetup.host.base import Host
from envsetup.probe.common import first_line


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
    return facts
