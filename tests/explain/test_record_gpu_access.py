"""explain/record_gpu_access.py: the fabric and container facts doctor read, recorded by
`explain --record`'s writer (explain/record.py recording_of), read back the same by doctor.

The hosts are built as tests/doctor/test_gpu_access.py builds them, around the real outputs in
tests/fixtures/fabric (SOURCES.tsv: the Fabric blocks of Azure/azhpc-images #506 and
kubernetes-sigs/dra-driver-nvidia-gpu #626, `nv-fabricmanager --version` from leptonai/gpud,
`nvidia-container-cli info` of T4s) and tests/fixtures/explain/container (the tool's
"nvml error: driver not loaded", NVIDIA/nvidia-container-toolkit #1269); the rest of each host
(NVML's answer, the `nvidia-smi -q` header around the real blocks, systemctl's one word) is
written here, plainly. Facts a merged explain holds from a host, recorded, come back: before,
the recording held none of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest

from envsetup.diagnose import diagnose
from envsetup.explain.record import recording_of
from envsetup.facts import Facts
from envsetup.host.recorded import RecordedHost
from envsetup.host.recording import write_recording
from envsetup.probe import probe_all
from envsetup.profiles.lookup import lookup_build
from hostbuilder import HostSpec, fixture_text

SMI = "/usr/bin/nvidia-smi"
H100 = "NVIDIA H100 80GB HBM3"
FAILED = "fabric/smi-q-fabric-completed-insufficient-resources.txt"
SUCCESS = "fabric/smi-q-fabric-completed-success-health-unhealthy.txt"
# As nvidia-smi -q prints a GPU before its registration completes (NVIDIA/NVSentinel issue #883).
IN_PROGRESS = "Fabric\n    State : In Progress\n    Status : N/A\n    CliqueId : N/A\n"


def _doctor(directory: str) -> tuple[Facts, list[str]]:
    facts = probe_all(RecordedHost(directory))
    return facts, sorted(f.id for f in diagnose(facts, lookup_build))


def _again(spec: HostSpec, tmp_path: Path) -> tuple[Facts, list[str], Facts, list[str]]:
    """doctor on `spec`, its facts recorded by explain's writer, doctor on that recording."""
    facts, found = _doctor(spec.write(tmp_path / "host"))
    write_recording(str(tmp_path / "recorded"), recording_of(facts))
    again, found_again = _doctor(str(tmp_path / "recorded"))
    return facts, found, again, found_again


def _board(fabric: str, manager: Optional[str], state: Optional[str], os_release: str) -> HostSpec:
    """A bare-metal HGX H100 host, driver 535.230.02 (case 07's), as test_gpu_access.board."""
    names = [H100] * 8
    spec = HostSpec(
        nvml={
            "driver_version": "535.230.02",
            "cuda_driver_version": 12020,
            "devices": [
                {"index": i, "name": n, "uuid": f"GPU-{i:08d}", "compute_capability": "9.0"}
                for i, n in enumerate(names)
            ],
        }
    )
    spec.files["/etc/os-release"] = fixture_text(os_release)
    spec.markers.append("/dev/nvidiactl")
    spec.which["nvidia-smi"] = SMI
    block = fixture_text(fabric) if fabric.endswith(".txt") else fabric
    lines = ["", "==============NVSMI LOG==============", "", "Driver Version : 535.230.02"]
    for i, name in enumerate(names):
        lines += [f"GPU 00000000:{0x18 + i:02X}:00.0", f"    Product Name : {name}"]
        lines += ["    " + line for line in block.strip("\n").splitlines()]
    spec.command([SMI, "-q"], "\n".join(lines) + "\n")
    spec.which["systemctl"] = "/usr/bin/systemctl"
    if state is not None:
        spec.command(["/usr/bin/systemctl", "is-active", "nvidia-fabricmanager"], state + "\n",
                     0 if state == "active" else 3)  # fmt: skip
    if manager is not None:
        spec.which["nv-fabricmanager"] = "/usr/bin/nv-fabricmanager"
        version = fixture_text("fabric/nv-fabricmanager-version-535.161.08.txt")
        spec.command(
            ["/usr/bin/nv-fabricmanager", "--version"], version.replace("535.161.08", manager)
        )
    elif "ubuntu" in os_release:
        spec.which["dpkg-query"] = "/usr/bin/dpkg-query"
        spec.command(["/usr/bin/dpkg-query", "-W", "-f=${db:Status-Abbrev} ${Package} ${Version}\\n",
                      "*fabricmanager*"], "", 1,
                     stderr="dpkg-query: no packages found matching *fabricmanager*\n")  # fmt: skip
    else:
        spec.which["rpm"] = "/usr/bin/rpm"
        spec.command(["/usr/bin/rpm", "-q", "--qf", "%{VERSION}\\n", "nvidia-fabric-manager"],
                     "package nvidia-fabric-manager is not installed\n", 1)  # fmt: skip
    return spec


