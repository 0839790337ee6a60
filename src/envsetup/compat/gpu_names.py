"""A GPU's compute capability from its product name, for GPUs no tool stated it for: NVML too old
for it, an nvidia-smi table, `nvidia-smi -L` or collect_env pasted, a recorded host without it.

The table is src/envsetup/data/gpu_capabilities.toml (NVIDIA's CUDA GPUs pages, each group with
its source). Matching is exact after one normalisation applied to both sides, never a guess: a
name the table does not list, or a name a tool cut ("NVIDIA GeForce RTX 3...") stays unknown.

The normalisation drops what tools add around a product name: the vendor ("NVIDIA"), the old
"Tesla" brand, the board's memory and form factor ("-SXM4-80GB", "80GB HBM3", "PCIe", "NVL"), a
MIG profile, "Laptop GPU", "Mobile", "Max-Q", "with Max-Q Design", "Generation"; case, hyphens and brackets count as
spaces. "NVIDIA A100-SXM4-80GB" and "NVIDIA A100" are one key; "GeForce GTX TITAN X" (5.2) and
"NVIDIA TITAN X" (6.1) stay two.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence

from envsetup.model.capability import ComputeCapability
from envsetup.model.gpu import Gpu

DATA = Path(__file__).parent.parent / "data" / "gpu_capabilities.toml"
SOURCE = "NVIDIA CUDA GPUs table, src/envsetup/data/gpu_capabilities.toml"
PCI_IDS = Path(__file__).parent.parent / "data" / "gpu_pci_ids.toml"
PCI_SOURCE = "PCI ID Repository (pci.ids), src/envsetup/data/gpu_pci_ids.toml"
_PCI_ID = re.compile(r"(?:10de:)?([0-9a-f]{4})", re.IGNORECASE)

_DROPPED = {"nvidia", "tesla", "generation", "pcie", "nvl", "mig"}
_DROPPED_PATTERN = re.compile(r"^(?:\d+gb|sxm\d*|hbm\d*e?|\d+g\.\d+gb|\d+c\.\d+g\.\d+gb)$")
# pci.ids (and so lspci) names a laptop part "... Mobile", "... Max-Q", "... Mobile / Max-Q":
# the same chip family as its desktop namesake, as nvidia-smi's "Laptop GPU".
_TAILS = (("with", "max", "q", "design"), ("laptop", "gpu"), ("max", "q"), ("mobile",))


@dataclass(frozen=True)
class NamedCapability:
    """One table entry: the product name as the source lists it, its capability, its source."""

    name: str
    capability: ComputeCapability
    source: str


def normalised(name: str) -> str:
    """The lookup key of a GPU name: "NVIDIA A100-SXM4-80GB" -> "a100" (see the module doc)."""
    words = re.sub(r"[\s\-_(),/]+", " ", name.casefold()).split()
    cut = True
    while cut:
        cut = False
        for tail in _TAILS:
            if len(words) > len(tail) and tuple(words[-len(tail) :]) == tail:
                words, cut = words[: -len(tail)], True
    return " ".join(w for w in words if w not in _DROPPED and not _DROPPED_PATTERN.match(w))


def capability_by_name(name: Optional[str]) -> Optional[ComputeCapability]:
    """The compute capability of the GPU called `name`; None when the table does not list it
    or the name was cut ("..."). Raises EnvsetupError only when the shipped table is unusable."""
    entry = entry_by_name(name)
    return entry.capability if entry else None


def entry_by_name(name: Optional[str]) -> Optional[NamedCapability]:
    """As capability_by_name, with the table's name and source."""
    if not name or name.rstrip().endswith(("...", "…")):
        return None
    return table().get(normalised(name))


@functools.lru_cache(maxsize=1)
def table() -> dict[str, NamedCapability]:
    """Every key (normalised name or alias) -> its entry. A key listed twice with two
    capabilities is a broken table: EnvsetupError, as for any unusable shipped data."""
    from envsetup.errors import EnvsetupError

    data = _load(DATA)
    try:
        return _entries(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise EnvsetupError(
            f"{DATA}: envsetup's GPU table is unusable ({exc}); fix: reinstall envsetup"
        ) from None


def _entries(data: dict[str, Any]) -> dict[str, NamedCapability]:
    sources: dict[str, str] = data["sources"]
    out: dict[str, NamedCapability] = {}
    for group in data["group"]:
        capability = ComputeCapability.parse(group["capability"])
        source = sources[group["source"]]
        names = {name: name for name in group["names"]}
        names.update(group.get("aliases", {}))
        for spelling, listed in names.items():
            if listed not in group["names"]:
                raise ValueError(f"alias {spelling!r} names {listed!r}, not in its group")
            key = normalised(spelling)
            entry = NamedCapability(listed, capability, source)
            known = out.get(key)
            if not key or (known is not None and known.capability != capability):
                raise ValueError(f"{spelling!r} is listed with two capabilities")
            out.setdefault(key, entry)
    return out


def name_by_pci_id(device_id: Optional[str]) -> Optional[str]:
    """The GPU name pci.ids gives NVIDIA's PCI device `device_id` ("2b85" or "10de:2b85" ->
    "GeForce RTX 5090"); None for an id the table does not list (see data/gpu_pci_ids.toml)."""
    match = _PCI_ID.fullmatch(device_id.strip()) if device_id else None
    return pci_table().get(match.group(1).lower()) if match else None


@functools.lru_cache(maxsize=1)
def pci_table() -> dict[str, str]:
    """Every listed device id (4 lower-case hex digits) -> its name; EnvsetupError when the
    shipped table is unusable (a row whose name the capability table does not know counts)."""
    from envsetup.errors import EnvsetupError

    try:
        devices = {str(k).lower(): str(v) for k, v in _load(PCI_IDS)["devices"].items()}
        unknown = [name for name in devices.values() if entry_by_name(name) is None]
        if unknown or not all(_PCI_ID.fullmatch(k) for k in devices):
            raise ValueError(f"rows the capability table cannot read: {unknown[:3]}")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise EnvsetupError(
            f"{PCI_IDS}: envsetup's PCI id table is unusable ({exc}); fix: reinstall envsetup"
        ) from None
    return devices


def _load(path: Path) -> dict[str, Any]:
    from envsetup.compat.shipped import load_table

    return load_table(path, "GPU table")


def capabilities_from_names(gpus: Sequence[Gpu]) -> dict[int, ComputeCapability]:
    """For each GPU (by its position in `gpus`) that has a name but no compute capability, the
    capability its name gives; GPUs the table does not know are left out."""
    found: dict[int, ComputeCapability] = {}
    for position, gpu in enumerate(gpus):
        if gpu.compute_capability is None and gpu.name and not gpu.name_truncated:
            capability = capability_by_name(gpu.name)
            if capability is not None:
                found[position] = capability
    return found
