"""Where the profiles live and which platform key a machine has: cheap to import.

doctor reads one profile through `read_release_table` without the schema-checked dataclasses of
`envsetup.install.profiles` (whose import would cost doctor a tenth of its run time); the shipped
profiles are schema-checked by the tests, and `install` checks every profile it loads.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

PROFILES_ENV = "ENVSETUP_PROFILES_DIR"
PLATFORM_KEYS = ("linux-x86_64", "linux-aarch64", "windows-x86_64", "macos-arm64", "macos-x86_64")


def profiles_dir() -> Path:
    """ENVSETUP_PROFILES_DIR, else the wheel's envsetup/_profiles, else the checkout's profiles/."""
    override = os.environ.get(PROFILES_ENV)
    if override:
        return Path(override)
    package = Path(__file__).resolve().parent.parent
    installed = package / "_profiles"
    if installed.is_dir():
        return installed
    return package.parent.parent / "profiles"


def platform_key_for(system: str, machine: str) -> Optional[str]:
    """('Linux', 'x86_64') -> 'linux-x86_64'; None when PyTorch has no such platform key."""
    system_name = system.lower()
    arch = machine.lower()
    if arch in ("x86_64", "amd64", "x64"):
        arch = "x86_64"
    elif arch in ("aarch64", "arm64", "armv8l"):
        arch = "arm64" if system_name == "darwin" else "aarch64"
    if system_name == "linux":
        key = f"linux-{arch}"
    elif system_name == "darwin":
        key = f"macos-{arch}"
    elif system_name.startswith("win"):
        key = f"windows-{arch}"
    else:
        return None
    return key if key in PLATFORM_KEYS else None


def read_release_table(release: str) -> Optional[dict[str, Any]]:
    """The raw TOML of profiles/torch-<release>.toml, or None when there is no such readable file."""
    path = profiles_dir() / f"torch-{release}.toml"
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        return None
