"""The nvidia-* wheels an installed torch requires, read from its METADATA for the target machine:
the Requires-Dist markers are evaluated with the recorded host's platform and the target Python."""

from __future__ import annotations

from doctor.conftest import Doctor
from hostbuilder import HostSpec

SITE = "/home/u/.venv/lib/python3.11/site-packages"
CUDA13_PINS = {
    "nvidia-cudnn-cu13": "9.24.0.43",
    "nvidia-cusparselt-cu13": "0.8.1",
    "nvidia-nccl-cu13": "2.30.7",
    "nvidia-nvshmem-cu13": "3.4.5",
}


def _host_with_the_2_14_1_wheel(**kwargs: object) -> HostSpec:
    spec = HostSpec(
        python="/home/u/.venv/bin/python",
        python_version="3.11.7",
        prefix="/home/u/.venv",
        site_packages=[SITE],
        **kwargs,  # type: ignore[arg-type]
    )
    spec.markers.append("/home/u/.venv/pyvenv.cfg")
    return spec.torch_wheel(
        SITE,
        "torch/version.py-2.14.1.txt",
        "torch/METADATA-2.14.1-pypi-manylinux-x86_64-header.txt",
    )


def test_the_pypi_cuda13_wheel_on_linux_requires_its_nvidia_wheels(doctor: Doctor) -> None:
    facts, _ = doctor(_host_with_the_2_14_1_wheel())
    assert facts.torch.version == "2.14.1+cu130" and facts.torch.cuda_version == "13.0"
    assert facts.torch.requires_nvidia == CUDA13_PINS
    assert facts.torch.cudnn_version == "9.24.0.43"  # the cuDNN wheel it pins


def test_the_markers_are_the_recorded_hosts_not_the_running_ones(doctor: Doctor) -> None:
    # The same files on a host that says Windows: every pin is behind platform_system == "Linux",
    # so none applies there, whatever machine runs the tests.
    facts, _ = doctor(_host_with_the_2_14_1_wheel(system="Windows", machine="AMD64"))
    assert facts.torch.version == "2.14.1+cu130"
    assert facts.torch.requires_nvidia == {}
