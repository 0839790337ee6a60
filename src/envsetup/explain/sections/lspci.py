"""`lspci` / `lspci -nn` / `lspci -vv` / `lspci -k` (often `| grep -i nvidia`): the NVIDIA GPUs on
the bus, when no driver names them.

A device line is "slot class: vendor device (rev)" (pciutils' lspci.8,
https://man7.org/linux/man-pages/man8/lspci.8.html): "01:00.0 VGA compatible controller: NVIDIA
Corporation Device 2b85 (rev a1)" where pci.ids is older than the GPU, "3D controller [0302]:
NVIDIA Corporation GA100GL [A30 PCIe] [10de:20b7] (rev a1)" with -nn; -v/-k add indented
"Subsystem:", "Kernel driver in use:" lines; `lspci -n` only numbers: "00:04.0 0302: 10de:20b0".
Facts: nvidia.nouveau_loaded (nouveau bound) and nvidia.gpus when every display device is named,
by its id in the pci.ids table (compat.gpu_names.name_by_pci_id) or by the bracketed product
name lspci printed ("GP107M [GeForce GTX 1050 Ti Mobile]", "GF106GL [Quadro 2000]"): name and,
where the GPU table knows it, compute capability, so the arch judgement holds for a pasted lspci
as for a host.
"""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

from envsetup.compat.gpu_names import capability_by_name, name_by_pci_id
from envsetup.explain.sections._reading import (
    Reader,
    ReadingBuilder,
    after_command,
    stripped,
    text_of,
)
from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Reading
from envsetup.parsers.lspci import nvidia_display_devices

KIND = "lspci"
_COMMANDS = ("lspci", "/usr/bin/lspci", "/sbin/lspci")
# A device line naming NVIDIA, or `lspci -n`'s numeric one: "00:04.0 0302: 10de:20b0 (rev a1)".
_NVIDIA_LINE = lazy(
    r"[0-9a-fA-F]{2,4}:[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2})?\.[0-7]\s+"
    r"(?:[^:]+:\s+NVIDIA Corporation\b|03[0-9a-fA-F]{2}:\s+10de:[0-9a-fA-F]{4}\b)"
)
# The indented lines -v / -k print under a device (lspci.8); only these are claimed with it.
_DETAIL = (
    "Subsystem:", "Kernel driver in use:", "Kernel modules:", "Flags:", "Memory at",
    "I/O ports at", "Physical Slot:", "Control:", "Status:", "Latency:", "Interrupt:",
    "Region ", "Expansion ROM", "Capabilities:", "NUMA node:", "IOMMU group:",
)  # fmt: skip


def _rows(lines: Sequence[Line], start: int) -> int:
    at = start
    while at < len(lines):
        text = stripped(lines, at)
        if not (_NVIDIA_LINE.match(text) or (at > start and text.startswith(_DETAIL))):
            break
        at += 1
    claimed = lines[start:at]
    return at - start if nvidia_display_devices(text_of(claimed)) else 0


def _scan(lines: Sequence[Line], start: int) -> int:
    return after_command(lines, start, _COMMANDS, _rows) or _rows(lines, start)


def _read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(KIND, lines)
    first = next((line.number for line in lines if _NVIDIA_LINE.match(line.text.strip())), None)
    devices = nvidia_display_devices("\n".join(line.text.strip() for line in lines) + "\n")
    # Not nvidia.pci_devices: with no driver line in the paste that would read as "no driver
    # loaded" (gpu-without-driver), and a paste of lspci from a working host proves no such thing.
    if any(device.driver == "nouveau" for device in devices):
        builder.put("nvidia.nouveau_loaded", True, first)
    # The id's pci.ids name (the table), else the name lspci printed from its own pci.ids.
    names = [name_by_pci_id(device.device_id) or device.product for device in devices]
    if names and all(names):
        gpus: List[Dict[str, Any]] = []
        for index, name in enumerate(names):
            gpu: Dict[str, Any] = {"index": index, "name": name}
            capability = capability_by_name(name)
            if capability is not None:
                gpu["compute_capability"] = str(capability)
            gpus.append(gpu)
        builder.put("nvidia.gpus", gpus, first)
        by_id = all(name_by_pci_id(device.device_id) for device in devices)
        source = "PCI device id, pci.ids table" if by_id else "the names lspci printed"
        builder.put("nvidia.gpus_source", f"lspci ({source})", first)
    builder.place(*(line.number for line in lines))
    return builder.finish(lines)


def _quick(text: str) -> bool:
    # A device line starts with its slot's hex digits; the command with "lspci".
    return bool(text) and (text[0] in "0123456789abcdefABCDEF" or text.startswith(_COMMANDS))


READER = Reader(KIND, _scan, _read, _quick)
# Where _quick can be true (every string it starts with), for the detector's one test
# of each line against all readers (explain/sections/__init__.py).
READER.start = lazy(r"(?:[0-9a-fA-F]|lspci|/usr/bin/lspci|/sbin/lspci)")
READERS = [READER]
