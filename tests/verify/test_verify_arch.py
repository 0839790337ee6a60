"""The "no kernel image" rule, on the arch lists of real failures (tests/fixtures/torch-errors)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from envsetup.verify.worker_root.envsetup_verify_worker.basic import arch_verdict

FIXTURES = Path(__file__).parent.parent / "fixtures" / "torch-errors"


def capability_and_arch_list(name: str) -> tuple[tuple[int, int], list[str]]:
    """The device capability and the build's arch list, as torch's warning states them."""
    text = (FIXTURES / name).read_text()
    device = re.search(r"CUDA capability sm_(\d+)(\d)\b", text)
    supported = re.search(r"supports CUDA capabilities ((?:sm_\d+\s*)+)", text)
    assert device and supported
    return (int(device.group(1)), int(device.group(2))), supported.group(1).split()


@pytest.mark.parametrize(
    "name",
    ["sm86-not-compatible-rtx3080-laptop.txt", "sm80-a100-not-compatible-with-nvidia-smi.txt"],
)
def test_a_gpu_newer_than_every_architecture_in_the_build_has_no_kernel_image(name: str) -> None:
    (major, minor), arch_list = capability_and_arch_list(name)
    assert arch_verdict(major, minor, arch_list) == ""


def test_the_same_build_runs_an_older_gpu_exactly_or_by_same_major_compatibility() -> None:
    _, arch_list = capability_and_arch_list("sm86-not-compatible-rtx3080-laptop.txt")
    assert arch_verdict(7, 0, arch_list) == "exact"  # V100
    assert arch_verdict(7, 5, arch_list) == "compatible"  # T4 runs the sm_70 cubin
    assert arch_verdict(3, 5, arch_list) == ""  # sm_37 cubins do not run on sm_35


def test_ptx_in_the_list_is_compiled_for_newer_gpus_but_arch_specific_builds_are_not() -> None:
    assert arch_verdict(8, 9, ["sm_80", "compute_80"]) == "compatible"
    assert arch_verdict(9, 0, ["sm_80", "compute_90"]) == "compatible"
    assert arch_verdict(10, 0, ["sm_90a"]) == ""
    assert arch_verdict(8, 0, ["compute_86"]) == ""
