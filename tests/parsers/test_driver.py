from __future__ import annotations

import pytest
from _cutting import check_cuts, fixture_paths, never_raises_other, read
from hypothesis import given, settings
from hypothesis import strategies as st

from envsetup.parsers import ParseError
from envsetup.parsers.driver import (
    ProcDriverVersion,
    parse_proc_driver_version,
    parse_sys_module_version,
)

PROC_VERSIONS = {
    "proc-driver-nvidia-version-384.98-proprietary.txt": ProcDriverVersion(
        "384.98", "proprietary", "x86_64", tegra=False
    ),
    "proc-driver-nvidia-version-open-565.57.01-ubuntu24.04.txt": ProcDriverVersion(
        "565.57.01", "open", "x86_64", tegra=False
    ),
    "proc-driver-nvidia-version-jetson-orin-35.3.1-aarch64.txt": ProcDriverVersion(
        "35.3.1", "open", "aarch64", tegra=True
    ),
    # An NVML mismatch report that goes on to cat /proc/driver/nvidia/version.
    "nvml-mismatch-580.178-vs-proc-version-580.173.02-truenas.txt": ProcDriverVersion(
        "580.173.02", "proprietary", "x86_64", tegra=False
    ),
}


def test_every_version_fixture_has_an_expectation() -> None:
    names = {path.name for path in fixture_paths("driver")}
    assert set(PROC_VERSIONS) <= names
    assert {name for name in names if "version" in name} == set(PROC_VERSIONS)


@pytest.mark.parametrize(("name", "expected"), PROC_VERSIONS.items())
def test_proc_version(name: str, expected: ProcDriverVersion) -> None:
    assert parse_proc_driver_version(read("driver", name)) == expected


def test_dmesg_loading_line_gives_the_open_module() -> None:
    text = read("nvidia-smi-failures", "fallen-off-bus-dmesg-570.txt")
    assert parse_proc_driver_version(text) == ProcDriverVersion("570.158.01", "open", "x86_64")


@pytest.mark.parametrize("name", PROC_VERSIONS)
def test_cut_proc_version(name: str) -> None:
    check_cuts(parse_proc_driver_version, read("driver", name), count=30)


@pytest.mark.parametrize(
    "text", ["", "cat: /proc/driver/nvidia/version: No such file or directory\n", "NVRM version:\n"]
)
def test_proc_version_garbage_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError):
        parse_proc_driver_version(text)


@pytest.mark.parametrize(
    ("text", "version"), [("535.129.03\n", "535.129.03"), ("595.80", "595.80")]
)
def test_sys_module_version(text: str, version: str) -> None:
    assert parse_sys_module_version(text) == version


@pytest.mark.parametrize("text", ["", "\n", "N/A\n", "535.129.03 extra\n"])
def test_sys_module_version_garbage_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError, match="not a driver version"):
        parse_sys_module_version(text)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_fuzz(text: str) -> None:
    never_raises_other(parse_proc_driver_version, text)
    never_raises_other(parse_sys_module_version, text)
