"""Adapts the install profiles (profiles/*.toml) to the BuildInfo the diagnosis rules read."""

from __future__ import annotations

from typing import Optional

from envsetup.diagnose.builds import BuildInfo


def lookup_build(torch_version: str, system: str, machine: str) -> Optional[BuildInfo]:
    from envsetup.install.profiles import find_build, load_profile, platform_key_for, profiles_dir

    key = platform_key_for(system, machine)
    if key is None or not torch_version:
        return None
    # Parse only this release's file when it follows the naming rule: doctor stays fast.
    release_name = ".".join(torch_version.split("+")[0].split(".")[:2])
    single = profiles_dir() / f"torch-{release_name}.toml"
    found = find_build(torch_version, key, [load_profile(single)] if single.is_file() else None)
    if found is None:
        return None
    release, variant = found
    low, high = release.python_range(key)
    return BuildInfo(
        release=release.release,
        variant=variant.name,
        python_min=low,
        python_max=high,
        arch_list=variant.arch_list(key),
        cuda_variants=[v.name for v in release.variants_on(key) if v.kind == "cuda"],
    )
