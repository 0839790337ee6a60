"""One compatibility judgement, and the CUDA ↔ driver facts it rests on.

- here: the driver table, read from data/cuda_drivers.toml (the facts live there, with sources)
- compat.verdicts: Verdict, VerdictCode, Severity (codes with parameters; prose lives in render/)
- compat.build: Build, what is judged
- compat.assess: assess(build, machine) -> list[Verdict], the one rule "can build B run on M"
- compat.machine: machine_from_facts (doctor's facts -> model.machine.Machine)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from envsetup.digits import is_small_int

if TYPE_CHECKING:
    from packaging.version import Version

# packaging and the TOML parser are imported where used: doctor on a machine without a driver
# needs neither, and every millisecond of start-up counts against its speed target.

# Beside the package, found from this module's own path (absolute for an imported module): the
# package's data, not the machine's, so no host/ call (compat sits below host/).
DATA = Path(__file__).parent.parent / "data" / "cuda_drivers.toml"
SOURCE_TOOLKIT = (
    "NVIDIA CUDA Toolkit Release Notes, Table 3 (see src/envsetup/data/cuda_drivers.toml)"
)
SOURCE_MVC = (
    "NVIDIA CUDA Minor Version Compatibility, Table 2 (see src/envsetup/data/cuda_drivers.toml)"
)


@dataclass(frozen=True)
class DriverRequirement:
    cuda: str
    driver: str  # the minimum driver version
    source: str


def _os_key(system: str) -> str:
    return "windows" if system.lower().startswith("win") else "linux"


@functools.lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    from envsetup.compat.shipped import load_table

    return load_table(DATA, "CUDA driver table")


def parse_version(text: Optional[str]) -> Optional[Version]:
    """envsetup.model.versions.parse_version, imported on first use (packaging costs doctor's
    start-up when nothing needs a version compared)."""
    from envsetup.model.versions import parse_version as parse

    return parse(text)


def cuda_major_minor(text: str) -> Optional[tuple[int, int]]:
    """'12.8.93' -> (12, 8); 'cu128' -> (12, 8); '11.0' -> (11, 0)."""
    text = text.strip().lower()
    if text.startswith("cu") and is_small_int(text[2:]) and len(text) >= 5:
        return int(text[2:-1]), int(text[-1])
    parts = text.split(".")
    try:
        return int(parts[0]), int(parts[1]) if len(parts) > 1 else 0
    except ValueError:
        return None


def min_driver_for_torch_cuda(cuda: str, system: str) -> Optional[DriverRequirement]:
    """The lowest driver that runs a PyTorch build made with CUDA `cuda`: minor version
    compatibility's floor for its major version (CUDA 11+); before CUDA 11, which had none, the
    driver of that toolkit release itself (toolkit_driver); None when neither is known."""
    mm = cuda_major_minor(cuda)
    if mm is None:
        return None
    for row in _table()["minor_version_compat"]:
        if int(row["major"]) == mm[0]:
            return DriverRequirement(f"{mm[0]}.{mm[1]}", str(row[_os_key(system)]), SOURCE_MVC)
    if mm[0] < 11:
        return toolkit_driver(cuda, system)
    return None


def toolkit_driver(cuda: str, system: str) -> Optional[DriverRequirement]:
    """The driver a CUDA toolkit release shipped with (its full feature set needs it)."""
    mm = cuda_major_minor(cuda)
    if mm is None:
        return None
    for row in _table()["toolkit"]:
        if cuda_major_minor(row["cuda"]) == mm:
            source = SOURCE_TOOLKIT
            if row.get("status") == "U":  # a branch named in the notes, not a published build
                source += "; unconfirmed: NVIDIA names the driver branch only"
            return DriverRequirement(row["cuda"], str(row[_os_key(system)]), source)
    return None


def meets_driver_floor(driver: str, floor: str, system: str) -> Optional[bool]:
    """Whether `driver` meets a driver floor (min_driver_for_torch_cuda's): at or above it, or,
    on Linux, of the floor's own branch. A Linux driver's CUDA is its branch's (max_cuda_for_driver:
    525.60.11 reports CUDA 12.0 although the 12.0 toolkit, whose driver is minor version
    compatibility's 12.x floor, shipped with 525.60.13), so a build of the floor's branch runs
    what the floor runs (issue 11). None when either version is unreadable."""
    have, need = parse_version(driver), parse_version(floor)
    if have is None or need is None:
        return None
    if have >= need:
        return True
    return _os_key(system) == "linux" and have.release[0] == need.release[0]


def runs_natively(cuda: Optional[str], driver_cuda: Optional[str]) -> Optional[bool]:
    """Whether a driver supporting CUDA `driver_cuda` runs a CUDA `cuda` build itself, without
    minor version compatibility (12.8 runs 12.6 natively, 13.2 only through it on a 13.0
    driver); None when either is unreadable. The one rule that ranks a native build above a
    newer minor-compatible one: install's --cuda auto (resolve/build_choice.py, through
    compat/assess.py's DRIVER_OK "native") and explain's "no kernel image" fix
    (diagnose/kernel_image.py) both use it, so they name the same build (attack13 M6)."""
    have = parse_version(driver_cuda) if driver_cuda else None
    want = parse_version(cuda) if cuda else None
    if have is None or want is None:
        return None
    return have >= want


def max_cuda_for_driver(driver: str, system: str) -> Optional[str]:
    """The highest CUDA version a driver supports, from NVIDIA's toolkit table ("535.104.05" ->
    "12.2"): on Linux by its branch (the first number: R525), since every driver of a branch
    reports that branch's CUDA, builds older than the toolkit's own included (525.60.11 is a
    CUDA 12.0 driver though the 12.0 toolkit shipped with 525.60.13; the 550.40.07 beta reports
    12.4, tests/fixtures/nvidia-smi/550.40.07-rtx4070-single.txt); on Windows, whose driver
    numbers do not follow the Linux branches (the WSL preview 460.15 reports 11.1, not 11.2),
    by the full version. A branch with no toolkit of its own (R430, R565) gets the CUDA of the
    newest toolkit before it: a floor, as NVML or nvidia-smi, when they answer, are preferred."""
    have = parse_version(driver)
    if have is None:
        return None
    by_branch = _os_key(system) == "linux"
    best: Optional[str] = None
    for row in _table()["toolkit"]:
        need = parse_version(str(row[_os_key(system)]))
        if need is None:
            continue
        if need <= have or (by_branch and need.release[0] <= have.release[0]):
            best = row["cuda"]
    return best


def decode_cuda_int(value: int) -> str:
    """cuDriverGetVersion / NVML encoding: 12040 -> '12.4'."""
    return f"{value // 1000}.{(value % 1000) // 10}"
