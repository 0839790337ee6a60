"""Where the profiles live and which platform key a machine has: cheap to import.

doctor reads one profile through `read_release_table` without the schema-checked dataclasses of
`envsetup.profiles.loader` (whose import would cost doctor a tenth of its run time); the shipped
profiles are schema-checked by the tests, and `install` checks every profile it loads.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Optional

from envsetup.errors import UsageError
from envsetup.host import environment
from envsetup.host.files import LOCAL as host_files

# Platform keys belong to the domain model; re-exported for the profiles' callers.
from envsetup.model.machine import PLATFORM_KEYS as PLATFORM_KEYS
from envsetup.model.machine import platform_key_for as platform_key_for
from envsetup.safe_read import Unreadable

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

PROFILES_ENV = "ENVSETUP_PROFILES_DIR"
# The shipped profiles are under 8 KiB each; a megabyte is room to grow, and bounds a bad file.
MAX_PROFILE_BYTES = 1 << 20
MAX_PROFILE_DEPTH = 16  # the schema nests 5 deep (variants.X.on.PLATFORM.arch_list)


class ProfileError(UsageError):
    """A profile file that cannot be used: names the file, the key and the reason."""


def profiles_dir() -> Path:
    """ENVSETUP_PROFILES_DIR, else the wheel's envsetup/_profiles, else the checkout's profiles/."""
    override = environment().get(PROFILES_ENV)
    if override:
        return Path(override)
    package = host_files.realpath(__file__).parent.parent
    installed = package / "_profiles"
    if host_files.is_dir(installed):
        return installed
    return package.parent.parent / "profiles"


def read_release_table(release: str, directory: Optional[Path] = None) -> Optional[dict[str, Any]]:
    """The raw TOML of profiles/torch-<release>.toml (in `directory`, default profiles_dir());
    None when there is no such file.

    A file that is there but unusable is a ProfileError, as for install: the user pointed
    ENVSETUP_PROFILES_DIR at it, and a silent "no profile" would hide that.
    """
    path = (directory or profiles_dir()) / f"torch-{release}.toml"
    try:
        return read_profile_cached(path)
    except FileNotFoundError:
        return None


# The parsed profiles, kept outside the tree: parsing the 15 shipped TOML files cost every explain
# run 159 M instructions, a tenth of a 1 MB paste's (bench/bench_explain.py); a cached table is a
# stat and a JSON load. Keyed by the file's path, size and mtime_ns; any failure to read or write
# the cache falls back to parsing, silently.
NO_CACHE_ENV = "ENVSETUP_NO_CACHE"
_CACHE_FORMAT = 1


def read_profile_cached(path: Path) -> dict[str, Any]:
    """read_profile_toml(path), through the user cache directory (platformdirs'
    user_cache_dir("envsetup")/profiles/) unless ENVSETUP_NO_CACHE is set. Raises as
    read_profile_toml (FileNotFoundError, ProfileError); a profile that fails is never cached."""
    if environment().get(NO_CACHE_ENV):
        return read_profile_toml(path)
    try:
        status = host_files.stat(path)
        key = {
            "format": _CACHE_FORMAT,
            "path": str(host_files.absolute(path)),
            "size": status.st_size,
            "mtime_ns": status.st_mtime_ns,
        }
        entry = _cache_path(key["path"])
    except FileNotFoundError:
        raise
    except (OSError, RuntimeError):
        return read_profile_toml(path)
    cached = _read_cache(entry, key)
    if cached is not None:
        return cached
    data = read_profile_toml(path)
    _write_cache(entry, key, data)
    return data


def _cache_path(profile: str) -> Path:
    import zlib  # not hashlib: its OpenSSL start-up costs more than a cached profile saves

    from envsetup.host.machine import THIS_MACHINE

    # Two directories' files of one name share an entry only when their CRCs collide: the key
    # inside tells them apart, and the one read last is parsed again.
    checksum = zlib.crc32(profile.encode("utf-8", "surrogatepass"))
    name = f"{Path(profile).stem}-{checksum:08x}.json"
    return Path(THIS_MACHINE.user_cache_dir("envsetup")) / "profiles" / name


def _read_cache(entry: Path, key: dict[str, Any]) -> Optional[dict[str, Any]]:
    import json

    try:
        stored = json.loads(host_files.read_regular(entry, 4 * MAX_PROFILE_BYTES))
    except (OSError, Unreadable, ValueError, RecursionError):
        return None
    if not isinstance(stored, dict) or stored.get("key") != key:
        return None
    data = stored.get("data")
    return data if isinstance(data, dict) else None


def _write_cache(entry: Path, key: dict[str, Any], data: dict[str, Any]) -> None:
    import json

    try:
        # TOML's dates and times have no JSON form: such a profile is parsed every time.
        text = json.dumps({"key": key, "data": data}, allow_nan=True)
        host_files.make_dirs(entry.parent)
        host_files.write_atomically(entry, text)
    except (OSError, TypeError, ValueError, RecursionError):
        return


def read_profile_toml(path: Path) -> dict[str, Any]:
    """Parse one profile file, bounded: ProfileError names the file, the reason and the fix.

    FileNotFoundError passes through (a release without a profile is no error for doctor).
    """
    fix = f"fix: replace it with a torch-X.Y.toml profile (see profiles/README.md) or unset {PROFILES_ENV}"
    try:
        raw = host_files.read_regular(path, MAX_PROFILE_BYTES)
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
