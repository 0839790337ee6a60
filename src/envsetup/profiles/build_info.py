"""What the profiles say about an installed torch build, in the shape the diagnose rules need."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional


@dataclass(frozen=True)
class BuildInfo:
    release: str  # "2.4"
    variant: str  # "cu121"
    python_min: str
    python_max: str
    arch_list: list[str] = field(default_factory=list)  # ["5.0", ..., "9.0+PTX"]
    cuda_variants: list[str] = field(default_factory=list)  # every CUDA variant of the release
    # This build's glibc floor (manylinux): its own where the profile gives one
    # ([variants.X.on.KEY] glibc_min), else the platform's.
    glibc_min: Optional[str] = None
    # What a plain `pip install torch` of this release gets here (envsetup.profiles.pypi): the
    # build PyPI carries, and the status of that fact (C, D, U).
    pypi_build: Optional[str] = None
    pypi_status: str = "C"


# (torch version, system, machine) -> what the profiles know, or None.
BuildLookup = Callable[[str, str, str], Optional[BuildInfo]]


def no_profiles(_version: str, _system: str, _machine: str) -> Optional[BuildInfo]:
    return None
