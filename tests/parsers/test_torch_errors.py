from __future__ import annotations

from typing import Any, Optional

import pytest
from _cutting import assert_agrees, fixture_paths, read
from hypothesis import given, settings
from hypothesis import strategies as st

from envsetup.parsers.torch_errors import TorchError, classify_torch_error

OLD_ARCH_LIST = ["sm_37", "sm_50", "sm_60", "sm_70"]

# id and the details each real report shows; None where it shows none of the known errors.
EXPECTED: dict[str, Optional[dict[str, Any]]] = {
    "cuda-runtime-error-35-driver-insufficient-torch0.4.txt": {"id": "driver-too-old"},
    "driver-too-old-10010-torch1.7.1-falls-back-cpu.txt": {
        "id": "driver-too-old",
        "found_driver_cuda": "10.1",
    },
    "driver-too-old-11040-rtx3050-470.86.txt": {
        "id": "driver-too-old",
        "found_driver_cuda": "11.4",
    },
    "driver-too-old-9000-assertionerror-old-format.txt": {
        "id": "driver-too-old",
        "found_driver_cuda": "9.0",
    },
    "libcudnn-cnn-infer-so8-libcuda-missing.txt": {
        "id": "missing-library",
        "missing_library": "libcuda.so",
        "needed_by": "libcudnn_cnn_infer.so.8",
    },
    "libcudnn-cnn-infer-so8-libnvrtc-missing.txt": {
        "id": "missing-library",
        "missing_library": "libnvrtc.so",
        "needed_by": "libcudnn_cnn_infer.so.8",
    },
    "libcudnn-ops-infer-so8-missing-only-cudnn9-installed.txt": {
        "id": "missing-library",
        "missing_library": "libcudnn_ops_infer.so.8",
        "needed_by": None,
    },
    "no-kernel-image-available-old-format.txt": {"id": "no-kernel-image", "gpu_arch": None},
    "rocm-collect-env-indexerror-hip-runtime.txt": None,
    "rocm-no-hip-gpus-available.txt": {"id": "no-hip-gpus"},
    "sm80-a100-not-compatible-with-nvidia-smi.txt": {
        "id": "no-kernel-image",
        "gpu_name": "A100-SXM4-40GB",
        "gpu_arch": "sm_80",
        "arch_list": OLD_ARCH_LIST,
    },
    "sm86-not-compatible-rtx3080-laptop.txt": {
        "id": "no-kernel-image",
        "gpu_name": "NVIDIA GeForce RTX 3080 Laptop GPU",
        "gpu_arch": "sm_86",
        "arch_list": OLD_ARCH_LIST,
    },
    "undefined-symbol-cudaLaunchKernelExC-libcudart.txt": {
        "id": "undefined-symbol",
        "symbol": "cudaLaunchKernelExC",
        "symbol_library": "libcudart.so.11.0",
        "needed_by": "/home/anaconda3/envs/mol/lib/python3.9/site-packages/torch/lib/libtorch_cuda.so",
    },
    "no-nvidia-driver-found.txt": {"id": "no-driver"},
    "not-compiled-with-cuda-check-driver.txt": {"id": "not-compiled-with-cuda"},
}


def test_every_fixture_has_an_expectation() -> None:
    assert {path.name for path in fixture_paths("torch-errors")} == set(EXPECTED)


@pytest.mark.parametrize(("name", "expected"), EXPECTED.items())
def test_error(name: str, expected: Optional[dict]) -> None:
    text = read("torch-errors", name)
    error = classify_torch_error(text)
    if expected is None:
        assert error is None
        return
    assert error is not None
    assert {key: getattr(error, key) for key in expected} == expected
    assert error.summary
    assert error.evidence and all(line in text for line in error.evidence.splitlines())


def test_details_name_what_was_found() -> None:
    error = classify_torch_error(read("torch-errors", "sm86-not-compatible-rtx3080-laptop.txt"))
    assert error is not None
    assert error.details == {
        "gpu_name": "NVIDIA GeForce RTX 3080 Laptop GPU",
        "gpu_arch": "sm_86",
        "arch_list": "sm_37 sm_50 sm_60 sm_70",
    }


def test_sm120_warning_inside_collect_env() -> None:
    text = read("collect_env", "linux-torch2.6.0-cu126-rtx5090d-sm120-warning-driver570.txt")
    error = classify_torch_error(text)
    assert error is not None
    assert (error.id, error.gpu_name, error.gpu_arch) == (
        "no-kernel-image",
        "NVIDIA GeForce RTX 5090 D",
        "sm_120",
    )
    assert error.arch_list == ["sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "sm_86", "sm_90"]


@pytest.mark.parametrize("path", fixture_paths("nvidia-smi"), ids=lambda p: p.name)
def test_nvidia_smi_output_is_no_torch_error(path) -> None:
    assert classify_torch_error(path.read_text(encoding="utf-8")) is None


def _agrees(cut: Optional[TorchError], whole: Optional[TorchError]) -> None:
    if cut is None:
        return
    assert whole is not None
    # A cut report may stop before the specific error and show an earlier, more general one;
    # it must never show a wrong detail of the same error.
    if cut.id == whole.id:
        assert_agrees(
            {k: v for k, v in vars(cut).items() if k != "evidence"},
            {k: v for k, v in vars(whole).items() if k != "evidence"},
        )


@pytest.mark.parametrize("name", [name for name, value in EXPECTED.items() if value])
def test_cut_reports(name: str) -> None:
    text = read("torch-errors", name)
    whole = classify_torch_error(text)
    for end in range(0, len(text) + 1, 3):
        _agrees(classify_torch_error(text[:end]), whole)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_fuzz(text: str) -> None:
    error = classify_torch_error(text)
    assert error is None or error.id
