"""Which nvidia-* wheel ships a CUDA library torch cannot load (diagnose/library_signals.py): the
wheel is named for the CUDA major, the soname carries the library's own major (torch's pins in
tests/fixtures/pypi/requires-dist-torch-2.0.1-* / 2.1.2-*: nvidia-cufft-cu11==10.9.0.58,
nvidia-cufft-cu12==11.0.2.54, nvidia-curand-cu11==10.2.10.91, nvidia-curand-cu12==10.3.2.106)."""

from __future__ import annotations

from typing import Optional

import pytest

from envsetup.diagnose.library_signals import _wheel_for, conda_prefix_of
from envsetup.facts import Facts, OsFacts, PythonFacts
from envsetup.model.compute_platform import TorchFlavor


def facts(cuda: Optional[str] = None, requires: Optional[dict[str, str]] = None) -> Facts:
    found = Facts(os=OsFacts(system="Linux", arch="x86_64"), python=PythonFacts(executable="p"))
    if cuda:
        found.torch.version, found.torch.flavor = (
            f"2.1.2+cu{cuda.replace('.', '')}",
            TorchFlavor.CUDA,
        )
        found.torch.cuda_version = cuda
    found.torch.requires_nvidia = dict(requires or {})
    return found


@pytest.mark.parametrize(
    "family, library, cuda, wheel",
    [
        ("cufft", "libcufft.so.11", None, "nvidia-cufft-cu12"),  # ykdai/Flare7K #14: not -cu11
        ("cufft", "libcufft.so.10", "11.8", "nvidia-cufft-cu11"),
        # cuFFT 11 ships in CUDA 12's wheel: the library names it, whatever torch's CUDA (a
        # program built for CUDA 12 beside a cu118 torch); torch's own pin decides first (below)
        ("cufft", "libcufft.so.11", "11.8", "nvidia-cufft-cu12"),
        ("cufft", "libcufft.so.10.0", None, None),  # CUDA 10.0's soname (pytorch #41975)
        ("curand", "libcurand.so.10", None, None),  # cu11 and cu12 both ship it (jetson #93)
        ("curand", "libcurand.so.10", "12.1", "nvidia-curand-cu12"),
        ("cusolver", "libcusolver.so.11", "11.7", "nvidia-cusolver-cu11"),
        ("cusparse", "libcusparse.so.12", None, "nvidia-cusparse-cu12"),
        ("cublas", "libcublas.so.12", None, "nvidia-cublas-cu12"),
        ("cudart", "libcudart.so.11.0", None, "nvidia-cuda-runtime-cu11"),
        ("cudart", "libcudart.so.10.2", None, None),  # no CUDA 10 wheels
        ("cudnn", "libcudnn.so.8", "12.1", "nvidia-cudnn-cu12"),  # cuDNN's own major
    ],
)
def test_the_wheel_is_named_for_the_cuda_major(
    family: str, library: str, cuda: Optional[str], wheel: Optional[str]
) -> None:
    assert _wheel_for(family, library, facts(cuda)) == wheel


def test_torchs_own_requirement_decides_first() -> None:
    pinned = facts("12.1", {"nvidia-cufft-cu12": "11.0.2.54", "nvidia-curand-cu12": "10.3.2.106"})
    assert _wheel_for("cufft", "libcufft.so.11", pinned) == "nvidia-cufft-cu12"
    assert _wheel_for("curand", "libcurand.so.10", pinned) == "nvidia-curand-cu12"
    # a soname this torch's wheel does not ship (cuFFT 10 is CUDA 11's): not that wheel
    assert _wheel_for("cufft", "libcufft.so.10", pinned) is None


@pytest.mark.parametrize(
    "path, prefix",
    [
        ("/opt/conda/bin/../lib/libcusparse.so.12", "/opt/conda"),  # rapidsai/deployment #487
        ("/home/u/miniconda3/envs/rapids/lib/libcusparse.so.12", "/home/u/miniconda3/envs/rapids"),
        ("/home/u/miniforge3/lib/libcublas.so.12", "/home/u/miniforge3"),
        # pip's wheel inside a conda env is the wheel's (pytorch/pytorch #131312)
        (
            "/home/dp/anaconda3/envs/ComfyUI/lib/python3.11/site-packages/torch/lib/../../nvidia/"
            "cusparse/lib/libcusparse.so.12",
            None,
        ),
        ("/usr/local/cuda-12.1/lib64/libcusparse.so.12", None),
        (None, None),
    ],
)
def test_a_conda_environments_library_is_known_by_its_path(
    path: Optional[str], prefix: Optional[str]
) -> None:
    assert conda_prefix_of(path, facts()) == prefix
