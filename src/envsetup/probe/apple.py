"""Apple Silicon and the MPS backend (from platform facts alone)."""

from __future__ import annotations

from envsetup.compat import parse_version
from envsetup.facts import AppleFacts, OsFacts

MPS_MIN_MACOS = "12.3"  # PyTorch's MPS backend needs macOS 12.3+


def probe_apple(os_facts: OsFacts) -> AppleFacts:
    facts = AppleFacts()
    if os_facts.system != "Darwin":
        return facts
    facts.apple_silicon = os_facts.arch == "arm64"
    have, need = parse_version(os_facts.macos_version), parse_version(MPS_MIN_MACOS)
    recent = have is not None and need is not None and have >= need
    facts.mps_capable = facts.apple_silicon and recent
    return facts
