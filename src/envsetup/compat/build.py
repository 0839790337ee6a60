"""What is judged: one PyTorch build, as the profiles or an installed torch describe it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from envsetup.model.compute_platform import ComputePlatform


@dataclass(frozen=True)
class Build:
    """A build of torch for one compute platform on one wheel platform.

    Built from a profile (envsetup.profiles.loader.Release.build) or from an installed torch
    (envsetup.diagnose.torch_rules.installed_build: facts + profile lookup + the --deep arch list).
    """

    platform: ComputePlatform  # cu128, cpu, rocm6.2...
    platform_key: Optional[str] = None  # "linux-x86_64"; None: built for this machine (installed)
    arch_list: Optional[tuple[str, ...]] = None  # None: unknown (no profile arch list, no --deep)
    python_min: Optional[str] = None  # "3.9"; None: unknown
    python_max: Optional[str] = None
    glibc_min: Optional[str] = None
    available_on_platform: bool = True  # False: the release publishes no such build here

    @property
    def name(self) -> str:
        """'cu128', 'cpu', 'rocm6.2': the profiles' variant name."""
        return self.platform.tag
