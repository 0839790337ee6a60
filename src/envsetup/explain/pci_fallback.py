"""GPUs an lspci paste names by PCI device id: a fallback, taken only where nothing else lists GPUs."""

from __future__ import annotations

import copy
from typing import Optional

from envsetup.facts import Facts
from envsetup.model.paste import Reading


def _pci_named_gpus_as_fallback(readings: list[Reading], host: Optional[Facts]) -> list[Reading]:
    """GPUs an lspci paste names by PCI device id only where nothing else lists GPUs: a driver's
    list (host, nvidia-smi, collect_env) has more (UUID, memory, index as CUDA counts them)."""
    listed = bool(host and host.nvidia.gpus) or any(
        "gpus" in r.facts.get("nvidia", {}) for r in readings if r.kind != "lspci"
    )
    if not listed:
        return readings
    out = []
    for reading in readings:
        if reading.kind == "lspci" and "gpus" in reading.facts.get("nvidia", {}):
            reading = copy.deepcopy(reading)
            for key in ("gpus", "gpus_source"):
                reading.facts["nvidia"].pop(key, None)
                reading.sources.pop(f"nvidia.{key}", None)
        out.append(reading)
    return out
