from __future__ import annotations

from typing import Any

import pytest
from _cutting import check_cuts, fixture_paths, never_raises_other, read
from hypothesis import given, settings
from hypothesis import strategies as st

from envsetup.parsers import ParseError
from envsetup.parsers.collect_env import parse_collect_env

H100 = "NVIDIA H100 80GB HBM3"

# Read off each real report by hand: the fields doctor uses.
EXPECTED: dict[str, dict[str, Any]] = {
    "linux-aarch64-gh200-pypi-torch2.2.2-cpu-cuda-false.txt": {
        "torch_version": "2.2.2",
        "cuda_build": None,
        "cuda_available": False,
        "cuda_runtime": "12.1.105",
        "gpus": ["NVIDIA GH200 480GB"],
        "driver_version": "550.54.15",
        "python_version": "3.12.1",
        "os": "Ubuntu 22.04.4 LTS (aarch64)",
    },
    "jetson-orin-nano-torch-na-cuda11.4-cudnn8.6-aarch64.txt": {
        "torch_version": None,
        "cuda_build": None,
        "cuda_available": None,
        "cuda_runtime": "11.4.315",
        "gpus": [],
        "driver_version": None,
        "cudnn_versions": ["8.6.0"],
        "python_version": "3.8.10",
        "os": "Ubuntu 20.04.6 LTS (aarch64)",
    },
    "linux-torch1.10.2-cu113-conda-cuda-false.txt": {
        "torch_version": "1.10.2",
        "cuda_build": "11.3",
        "cuda_available": False,
        "cuda_runtime": "11.3.109",
        "gpus": [],
        "driver_version": None,
        "cudnn_versions": [],
        "python_version": "3.6.13",
    },
    "linux-torch2.3.1-cu121-8x-h100-nvidia-kernel-cudnn8.9.6.txt": {
        "torch_version": "2.3.1+cu121",
        "cuda_build": "12.1",
        "cuda_available": True,
        "cuda_runtime": "12.2.140",
        "gpus": [H100] * 8,
        "driver_version": "550.90.07",
        "cudnn_versions": ["8.9.6"],
    },
    "linux-torch2.5.0.dev-cu121-a100-mig-3g.40gb.txt": {
        "torch_version": "2.5.0.dev20240705+cu121",
        "cuda_runtime": "12.4.131",
        "gpus": ["NVIDIA A100-SXM4-80GB"],
        "mig_devices": ["MIG 3g.40gb Device 0", "MIG 3g.40gb Device 1"],
        "driver_version": "535.161.08",
        "cudnn_versions": ["9.1.0"],
    },
    "linux-torch2.6.0-cu124-8x-h100-centos-stream9-cudnn8-and-9.txt": {
        "torch_version": "2.6.0+cu124",
        "cuda_build": "12.4",
        "cuda_runtime": None,
        "gpus": ["NVIDIA H100"] * 8,
        "driver_version": "535.154.05",
        "cudnn_versions": ["8.9.2", "9.7.1"],
        "os": "CentOS Stream 9 (x86_64)",
        "python_version": "3.12.0",
    },
    "linux-torch2.6.0-cu126-rtx5090d-sm120-warning-driver570.txt": {
        "torch_version": "2.6.0+cu126",
        "cuda_available": True,
        "gpus": ["NVIDIA GeForce RTX 5090 D"],
        "driver_version": "570.124.04",
        "cudnn_versions": ["9.8.0"],
    },
    "linux-torch2.9.1-cu126-h100-driver580-conda-forge.txt": {
        "torch_version": "2.9.1+cu126",
        "cuda_build": "12.6",
        "cuda_runtime": "12.6.85",
        "gpus": [H100],
        "driver_version": "580.126.09",
        "cudnn_versions": [],
        "xpu_available": False,
        "python_version": "3.11.14",
    },
    "macos-arm64-torch1.13.0.dev-conda-forge-m1.txt": {
        "torch_version": "1.13.0.dev20220525",
        "cuda_build": None,
        "cuda_available": False,
        "gpus": [],
        "os": "macOS 12.2.1 (arm64)",
        "python_platform": "macOS-12.2.1-arm64-arm-64bit",
    },
    "macos-x86_64-torch2.2.2.txt": {
        "torch_version": "2.2.2",
        "cuda_available": False,
        "python_version": "3.10.13",  # the wrapped line still gives the version
        "os": "macOS 14.5 (x86_64)",
    },
    "rocm-torch1.7.0a0-rocm3.7.txt": {
        "torch_version": "1.7.0a0+9ddd3df",
        "cuda_build": None,
        "rocm_build": "3.7.20315-077bcfa0",
        "cuda_available": True,
        "gpus": ["Device 66a1"],
        "hip_runtime": "3.18.2",
        "miopen_runtime": "2.6.0",
        "python_version": "3.6",
    },
    "scalellm-torch2.4.0-cu124-a100-80gb-pcie-topology.txt": {
        "torch_version": "2.4.0+cu124",
        "gpus": ["NVIDIA A100 80GB PCIe"],
        "driver_version": "550.90.07",
        "nccl_version": "2.20.5",
    },
    "windows-cpu-torch2.8.0.dev-cpu.txt": {
        "torch_version": "2.8.0.dev20250528+cpu",
        "cuda_build": None,
        "cuda_available": False,
        "python_platform": "Windows-10-10.0.22631-SP0",
        "python_version": "3.10.17",
    },
    "wsl2-torch2.4.0-cu121-rtx4070-laptop.txt": {
        "torch_version": "2.4.0+cu121",
        "cuda_build": "12.1",
        "cuda_runtime": "12.4.131",
        "gpus": ["NVIDIA GeForce RTX 4070 Laptop GPU"],
        "driver_version": "551.88",  # the Windows host driver
        "python_platform": "Linux-5.15.153.1-microsoft-standard-WSL2-x86_64-with-glibc2.35",
    },
}


