"""A pasted GPU's compute capability from its name, where the paste names the GPU but not its
capability (the nvidia-smi table, `nvidia-smi -L`, collect_env): the sourced table of
compat.gpu_names, never a guess. The fact's source says it was derived from the name."""

from __future__ import annotations

from envsetup.compat.gpu_names import capabilities_from_names
from envsetup.facts import Facts


def derive_capabilities(facts: Facts, sources: dict[str, str]) -> None:
    """Fill each merged GPU's missing compute capability from its name, and record its source
    in `sources` ("name at paste:LINE", the line that named the GPUs; "name" for the host's),
    once per GPU model."""
    found = capabilities_from_names(facts.nvidia.gpus)
    named_at = sources.get("nvidia.gpus")
    sourced: set[str] = set()
    for position, capability in found.items():
        gpu = facts.nvidia.gpus[position]
        gpu.compute_capability = capability
        if gpu.name not in sourced:  # 8 equal GPUs: one source, the first's
            sourced.add(gpu.name)
            sources[f"nvidia.gpus[{position}].compute_capability"] = (
                f"name at {named_at}" if named_at else "name"
            )
