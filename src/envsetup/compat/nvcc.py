"""What a CUDA release's nvcc can build: the compute capabilities it targets and the host
compilers it accepts. The facts live in src/envsetup/data/nvcc_support.toml, each with its source
(NVIDIA's release notes and installation guides, torch.utils.cpp_extension's own table).

Every function answers None for a CUDA release or a capability the table does not list: unknown
is not a judgement.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, NamedTuple, Optional

from envsetup.digits import is_small_int
from envsetup.model.capability import ComputeCapability

# Beside the package, found from this module's own path: envsetup's data, not the machine's.
DATA = Path(__file__).parent.parent / "data" / "nvcc_support.toml"
SOURCE_ARCH = (
    "NVIDIA CUDA Toolkit release notes (CUDA Compiler) and arnon.dk's sm/gencode table "
    "(see src/envsetup/data/nvcc_support.toml)"
)
SOURCE_HOST_COMPILER = (
    "NVIDIA CUDA Installation Guide for Linux, Host Compiler Support Policy; nvcc's "
    "include/crt/host_config.h (see src/envsetup/data/nvcc_support.toml)"
)


class ArchSupport(NamedTuple):
    """Whether an nvcc compiles for a compute capability: `supported`, or why not (`reason`:
    "too-new" — the capability came with CUDA `first`; "removed" — CUDA `removed` dropped it)."""

    supported: bool
    reason: str = ""
    first: str = ""
    removed: str = ""


class CompilerRange(NamedTuple):
    """The major versions of one host compiler family an nvcc accepts, both inclusive."""

    family: str  # "gcc" or "clang"
    lowest: int
    highest: int


@functools.lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    from envsetup.compat.shipped import load_table

    return load_table(DATA, "nvcc table")


def release_of(cuda: str) -> Optional[tuple[int, int]]:
    """'10.1.243' -> (10, 1); '11.8' -> (11, 8); None for anything else."""
    parts = cuda.strip().split(".")
    if len(parts) < 2 or not all(is_small_int(p) for p in parts[:2]):
        return None  # untrusted text: a 5,000-digit "version" is none, not an exception
    return int(parts[0]), int(parts[1])


def _as_release(text: str) -> tuple[int, int]:
    found = release_of(text)
    if found is None:  # the shipped table is checked by tests/test_nvcc_support.py
        raise ValueError(f"{DATA}: {text!r} is not a CUDA release")
    return found


def arch_support(cuda: str, capability: ComputeCapability) -> Optional[ArchSupport]:
    """Can the nvcc of CUDA release `cuda` ("10.1.243") compile for `capability` (sm_XX)?

    A capability the table does not list, or an nvcc version that is not one: None."""
    have = release_of(cuda)
    if have is None:
        return None
    for row in _table()["arch"]:
        if ComputeCapability.parse(row["capability"]) != capability:
            continue
        first, removed = str(row["first"]), str(row.get("removed", ""))
        if have < _as_release(first):
            return ArchSupport(False, "too-new", first, removed)
        if removed and have >= _as_release(removed):
            return ArchSupport(False, "removed", first, removed)
        return ArchSupport(True, "", first, removed)
    return None


def first_cuda_for(capability: ComputeCapability) -> Optional[str]:
    """The first CUDA release whose nvcc compiles for `capability`; None when unlisted."""
    for row in _table()["arch"]:
        if ComputeCapability.parse(row["capability"]) == capability:
            return str(row["first"])
    return None


def host_compiler_range(cuda: str, family: str) -> Optional[CompilerRange]:
    """The `family` ("gcc" or "clang") major versions the nvcc of release `cuda` accepts; None
    when the release or the family is not in the table."""
    have = release_of(cuda)
    if have is None:
        return None
    for row in _table()["host_compiler"]:
        if _as_release(str(row["cuda"])) == have and family in row:
            lowest, highest = row[family]
            return CompilerRange(family, int(lowest), int(highest))
    return None


# The integrated GPUs' capabilities (Tegra/Jetson: TK1 3.2, TX1 5.3, TX2 6.2, Xavier 7.2, Orin
# 8.7, Thor 11.0; https://developer.nvidia.com/cuda-gpus, Jetson): never offered as a stand-in
# for a discrete GPU's arch, though the binary compatibility rule alone would allow 8.7 on 8.9.
_INTEGRATED = frozenset(
    ComputeCapability(*c) for c in ((3, 2), (5, 3), (6, 2), (7, 2), (8, 7), (11, 0))
)


def known_capabilities(cuda: str) -> list[ComputeCapability]:
    """The compute capabilities the nvcc of release `cuda` compiles for, in order ([] for a
    release that is not one)."""
    if release_of(cuda) is None:
        return []
    found = []
    for row in _table()["arch"]:
        capability = ComputeCapability.parse(row["capability"])
        support = arch_support(cuda, capability)
        if support is not None and support.supported:
            found.append(capability)
    return sorted(found)


def stand_in(cuda: str, target: ComputeCapability) -> Optional[str]:
    """What a TORCH_CUDA_ARCH_LIST entry the nvcc of `cuda` can build runs on `target` when that
    nvcc cannot build `target` itself: the highest capability of the same major below it (its
    cubin runs there: NVIDIA CUDA C++ Programming Guide, Binary Compatibility, as
    envsetup.model.capability.ArchTarget.runs_on says), else the highest lower one with '+PTX'
    (the driver JIT-compiles its PTX, slower at first start). None when there is neither."""
    lower = [c for c in known_capabilities(cuda) if c < target and c not in _INTEGRATED]
    same_major = [c for c in lower if c.major == target.major]
    if same_major:
        return str(max(same_major))
    return f"{max(lower)}+PTX" if lower else None
