"""CUDA ↔ driver facts, read from data/cuda_drivers.toml (the facts live there, with sources)."""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from envsetup.digits import is_small_int

if TYPE_CHECKING:
    from packaging.version import Version

# packaging and the TOML parser are imported where used: doctor on a machine without a driver
# needs neither, and every millisecond of start-up counts against its speed target.

DATA = Path(__file__).parent / "data" / "cuda_drivers.toml"
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
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python < 3.11 only
        import tomli as tomllib

    from envsetup.errors import EnvsetupError
    from envsetup.safe_read import Unreadable, read_regular

    # Shipped with envsetup, but a damaged install must still end in one line, not a traceback.
    try:
        return tomllib.loads(read_regular(DATA, 1 << 20).decode("utf-8"))
    except (
        OSError,
        Unreadable,
        UnicodeDecodeError,
        tomllib.TOMLDecodeError,
        RecursionError,
    ) as exc:
        raise EnvsetupError(
            f"{DATA}: envsetup's CUDA driver table is unusable ({exc or type(exc).__name__}); "
            "fix: reinstall envsetup"
        ) from None


def parse_version(text: Optional[str]) -> Optional[Version]:
    from packaging.version import Version

    if not text:
        return None
    try:
        return Version(text.strip())
    except ValueError:  # InvalidVersion, or a release number int() refuses (over 4,300 digits)
        return None


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
    """The lowest driver that runs a PyTorch build made with CUDA `cuda` (minor version compat)."""
    mm = cuda_major_minor(cuda)
    if mm is None:
        return None
    for row in _table()["minor_version_compat"]:
        if int(row["major"]) == mm[0]:
            return DriverRequirement(f"{mm[0]}.{mm[1]}", str(row[_os_key(system)]), SOURCE_MVC)
    return None


def toolkit_driver(cuda: str, system: str) -> Optional[DriverRequirement]:
    """The driver a CUDA toolkit release shipped with (its full feature set needs it)."""
    mm = cuda_major_minor(cuda)
    if mm is None:
        return None
    for row in _table()["toolkit"]:
        if cuda_major_minor(row["cuda"]) == mm:
            return DriverRequirement(row["cuda"], str(row[_os_key(system)]), SOURCE_TOOLKIT)
    return None


def max_cuda_for_driver(driver: str, system: str) -> Optional[str]:
    """The highest CUDA version whose toolkit driver is at or below `driver` ("535.104.05" -> "12.2")."""
    have = parse_version(driver)
    if have is None:
        return None
    best: Optional[str] = None
    for row in _table()["toolkit"]:
        need = parse_version(str(row[_os_key(system)]))
        if need is not None and need <= have:
            best = row["cuda"]
    return best


def driver_at_least(driver: str, minimum: str) -> Optional[bool]:
    have, need = parse_version(driver), parse_version(minimum)
    if have is None or need is None:
        return None
    return have >= need


def decode_cuda_int(value: int) -> str:
    """cuDriverGetVersion / NVML encoding: 12040 -> '12.4'."""
    return f"{value // 1000}.{(value % 1000) // 10}"


@dataclass(frozen=True)
class ArchEntry:
    cc: tuple[int, int]
    sass: bool  # a cubin for exactly this capability
    ptx: bool  # PTX for this capability, JIT-compiled on newer GPUs
    specific: bool  # an arch-specific target (sm_90a): runs on exactly this capability only


def parse_arch_entry(entry: str) -> Optional[ArchEntry]:
    """torch's 'sm_86' / 'compute_90' / 'sm_90a', the profiles' '8.6' / '9.0+PTX', or a bare '8.6'."""
    text = entry.strip().lower()
    ptx_only = text.startswith("compute_")
    with_ptx = text.endswith("+ptx")
    text = text[:-4] if with_ptx else text
    text = text.replace("compute_", "").replace("sm_", "")
    specific = text.endswith("a")
    text = text.rstrip("af")
    if "." in text:
        major, _, minor = text.partition(".")
    elif len(text) >= 2:
        major, minor = text[:-1], text[-1]
    else:
        return None
    if not (is_small_int(major) and is_small_int(minor)):
        return None
    return ArchEntry(
        (int(major), int(minor)), sass=not ptx_only, ptx=ptx_only or with_ptx, specific=specific
    )


def arch_runs(arch_list: list[str], cc: tuple[int, int]) -> Optional[str]:
    """How a build compiled for `arch_list` runs on capability `cc`, or None when it cannot.

    NVIDIA's rule (CUDA C++ Programming Guide, "Binary Compatibility" and "PTX Compatibility"):
    a cubin built for X.y runs on X.z with z >= y (same major only); PTX for X.y JIT-compiles on
    any X'.y' >= X.y; arch-specific targets (sm_90a) run only on exactly that capability.
    Exact SASS first, then the highest SASS of the same major below `cc` (what the CUDA runtime
    loads), then the highest PTX at or below `cc` (JIT-compiled at first use).
    """
    entries = [e for e in (parse_arch_entry(a) for a in arch_list) if e is not None]
    if any(e.sass and e.cc == cc for e in entries):
        return f"sm_{cc[0]}{cc[1]} is in the build"
    portable = [e for e in entries if not e.specific]
    sass = max(
        (e.cc for e in portable if e.sass and e.cc[0] == cc[0] and e.cc[1] < cc[1]), default=None
    )
    if sass is not None:
        return f"sm_{cc[0]}{cc[1]} runs its sm_{sass[0]}{sass[1]} kernels (binary compatible)"
    ptx = max((e.cc for e in portable if e.ptx and e.cc <= cc), default=None)
    if ptx is not None:
        return f"sm_{cc[0]}{cc[1]} JIT-compiles its compute_{ptx[0]}{ptx[1]} PTX"
    return None


def arch_runs_on(arch_list: list[str], capability: str) -> Optional[bool]:
    """Whether a build with `arch_list` has kernels for a GPU of `capability` ("8.6");
    None when either is unknown. See `arch_runs` for the rule."""
    want = parse_arch_entry(capability)
    if want is None or not arch_list:
        return None
    return arch_runs(arch_list, want.cc) is not None
