"""The kinds behind case 07 and the container cases, on other machines: NVSwitch boards (fabric
state, the fabric manager's version and service) and containers without the GPU passed through.

Hosts are built by hand (tests/hostbuilder.py) around real outputs from tests/fixtures/fabric
(SOURCES.tsv): the Fabric blocks of `nvidia-smi -q` (Azure/azhpc-images #506,
kubernetes-sigs/dra-driver-nvidia-gpu #626), `nv-fabricmanager --version` (leptonai/gpud),
`nvidia-container-cli info`; the rest of each host (its NVML answer, the `nvidia-smi -q` header
around the real blocks, systemctl's one word) is written here, plainly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest

from doctor.conftest import Doctor, ids
from envsetup.model.gpu_access import fabric_module, nvswitch_board
from envsetup.parsers.fabric import (
    parse_container_cli_info,
    parse_fabric_manager_version,
    parse_package_version,
    parse_smi_fabric,
    parse_smi_xml_fabric,
)
from envsetup.render.finding_words import words_for
from hostbuilder import HostSpec, fixture_text
from scripts import run_envsetup

SMI = "/usr/bin/nvidia-smi"
FM = "/usr/bin/nv-fabricmanager"
SYSTEMCTL = "/usr/bin/systemctl"
H100 = "NVIDIA H100 80GB HBM3"
A100 = "NVIDIA A100-SXM4-80GB"
SUCCESS = "fabric/smi-q-fabric-completed-success-health-unhealthy.txt"
FAILED = "fabric/smi-q-fabric-completed-insufficient-resources.txt"
# As nvidia-smi -q prints a GPU before its registration completes (NVIDIA/NVSentinel issue #883:
# "Not Started" -> "In Progress" -> "Completed"); written here in the real blocks' layout.
IN_PROGRESS = "Fabric\n    State : In Progress\n    Status : N/A\n    CliqueId : N/A\n"
NOT_SUPPORTED = "Fabric\n    State : N/A\n    Status : N/A\n"


def nvml(names: list[str], driver: str, cuda: int = 12020) -> dict:
    return {
        "driver_version": driver,
        "cuda_driver_version": cuda,
        "devices": [
            {"index": i, "name": name, "uuid": f"GPU-{i:08d}", "compute_capability": "9.0"}
            for i, name in enumerate(names)
        ],
    }


def smi_q(names: list[str], driver: str, fabric: str) -> str:
    """`nvidia-smi -q`: its banner and header, then each GPU with the given Fabric block."""
    lines = ["", "==============NVSMI LOG==============", "", f"Driver Version : {driver}"]
    lines += ["CUDA Version : 12.2", "", f"Attached GPUs : {len(names)}"]
    for i, name in enumerate(names):
        lines += [f"GPU 00000000:{0x18 + i:02X}:00.0", f"    Product Name : {name}"]
        lines += ["    " + line for line in fabric.strip("\n").splitlines()]
    return "\n".join(lines) + "\n"


def board(
    names: list[str],
    driver: str,
    fabric: Optional[str] = None,
    manager: Optional[str] = None,
    state: Optional[str] = "active",
) -> HostSpec:
    """A bare-metal HGX host: NVML, nvidia-smi -q with `fabric` (a fixture or a block), the fabric
    manager of version `manager` (None: not installed) and its service in `state`."""
    spec = HostSpec(nvml=nvml(names, driver))
    spec.files["/etc/os-release"] = fixture_text("os/os-release-ubuntu-22.04.2.txt")
    spec.markers.append("/dev/nvidiactl")
    spec.which["nvidia-smi"] = SMI
    if fabric is not None:
        block = fixture_text(fabric) if fabric.endswith(".txt") else fabric
        spec.command([SMI, "-q"], smi_q(names, driver, block))
    spec.which["systemctl"] = SYSTEMCTL
    if state is not None:
        spec.command([SYSTEMCTL, "is-active", "nvidia-fabricmanager"], state + "\n",
                     0 if state == "active" else 3)  # fmt: skip
    if manager is not None:
        spec.which["nv-fabricmanager"] = FM
        version = fixture_text("fabric/nv-fabricmanager-version-535.161.08.txt")
        spec.command([FM, "--version"], version.replace("535.161.08", manager))
    else:
        spec.which["dpkg-query"] = "/usr/bin/dpkg-query"
        spec.command(["/usr/bin/dpkg-query", "-W", "-f=${Package} ${Version}\\n", "*fabricmanager*"],
                     "", 1, stderr="dpkg-query: no packages found matching *fabricmanager*\n")  # fmt: skip
    return spec


# --- the parsers, on the real outputs -------------------------------------------------------


def test_the_real_fabric_blocks_read_as_state_and_status() -> None:
    text = smi_q([H100, H100], "550.54.15", fixture_text(SUCCESS))
    gpus = parse_smi_fabric(text)
    assert [(g.index, g.state, g.status, g.clique_id) for g in gpus] == [
        (0, "Completed", "Success", "2"),
        (1, "Completed", "Success", "2"),
    ]
    assert gpus[0].cluster_uuid == "dc6e40c4-d722-4357-9ba6-5291dd461278"
    failed = parse_smi_fabric(smi_q([H100], "550.54.15", fixture_text(FAILED)))
    assert (failed[0].state, failed[0].status) == ("Completed", "Insufficient Resources")


def test_the_a100_xml_log_has_a_fabric_of_state_n_a() -> None:
    gpus = parse_smi_xml_fabric(
        fixture_text("nvidia-smi-query/nvidia-smi-q-x-a100-sxm4-v12.xml.txt")
    )
    assert gpus and {(g.state, g.status) for g in gpus} == {("N/A", "N/A")}


def test_fabric_manager_and_package_versions() -> None:
    text = fixture_text("fabric/nv-fabricmanager-version-535.161.08.txt")
    assert parse_fabric_manager_version(text) == "535.161.08"
    assert parse_fabric_manager_version("nv-fabricmanager: command not found\n") is None
    assert parse_package_version("nvidia-fabricmanager-535 535.183.01-1\n") == "535.183.01"


def test_nvidia_container_cli_info() -> None:
    driver, models = parse_container_cli_info(
        fixture_text("fabric/nvidia-container-cli-info-4x-t4.txt")
    )
    assert driver == "575.57.08" and models == ["NVIDIA Tesla T4"] * 2


def test_which_boards_carry_nvswitches() -> None:
    assert nvswitch_board([H100] * 8) and nvswitch_board([A100] * 8)
    assert nvswitch_board(["NVIDIA B200"] * 8) and nvswitch_board(["Tesla V100-SXM3-32GB"] * 16)
    assert not nvswitch_board([A100] * 4)  # HGX A100 4-GPU: direct NVLink
    assert not nvswitch_board(["NVIDIA H100 PCIe"] * 8) and not nvswitch_board(
        ["NVIDIA H100 NVL"] * 8
    )
    assert not nvswitch_board(["Tesla V100-SXM2-32GB"] * 8)  # DGX-1: hybrid cube mesh
    assert not fabric_module("NVIDIA GeForce RTX 4090") and not fabric_module("NVIDIA H200 NVL")


# --- NVSwitch systems -------------------------------------------------------------------------


def test_8x_h100_with_a_completed_fabric_and_a_matching_manager_has_no_finding(
    doctor: Doctor,
) -> None:
    facts, findings = doctor(board([H100] * 8, "550.54.15", SUCCESS, manager="550.54.15"))
    fabric = facts.gpu_access.fabric
    assert fabric.nvswitch and fabric.manager_version == "550.54.15"
    assert fabric.manager_state == "active" and len(fabric.gpus) == 8
    assert not ids(findings) & {"cuda-fabric-manager-not-ready", "fabric-manager-not-installed",
                                "nvswitch-fabric-failed", "nvswitch-fabric-unchecked"}  # fmt: skip


def test_8x_a100_with_nvswitch_nodes_and_a_matching_manager_has_no_finding(doctor: Doctor) -> None:
    spec = board([A100] * 8, "535.54.03", NOT_SUPPORTED, manager="535.54.03")
    spec.markers += [f"/dev/nvidia-nvswitch{i}" for i in range(6)]
    facts, findings = doctor(spec)
    assert facts.gpu_access.fabric.evidence[0].startswith("NVSwitch devices: /dev/nvidia-nvswitch0")
    assert not {f.id for f in findings if "fabric" in f.id or "nvswitch" in f.id}


def test_a_manager_of_another_version_is_the_802_finding_before_any_error(doctor: Doctor) -> None:
    # The versions of case 07 (dstackai/dstack #2348), on bare metal where both can be read.
    spec = board([H100] * 8, "535.230.02", IN_PROGRESS, manager="535.183.01", state="failed")
    facts, findings = doctor(spec)
    assert facts.gpu_access.fabric.manager_source == f"command:{FM} --version"
    found = next(f for f in findings if f.id == "cuda-fabric-manager-not-ready")
    assert found.params["fabricmanager"] == "535.183.01" and found.params["driver"] == "535.230.02"
    assert (
        found.params["manager_state"] == "failed" and found.params["fabric_state"] == "In Progress"
    )
    assert found.params["not_ready_gpus"] == list(range(8))
    words = words_for(found)
    assert words.title.startswith("The NVSwitch fabric manager is not ready")
    assert "535.183.01 != driver 535.230.02" in words.title
    assert "exactly the driver's version (535.230.02" in words.fix


def test_a_stopped_manager_of_the_right_version_is_still_not_ready(doctor: Doctor) -> None:
    spec = board([H100] * 8, "550.54.15", IN_PROGRESS, manager="550.54.15", state="inactive")
    _, findings = doctor(spec)
    found = next(f for f in findings if f.id == "cuda-fabric-manager-not-ready")
    assert found.params["fabricmanager"] is None and found.params["manager_state"] == "inactive"


def test_the_service_state_is_read_from_systemctl_status_when_that_is_recorded(
    doctor: Doctor,
) -> None:
    """A hand-made recording of `systemctl status` (systemd's "Active:" line, written here)."""
    spec = board([H100] * 8, "550.54.15", IN_PROGRESS, manager="550.54.15", state=None)
    status = (
        "× nvidia-fabricmanager.service - NVIDIA fabric manager service\n"
        "     Loaded: loaded (/lib/systemd/system/nvidia-fabricmanager.service; enabled)\n"
        "     Active: failed (Result: exit-code) since Tue 2026-02-17 10:00:00 UTC\n"
    )
    spec.command([SYSTEMCTL, "status", "nvidia-fabricmanager"], status, 3)
    facts, findings = doctor(spec)
    assert facts.gpu_access.fabric.manager_state == "failed"
    assert "cuda-fabric-manager-not-ready" in ids(findings)


def test_no_manager_installed_on_an_nvswitch_board(doctor: Doctor) -> None:
    spec = board([H100] * 8, "550.54.15", IN_PROGRESS, manager=None, state="inactive")
    facts, findings = doctor(spec)
    assert facts.gpu_access.fabric.manager_package_absent
    found = next(f for f in findings if f.id == "fabric-manager-not-installed")
    assert "nvidia-fabricmanager-550=550.54.15-1" in words_for(found).fix
    assert "cuda-fabric-manager-not-ready" not in ids(findings)  # one finding, the cause


def test_no_manager_on_centos_7_is_installed_with_yum_pinned_to_the_driver(doctor: Doctor) -> None:
    # wilicc/gpu-burn #92: CentOS 7 (real os-release), 8x H100, driver 545.23.08; rpm answers
    # "not installed" (written here in rpm's words). CentOS 7 has yum, not dnf.
    spec = board([H100] * 8, "545.23.08", IN_PROGRESS, manager=None, state="inactive")
    spec.files["/etc/os-release"] = fixture_text("os/os-release-centos-7.txt")
    del spec.which["dpkg-query"]
    spec.which["rpm"] = "/usr/bin/rpm"
    spec.command(["/usr/bin/rpm", "-q", "--qf", "%{VERSION}\\n", "nvidia-fabric-manager"],
                 "package nvidia-fabric-manager is not installed\n", 1)  # fmt: skip
    _facts, findings = doctor(spec)
    found = next(f for f in findings if f.id == "fabric-manager-not-installed")
    fix = words_for(found).fix
    assert found.params["packager"] == "yum"
    assert "`sudo yum install nvidia-fabricmanager-545-545.23.08-1`" in fix
    assert "dnf" not in fix and "apt" not in fix


def test_a_gpu_that_failed_to_register_loses_its_nvlink_peers(doctor: Doctor) -> None:
    spec = board([H100] * 8, "550.54.15", FAILED, manager="550.54.15")
    _, findings = doctor(spec)
    found = next(f for f in findings if f.id == "nvswitch-fabric-failed")
    assert found.params["status"] == "Insufficient Resources" and found.params["gpus"] == list(
        range(8)
    )


def test_pcie_gpus_without_nvswitch_ask_nothing_of_the_fabric(doctor: Doctor) -> None:
    # 8x H100 PCIe: no NVSwitch; nvidia-smi -q is not even recorded (asked, it would fail the test
    # only by a finding: the recording answers not-found).
    spec = board(["NVIDIA H100 PCIe"] * 8, "550.54.15", None, manager=None, state=None)
    facts, findings = doctor(spec)
    assert not facts.gpu_access.fabric.nvswitch and facts.gpu_access.fabric.evidence == []
    assert not {f.id for f in findings if "fabric" in f.id or "nvswitch" in f.id}


def test_a_4_gpu_hgx_a100_board_has_no_nvswitch(doctor: Doctor) -> None:
    spec = board([A100] * 4, "535.54.03", NOT_SUPPORTED, manager=None, state=None)
    facts, findings = doctor(spec)
    assert not facts.gpu_access.fabric.nvswitch
    assert not {f.id for f in findings if "fabric" in f.id or "nvswitch" in f.id}


def test_a_gb200_rack_node_has_no_fabric_manager_of_its_own(doctor: Doctor) -> None:
    spec = board(["NVIDIA GB200"] * 4, "570.133.20", SUCCESS, manager=None, state="inactive")
    spec.machine = "aarch64"
    facts, findings = doctor(spec)
    fabric = facts.gpu_access.fabric
    assert fabric.nvswitch and not fabric.manager_on_host and fabric.manager_state is None
    assert not {f.id for f in findings if "fabric" in f.id or "nvswitch" in f.id}


# --- containers -------------------------------------------------------------------------------


def container(kind: str) -> HostSpec:
    spec = HostSpec(
        python="/usr/bin/python3",
        python_version="3.10.12",
        site_packages=["/usr/local/lib/python3.10/dist-packages"],
    )
    spec.files["/etc/os-release"] = fixture_text("os/os-release-ubuntu-22.04.2.txt")
    if kind == "docker":
        spec.markers.append("/.dockerenv")
    else:
        spec.environ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1"
    spec.torch_wheel("/usr/local/lib/python3.10/dist-packages", "torch/version.py-2.7.1+cu126.txt")
    return spec


def test_a_docker_container_without_the_gpu(doctor: Doctor) -> None:
    facts, findings = doctor(container("docker"))
    assert facts.os.container == "docker" and facts.gpu_access.container.device_nodes == []
    found = next(f for f in findings if f.id == "container-gpu-not-passed")
    assert found.severity == "error" and found.params["wants_gpu"]  # a CUDA build of torch
    words = words_for(found)
    assert "docker run --gpus all" in words.fix and "never inside the container" in words.fix
    assert "gpu-without-driver" not in ids(findings)


def test_a_kubernetes_pod_without_the_gpu_names_the_resource_request(doctor: Doctor) -> None:
    spec = container("kubernetes")
    # The node's kernel shows through /proc: the host has a driver, the pod has no device.
    spec.files["/proc/driver/nvidia/version"] = fixture_text(
        "driver/proc-driver-nvidia-version-open-565.57.01-ubuntu24.04.txt"
    )
    facts, findings = doctor(spec)
    assert facts.os.container == "kubernetes"
    found = next(f for f in findings if f.id == "container-gpu-not-passed")
    assert found.params["host_driver"] == "565.57.01"
    words = words_for(found)
    assert "nvidia.com/gpu" in words.fix and "do not install one inside" in words.fix


def test_device_nodes_without_the_driver_s_libraries(doctor: Doctor) -> None:
    spec = container("docker")
    spec.markers += ["/dev/nvidiactl", "/dev/nvidia0", "/dev/nvidia-uvm"]
    facts, findings = doctor(spec)
    assert facts.gpu_access.container.device_nodes == [
        "/dev/nvidia-uvm",
        "/dev/nvidia0",
        "/dev/nvidiactl",
    ]
    assert "container-gpu-not-passed" not in ids(findings)
    found = next(f for f in findings if f.id == "container-driver-libs-missing")
    assert "--gpus all" in words_for(found).fix


def test_a_container_with_the_gpu_passed_through_has_no_container_finding(doctor: Doctor) -> None:
    spec = container("docker")
    spec.nvml = nvml(["NVIDIA GeForce RTX 3090"], "535.129.03")
    spec.markers += ["/dev/nvidiactl", "/dev/nvidia0"]
    spec.which["nvidia-container-cli"] = "/usr/bin/nvidia-container-cli"
    spec.command(
        ["/usr/bin/nvidia-container-cli", "info"],
        fixture_text("fabric/nvidia-container-cli-info-4x-t4.txt"),
    )
    facts, findings = doctor(spec)
    assert facts.gpu_access.container.cli_driver == "575.57.08"
    assert not ids(findings) & {"container-gpu-not-passed", "container-driver-libs-missing"}


def test_bare_metal_without_a_driver_keeps_the_driver_findings(doctor: Doctor) -> None:
    """Outside a container, no driver is still "install the driver" (toolkit-without-driver)."""
    spec = HostSpec()
    spec.files["/etc/os-release"] = fixture_text("os/os-release-ubuntu-22.04.2.txt")
    spec.which["nvcc"] = "/usr/local/cuda-12.4/bin/nvcc"
    spec.markers.append("/usr/local/cuda-12.4/bin/nvcc")
    spec.files["/usr/local/cuda-12.4/include/cuda.h"] = "#define CUDA_VERSION 12040\n"
    spec.realpath["/usr/local/cuda"] = "/usr/local/cuda-12.4"
    spec.markers.append("/usr/local/cuda")
    facts, findings = doctor(spec)
    assert facts.os.container is None
    assert not ids(findings) & {"container-gpu-not-passed", "container-driver-libs-missing"}
    found = next(f for f in findings if f.id == "toolkit-without-driver")
    assert found.params["container"] is None
    assert words_for(found).fix.startswith("On a machine with an NVIDIA GPU, install the driver")


def test_a_ci_container_with_a_toolkit_gets_one_finding_worded_for_the_container(
    doctor: Doctor,
) -> None:
    """The recorded CI machine (a Debian 12 container, CUDA 13.0 toolkit, no GPU): the toolkit
    finding says the container's fix, and no second finding repeats it."""
    from pathlib import Path

    from envsetup.diagnose import diagnose
    from envsetup.host.recorded import RecordedHost
    from envsetup.probe import probe_all
    from envsetup.profiles.lookup import lookup_build
    from hostbuilder import FIXTURES

    facts = probe_all(RecordedHost(str(Path(FIXTURES) / "hosts" / "ci-debian12-cuda13-no-driver")))
    findings = diagnose(facts, lookup_build)
    assert [f.id for f in findings] == ["toolkit-without-driver"]
    words = words_for(findings[0])
    assert "docker container has no GPU passed through" in words.title
    assert "never install one inside the container" in words.fix
    assert "CUDA 13.0 needs driver >= 580" in words.fix


def test_every_fabric_and_container_id_is_made_worded_and_documented(doctor: Doctor) -> None:
    """Each id of render/words/fabric.py comes out of one of the hosts above; every finding on
    them is worded from its params (one-line title, fix commands a POSIX shell splits) and has
    its row in docs/findings.md."""
    import re
    from pathlib import Path

    from doctor.test_doctor_words import assert_worded
    from envsetup.render.words.fabric import WORDS

    hosts = [
        board([H100] * 8, "535.230.02", IN_PROGRESS, manager="535.183.01", state="failed"),
        board([H100] * 8, "550.54.15", IN_PROGRESS, manager=None, state="inactive"),
        board([H100] * 8, "550.54.15", FAILED, manager="550.54.15"),
        board([H100] * 8, "550.54.15", None, manager=None, state=None),
        container("docker"),
        container("kubernetes"),
    ]
    hosts[3].markers.append("/.dockerenv")  # inside a container: the manager is not looked at
    libs = container("docker")
    libs.markers += ["/dev/nvidiactl", "/dev/nvidia0"]
    made: set[str] = set()
    for spec in [*hosts, libs]:
        _, findings = doctor(spec)
        for finding in findings:
            assert_worded(finding)
        made |= ids(findings)
    assert set(WORDS) | {"cuda-fabric-manager-not-ready"} <= made
    docs = (Path(__file__).resolve().parents[2] / "docs" / "findings.md").read_text(
        encoding="utf-8"
    )
    assert set(WORDS) <= set(re.findall(r"^\| `([a-z0-9-]+)` \|", docs, re.M))


def test_an_amd_container_is_not_an_nvidia_pass_through_problem(doctor: Doctor) -> None:
    spec = container("docker")
    spec.markers.append("/dev/kfd")  # `docker run --device /dev/kfd --device /dev/dri` (ROCm)
    facts, findings = doctor(spec)
    assert facts.gpu_access.container.amd_kfd
    assert not ids(findings) & {"container-gpu-not-passed", "container-driver-libs-missing"}


# --- the attack-11 review: F1, F2, F3, L1 -----------------------------------------------------

DPKG = "/usr/bin/dpkg-query"
DPKG_STATUS = ["-W", "-f=${db:Status-Abbrev} ${Package} ${Version}\\n", "*fabricmanager*"]


def test_a_package_query_reads_only_installed_packages_and_the_newest() -> None:
    # dpkg-query's layout with ${db:Status-Abbrev}, written here: after a branch change the old
    # branch's package stays known to dpkg in state "rc" (removed, configuration kept).
    both = "rc  nvidia-fabricmanager-525 525.85.12-1\nii  nvidia-fabricmanager-535 535.230.02-1\n"
    assert parse_package_version(both) == "535.230.02"
    assert parse_package_version("rc  nvidia-fabricmanager-525 525.85.12-1\n") is None
    # Without the status column: the newest of the lines, not the first.
    old = "nvidia-fabricmanager-525 525.85.12-1\nnvidia-fabricmanager-535 535.230.02-1\n"
    assert parse_package_version(old) == "535.230.02"
    assert parse_package_version("535.183.01\n") == "535.183.01"  # rpm --qf %{VERSION}


def test_a_stale_package_line_does_not_outrank_a_completed_fabric(doctor: Doctor) -> None:
    """F1: every GPU Completed/Success (the real block, dra-driver-nvidia-gpu #626) and the
    service active: CUDA starts, whatever a package line says. The dpkg lines are written here."""
    spec = board([H100] * 8, "535.230.02", SUCCESS, manager=None, state="active")
    spec.command([DPKG, *DPKG_STATUS],
                 "rc  nvidia-fabricmanager-525 525.85.12-1\nii  nvidia-fabricmanager-535 535.230.02-1\n")  # fmt: skip
    facts, findings = doctor(spec)
    assert facts.gpu_access.fabric.manager_version == "535.230.02"
    assert not {f.id for f in findings if "fabric" in f.id or "nvswitch" in f.id}
    # A recording without the status column and a stale first line: still no 802 prediction.
    spec = board([H100] * 8, "535.230.02", SUCCESS, manager=None, state="active")
    spec.command([DPKG, "-W", "-f=${Package} ${Version}\\n", "*fabricmanager*"],
                 "nvidia-fabricmanager-535 535.230.02-1\nnvidia-fabricmanager-525 525.85.12-1\n")  # fmt: skip
    _, findings = doctor(spec)
    assert "cuda-fabric-manager-not-ready" not in ids(findings)


def test_a_mismatched_manager_with_gpus_not_joined_is_still_the_802_finding(doctor: Doctor) -> None:
    spec = board([H100] * 8, "535.230.02", IN_PROGRESS, manager=None, state="active")
    spec.command([DPKG, *DPKG_STATUS], "ii  nvidia-fabricmanager-535 535.183.01-1\n")
    _, findings = doctor(spec)
    found = next(f for f in findings if f.id == "cuda-fabric-manager-not-ready")
    assert found.params["fabricmanager"] == "535.183.01"


def test_a_gb200_tray_whose_fabric_is_not_ready_is_sent_to_the_switch_trays(
    doctor: Doctor,
) -> None:
    """F2: GB200 NVL, fabric In Progress (NVIDIA/gpu-operator #2511's values), the compute
    tray's nvidia-fabricmanager inactive, as is normal there (leptonai/gpud #1106)."""
    spec = board(["NVIDIA GB200"] * 4, "570.133.20", IN_PROGRESS, manager=None, state="inactive")
    spec.machine = "aarch64"
    _, findings = doctor(spec)
    found = next(f for f in findings if f.id == "cuda-fabric-manager-not-ready")
    assert found.params["on_host"] is False
    fix = words_for(found).fix
    assert "switch trays" in fix and "Install nvidia-fabricmanager" not in fix


def test_inside_a_container_the_fabric_manager_fix_is_on_the_host(doctor: Doctor) -> None:
    """F3: an HGX container whose GPUs have not joined the fabric: the fix is the host's."""
    spec = board([H100] * 8, "535.230.02", IN_PROGRESS, manager=None, state=None)
    spec.markers.append("/.dockerenv")
    _, findings = doctor(spec)
    found = next(f for f in findings if f.id == "cuda-fabric-manager-not-ready")
    assert found.params["container"] == "docker"
    assert words_for(found).fix.startswith("On the host, not inside this docker container")


def test_a_cpu_only_container_without_a_gpu_is_told_so_not_to_restart(doctor: Doctor) -> None:
    """L1: a CPU build of torch and nothing else wanting a GPU (a CI or CPU-serving image)."""
    spec = container("docker")
    spec.torch_wheel("/usr/local/lib/python3.10/dist-packages", "torch/version.py-2.13.0+cpu.txt")
    _, findings = doctor(spec)
    found = next(f for f in findings if f.id == "container-gpu-not-passed")
    assert found.severity == "info" and found.params["cpu_only"]
    assert not words_for(found).fix.startswith("Restart")


# --- L2: blanks in text output ------------------------------------------------------------------


def test_a_recording_that_names_no_os_prints_unknown_not_blanks(tmp_path: Path) -> None:
    """A recording with empty platform.system / platform.machine (what `explain --no-host
    --record` writes for a paste), built here: doctor says "unknown", check-command refuses in
    one line naming the missing keys, install names no blank OS."""
    spec = HostSpec(nvml=nvml(["NVIDIA GeForce RTX 4090"], "552.60"))
    spec.system, spec.machine, spec.python = "", "", ""
    host = spec.write(tmp_path / "host")
    text = run_envsetup("doctor", "--replay", host).stdout
    assert "OS             unknown (architecture unknown)" in text and "();" not in text
    assert " at  " not in text and "at an unknown path" in text
    command = "pip install torch==2.5.1 --index-url https://download.pytorch.org/whl/cu124"
    checked = run_envsetup("check-command", "--replay", host, command)
    assert checked.returncode != 0 and "platform.system" in checked.stderr
    assert "for  on" not in checked.stderr + checked.stdout
    installed = run_envsetup("install", "--dry-run", "--replay", host)
    assert "an unknown OS on an unknown CPU architecture" in installed.stdout + installed.stderr


def test_an_amd_container_shows_its_amd_device_not_a_missing_nvidia_one(doctor: Doctor) -> None:
    from envsetup.render.gpu_access_text import gpu_access_rows

    spec = container("docker")
    spec.markers.append("/dev/kfd")
    facts, _ = doctor(spec)
    rows: list[tuple[str, str, str]] = []
    gpu_access_rows(lambda mark, label, value, source="": rows.append((mark, label, value)), facts)
    assert ("ok", "Container GPU", "/dev/kfd (AMD, ROCm)") in rows


# --- a container without its GPU, doctor --deep: torch's own error defers to the container -----

DEEP_FALSE = '{"cuda_available": false, "device_count": 0, "arch_list": [], "duration_s": 1.0}'


def _deep_stderr(spec: HostSpec, stderr: str) -> HostSpec:
    spec.command(
        [spec.python, "-c", "*", "envsetup-deep"], f"ENVSETUP-DEEP {DEEP_FALSE}\n", 0, stderr=stderr
    )
    return spec


@pytest.mark.parametrize("kind", ["docker", "kubernetes"])
@pytest.mark.parametrize(
    "stderr",
    [
        "torch-errors/no-nvidia-driver-found.txt",  # pytorch3d #1259: torch's own sentence
        "paste/errors/torch-no-nvidia-driver-found.txt",
    ],
)
def test_deep_no_driver_inside_a_container_is_the_container_s_finding_only(
    doctor: Doctor, kind: str, stderr: str
) -> None:
    facts, findings = doctor(_deep_stderr(container(kind), fixture_text(stderr)), deep=True)
    assert facts.torch.deep.ran and facts.os.container == kind
    assert "container-gpu-not-passed" in ids(findings)
    assert "torch-no-nvidia-driver" not in ids(findings)
    assert not any("reboot" in words_for(f).fix for f in findings)


def test_the_recorded_docker_container_without_gpus_nvidia_docker_1234(tmp_path: Path) -> None:
    """attack12c host 12 (tests/fixtures/hosts SOURCES.tsv): torch 1.4's 'Found no NVIDIA driver'
    in a container run without --gpus: one finding, restart it with the GPU."""
    from envsetup.diagnose import diagnose
    from envsetup.host.recorded import RecordedHost
    from envsetup.probe import probe_all
    from envsetup.profiles.lookup import lookup_build
    from hostbuilder import case_host

    facts = probe_all(RecordedHost(str(case_host("docker-without-gpus-torch1.4"))), deep=True)
    findings = diagnose(facts, lookup_build)
    assert (
        "Found no NVIDIA driver on your system. Please check that you"
        in facts.torch.deep.stderr_tail
    )
    assert ids(findings) == {"container-gpu-not-passed"}
    assert "docker run --gpus all" in words_for(findings[0]).fix


def test_deep_no_driver_on_a_bare_host_keeps_torch_s_finding(doctor: Doctor) -> None:
    spec = HostSpec(
        python="/usr/bin/python3",
        python_version="3.10.12",
        site_packages=["/usr/local/lib/python3.10/dist-packages"],
    )
    spec.files["/etc/os-release"] = fixture_text("os/os-release-ubuntu-22.04.2.txt")
    spec.torch_wheel("/usr/local/lib/python3.10/dist-packages", "torch/version.py-2.7.1+cu126.txt")
    stderr = fixture_text("torch-errors/no-nvidia-driver-found.txt")
    facts, findings = doctor(_deep_stderr(spec, stderr), deep=True)
    assert not facts.os.container
    assert "torch-no-nvidia-driver" in ids(findings)


def test_nvml_insufficient_permissions_in_a_container_is_its_own_finding(doctor: Doctor) -> None:
    """nvidia-smi's real message (NVIDIA/nvidia-container-toolkit #210, tests/fixtures/explain/
    container): the driver answers, the device nodes are refused."""
    spec = container("docker")
    spec.markers += ["/dev/nvidiactl", "/dev/nvidia0"]
    message = fixture_text("explain/container/podman-cdi-nvml-insufficient-permissions.txt")
    spec.command([SMI], message.splitlines()[2] + "\n", 255)
    spec.which["nvidia-smi"] = SMI
    facts, findings = doctor(spec)
    assert facts.nvidia.smi_failure == "nvml-insufficient-permissions"
    found = next(f for f in findings if f.id == "nvml-insufficient-permissions")
    assert found.params["runtime"] == "docker"
    assert "nvidia-smi-failed" not in ids(findings)


def test_cuda_version_na_in_a_kubernetes_pod_gets_pod_words_not_docker_s() -> None:
    """attack12c host 13 (tests/fixtures/hosts SOURCES.tsv; NVIDIA/k8s-device-plugin #257): a
    pod with the device nodes and nvidia-smi but 'CUDA Version: N/A'."""
    from envsetup.diagnose import diagnose
    from envsetup.host.recorded import RecordedHost
    from envsetup.probe import probe_all
    from envsetup.profiles.lookup import lookup_build
    from hostbuilder import case_host

    facts = probe_all(RecordedHost(str(case_host("k8s-pod-cuda-version-na"))))
    found = next(f for f in diagnose(facts, lookup_build) if f.id == "driver-cuda-unusable")
    assert found.params["container"] == "kubernetes"
    words = words_for(found)
    assert "NVIDIA_DRIVER_CAPABILITIES=compute" in words.fix and "runtimeClassName" in words.fix
    assert "--gpus" not in words.fix and "wsl" not in words.fix.lower()


def test_cuda_version_na_in_a_docker_container_gets_the_container_s_words(doctor: Doctor) -> None:
    spec = container("docker")
    spec.markers += ["/dev/nvidiactl", "/dev/nvidia0"]
    header = "nvidia-smi/460.73.01-cuda-version-na-in-device-plugin-pod-header.txt"
    spec.command([SMI], fixture_text(header, skip=1), 0)
    spec.which["nvidia-smi"] = SMI
    _facts, findings = doctor(spec)
    found = next(f for f in findings if f.id == "driver-cuda-unusable")
    assert found.params["container"] == "docker"
    assert "--gpus all" in words_for(found).fix and "wsl" not in words_for(found).fix.lower()
