"""Whether an existing environment already holds a plan: its Python X.Y and every pinned
distribution at the pinned version, local label included (2.0.1+cu118 is not 2.0.1+cpu), read
from the environment's own files (pyvenv.cfg, site-packages/*.dist-info/METADATA). Nothing is run.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping, Optional

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from envsetup.host.files import LOCAL, Files
from envsetup.resolve.resolution import Resolution

MAX_METADATA_HEAD = 16 << 10  # Name and Version are among the first lines of METADATA
MAX_CFG_BYTES = 8 << 10
_PYTHON_DIR = re.compile(r"^python(3\.\d+)t?$")
_HEADER = re.compile(r"^(Name|Version):\s*(.+?)\s*$", re.MULTILINE)


def _site_packages(env_path: Path, host_files: Files) -> list[tuple[Optional[str], Path]]:
    """(Python X.Y or None, site-packages) of a venv or conda prefix, POSIX and Windows."""
    found: list[tuple[Optional[str], Path]] = []
    lib = env_path / "lib"
    if host_files.is_dir(lib):
        for child in host_files.list_dir(lib):
            matched = _PYTHON_DIR.match(child.name)
            if matched and host_files.is_dir(child / "site-packages"):
                found.append((matched.group(1), child / "site-packages"))
    windows = env_path / "Lib" / "site-packages"
    if host_files.is_dir(windows):
        found.append((None, windows))
    return found


def _cfg_python(env_path: Path, host_files: Files) -> Optional[str]:
    """X.Y from pyvenv.cfg (`version` from venv, `version_info` from uv)."""
    try:
        text = host_files.read_up_to(env_path / "pyvenv.cfg", MAX_CFG_BYTES).decode(
            "utf-8", "replace"
        )
    except OSError:
        return None
    for key in ("version_info", "version"):
        matched = re.search(rf"^\s*{key}\s*=\s*(\d+)\.(\d+)", text, re.MULTILINE)
        if matched:
            return f"{matched.group(1)}.{matched.group(2)}"
    return None


def installed_distributions(
    env_path: Path, host_files: Files = LOCAL
) -> tuple[Optional[str], dict[str, str]]:
    """The environment's Python X.Y (None when unknown) and its distributions, canonical name ->
    version, from each dist-info's METADATA."""
    python = _cfg_python(env_path, host_files)
    dists: dict[str, str] = {}
    for version, site in _site_packages(env_path, host_files):
        python = python or version
        for info in host_files.glob(site, "*.dist-info"):
            try:
                head = host_files.read_up_to(info / "METADATA", MAX_METADATA_HEAD)
            except OSError:
                continue
            headers = dict(_HEADER.findall(head.decode("utf-8", "replace")))
            if "Name" in headers and "Version" in headers:
                dists.setdefault(canonicalize_name(headers["Name"]), headers["Version"])
    return python, dists


def _same(have: Optional[str], want: str) -> bool:
    if have is None:
        return False
    try:
        return Version(have) == Version(want)
    except InvalidVersion:
        return have == want


def already_satisfied(
    resolution: Resolution, env_path: Path, host_files: Files = LOCAL
) -> Optional[dict[str, str]]:
    """The pinned distributions as installed (name -> version) when `env_path` holds the whole
    plan at its Python version, else None. A conda plan (specs, not pins) is never taken as held."""
    if not resolution.pins or resolution.conda_specs:
        return None
    try:
        python, dists = installed_distributions(env_path, host_files)
    except OSError:
        return None
    if python != resolution.python_version:
        return None
    held: dict[str, str] = {}
    for pin in resolution.pins:
        have = dists.get(canonicalize_name(pin.name))
        if not _same(have, pin.version):
            return None
        held[pin.name] = str(have)
    return held


def satisfied_note(env_path: Path, held: Mapping[str, str]) -> str:
    """'already satisfied: ENV holds torch 2.0.1+cpu; nothing to install'."""
    pins = ", ".join(f"{name} {version}" for name, version in held.items())
    return f"already satisfied: {env_path} holds {pins}; nothing to install"
