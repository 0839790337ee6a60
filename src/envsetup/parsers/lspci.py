"""`lspci -vv` / `lspci -k` / `lspci -nn` output: which NVIDIA devices are on the bus, their PCI
device id and which driver holds them.

The device id is read where lspci prints it: `lspci -nn` ends the line with "[10de:2b85]" (and
the class with "[0300]"); a plain lspci whose pci.ids is older than the GPU prints
"NVIDIA Corporation Device 2b85" (pciutils' lspci.8, https://man7.org/linux/man-pages/man8/lspci.8.html).
`lspci -n` prints numbers only: "00:04.0 0302: 10de:20b0 (rev a1)", the class code (0300 VGA, 0302
3D, 0380 display: pci.ids' class list) and vendor:device. Where pci.ids knows the GPU, lspci names
it after its chip, in brackets: "GP107M [GeForce GTX 1050 Ti Mobile]", "GF106GL [Quadro 2000]";
that bracketed name is the product (`PciDevice.product`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional

_DEVICE = re.compile(
    r"^([0-9a-fA-F]{2,4}:[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2})?\.[0-7])\s+([^:]+):\s+(.*)$"
)
_NN_ID = re.compile(r"\[10de:([0-9a-fA-F]{4})\]", re.IGNORECASE)
_UNNAMED_ID = re.compile(r"NVIDIA Corporation Device ([0-9a-fA-F]{4})\b", re.IGNORECASE)
# `lspci -n`: the description is "10de:20b0 (rev a1)", the class a bare display class code.
_NUMERIC_ID = re.compile(r"^10de:([0-9a-fA-F]{4})\b", re.IGNORECASE)
_NUMERIC_DISPLAY_CLASS = re.compile(r"^03[0-9a-fA-F]{2}$")
# "NVIDIA Corporation GP107M [GeForce GTX 1050 Ti Mobile] [10de:1c8c]": chip, then the product.
_PRODUCT = re.compile(r"NVIDIA Corporation\s+[A-Z]{1,3}\d{2,3}[A-Z0-9]*\s+\[([^\]]+)\]")
_CLASS_CODE = re.compile(r"\s*\[[0-9a-fA-F]{4}\]$")
_DRIVER = re.compile(r"^\s*Kernel driver in use:\s*(\S+)")
# Display controllers only: NVIDIA's audio and USB functions share the vendor.
_DISPLAY_CLASSES = ("vga compatible controller", "3d controller", "display controller")


@dataclass
class PciDevice:
    slot: str
    description: str
    driver: Optional[str] = None
    device_id: Optional[str] = None  # "2b85": 4 lower-case hex digits, vendor 10de implied
    product: Optional[str] = None  # "GeForce GTX 1050 Ti Mobile": pci.ids' name, as lspci prints it


def nvidia_display_devices(text: str) -> List[PciDevice]:
    """NVIDIA display devices in lspci output, with the kernel driver bound to each (if shown)."""
    devices: List[PciDevice] = []
    current: Optional[PciDevice] = None
    for line in text.splitlines():
        device = _DEVICE.match(line)
        if device:
            current = None
            kind = _CLASS_CODE.sub("", device.group(2).strip().lower())
            description = device.group(3).strip()
            numeric = _NUMERIC_ID.match(description)
            if numeric and _NUMERIC_DISPLAY_CLASS.match(kind):
                current = PciDevice(device.group(1), description, None, numeric.group(1).lower())
                devices.append(current)
            elif "nvidia" in description.lower() and any(
                kind.endswith(c) for c in _DISPLAY_CLASSES
            ):
                found = _NN_ID.search(description) or _UNNAMED_ID.search(description)
                product = _PRODUCT.search(description)
                current = PciDevice(
                    slot=device.group(1),
                    description=description,
                    device_id=found.group(1).lower() if found else None,
                    product=product.group(1).strip() if product else None,
                )
                devices.append(current)
            continue
        driver = _DRIVER.match(line)
        if driver and current is not None:
            current.driver = driver.group(1)
    return devices


__all__ = ["PciDevice", "nvidia_display_devices"]
