"""Every version comparison in envsetup goes through packaging.version.Version (PEP 440).

Hand-split integers drop pre-releases ("2.6.0rc1" == "2.6.0"), post-releases and local labels;
Version orders them as pip does. Text that is no version (a file from --facts, "N/A" from
nvidia-smi) reads as None, never an exception.
"""

from __future__ import annotations

from typing import Optional

from packaging.version import InvalidVersion, Version


def parse_version(text: Optional[str]) -> Optional[Version]:
    """'535.104.05' / '2.6.0rc1' / '2.4.0+cu121' -> Version; None for None or no version."""
    if not text:
        return None
    try:
        return Version(text.strip())
    except (InvalidVersion, ValueError):  # ValueError: a release part int() refuses (>4,300 digits)
        return None


def version_key(text: str) -> Version:
    """A sort key; text that is no version sorts first (as 0)."""
    return parse_version(text) or Version("0")


def major_minor(text: Optional[str]) -> Optional[str]:
    """'3.11.4' -> '3.11'; '12.8' -> '12.8'; '12' -> '12.0'; None for no version."""
    version = parse_version(text)
    if version is None:
        return None
    return f"{version.major}.{version.minor}"


def release_of(text: Optional[str]) -> Optional[Version]:
    """The major.minor release as a Version: '2.6.0rc1' -> 2.6, '3.11.4' -> 3.11."""
    found = major_minor(text)
    return Version(found) if found else None


def release_key(text: Optional[str]) -> Version:
    """release_of as a sort key; no version sorts first (as 0)."""
    return release_of(text) or Version("0")


def at_least(have: Optional[str], need: Optional[str]) -> Optional[bool]:
    """have >= need; None when either is unknown or no version."""
    have_v, need_v = parse_version(have), parse_version(need)
    if have_v is None or need_v is None:
        return None
    return have_v >= need_v


def in_release_range(version: Optional[str], low: str, high: str) -> Optional[bool]:
    """Whether version's major.minor lies in [low, high] ('3.13.1' in 3.9–3.13 is True)."""
    found, low_v, high_v = release_of(version), parse_version(low), parse_version(high)
    if found is None or low_v is None or high_v is None:
        return None
    return low_v <= found <= high_v
