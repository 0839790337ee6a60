"""Where the profiles live and which platform key a machine has: cheap to import.

doctor reads one profile through `read_release_table` without the schema-checked dataclasses of
`envsetup.profiles.loader` (whose import would cost doctor a tenth of its run time); the shipped
profiles are schema-checked by the tests, and `install` checks every profile it loads.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Optional

from envsetup.errors import UsageError
from envsetup.safe_read import Unreadable, read_regular

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

PROFILES_ENV = "ENVSETUP_PROFILES_DIR"
# The shipped profiles are under 8 KiB each; a megabyte is room to grow, and bounds a bad file.
MAX_PROFILE_BYTES = 1 << 20
MAX_PROFILE_DEPTH = 16  # the schema nests 5 deep (variants.X.on.PLATFORM.arch_list)
PLATFORM_KEYS = ("linux-x86_64", "linux-aarch64", "windows-x86_64", "macos-arm64", "macos-x86_64")


class ProfileError(UsageError):
    """A profile file that cannot be used: names the file, the key and the reason."""


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
    """The raw TOML of profiles/torch-<release>.toml; None when there is no such file.

    A file that is there but unusable is a ProfileError, as for install: the user pointed
    ENVSETUP_PROFILES_DIR at it, and a silent "no profile" would hide that.
    """
    path = profiles_dir() / f"torch-{release}.toml"
    try:
        return read_profile_toml(path)
    except FileNotFoundError:
        return None


def read_profile_toml(path: Path) -> dict[str, Any]:
    """Parse one profile file, bounded: ProfileError names the file, the reason and the fix.

    FileNotFoundError passes through (a release without a profile is no error for doctor).
    """
    fix = f"fix: replace it with a torch-X.Y.toml profile (see profiles/README.md) or unset {PROFILES_ENV}"
    try:
        raw = read_regular(path, MAX_PROFILE_BYTES)
    except Unreadable as exc:
        raise ProfileError(f"{path}: {exc}; {fix}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProfileError(
            f"{path}: not UTF-8 text (byte {exc.start} is {raw[exc.start : exc.start + 1]!r}); {fix}"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML ({exc}); fix: correct the syntax") from None
    except RecursionError:  # tomllib parses nested arrays and inline tables recursively
        data = None
    # Dotted keys nest without recursion in the parser, but not in what reads (or prints) them.
    if data is None or _depth_exceeds(data, MAX_PROFILE_DEPTH):
        raise ProfileError(
            f"{path}: nested too deep to be a profile (more than {MAX_PROFILE_DEPTH} levels); {fix}"
        ) from None
    return data


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether tables and arrays nest deeper than `limit` (iterative: the input may be deep)."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth >= limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
