"""doctor's raw profile reader agrees with install's schema-checked loader on every shipped build."""

from __future__ import annotations

import pytest

from envsetup.profiles.loader import load_releases
from envsetup.profiles.lookup import lookup_build

SYSTEMS = {
    "linux-x86_64": ("Linux", "x86_64"),
    "linux-aarch64": ("Linux", "aarch64"),
    "windows-x86_64": ("Windows", "AMD64"),
    "macos-arm64": ("Darwin", "arm64"),
}


@pytest.mark.parametrize("key", sorted(SYSTEMS))
def test_lookup_matches_the_checked_profiles(key: str) -> None:
    system, machine = SYSTEMS[key]
    checked = 0
    for release in load_releases():
        if key not in release.platforms:
            continue
        for variant in release.variants_on(key):
            label = variant.local_label_for(key)
            version = f"{release.torch}+{label}" if label else release.torch
            info = lookup_build(version, system, machine)
            assert info is not None, version
            # A wheel without a local label is the platform's PyPI default build.
            expected = variant.name if label else release.platforms[key].pypi_default
            assert (info.release, info.variant) == (release.release, expected)
            assert (info.python_min, info.python_max) == release.python_range(key)
            assert info.arch_list == release.variants[expected].arch_list(key)
            checked += 1
    assert checked > 0


def test_unknown_builds_are_none() -> None:
    assert lookup_build("1.13.1+cu117", "Linux", "x86_64") is None
    assert lookup_build("garbage", "Linux", "x86_64") is None
    assert lookup_build("2.4.0+cu999", "Linux", "x86_64") is None
    assert lookup_build("2.4.0", "SunOS", "sparc") is None


def test_caching_lookup_agrees_and_reads_each_profile_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from envsetup.profiles import files
    from envsetup.profiles.lookup import caching_lookup

    asked = [
        f"{release.torch}+{variant.name}"
        for release in load_releases()
        for variant in release.variants.values()
    ]
    asked += ["2.4.0", "1.13.1+cu117", "2.4.0+cu999", "garbage", "2.30.0"]
    expected = {version: lookup_build(version, "Linux", "x86_64") for version in asked}
    reads: list[str] = []
    real_read = files.read_release_table

    def counted(release: str, directory: object = None) -> object:
        reads.append(release)
        return real_read(release, directory)  # type: ignore[arg-type]

    monkeypatch.setattr(files, "read_release_table", counted)
    lookup = caching_lookup()
    for _ in range(2):
        assert {v: lookup(v, "Linux", "x86_64") for v in asked} == expected
    assert sorted(reads) == sorted(set(reads))  # each release's file parsed once
    assert {r.release for r in load_releases()} <= set(reads)
