from __future__ import annotations

from typing import Optional

import pytest
from _cutting import check_cuts, fixture_paths, never_raises_other, read
from hypothesis import given, settings
from hypothesis import strategies as st

from envsetup.parsers import ParseError
from envsetup.parsers.torch_build import (
    flavor_from_local_version,
    marker_environment,
    parse_metadata_requires,
    parse_torch_version_py,
)

LINUX_X86_64 = marker_environment(system="Linux", machine="x86_64", python_version="3.12.3")
LINUX_AARCH64 = marker_environment(system="Linux", machine="aarch64", python_version="3.12.3")
WINDOWS = marker_environment(system="Windows", machine="AMD64", python_version="3.12.3")
MACOS = marker_environment(system="Darwin", machine="arm64", python_version="3.12.3")

VERSION_FILES = {
    "version.py-2.14.1.txt": {
        "__version__": "2.14.1+cu130",
        "debug": False,
        "cuda": "13.0",
        "git_version": "5c4886908584029761b579af026dcfb627c84070",
        "hip": None,
        "rocm": None,
        "xpu": None,
    },
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


AARCH64_WHEEL_2_7_1 = "requires-dist-2.7.1-pypi-manylinux-aarch64-rg.txt"


def test_requires_of_the_pypi_wheel_on_linux_x86_64() -> None:
    text = read("torch", AARCH64_WHEEL_2_7_1)
    assert parse_metadata_requires(text, LINUX_X86_64) == PYPI_2_7_1_PINS


@pytest.mark.parametrize("target", [LINUX_AARCH64, WINDOWS, MACOS])
def test_the_2_7_1_pins_hold_only_on_linux_x86_64(target: dict) -> None:
    # Every nvidia-* pin says platform_machine == "x86_64": the aarch64 wheel this metadata came
    # from installs no CUDA wheels (a GB200 or Jetson gets a CPU torch from PyPI). The regex
    # before packaging.markers read only platform_system and found 14 pins there.
    assert parse_metadata_requires(read("torch", AARCH64_WHEEL_2_7_1), target) == {}


PYPI_2_14_1_PINS = {
    "nvidia-cudnn-cu13": "9.24.0.43",
    "nvidia-cusparselt-cu13": "0.8.1",
    "nvidia-nccl-cu13": "2.30.7",
    "nvidia-nvshmem-cu13": "3.4.5",
}


@pytest.mark.parametrize(
    ("target", "pins"),
    [
        (LINUX_X86_64, PYPI_2_14_1_PINS),
        (LINUX_AARCH64, PYPI_2_14_1_PINS),
        (WINDOWS, {}),
        (MACOS, {}),
    ],
)
def test_requires_of_the_2_14_1_wheel(target: dict, pins: dict) -> None:
    # platform_system == "Linux" alone: aarch64 gets the CUDA wheels too; the CUDA toolkit comes
    # as cuda-toolkit[...] (not an nvidia-* name), triton behind python_version < "3.15".
    text = read("torch", "METADATA-2.14.1-pypi-manylinux-x86_64-header.txt")
    assert parse_metadata_requires(text, target) == pins


@pytest.mark.parametrize(
    "name", ["METADATA-2.13.0+cpu.txt", "requires-dist-2.7.1+cpu-manylinux-aarch64-rg.txt"]
)
@pytest.mark.parametrize("target", [LINUX_X86_64, LINUX_AARCH64, WINDOWS])
def test_cpu_wheels_pin_nothing(name: str, target: dict) -> None:
    assert parse_metadata_requires(read("torch", name), target) == {}


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
    assert parse_metadata_requires(text, LINUX_X86_64) == {"nvidia-cudnn-cu12": "8.9.2.26"}
    assert parse_metadata_requires(text, WINDOWS) == {"nvidia-nccl-cu12": "2.19.3"}


# Constructed (not captured) lines in the forms PEP 508 allows and the regex misread: it ignored
# `or`, and took the first platform_system it saw as the whole marker.
OR_MARKERS = (
    "Metadata-Version: 2.1\n"
    'Requires-Dist: nvidia-nccl-cu12==2.26.2; platform_system == "Linux" and '
    '(platform_machine == "x86_64" or platform_machine == "aarch64")\n'
    'Requires-Dist: nvidia-cudnn-cu12==9.5.1.17; platform_system == "Windows" or '
    'platform_system == "Linux"\n'
    'Requires-Dist: nvidia-cufft-cu12==11.3.0.4; platform_machine == "aarch64" or '
    'platform_system == "Windows" and python_version < "3.9"\n'
    'Requires-Dist: nvidia-nvtx-cu12==12.6.77; sys_platform == "win32" or python_version >= "3.13"\n'
)


@pytest.mark.parametrize(
    ("target", "pins"),
    [
        (LINUX_X86_64, {"nvidia-nccl-cu12": "2.26.2", "nvidia-cudnn-cu12": "9.5.1.17"}),
        (
            LINUX_AARCH64,
            {
                "nvidia-nccl-cu12": "2.26.2",
                "nvidia-cudnn-cu12": "9.5.1.17",
                "nvidia-cufft-cu12": "11.3.0.4",
            },
        ),
        (WINDOWS, {"nvidia-cudnn-cu12": "9.5.1.17", "nvidia-nvtx-cu12": "12.6.77"}),
        (
            marker_environment(system="Linux", machine="x86_64", python_version="3.13.1"),
            {
                "nvidia-nccl-cu12": "2.26.2",
                "nvidia-cudnn-cu12": "9.5.1.17",
                "nvidia-nvtx-cu12": "12.6.77",
            },
        ),
        (MACOS, {}),
    ],
)
def test_or_and_precedence_are_pep_508s(target: dict, pins: dict) -> None:
    assert parse_metadata_requires(OR_MARKERS, target) == pins


def test_the_target_python_decides_not_envsetups() -> None:
    line = 'Requires-Dist: nvidia-nvtx-cu12==12.6.77; python_version < "3.9"\n'
    old = marker_environment(system="Linux", machine="x86_64", python_version="3.8.18")
    assert parse_metadata_requires(line, old) == {"nvidia-nvtx-cu12": "12.6.77"}
    assert parse_metadata_requires(line, LINUX_X86_64) == {}


def test_without_the_target_python_a_pin_counts_when_some_python_gets_it() -> None:
    unknown = marker_environment(system="Linux", machine="x86_64", python_version="")
    text = (
        'Requires-Dist: nvidia-nvtx-cu12==12.6.77; python_version < "3.9"\n'
        'Requires-Dist: nvidia-nccl-cu12==2.26.2; platform_system == "Windows" and python_version < "3.9"\n'
    )
    assert parse_metadata_requires(text, unknown) == {"nvidia-nvtx-cu12": "12.6.77"}


def test_the_environment_names_every_marker_variable() -> None:
    # packaging fills a variable the environment leaves out from the interpreter running
    # envsetup, which is not the one torch is installed in.
    from packaging.markers import default_environment

    assert set(default_environment()) <= set(LINUX_X86_64)


def test_requires_cut() -> None:
    text = read("torch", AARCH64_WHEEL_2_7_1)
    check_cuts(lambda cut: parse_metadata_requires(cut, LINUX_X86_64), text, count=40)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_fuzz(text: str) -> None:
    never_raises_other(parse_torch_version_py, text)
    never_raises_other(flavor_from_local_version, text)
    parse_metadata_requires(text, LINUX_X86_64)
    parse_metadata_requires(text, marker_environment(system="", machine="", python_version=text))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(VERSION_FILES)), st.integers(0, 400), st.text(max_size=8))
def test_fuzz_damaged_version_files(name: str, at: int, insert: Optional[str]) -> None:
    text = read("torch", name)
    at = at % (len(text) + 1)
    never_raises_other(parse_torch_version_py, text[:at] + (insert or "") + text[at:])
