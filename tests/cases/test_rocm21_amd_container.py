"""Issue 11's kind "containers on AMD": a container without the AMD GPU gets AMD's way of passing
it in (/dev/kfd and /dev/dri for Docker and Podman, the `amd.com/gpu` resource of AMD's device
plugin on Kubernetes), never NVIDIA's `--gpus all`.

The hosts are built here by hand (HostSpec): a container marker (/.dockerenv, /run/.containerenv
or KUBERNETES_SERVICE_HOST), /opt/rocm/.info/version of a ROCm image (the version string of the
real case 10's host), a torch of the flavour each test names, no /dev/kfd unless said.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest

from envsetup.diagnose import diagnose
from envsetup.diagnose.finding import Finding
from envsetup.host.recorded import RecordedHost
from envsetup.probe import probe_all
from envsetup.profiles.lookup import lookup_build
from envsetup.render.finding_words import words_for
from hostbuilder import HostSpec, fixture_text

SITE = "/home/u/.venv/lib/python3.10/site-packages"
ROCM_VERSION = "5.1.1-91\n"  # /opt/rocm/.info/version's form: release and build number


def container_host(
    runtime: str, torch: str, hip: Optional[str], rocm_image: bool, kfd: bool
) -> HostSpec:
    spec = HostSpec(
        python="/home/u/.venv/bin/python",
        python_version="3.10.12",
        prefix="/home/u/.venv",
        site_packages=[SITE],
        libc="glibc 2.35",
    )
    spec.files["/etc/os-release"] = fixture_text("os/os-release-ubuntu-22.04.2.txt")
    spec.markers.append("/home/u/.venv/pyvenv.cfg")
    if runtime == "kubernetes":
        spec.environ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1"
    else:
        spec.markers.append("/.dockerenv" if runtime == "docker" else "/run/.containerenv")
    if kfd:
        spec.markers.append("/dev/kfd")
    if rocm_image:
        spec.files["/opt/rocm/.info/version"] = ROCM_VERSION
    hip_line = f"'{hip}'" if hip else "None"
    cuda_line = "None" if hip or "+cpu" in torch else "'12.4'"
    spec.files[f"{SITE}/torch/version.py"] = (
        f"__version__ = '{torch}'\ndebug = False\ncuda = {cuda_line}\nhip = {hip_line}\n"
    )
    spec.files[f"{SITE}/torch-{torch}.dist-info/METADATA"] = (
        f"Metadata-Version: 2.1\nName: torch\nVersion: {torch}\n"
    )
    return spec


def findings(spec: HostSpec, tmp_path: Path) -> list[Finding]:
    return diagnose(probe_all(RecordedHost(spec.write(tmp_path / "host"))), lookup_build)


@pytest.mark.parametrize(
    ("runtime", "expected"),
    [
        ("docker", "docker run --device=/dev/kfd --device=/dev/dri"),
        ("podman", "podman run --device=/dev/kfd --device=/dev/dri"),
        ("kubernetes", "amd.com/gpu: 1"),
    ],
)
def test_a_rocm_torch_container_without_kfd_gets_its_runtimes_amd_way(
    tmp_path: Path, runtime: str, expected: str
) -> None:
    spec = container_host(
        runtime, "2.3.1+rocm5.7", "5.7.31921-d1770ee1b", rocm_image=False, kfd=False
    )
    found = findings(spec, tmp_path)
    [finding] = [f for f in found if f.id == "rocm-container-no-kfd"]
    fix = words_for(finding).fix
    assert expected in fix
    assert "--gpus all" not in fix and "nvidia.com/gpu" not in fix
    assert "container-gpu-not-passed" not in {f.id for f in found}


def test_a_rocm_image_with_a_cuda_torch_gets_amds_way_not_nvidias(tmp_path: Path) -> None:
    # A ROCm image (/opt/rocm) whose venv holds a CUDA torch, started without the GPU: before,
    # the NVIDIA rule said `--gpus all`; the image is AMD's.
    spec = container_host("docker", "2.5.1+cu124", None, rocm_image=True, kfd=False)
    found = findings(spec, tmp_path)
    ids = {f.id for f in found}
    assert "container-gpu-not-passed" not in ids
    [finding] = [f for f in found if f.id == "rocm-container-no-kfd"]
    assert "--device=/dev/kfd" in words_for(finding).fix
    assert any("ROCm 5.1.1-91" in line for line in finding.evidence)


def test_a_rocm_image_with_kfd_passed_has_no_container_finding(tmp_path: Path) -> None:
    spec = container_host("docker", "2.5.1+cu124", None, rocm_image=True, kfd=True)
    ids = {f.id for f in findings(spec, tmp_path)}
    assert not ids & {"rocm-container-no-kfd", "container-gpu-not-passed"}, ids


def test_a_cuda_container_without_rocm_still_gets_nvidias_way(tmp_path: Path) -> None:
    spec = container_host("docker", "2.5.1+cu124", None, rocm_image=False, kfd=False)
    found = findings(spec, tmp_path)
    assert "rocm-container-no-kfd" not in {f.id for f in found}
    [finding] = [f for f in found if f.id == "container-gpu-not-passed"]
    assert "--gpus all" in words_for(finding).fix