def test_every_fixture_has_an_expectation() -> None:
    assert {path.name for path in fixture_paths("collect_env")} == set(EXPECTED)


@pytest.mark.parametrize(("name", "expected"), EXPECTED.items())
def test_report(name: str, expected: dict) -> None:
    fields = parse_collect_env(read("collect_env", name))
    assert {key: fields[key] for key in expected} == expected


def test_cudnn_libraries_are_listed() -> None:
    name = "linux-torch2.6.0-cu124-8x-h100-centos-stream9-cudnn8-and-9.txt"
    libraries = parse_collect_env(read("collect_env", name))["cudnn_libraries"]
    assert libraries[:2] == ["/usr/lib64/libcudnn.so.8.9.2", "/usr/lib64/libcudnn.so.9.7.1"]
    assert len(libraries) == 7


@pytest.mark.parametrize(
    "text", ["", "Collecting environment information...\n", "OS: Ubuntu 22.04\n", "PyTorch version"]
)
def test_not_collect_env_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError, match="PyTorch version"):
        parse_collect_env(text)


@pytest.mark.parametrize("name", EXPECTED)
def test_cut_reports(name: str) -> None:
    check_cuts(parse_collect_env, read("collect_env", name), count=10)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_fuzz(text: str) -> None:
    never_raises_other(parse_collect_env, text)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(EXPECTED)), st.integers(0, 3000), st.text(max_size=10))
def test_fuzz_damaged_reports(name: str, at: int, insert: str) -> None:
    text = read("collect_env", name)
    at = at % (len(text) + 1)
    never_raises_other(parse_collect_env, text[:at] + insert + text[at:])


def test_a_first_line_joined_to_the_next_is_read_as_two() -> None:
    # pytorch/pytorch #145670 as GitHub shows it (tests/fixtures/paste/collect-env, SOURCES.tsv):
    # "Collecting environment information...<blanks>PyTorch version: 2.7.0.dev20250123+rocm6.3".
    text = read("paste/collect-env", "rocm-joined-first-line-rx5700xt-gfx1010-torch2.7-rocm6.3.txt")
    assert text.startswith("Collecting environment information...   ")
    fields = parse_collect_env(text)
    assert fields["torch_version"] == "2.7.0.dev20250123+rocm6.3"
    assert fields["rocm_build"] == "6.3.42131-fa1d09cbd"
    assert fields["gpus"] == ["AMD Radeon RX 5700 XT (gfx1010:xnack-)"]
