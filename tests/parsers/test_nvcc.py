from __future__ import annotations

import re

import pytest
from _cutting import check_cuts, fixture_paths, never_raises_other
from hypothesis import given, settings
from hypothesis import strategies as st

from envsetup.parsers import ParseError
from envsetup.parsers.nvcc import parse_nvcc_version

NVCC = fixture_paths("nvcc")


def _expected_from_name(name: str) -> str:
    # Each fixture's file name carries the version its source reported (nvcc-12.8.93...).
    match = re.match(r"nvcc-(\d+\.\d+\.\d+)", name)
    assert match, name
    return match.group(1)


def test_every_nvcc_fixture_is_covered() -> None:
    assert len(NVCC) >= 8


@pytest.mark.parametrize("path", NVCC, ids=lambda p: p.name)
def test_full_version_from_every_fixture(path) -> None:
    assert parse_nvcc_version(path.read_text(encoding="utf-8")) == _expected_from_name(path.name)


def test_release_fallback_when_no_full_version() -> None:
    text = "Cuda compilation tools, release 12.8, V12.8.93\n".replace(", V12.8.93", "")
    assert parse_nvcc_version(text) == "12.8"


def test_shadowing_case_reads_the_apt_nvcc() -> None:
    text = (NVCC[0].parent / "nvcc-11.5.119-ubuntu-apt-shadowing-cuda-12.5.txt").read_text(
        encoding="utf-8"
    )
    assert parse_nvcc_version(text) == "11.5.119"


@pytest.mark.parametrize("text", ["", "nvcc: command not found\n", "release 12.8\n"])
def test_not_nvcc_output_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError):
        parse_nvcc_version(text)


def _release_or_full(partial: str, full: str) -> None:
    # A cut inside "V12.8.93" falls back to "release 12.8": less precise, never wrong.
    assert partial == full or full.startswith(partial + "."), (partial, full)


@pytest.mark.parametrize("path", NVCC, ids=lambda p: p.name)
def test_cut_output(path) -> None:
    check_cuts(
        parse_nvcc_version, path.read_text(encoding="utf-8"), agrees=_release_or_full, count=30
    )


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_fuzz(text: str) -> None:
    never_raises_other(parse_nvcc_version, text)
