from __future__ import annotations

from typing import Optional

import pytest
from _cutting import check_cuts, fixture_paths, never_raises_other, read
from hypothesis import given, settings
from hypothesis import strategies as st

from envsetup.parsers import ParseError
from envsetup.parsers.torch_build import (
    flavor_from_local_version,
    parse_metadata_requires,
    parse_torch_version_py,
)

VERSION_FILES = {
    "version.py-2.13.0+cpu.txt": {
        "__version__": "2.13.0+cpu",
        "debug": False,
        "cuda": None,
        "git_version": "cf30153c4c131c8164ee7798e5022d810682e2cb",
        "hip": None,
        "rocm": None,
        "xpu": None,
    },
    "version.py-2.7.1+cu126.txt": {
        "__version__": "2.7.1+cu126",
        "debug": False,
        "cuda": "12.6",
        "git_version": "e2d141dbde55c2a4370fac5165b0561b6af4798b",
        "hip": None,
        "xpu": None,
    },
    "version.py-2.2.1+cu121.txt": {
        "__version__": "2.2.1+cu121",
        "debug": False,
        "cuda": "12.1",
        "git_version": "6c8c5ad5eaf47a62fafbb4a2747198cbffbf1ff0",
        "hip": None,
    },
}


def test_every_version_file_has_an_expectation() -> None:
    assert {path.name for path in fixture_paths("torch", "version.py-*")} == set(VERSION_FILES)


@pytest.mark.parametrize(("name", "expected"), VERSION_FILES.items())
def test_version_py(name: str, expected: dict) -> None:
    assert parse_torch_version_py(read("torch", name)) == expected


@pytest.mark.parametrize("name", VERSION_FILES)
def test_version_py_cut(name: str) -> None:
    check_cuts(parse_torch_version_py, read("torch", name), count=40)


def test_version_py_is_never_executed() -> None:
    text = "import os\nos.system('false')\n__version__ = compute()\ncuda = '12.1'\n"
    with pytest.raises(ParseError, match="no literal __version__"):
        parse_torch_version_py(text)


@pytest.mark.parametrize("text", ["", "__version__ = '2.4.0\n", "\x00", "cuda = '12.1'\n"])
def test_version_py_garbage_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError):
        parse_torch_version_py(text)


@pytest.mark.parametrize(
    ("version", "flavor"),
    [
        ("2.4.0+cu121", ("cuda", "12.1")),
        ("2.7.1+cu126", ("cuda", "12.6")),
        ("1.7.1+cu92", ("cuda", "9.2")),
        ("1.10.2+cu102", ("cuda", "10.2")),
        ("2.9.0+cu130", ("cuda", "13.0")),
        ("2.13.0+cpu", ("cpu", None)),
        ("1.13.1+cpu.cxx11.abi", ("cpu", None)),
        ("2.8.0.dev20250528+cpu", ("cpu", None)),
        ("2.4.0+rocm6.1", ("rocm", "6.1")),
        ("2.5.1+rocm6.2", ("rocm", "6.2")),
        ("2.6.0+rocm6.2.4", ("rocm", "6.2.4")),
        ("2.7.0+xpu", ("xpu", None)),
        ("2.4.0", ("none-local", None)),
        ("1.13.0.dev20220601", ("none-local", None)),
        ("2.10.0a0+gite67e3d9", ("other", None)),
    ],
)
def test_flavor(version: str, flavor: tuple) -> None:
    assert flavor_from_local_version(version) == flavor


def test_flavor_of_every_version_file() -> None:
    for name, fields in VERSION_FILES.items():
        kind, cuda = flavor_from_local_version(fields["__version__"])
        assert (kind, cuda) == (("cuda", fields["cuda"]) if fields["cuda"] else ("cpu", None)), name


@pytest.mark.parametrize("version", ["", "+cu121", "N/A", "torch"])
def test_flavor_of_garbage_is_a_parse_error(version: str) -> None:
    with pytest.raises(ParseError, match="not a torch version"):
        flavor_from_local_version(version)


PYPI_2_7_1_PINS = {
    "nvidia-cuda-nvrtc-cu12": "12.6.77",
    "nvidia-cuda-runtime-cu12": "12.6.77",
    "nvidia-cuda-cupti-cu12": "12.6.80",
    "nvidia-cudnn-cu12": "9.5.1.17",
    "nvidia-cublas-cu12": "12.6.4.1",
    "nvidia-cufft-cu12": "11.3.0.4",
    "nvidia-curand-cu12": "10.3.7.77",
    "nvidia-cusolver-cu12": "11.7.1.2",
    "nvidia-cusparse-cu12": "12.5.4.2",
    "nvidia-cusparselt-cu12": "0.6.3",
    "nvidia-nccl-cu12": "2.26.2",
    "nvidia-nvtx-cu12": "12.6.77",
    "nvidia-nvjitlink-cu12": "12.6.85",
    "nvidia-cufile-cu12": "1.11.1.6",
}


def test_requires_of_the_pypi_wheel() -> None:
    text = read("torch", "requires-dist-2.7.1-pypi-manylinux-aarch64-rg.txt")
    assert parse_metadata_requires(text) == PYPI_2_7_1_PINS


@pytest.mark.parametrize(
    "name", ["METADATA-2.13.0+cpu.txt", "requires-dist-2.7.1+cpu-manylinux-aarch64-rg.txt"]
)
def test_cpu_wheels_pin_nothing(name: str) -> None:
    assert parse_metadata_requires(read("torch", name)) == {}


def test_parenthesised_pins_and_other_platforms() -> None:
    # torch 2.1-2.3 wrote "name (==version)"; a pin for Windows only or an extra does not count.
    text = (
        "Metadata-Version: 2.1\n"
        'Requires-Dist: nvidia-cudnn-cu12 (==8.9.2.26) ; platform_system == "Linux"\n'
        'Requires-Dist: nvidia-nccl-cu12 (==2.19.3) ; platform_system == "Windows"\n'
        'Requires-Dist: nvidia-cublas-cu12==12.1.3.1; extra == "cuda"\n'
        "\n"
        "Requires-Dist: nvidia-from-the-readme==1.0\n"
    )
    assert parse_metadata_requires(text) == {"nvidia-cudnn-cu12": "8.9.2.26"}


def test_requires_cut() -> None:
    text = read("torch", "requires-dist-2.7.1-pypi-manylinux-aarch64-rg.txt")
    check_cuts(parse_metadata_requires, text, count=40)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_fuzz(text: str) -> None:
    never_raises_other(parse_torch_version_py, text)
    never_raises_other(flavor_from_local_version, text)
    parse_metadata_requires(text)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(VERSION_FILES)), st.integers(0, 400), st.text(max_size=8))
def test_fuzz_damaged_version_files(name: str, at: int, insert: Optional[str]) -> None:
    text = read("torch", name)
    at = at % (len(text) + 1)
    never_raises_other(parse_torch_version_py, text[:at] + (insert or "") + text[at:])
