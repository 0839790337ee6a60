"""One NVIDIA GPU, whoever describes it: NVML, nvidia-smi (the table or --query-gpu), doctor's
facts (facts.nvidia.gpus) and the compatibility judgement (Machine.gpus) all use this type.

The facts document (docs/schema/doctor.schema.json, schema 1) publishes the fields every source
can give. The details only nvidia-smi prints (bus id, driver model, persistence mode, MIG
devices, a shortened name) are carried in memory for the probes and are not written there: their
fields are marked with `metadata=DETAIL`, which Facts.to_dict and envsetup.render.schema skip.
"""

from __future__ import annotations

from dataclasses import Field, dataclass, field
from types import MappingProxyType
from typing import Any, Optional

from envsetup.model.capability import ComputeCapability

# Field metadata: read by the probes, not part of the published facts document.
DETAIL = MappingProxyType({"published": False})


def is_published(item: Field[Any]) -> bool:
    """Whether a dataclass field belongs to the JSON document (not marked `metadata=DETAIL`)."""
    return bool(item.metadata.get("published", True))


@dataclass
class MigDevice:
    """A MIG instance under a physical GPU (nvidia-smi's "MIG devices:" sub-table)."""

    index: int
    profile: Optional[str] = None  # "1g.5gb"; None where the output does not name it
    uuid: Optional[str] = None
    gpu_instance_id: Optional[int] = None
    compute_instance_id: Optional[int] = None
    memory_total_mib: Optional[int] = None


@dataclass
class Gpu:
    """One NVIDIA GPU. `index` is NVML's / nvidia-smi's device index; memory in MiB (2**20 bytes);
    `compute_capability` as the model's value (the facts document writes it "8.6")."""

    index: int
    name: str = ""
    uuid: str = ""
    memory_total_mib: Optional[int] = None
    compute_capability: Optional[ComputeCapability] = None
    mig_mode: Optional[str] = None  # Enabled / Disabled; None where not supported
    pcie_gen: Optional[int] = None
    pcie_gen_max: Optional[int] = None
    pcie_width: Optional[int] = None
    pcie_width_max: Optional[int] = None
    bus_id: Optional[str] = field(default=None, metadata=DETAIL)  # "00000000:01:00.0"
    driver_model: Optional[str] = field(default=None, metadata=DETAIL)  # Windows: WDDM / TCC
    persistence_mode: Optional[str] = field(default=None, metadata=DETAIL)  # On / Off (Linux)
    # nvidia-smi's table shortens long names with "..."; the full name needs another source.
    name_truncated: bool = field(default=False, metadata=DETAIL)
    mig_devices: list[MigDevice] = field(default_factory=list, metadata=DETAIL)
    # Set when no detected GPU stands behind this one: a capability a variable states
    # ("ENVSETUP_GPU_ARCH"), judged as such (see `label`, `detected_index`).
    stated_by: Optional[str] = field(default=None, metadata=DETAIL)

    @classmethod
    def stated(cls, capability: ComputeCapability, by: str) -> Gpu:
        """A GPU known only by the capability a variable states (ENVSETUP_GPU_ARCH)."""
        return cls(index=0, compute_capability=capability, stated_by=by)

    @property
    def sm(self) -> Optional[str]:
        """'sm_86' (the name torch.cuda.get_arch_list() uses); None when the capability is unknown."""
        return self.compute_capability.sm if self.compute_capability else None

    @property
    def label(self) -> str:
        """Who it is, for people: "GPU 0 (NVIDIA GeForce RTX 3090)", "GPU 0" or the variable."""
        if self.stated_by:
            return self.stated_by
        return f"GPU {self.index} ({self.name})" if self.name else f"GPU {self.index}"

    @property
    def detected_index(self) -> Optional[int]:
        """The device index of a detected GPU; None for one a variable states."""
        return None if self.stated_by else self.index
