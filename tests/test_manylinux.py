"""A wheel's platform tags -> the glibc it needs (envsetup.model.manylinux), and the profiles'
glibc floors against the real wheel file names they cite."""

from __future__ import annotations

import re

import pytest
from packaging.utils import InvalidWheelFilename

from envsetup.model.manylinux import is_musllinux, tag_glibc, wheel_glibc
from envsetup.model.versions import version_key
from envsetup.profiles.loader import load_releases

# Real file names: PyPI's (astral-sh/uv #11406's uv.lock, the local PyPI mirror's 2.14.1) and
# PyTorch's index (astral-sh/uv #1497, the 2.13.0+cpu wheel this repository's venv installs).
REAL_WHEELS = [
    ("torch-2.6.0-cp311-cp311-manylinux1_x86_64.whl", "2.5"),
    ("torch-2.6.0-cp311-cp311-manylinux_2_28_aarch64.whl", "2.28"),
    ("torch-2.1.1-cp310-cp310-manylinux_2_17_aarch64.manylinux2014_aarch64.whl", "2.17"),
    ("torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl", "2.28"),
    ("torch-2.14.1-cp311-cp311-manylinux_2_28_x86_64.whl", "2.28"),
    ("torch-2.6.0+cu124-cp311-cp311-win_amd64.whl", None),
    ("torch-2.6.0+cu124-cp311-cp311-linux_x86_64.whl", None),  # PyTorch's index: no manylinux tag
]


@pytest.mark.parametrize(("filename", "glibc"), REAL_WHEELS)
def test_a_wheel_s_glibc_is_read_from_its_tags(filename: str, glibc: object) -> None:
    assert wheel_glibc(filename) == glibc


def test_tags_name_glibc_or_musl_as_the_peps_say() -> None:
    assert tag_glibc("manylinux2010_x86_64") == "2.12"  # PEP 571
    assert tag_glibc("manylinux_2_31_aarch64") == "2.31"  # PEP 600
    assert tag_glibc("musllinux_1_2_x86_64") is None and is_musllinux("musllinux_1_2_x86_64")
    assert tag_glibc("manylinux_x_y_z") is None and not is_musllinux("manylinux1_x86_64")
    with pytest.raises(InvalidWheelFilename):
        wheel_glibc("torch-2.6.0.tar.gz")


def test_each_profile_glibc_floor_meets_the_tags_of_the_wheels_it_cites() -> None:
    # A floor may be above a tag's promise (2.0–2.6's manylinux1 wheels were built on the
    # manylinux2014 image: glibc 2.17), never below; a PEP 600 tag states the floor exactly.
    checked = 0
    for release in load_releases():
        for key, platform in release.platforms.items():
            if not platform.glibc_min:
                continue
            arch = key.split("-")[1]
            for tag in platform.source:
                for name in re.findall(r"torch-[\w.+%-]+?\.whl", release.sources[tag]):
                    if not name.endswith(f"_{arch}.whl"):
                        continue
                    floor = wheel_glibc(name)
                    assert floor is not None, (release.release, key, name)
                    assert version_key(floor) <= version_key(platform.glibc_min), (release.release, key, name)  # fmt: skip
                    if "manylinux_" in name and "manylinux2014" not in name:
                        assert floor == platform.glibc_min, (release.release, key, name)
                    checked += 1
    assert checked >= 4


def test_each_build_s_own_glibc_floor_meets_its_cited_wheels_and_its_platform() -> None:
    # [variants.X.on.KEY] glibc_min: a build's floor below the platform's (2.6's cu124, whose
    # PyPI wheel is tagged manylinux1); never below a cited wheel's tag, never above the platform.
    checked = 0
    for release in load_releases():
        for variant in release.variants.values():
            for key, per in variant.on.items():
                if per.glibc_min is None:
                    continue
                platform_floor = release.platforms[key].glibc_min
                assert platform_floor is not None, (release.release, variant.name, key)
                assert version_key(per.glibc_min) <= version_key(platform_floor)
                arch = key.split("-")[1]
                for tag in per.source:
                    for name in re.findall(r"torch-[\w.+%-]+?\.whl", release.sources[tag]):
                        floor = wheel_glibc(name) if name.endswith(f"_{arch}.whl") else None
                        if floor is not None:
                            assert version_key(floor) <= version_key(per.glibc_min), name
                checked += 1
    assert checked >= 2
