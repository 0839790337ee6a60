"""The shipped nvcc table (src/envsetup/data/nvcc_support.toml): well formed, and the facts its
sources state read back as stated."""

from __future__ import annotations

import pytest

from envsetup.compat import nvcc
from envsetup.model.capability import ComputeCapability


def cc(text: str) -> ComputeCapability:
    return ComputeCapability.parse(text)


def test_every_row_is_well_formed_and_ranges_only_widen() -> None:
    table = nvcc._table()
    for row in table["arch"]:
        first = nvcc.release_of(row["first"])
        removed = nvcc.release_of(row.get("removed", "99.0"))
        assert first is not None and removed is not None and first < removed, row
    highest = [
        (nvcc.release_of(r["cuda"]), r["gcc"][1], r["clang"][1]) for r in table["host_compiler"]
    ]
    assert highest == sorted(highest), "CUDA releases in order, compiler ranges never narrow"
    assert all(
        r["gcc"][0] <= r["gcc"][1] and r["clang"][0] <= r["clang"][1]
        for r in table["host_compiler"]
    )


@pytest.mark.parametrize(
    ("cuda", "capability", "supported"),
    [
        ("11.0.221", "8.6", False),  # sm_86 came with CUDA 11.1 (OpenGVLab/InternImage#284)
        ("11.1.105", "8.6", True),
        ("10.1.243", "8.6", False),  # case 09
        ("11.7.99", "9.0", False),  # NVIDIA/thrust#1948: Unsupported gpu architecture 'compute_90'
        ("11.8", "8.9", True),
        ("12.6", "10.0", False),  # NVIDIA/cuda-samples#367: compute_100 needs 12.8+
        ("12.8.93", "12.0", True),
        ("12.8", "12.1", False),  # GB10 from 12.9
        ("12.9", "10.3", True),
        ("12.9", "11.0", False),  # Thor's sm_110 from 13.0 (sm_101 before)
        ("13.0", "11.0", True),
        ("11.8", "3.7", True),  # Kepler sm_37 dropped in 12.0
        ("12.0", "3.7", False),
        ("12.9", "7.0", True),  # Maxwell to Volta dropped in 13.0
        ("13.0", "7.0", False),
        ("13.0", "7.5", True),
    ],
)
def test_arch_support(cuda: str, capability: str, supported: bool) -> None:
    found = nvcc.arch_support(cuda, cc(capability))
    assert found is not None and found.supported is supported


def test_unlisted_is_unknown() -> None:
    assert nvcc.arch_support("13.0", cc("10.7")) is None  # Rubin: no sourced first release yet
    assert nvcc.arch_support("garbage", cc("8.6")) is None
    assert nvcc.host_compiler_range("13.2", "gcc") is None  # not in the table: no judgement
    assert nvcc.host_compiler_range("12.2", "msvc") is None


@pytest.mark.parametrize(
    ("cuda", "gcc_highest"),
    [
        ("11.8.89", 11),  # vectorch-ai/ScaleLLM#185: "gcc versions later than 11"
        ("12.0", 12),  # hank-ai/darknet#129: host_config.h `#if __GNUC__ > 12`
        ("12.1", 12),  # NVlabs/instant-ngp#1562: gcc 13.2 refused
        ("12.5", 13),  # karpathy/llm.c#824: "later than 13"
        ("12.8", 14),  # pytorch/pytorch#173366: CUDA 12.8's `#if __GNUC__ > 14`
        ("10.1.243", 8),  # NVIDIA's CUDA 10.1 notes: GCC 8 added (nixpkgs nvcc-compatibilities)
    ],
)
def test_gcc_ranges_match_what_host_config_h_said(cuda: str, gcc_highest: int) -> None:
    found = nvcc.host_compiler_range(cuda, "gcc")
    assert found is not None and found.highest == gcc_highest


@pytest.mark.parametrize(
    "cuda, target, entry",
    [
        ("11.5", "8.9", "8.6"),  # sm_86 cubin runs on 8.9 (same major); 8.7 (Orin) is not offered
        ("11.0", "8.6", "8.0"),  # lbin/DCNv2 #25's CUDA 11.0 on an sm_86 GPU
        ("11.7", "9.0", "8.6+PTX"),  # no 9.x below 9.0: the highest lower one's PTX, JIT-compiled
        ("12.6", "12.0", "9.0+PTX"),
        ("4.0", "3.5", None),  # a release the table gives no arch
    ],
)
def test_stand_in(cuda: str, target: str, entry: object) -> None:
    assert nvcc.stand_in(cuda, cc(target)) == entry


def test_known_capabilities_follow_the_table() -> None:
    known = nvcc.known_capabilities("12.2")
    assert cc("3.5") not in known and cc("5.0") in known and cc("9.0") in known
    assert cc("10.0") not in known
    assert nvcc.known_capabilities("x") == []
