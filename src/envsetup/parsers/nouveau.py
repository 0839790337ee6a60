"""Evidence that the nouveau driver, not NVIDIA's, owns the GPU."""

from __future__ import annotations

import re
from typing import List

_OWNERSHIP = (
    # lspci -k / -vv: the driver bound to the device right now.
    re.compile(r"Kernel driver in use:\s*nouveau\b"),
    # NVIDIA's module refusing the device because another driver holds it.
    re.compile(r"NVRM: The NVIDIA probe routine was not called"),
    re.compile(r"obtained ownership of the NVIDIA device"),
    # /proc/modules or lsmod: "nouveau 2314240 0 ..." (the module is loaded).
    re.compile(r"^nouveau\s+\d+\s+\d+"),
    # dmesg: nouveau binding a PCI device ("nouveau 0000:01:00.0: NVIDIA GM204 ...").
    re.compile(r"\bnouveau [0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]:"),
)
_DMESG_PREFIX = re.compile(r"^\[\s*\d+\.\d+\]\s*")


def nouveau_evidence(text: str) -> List[str]:
    """The lines of lspci / dmesg / lsmod / /proc/modules text showing nouveau owns the GPU."""
    found = []
    for raw in text.splitlines():
        line = raw.strip()
        body = _DMESG_PREFIX.sub("", line)
        if any(pattern.search(body) for pattern in _OWNERSHIP):
            found.append(line)
    return found


__all__ = ["nouveau_evidence"]
