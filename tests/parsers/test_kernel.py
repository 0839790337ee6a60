from __future__ import annotations

from typing import Optional

import pytest
from _cutting import fixture_paths, read
from hypothesis import given, settings
from hypothesis import strategies as st

from envsetup.parsers.kernel import wsl_from_kernel

PROC_VERSIONS = {
    "proc-version-wsl1-3.4.0-Microsoft.txt": 1,
    "proc-version-wsl1-4.4.0-18985-Microsoft.txt": 1,
    "proc-version-wsl2-4.19.67-microsoft-standard.txt": 2,
    # A user-built kernel that kept the "-microsoft-standard" name.
    "proc-version-wsl2-custom-4.19.104-kernel.txt": 2,
}


def test_every_fixture_has_an_expectation() -> None:
    assert {path.name for path in fixture_paths("os", "proc-version-*")} == set(PROC_VERSIONS)


@pytest.mark.parametrize(("name", "wsl"), PROC_VERSIONS.items())
def test_proc_version(name: str, wsl: int) -> None:
    assert wsl_from_kernel(read("os", name)) == wsl


def test_kernel_name_from_the_collect_env_fixture() -> None:
    text = read("collect_env", "wsl2-torch2.4.0-cu121-rtx4070-laptop.txt")
    assert "5.15.153.1-microsoft-standard-WSL2" in text
    assert wsl_from_kernel(text) == 2


@pytest.mark.parametrize(
    ("release", "wsl"),
    [
        ("5.15.153.1-microsoft-standard-WSL2", 2),
        ("4.19.67-microsoft-standard", 2),
        ("4.4.0-19041-Microsoft", 1),
        ("3.4.0-Microsoft", 1),
        ("6.8.0-45-generic", None),
        ("5.15.0-1053-nvidia", None),
        ("5.10.216-tegra", None),
        ("6.5.0-1025-azure", None),
        ("", None),
    ],
)
def test_platform_release(release: str, wsl: Optional[int]) -> None:
    assert wsl_from_kernel(release) == wsl


@pytest.mark.parametrize("name", PROC_VERSIONS)
def test_cut_text_never_says_the_other_wsl(name: str) -> None:
    text = read("os", name)
    whole = wsl_from_kernel(text)
    for end in range(len(text) + 1):
        assert wsl_from_kernel(text[:end]) in (None, whole)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_fuzz(text: str) -> None:
    assert wsl_from_kernel(text) in (None, 1, 2)
