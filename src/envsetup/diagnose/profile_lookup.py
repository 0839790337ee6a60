"""Adapts the install profiles to the BuildInfo the diagnosis rules read."""

from __future__ import annotations

from typing import Optional

from envsetup.diagnose.builds import BuildInfo


def lookup_build(torch_version: str, system: str, machine: str) -> Optional[BuildInfo]:
    return None  # wired to envsetup.install.profiles once the profiles land
