"""gcc --version first lines as people pasted them (tests/fixtures/toolchain/SOURCES.tsv)."""

from __future__ import annotations

import pytest
from _cutting import FIXTURES

from envsetup.parsers import ParseError
from envsetup.parsers.host_compiler import parse_compiler_version


@pytest.mark.parametrize(
    ("name", "version"),
    [
        ("gcc-13.2.0-ubuntu24.04-first-line.txt", "13.2.0"),
        ("gcc-13.2.1-redhat-first-line.txt", "13.2.1"),  # the date after it is not the version
    ],
)
def test_gcc_first_lines(name: str, version: str) -> None:
    text = (FIXTURES / "toolchain" / name).read_text(encoding="utf-8")
    assert parse_compiler_version(text) == ("gcc", version)


def test_nvcc_output_is_not_a_compiler_line() -> None:
    text = (FIXTURES / "toolchain" / "nvcc-12.2.91.txt").read_text(encoding="utf-8")
    with pytest.raises(ParseError):
        parse_compiler_version(text)


def test_a_cut_version_is_not_read_as_whole() -> None:
    with pytest.raises(ParseError):
        parse_compiler_version("gcc (Ubuntu 13.2.0-23ubuntu4) 13.")
