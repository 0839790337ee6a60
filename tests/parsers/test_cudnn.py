from __future__ import annotations

import pytest
from _cutting import check_cuts, fixture_paths, never_raises_other, read
from hypothesis import given, settings
from hypothesis import strategies as st

from envsetup.parsers import ParseError
from envsetup.parsers.cudnn import cudnn_version_from_filename, parse_cudnn_header

HEADERS = {
    "cudnn_version.h-9.6.0-block.txt": "9.6.0",
    "cudnn_version.h-8.2.1-block.txt": "8.2.1",
    "cudnn.h-7.2.1-block.txt": "7.2.1",
}


def test_every_fixture_has_an_expectation() -> None:
    assert {path.name for path in fixture_paths("cudnn")} == set(HEADERS)


@pytest.mark.parametrize(("name", "version"), HEADERS.items())
def test_header_version(name: str, version: str) -> None:
    assert parse_cudnn_header(read("cudnn", name)) == version


@pytest.mark.parametrize("name", HEADERS)
def test_cut_header(name: str) -> None:
    check_cuts(parse_cudnn_header, read("cudnn", name), count=30)


def test_header_without_patchlevel_is_a_parse_error() -> None:
    text = read("cudnn", "cudnn_version.h-8.2.1-block.txt").replace(
        "#define CUDNN_PATCHLEVEL 1", ""
    )
    with pytest.raises(ParseError, match="CUDNN_PATCHLEVEL"):
        parse_cudnn_header(text)


@pytest.mark.parametrize(
    ("name", "version"),
    [
        ("libcudnn.so.8.9.2", "8.9.2"),
        ("libcudnn.so.9", "9"),
        ("libcudnn_ops.so.9.1.0", "9.1.0"),
        ("libcudnn_ops_infer.so.8", "8"),
        ("/usr/local/cuda/lib64/libcudnn_cnn_infer.so.8", "8"),
        ("cudnn64_8.dll", "8"),
        ("C:\\Program Files\\NVIDIA\\CUDNN\\v9.1\\bin\\cudnn_ops64_9.dll", "9"),
        ("libcudnn.9.dylib", "9"),
        ("libcudnn.so", None),
        ("libcudart.so.12", None),
        ("cudnn_version.h", None),
        ("", None),
    ],
)
def test_version_from_filename(name: str, version: str | None) -> None:
    assert cudnn_version_from_filename(name) == version


def test_filenames_in_the_ldconfig_fixture() -> None:
    # Real names as ldconfig lists them: every versioned libcudnn_* there is cuDNN 8.
    text = read("libs", "ldconfig-p-grep-cudnn8-nvinfer8-in-usr-local-cuda-lib64-partial.txt")
    names = [line.split()[0] for line in text.splitlines() if line.strip().startswith("libcudnn")]
    versions = {cudnn_version_from_filename(name) for name in names}
    assert versions == {"8", None}


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_fuzz(text: str) -> None:
    never_raises_other(parse_cudnn_header, text)
    cudnn_version_from_filename(text)
