"""PyTorch release profiles: find and load profiles/torch-*.toml (one file per release).

Adding a release is adding a file: the loader globs the directory. Each file is checked by
envsetup.profiles.schema_check into the typed Release of envsetup.profiles.release.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Optional

from envsetup.host.files import LOCAL as host_files
from envsetup.model.versions import version_key

# Defined in the cheap-to-import profiles.files; re-exported here for the resolver's callers.
from envsetup.profiles.files import PLATFORM_KEYS as PLATFORM_KEYS
from envsetup.profiles.files import PROFILES_ENV as PROFILES_ENV
from envsetup.profiles.files import ProfileError as ProfileError
from envsetup.profiles.files import platform_key_for as platform_key_for
from envsetup.profiles.files import profiles_dir as profiles_dir
from envsetup.profiles.files import read_profile_toml
from envsetup.profiles.release import STATUS_WORDS as STATUS_WORDS
from envsetup.profiles.release import STATUSES as STATUSES
from envsetup.profiles.release import Patch as Patch
from envsetup.profiles.release import Platform as Platform
from envsetup.profiles.release import Release as Release
from envsetup.profiles.release import Variant as Variant
from envsetup.profiles.release import VariantOnPlatform as VariantOnPlatform
from envsetup.profiles.schema_check import RELEASE, check_profile
from envsetup.profiles.schema_check import SCHEMA_VERSION as SCHEMA_VERSION

# ----------------------------------------------------------------------------- locating


def load_releases(directory: Optional[str] = None) -> list[Release]:
    """Every profile in the directory, oldest release first (cached per directory)."""
    where = Path(directory) if directory else profiles_dir()
    return list(_load_all(str(where)))


def release_files(directory: Optional[str] = None) -> list[tuple[str, Path]]:
    """(release, file) for every profile, oldest first, without reading them.

    The release comes from the file name; the schema check insists the two agree.
    """
    where = Path(directory) if directory else profiles_dir()
    return list(_list_files(str(where)))


def load_release(path: Path) -> Release:
    """One profile, parsed and checked once per process."""
    return _load_one(str(path))


@functools.lru_cache(maxsize=8)
def _list_files(directory: str) -> tuple[tuple[str, Path], ...]:
    where = Path(directory)
    if not host_files.is_dir(where):
        raise ProfileError(
            f"profiles directory {directory}: no such directory; fix: point {PROFILES_ENV} at a "
            "directory of torch-*.toml files or unset it"
        )
    found = []
    for path in host_files.glob(where, "torch-*.toml"):
        name = path.name[len("torch-") : -len(".toml")]
        if not RELEASE.match(name):
            raise ProfileError(
                f"{path}: the file name does not name a release (torch-X.Y.toml); fix: rename it"
            )
        found.append((name, path))
    if not found:
        raise ProfileError(
            f"profiles directory {directory}: it holds no torch-*.toml file; fix: point "
            f"{PROFILES_ENV} at the profiles/ directory of envsetup or unset it"
        )
    return tuple(sorted(found, key=lambda item: version_key(item[0])))


@functools.lru_cache(maxsize=64)
def _load_one(path: str) -> Release:
    return load_profile(Path(path))


@functools.lru_cache(maxsize=8)
def _load_all(directory: str) -> tuple[Release, ...]:
    return tuple(_load_one(str(path)) for _, path in _list_files(directory))


def load_profile(path: Path) -> Release:
    try:
        data = read_profile_toml(path)
    except FileNotFoundError:
        raise ProfileError(
            f"{path}: no such file; fix: check the file or unset {PROFILES_ENV}"
        ) from None
    return check_profile(str(path), data)
