"""Building CUDA extensions (torch.utils.cpp_extension, setup.py builds of detectron2, apex...):
the nvcc torch would use against torch's CUDA, the GPUs and the host compiler.

Judged only where that nvcc exists (facts.extension_build.nvcc_version): a machine without one
runs pip's torch wheels as they are. The checks are torch's and nvcc's own:

- torch.utils.cpp_extension `_check_cuda_version` (pytorch/pytorch torch/utils/cpp_extension.py)
  raises "The detected CUDA version (X) mismatches the version that was used to compile PyTorch
  (Y)" when nvcc's major differs from torch.version.cuda's, and only warns on a minor mismatch;
  an older minor compiles against headers older than those torch was built with, so it is
  worth a warning here too; a newer minor is not (NVIDIA's minor version compatibility).
- nvcc stops with "Unsupported gpu architecture 'compute_XX'" for a capability its release does
  not know (compat.nvcc.arch_support: sourced per CUDA release).
- nvcc's host_config.h stops with "unsupported GNU version!" outside its compiler range
  (compat.nvcc.host_compiler_range).

Each finding says what and why (id, evidence, params); render/words/extension.py words it.
"""

from __future__ import annotations

from typing import Any, Optional

from envsetup.compat import nvcc as nvcc_table
from envsetup.diagnose.finding import Finding
from envsetup.facts import Facts
from envsetup.model.compute_platform import TorchFlavor
from envsetup.model.toolkit import ToolkitKind
from envsetup.profiles.build_info import BuildLookup


def _nvcc_evidence(facts: Facts) -> str:
    ext = facts.extension_build
    return (
        f"nvcc {ext.nvcc_version} at {ext.nvcc} (CUDA_HOME {ext.cuda_home}, from "
        f"{ext.cuda_home_from}; version: {ext.source})"
    )


def _torch_cuda(facts: Facts) -> Optional[tuple[int, int]]:
    torch = facts.torch
    if torch.flavor is not TorchFlavor.CUDA or not torch.cuda_version:
        return None
    return nvcc_table.release_of(torch.cuda_version)


def _matching_toolkit(facts: Facts, want: tuple[int, int]) -> Optional[str]:
    """An installed system toolkit of exactly torch's CUDA release, to point CUDA_HOME at."""
    for toolkit in facts.cuda.toolkits:
        if ToolkitKind.of(toolkit) is not ToolkitKind.SYSTEM or not toolkit.nvcc:
            continue
        if nvcc_table.release_of(toolkit.version or "") == want:
            return toolkit.path
    return None


def _common_params(facts: Facts) -> dict[str, Any]:
    ext = facts.extension_build
    want = _torch_cuda(facts)
    return {
        "nvcc": ext.nvcc_version,
        "nvcc_path": ext.nvcc,
        "cuda_home": ext.cuda_home,
        "cuda_home_from": ext.cuda_home_from,
        "torch_cuda": facts.torch.cuda_version,
        "torch_release": f"{want[0]}.{want[1]}" if want else None,
        "installed_match": _matching_toolkit(facts, want) if want else None,
    }


def nvcc_against_torch(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    ext = facts.extension_build
    have = nvcc_table.release_of(ext.nvcc_version or "")
    want = _torch_cuda(facts)
    if have is None or want is None or (have >= want and have[0] == want[0]):
        return []
    evidence = [
        _nvcc_evidence(facts),
        f"torch {facts.torch.version} built with CUDA {facts.torch.cuda_version} "
        f"({facts.torch.source})",
    ]
    finding_id = "extension-nvcc-major-mismatch" if have[0] != want[0] else "extension-nvcc-older"
    return [Finding(finding_id, "warning", evidence, _common_params(facts))]


def nvcc_against_gpus(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    ext = facts.extension_build
    if not ext.nvcc_version:
        return []
    missing: list[str] = []
    first: list[str] = []
    removed: list[str] = []
    for gpu in facts.nvidia.gpus:
        capability = gpu.compute_capability
        support = nvcc_table.arch_support(ext.nvcc_version, capability) if capability else None
        if capability is None or support is None or support.supported:
            continue
        if capability.sm not in missing:
            missing.append(capability.sm)
            if support.reason == "too-new":
                first.append(support.first)
            else:
                removed.append(support.removed)
    if not missing:
        return []
    evidence = [_nvcc_evidence(facts)] + [
        f"GPU {g.index}: {g.name}, {g.compute_capability.sm} ({facts.nvidia.gpus_source})"
        for g in facts.nvidia.gpus
        if g.compute_capability is not None and g.compute_capability.sm in missing
    ]
    params = _common_params(facts)
    params.update(
        {
            "archs": missing,
            # the oldest CUDA release that compiles for every GPU listed (too new for this nvcc)
            "needs": max(first, key=nvcc_table.release_of) if first else None,
            # the release that dropped a GPU listed (too old for this nvcc)
            "removed_in": min(removed, key=nvcc_table.release_of) if removed else None,
            "source": nvcc_table.SOURCE_ARCH,
        }
    )
    return [Finding("extension-nvcc-no-gpu-arch", "warning", evidence, params)]


def host_compiler_range(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    ext = facts.extension_build
    compiler = ext.host_compiler
    if not ext.nvcc_version or compiler is None or not compiler.version:
        return []
    accepted = nvcc_table.host_compiler_range(ext.nvcc_version, compiler.family)
    major = nvcc_table.release_of(compiler.version + ".0")
    if accepted is None or major is None:
        return []
    if accepted.lowest <= major[0] <= accepted.highest:
        return []
    params = _common_params(facts)
    params.update(
        {
            "compiler": compiler.family,
            "compiler_version": compiler.version,
            "compiler_path": compiler.path,
            "lowest": accepted.lowest,
            "highest": accepted.highest,
            "too": "new" if major[0] > accepted.highest else "old",
            "source": nvcc_table.SOURCE_HOST_COMPILER,
        }
    )
    evidence = [
        _nvcc_evidence(facts),
        f"host compiler {compiler.family} {compiler.version} at {compiler.path} ({compiler.source})",
        f"nvcc {ext.nvcc_version} accepts {compiler.family} {accepted.lowest} to "
        f"{accepted.highest} ({nvcc_table.SOURCE_HOST_COMPILER})",
    ]
    return [Finding("extension-host-compiler-unsupported", "warning", evidence, params)]


RULES = [nvcc_against_torch, nvcc_against_gpus, host_compiler_range]
