"""Apple Silicon and the MPS backend (from platform facts alone)."""

from __future__ import annotations

from packaging.version import InvalidVersion, Version

from envsetup.facts import AppleFacts, OsFacts

MPS_MIN_MACOS = Version("12.3")  # PyTorch's MPS backend needs macOS 12.3+


def probe_apple(os_facts: OsFacts) -> AppleFacts:
    facts = AppleFacts()
    if os_facts.system != "Darwin":
        return facts
    facts.apple_silicon = os_facts.arch == "arm64"
    try:
        recent = Version(os_facts.macos_version) >= MPS_MIN_MACOS
    except InvalidVersion:
        recent = False
    facts.mps_capable = facts.apple_silicon and recent
    return facts
