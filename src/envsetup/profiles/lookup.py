"""What profiles/torch-X.Y.toml says about an installed torch build, as the rules need it.

Reads the one release's raw table (see envsetup.profiles.files for why not the checked
dataclasses); the keys are those documented in profiles/README.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional

from envsetup.digits import is_small_int
from envsetup.model.compute_platform import PlatformKind
from envsetup.profiles.build_info import BuildInfo, BuildLookup
from envsetup.profiles.pypi import pypi_wheel

if TYPE_CHECKING:
    from pathlib import Path

CUDA = PlatformKind.CUDA.value  # a variant's `kind` in the raw table


def lookup_build(torch_version: str, system: str, machine: str) -> Optional[BuildInfo]:
    from envsetup.profiles.files import read_release_table

    return _lookup(torch_version, system, machine, read_release_table)


def caching_lookup() -> BuildLookup:
    """A lookup_build for one run that reads each release's profile once. explain's "newest
    build with kernels for this GPU" asks for every variant of every release (70 lookups on one
    paste; each a TOML parse was a third of explain's time, bench/bench_explain.py). Per run,
    not per process: a profile edited between runs of a long-lived caller is read again."""
    tables: dict[str, Optional[dict[str, Any]]] = {}
    where: list[Path] = []  # the profiles' directory, found at the first read

    def read_once(release: str) -> Optional[dict[str, Any]]:
        if release not in tables:
            from envsetup.profiles.files import profiles_dir, read_release_table

            if not where:
                where.append(profiles_dir())
            tables[release] = read_release_table(release, where[0])
        return tables[release]

    def lookup(torch_version: str, system: str, machine: str) -> Optional[BuildInfo]:
        return _lookup(torch_version, system, machine, read_once)

    return lookup


def _lookup(
    torch_version: str,
    system: str,
    machine: str,
    read_table: Callable[[str], Optional[dict[str, Any]]],
) -> Optional[BuildInfo]:
    from envsetup.profiles.files import platform_key_for

    key = platform_key_for(system, machine)
    public, _, local = torch_version.strip().partition("+")
    parts = public.split(".")
    if key is None or len(parts) < 2 or not (is_small_int(parts[0]) and is_small_int(parts[1])):
        return None
    release = f"{int(parts[0])}.{int(parts[1])}"
    table = read_table(release)
    try:
        return _build_info(table, release, key, local.lower()) if table else None
    except (KeyError, TypeError, IndexError, AttributeError):
        return None  # a malformed profile: install's schema check names the problem


def _build_info(table: dict[str, Any], release: str, key: str, local: str) -> Optional[BuildInfo]:
    platform = table["platforms"].get(key)
    if platform is None:
        return None
    # No local label: the wheel came from PyPI, i.e. PyPI's build of this release here.
    pypi = pypi_wheel(release, key, platform)
    name = local or pypi.build
    if name not in platform["variants"]:
        return None
    variants = table["variants"]
    on = variants[name].get("on", {}).get(key, {})
    return BuildInfo(
        release=release,
        variant=name,
        python_min=str(platform["python"][0]),
        python_max=str(platform["python"][1]),
        arch_list=[str(a) for a in on.get("arch_list") or []],
        cuda_variants=[v for v in platform["variants"] if variants[v].get("kind") == CUDA],
        # The build's own floor where its profile gives one, else the platform's (the strictest).
        glibc_min=str(on.get("glibc_min") or platform.get("glibc_min") or "") or None,
        pypi_build=pypi.build,
        pypi_status=pypi.status,
    )
