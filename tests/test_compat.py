"""CUDA ↔ driver and GPU-architecture rules (data from NVIDIA's tables, see src/envsetup/data)."""

from __future__ import annotations

import pytest

from envsetup.compat import (
    arch_runs_on,
    decode_cuda_int,
    driver_at_least,
    max_cuda_for_driver,
    min_driver_for_torch_cuda,
    toolkit_driver,
)

# Driver versions as real nvidia-smi headers print them, with the CUDA version in the same header.
REAL_HEADERS = [
    ("450.57", "11.0"),  # nvidia-smi/450.57-titan-xp-single.txt
    ("535.129.03", "12.2"),  # nvidia-smi/535.129.03-2x-rtx3090.txt
    ("550.54.15", "12.4"),  # nvidia-smi/550.54.15-8x-h100-hgx-partial.txt
    ("525.60.13", "12.0"),  # nvidia-smi/525.60.13-2x-grid-a100-40c-vgpu.txt
    ("580.126.09", "13.0"),  # nvidia-smi/580.126.09-a100-sxm4-40gb-multi-partial.txt
    ("595.80", "13.2"),  # nvidia-smi/595.80-l40s-fedora44-full.txt
]


@pytest.mark.parametrize(("driver", "cuda"), REAL_HEADERS)
def test_max_cuda_for_driver_matches_what_real_drivers_report(driver: str, cuda: str) -> None:
    assert max_cuda_for_driver(driver, "Linux") == cuda


def test_torch_cuda_builds_need_the_minor_version_compat_floor() -> None:
    assert min_driver_for_torch_cuda("11.8", "Linux").driver == "450.80.02"
    assert min_driver_for_torch_cuda("cu121", "Linux").driver == "525.60.13"
    assert min_driver_for_torch_cuda("13.0", "Linux").driver == "580"
    assert min_driver_for_torch_cuda("12.1", "Windows").driver == "527.41"
    assert min_driver_for_torch_cuda("9.2", "Linux") is None
    assert driver_at_least("470.86", "525.60.13") is False
    assert driver_at_least("580.126.09", "580") is True
    assert driver_at_least("garbage", "580") is None


def test_toolkit_driver_and_cuda_integer_decoding() -> None:
    assert toolkit_driver("12.8.93", "Linux").driver == "570.26"
    assert toolkit_driver("12.7", "Linux") is None  # there is no CUDA 12.7
    assert decode_cuda_int(12040) == "12.4"
    assert decode_cuda_int(11040) == "11.4"  # "found version 11040" in torch's error


@pytest.mark.parametrize(
    ("arch_list", "capability", "runs"),
    [
        (
            ["sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "sm_86", "sm_90"],
            "8.9",
            True,
        ),  # sm_86 cubin on 8.9
        (["sm_37", "sm_50", "sm_60", "sm_70"], "8.6", False),  # the YOLOv6 cu102 report
        (["sm_37", "sm_50", "sm_60", "sm_70"], "8.0", False),  # A100 on a cu102 wheel
        (
            ["sm_75", "sm_80", "sm_86", "sm_90", "sm_100", "sm_120"],
            "6.1",
            False,
        ),  # GTX 1080 Ti on cu128
        (["5.0", "6.0", "7.0", "7.5", "8.0", "8.6", "9.0"], "12.0", False),  # RTX 5090 on cu126
        (["7.5", "8.0", "8.6", "9.0", "10.0", "12.0+PTX"], "12.1", True),  # PTX JITs forward
        (["sm_80", "compute_80"], "9.0", True),
        (["sm_90a"], "9.0", True),
        (["sm_90a"], "10.0", False),  # arch-specific code runs on that capability only
        ([], "8.6", None),
    ],
)
def test_arch_compatibility_follows_nvidia_rules(
    arch_list: list[str], capability: str, runs: object
) -> None:
    assert arch_runs_on(arch_list, capability) is runs