UBUNTU = "os/os-release-ubuntu-22.04.2.txt"


@pytest.mark.parametrize(
    ("fabric", "manager", "state", "os_release", "want"),
    [
        # case 07's kind: the fabric manager a version behind the driver, its service failed
        (IN_PROGRESS, "535.183.01", "failed", UBUNTU, ["cuda-fabric-manager-not-ready"]),
        # the fabric manager never installed (dpkg-query finds no package)
        (IN_PROGRESS, None, "inactive", UBUNTU, ["fabric-manager-not-installed"]),
        # registration failed on every GPU (Azure/azhpc-images #506)
        (FAILED, "535.230.02", "active", UBUNTU, ["nvswitch-fabric-failed"]),
        # all joined: nothing to say
        (SUCCESS, "535.230.02", "active", UBUNTU, []),
    ],
    ids=["version-behind", "not-installed", "fabric-failed", "joined"],
)
def test_a_board_s_fabric_facts_come_back(
    fabric: str,
    manager: Optional[str],
    state: Optional[str],
    os_release: str,
    want: list[str],
    tmp_path: Path,
) -> None:
    facts, found, again, found_again = _again(_board(fabric, manager, state, os_release), tmp_path)
    fabric_ids = [i for i in found if "fabric" in i]
    assert fabric_ids == want
    assert [i for i in found_again if "fabric" in i] == want
    assert again.gpu_access.fabric.gpus == facts.gpu_access.fabric.gpus
    for key in ("nvswitch", "manager_version", "manager_state", "manager_package_absent"):
        assert getattr(again.gpu_access.fabric, key) == getattr(facts.gpu_access.fabric, key), key


def test_no_package_on_a_rpm_distribution_comes_back(tmp_path: Path) -> None:
    """Rocky Linux 9 (rpm): the package query recorded as rpm's "not installed"."""
    spec = _board(IN_PROGRESS, None, "inactive", "os/os-release-rocky-9.txt")
    facts, found, again, found_again = _again(spec, tmp_path)
    assert facts.gpu_access.fabric.manager_package_absent
    assert again.gpu_access.fabric.manager_package_absent
    assert "fabric-manager-not-installed" in found and "fabric-manager-not-installed" in found_again


def _container() -> HostSpec:
    spec = HostSpec(
        python="/usr/bin/python3",
        python_version="3.10.12",
        site_packages=["/usr/local/lib/python3.10/dist-packages"],
    )
    spec.files["/etc/os-release"] = fixture_text(UBUNTU)
    spec.markers.append("/.dockerenv")
    spec.torch_wheel("/usr/local/lib/python3.10/dist-packages", "torch/version.py-2.7.1+cu126.txt")
    spec.which["nvidia-container-cli"] = "/usr/bin/nvidia-container-cli"
    return spec


def test_a_container_s_device_nodes_and_nvidia_container_cli_info_come_back(
    tmp_path: Path,
) -> None:
    spec = _container()
    spec.markers += ["/dev/nvidiactl", "/dev/nvidia0", "/dev/nvidia-uvm"]
    spec.command(
        ["/usr/bin/nvidia-container-cli", "info"],
        fixture_text("fabric/nvidia-container-cli-info-4x-t4.txt"),
    )
    facts, found, again, found_again = _again(spec, tmp_path)
    box = facts.gpu_access.container
    assert box.cli_driver == "575.57.08" and box.cli_gpus == ["NVIDIA Tesla T4"] * 2
    assert again.gpu_access.container == box
    assert found_again == found
    assert "container-driver-libs-missing" in found  # nodes without the driver's libraries


def test_nvidia_container_cli_s_failure_comes_back(tmp_path: Path) -> None:
    spec = _container()
    text = fixture_text("explain/container/nvidia-container-cli-info-nvml-driver-not-loaded.txt")
    error = text[text.index("nvidia-container-cli: ") :].strip().strip("`")
    spec.command(["/usr/bin/nvidia-container-cli", "info"], "", 1, stderr=error + "\n")
    facts, found, again, found_again = _again(spec, tmp_path)
    assert facts.gpu_access.container.cli_error == error
    assert again.gpu_access.container == facts.gpu_access.container
    assert found_again == found
    assert "container-gpu-not-passed" in found
