"""`lspci -vv` / `lspci -k` output: which NVIDIA devices are on the bus and which driver holds them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional

_DEVICE = re.compile(
    r"^([0-9a-fA-F]{2,4}:[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2})?\.[0-7])\s+([^:]+):\s+(.*)$"
)
_DRIVER = re.compile(r"^\s+Kernel driver in use:\s*(\S+)")
# Display controllers only: NVIDIA's audio and USB functions share the vendor.
_DISPLAY_CLASSES = ("vga compatible controller", "3d controller", "display controller")


@dataclass
class PciDevice:
    slot: str
    description: str
    driver: Optional[str] = None


def nvidia_display_devices(text: str) -> List[PciDevice]:
    """NVIDIA display devices in lspci output, with the kernel driver bound to each (if shown)."""
    devices: List[PciDevice] = []
    current: Optional[PciDevice] = None
    for line in text.splitlines():
        device = _DEVICE.match(line)
        if device:
            current = None
            kind, description = device.group(2).strip().lower(), device.group(3).strip()
            if "nvidia" in description.lower() and any(kind.endswith(c) for c in _DISPLAY_CLASSES):
                current = PciDevice(slot=device.group(1), description=description)
                devices.append(current)
            continue
        driver = _DRIVER.match(line)
        if driver and current is not None:
            current.driver = driver.group(1)
    return devices


__all__ = ["PciDevice", "nvidia_display_devices"]
