"""`explain PASTE --no-host --record DIR`, then `doctor --replay DIR` (with --deep where the
recording answers torch's check): real pastes (tests/fixtures/paste/*/SOURCES.tsv) come back
with the same findings and the facts the paste stated, as real processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from explain.corpus import FIXTURES

PASTE = FIXTURES / "paste"
# Findings about the paste itself (lines explain could not place): no recording holds them.
_ABOUT_THE_PASTE = {"could-not-read"}


def _run(*args: str) -> dict[str, Any]:
    process = subprocess.run(
        [sys.executable, "-m", "envsetup", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert process.returncode in (0, 1), process.stderr
    return json.loads(process.stdout)  # type: ignore[no-any-return]


def round_trip(paste: Path, tmp_path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    record = tmp_path / "recorded"
    explained = _run("explain", str(paste), "--no-host", "--json", "--record", str(record))
    # Replayed as explain's own hint says: with --deep where the recording answers torch's check.
    deep = "envsetup-deep" in (record / "host.json").read_text(encoding="utf-8")
    replayed = _run("doctor", "--replay", str(record), "--json", *(["--deep"] if deep else []))
    return explained, replayed


def ids(document: dict[str, Any]) -> list[str]:
    return sorted(f["id"] for f in document["findings"] if f["id"] not in _ABOUT_THE_PASTE)


@pytest.mark.parametrize(
    ("paste", "findings"),
    [
        # torch's sm_120 warning over collect_env: the GPU's capability and the build's arch
        # list come back through NVML and --deep, its lines as torch's stderr.
        (
            "collect-env/linux-torch2.6.0-cu126-rtx5090d-sm120-warning-driver570.txt",
            ["cuda-no-kernel-image"],  # once: not also gpu-arch-not-in-torch-build
        ),
        ("collect-env/linux-torch2.6.0-cu124-8x-h100-centos-stream9-cudnn8-and-9.txt", ["several-cudnn-versions"]),
        ("collect-env/macos-arm64-torch1.13.0.dev-conda-forge-m1.txt", ["mps-needs-newer-macos"]),
        ("collect-env/linux-torch1.6.0-rhel7.6-2x-v100-cuda-not-available-conda-pip.txt", ["driver-too-old-for-torch", "torch-cuda-unavailable"]),
        ("collect-env/facts-collect-env-runpy-conda-v100s.txt", []),
        ("collect-env/facts-collect-env-1080ti-nvcc-11.7-energonai.txt", []),
        ("collect-env/wsl2-torch2.4.0-cu121-rtx4070-laptop.txt", []),
        # torch's own start-up error alone: --record writes it as the stderr of --deep's check (attack10).
        ("errors/attack10-driver-too-old-11040-smi-header-3050.txt", ["cuda-driver-too-old"]),
        # torch's sm_120 warning in journald lines from a /nix/store Python
        # (stable-diffusion-webui-nix #9): torch ran, its arch list comes back (before: "torch not
        # installed" and 0 errors). (cosmos-reason1 #21 states torch 2.2.2 without its CUDA build:
        # a recording cannot say "build unknown", docs/recorded-host.md "Limits"; tested below.)
        ("errors/mergefix-journal-sm120-forge.txt", ["cuda-no-kernel-image"]),
        # "Is CUDA available: True" and no driver line (vllm #19542, cut in the GPU's name).
        ("collect-env/mergefix-vllm-19542-1080ti-cu126-cut.txt", []),
        # Error 802 in torch's warning: --deep's stderr again; its answer holds no more than the
        # warning, and doctor reads torch as installed (before: also torch-not-installed).
        ("errors/case-07-fabricmanager-802-h100.txt", ["cuda-fabric-manager-not-ready"]),
        ("errors/cuda-802-warning-llamafactory-torch2.7.txt", ["cuda-fabric-manager-not-ready"]),
        ("errors/detect-802-vllm-engine.txt", ["cuda-fabric-manager-not-ready"]),
    ],
    ids=lambda v: v.split("/")[-1] if isinstance(v, str) else None,
)  # fmt: skip
def test_doctor_replays_the_recording_with_explains_findings(
    paste: str, findings: list[str], tmp_path: Path
) -> None:
    explained, replayed = round_trip(PASTE / paste, tmp_path)
    assert ids(explained) == findings  # what the paste says (a regression guard)
    assert ids(replayed) == ids(explained)


def test_the_conda_interpreter_runpy_names_and_the_nvcc_collect_env_names(
    tmp_path: Path,
) -> None:
    explained, replayed = round_trip(
        PASTE / "collect-env/facts-collect-env-runpy-conda-v100s.txt", tmp_path
    )
    want, got = explained["data"]["facts"], replayed["data"]["facts"]
    assert want["python"]["executable"] == "/data/anaconda3/envs/bvllm/bin/python"
    assert explained["data"]["fact_sources"]["python.executable"] == "paste:3"  # runpy's line
    for block, key in [
        ("python", "executable"),
        ("python", "environment"),
        ("python", "version"),
        ("cuda", "nvcc_on_path_version"),
        ("torch", "version"),
        ("nvidia", "driver_version"),
    ]:
        assert got[block][key] == want[block][key], f"{block}.{key}"
    assert got["python"]["environment"] == "conda"
    assert got["cuda"]["nvcc_on_path_version"] == "11.8.89"
    assert got["torch"]["deep"]["cuda_available"] is True


def test_the_arch_list_and_the_gpus_capability_come_back(tmp_path: Path) -> None:
    paste = PASTE / "collect-env/linux-torch2.6.0-cu126-rtx5090d-sm120-warning-driver570.txt"
    explained, replayed = round_trip(paste, tmp_path)
    got = replayed["data"]["facts"]
    assert (
        got["torch"]["deep"]["arch_list"]
        == explained["data"]["facts"]["torch"]["deep"]["arch_list"]
    )
    assert [(g["name"], g["compute_capability"]) for g in got["nvidia"]["gpus"]] == [
        ("NVIDIA GeForce RTX 5090 D", "12.0")
    ]
    assert got["python"]["prefix"] == "/home/mm/anaconda3/envs/py312"


def test_ld_library_path_from_an_echo_line_comes_back(tmp_path: Path) -> None:
    """Case 02: `echo $LD_LIBRARY_PATH` printed /usr/local/cuda-12.1/lib64: (the trailing colon
    adds an empty entry, dropped)."""
    explained, replayed = round_trip(
        PASTE / "errors/case-02-ldpath-nvjitlink-cuda121.txt", tmp_path
    )
    assert explained["data"]["fact_sources"]["cuda.ld_library_path"] == "paste:7"
    want = explained["data"]["facts"]["cuda"]["ld_library_path"]
    assert want == ["/usr/local/cuda-12.1/lib64"]
    assert replayed["data"]["facts"]["cuda"]["ld_library_path"] == want
    assert replayed["data"]["facts"]["python"]["environment"] == "venv"  # .../ragflow/.venv


def test_a_paste_that_states_no_os_records_none(tmp_path: Path) -> None:
    """cosmos-reason1 #21 states a GPU, a torch warning and (in a bug template's bullets) a
    driver, never the OS: the recording says no system (before: "Linux"), doctor reads the OS
    as unknown, and finds torch by its arch list, not "not installed"."""
    paste = PASTE / "errors/mergefix-cosmos-5090-torch222.txt"
    explained, replayed = round_trip(paste, tmp_path)
    host = json.loads((tmp_path / "recorded" / "host.json").read_text(encoding="utf-8"))
    assert host["platform"]["system"] == ""
    got = replayed["data"]["facts"]
    assert got["os"]["system"] == ""
    assert (
        got["torch"]["deep"]["arch_list"]
        == explained["data"]["facts"]["torch"]["deep"]["arch_list"]
    )
    assert "torch-not-installed" not in ids(replayed)
    assert [(g["name"], g["compute_capability"]) for g in got["nvidia"]["gpus"]] == [
        ("NVIDIA GeForce RTX 5090", "12.0")
    ]


def test_cuda_available_records_a_driver_of_unknown_version(tmp_path: Path) -> None:
    """vllm #19542: "Is CUDA available: True" proves a loaded NVIDIA driver though no line states
    its version: NVML answers with an unknown version (before: NVML's error, "Driver not found"
    and toolkit-without-driver's premise); the GPU name the paste cut is not recorded."""
    paste = PASTE / "collect-env/mergefix-vllm-19542-1080ti-cu126-cut.txt"
    explained, replayed = round_trip(paste, tmp_path)
    host = json.loads((tmp_path / "recorded" / "host.json").read_text(encoding="utf-8"))
    assert host["nvml"]["driver_version"] == "" and host["nvml"]["devices"] == []
    got = replayed["data"]["facts"]
    assert got["nvidia"]["driver_source"] == "nvml"
    assert got["nvidia"]["driver_version"] is None  # unknown, as in explain's facts
    assert explained["data"]["facts"]["nvidia"]["driver_version"] is None
    assert got["nvidia"]["gpus"] == []
    assert got["torch"]["deep"]["cuda_available"] is True
    assert got["torch"]["version"] == "2.7.0+cu126"
    assert got["os"]["system"] == "Linux"
    assert "toolkit-without-driver" not in ids(replayed)


@pytest.mark.parametrize(
    "paste",
    [
        FIXTURES / "system_info/collect-env-arch-linux-ryzen9-7950x-lscpu.txt",  # lscpu, gcc
        PASTE / "collect-env/macos-x86_64-torch2.2.2.txt",  # sysctl's brand string, Apple clang
        PASTE / "collect-env/windows11-torch2.0.1-cu117-gtx1050ti-cudnn-dll-partial.txt",
        PASTE / "collect-env/ext-collect-env-chinese-lscpu.txt",
    ],
)
def test_the_system_info_and_platform_come_back(paste: Path, tmp_path: Path) -> None:
    """The CPU, memory, compilers and relevant packages a paste states are recorded where doctor
    reads them (/proc/cpuinfo, sysctl, NUMBER_OF_PROCESSORS, `gcc --version`, dist-info
    directories), and the OS facts through the platform keys."""
    explained, replayed = round_trip(paste, tmp_path)
    stated = explained["data"]["facts"]
    read = replayed["data"]["facts"]
    info, again = stated["system_info"], read["system_info"]
    assert info["cpu_model"] or info["packages"], "the paste states no system info"
    for key in ("cpu_model", "cpu_count", "memory_total_mib", "memory_available_mib"):
        assert again[key] == info[key], key
    # torch's own dist-info is recorded from its version (a paste may list torch nowhere else)
    torch_too = {k: v for k, v in again["packages"].items() if k in ("torch", "torchvision")}
    assert again["packages"] == {**info["packages"], **torch_too}
    assert [(c["name"], c["version"]) for c in again["compilers"]] == [
        (c["name"], c["version"]) for c in info["compilers"] if c["name"] in ("gcc", "clang")
    ] or stated["os"]["system"] == "Windows"
    for key in ("system", "arch", "kernel", "glibc", "macos_version", "windows_version"):
        assert read["os"][key] == stated["os"][key], key
    assert read["python"]["version"] == stated["python"]["version"]


@pytest.mark.parametrize(
    ("paste", "want"),
    [
        # /etc/nv_tegra_release alone (boxcutter/kvm's setup notes): the only Jetson sign.
        (
            FIXTURES / "explain/jetson/nv-tegra-release-r35.4.1-agx-orin.txt",
            {"is_jetson": True, "l4t": "35.4.1", "jetpack": "5"},
        ),
        # jetson_release (rbonghi/jetson_stats #603): the L4T release and the device-tree model.
        (
            FIXTURES / "explain/jetson/jetson-release-orin-nx-l4t-36.4.3.txt",
            {
                "is_jetson": True,
                "l4t": "36.4.3",
                "jetpack": "6",
                "model": "NVIDIA Jetson Orin NX Engineering Reference Developer Kit",
                "module": "Orin",
            },
        ),
    ],
)
def test_a_pasted_jetson_comes_back_with_its_l4t_release_and_model(
    paste: Path, want: dict[str, Any], tmp_path: Path
) -> None:
    """The recording held no /etc/nv_tegra_release nor device-tree model: the replayed host was
    no Jetson (nv_tegra_release alone) or a Jetson of no JetPack, so install and check-command
    could not pick NVIDIA's builds for it."""
    explained, replayed = round_trip(paste, tmp_path)
    for key, value in want.items():
        assert explained["data"]["facts"]["jetson"][key] == value, key
        assert replayed["data"]["facts"]["jetson"][key] == value, key


def test_pasted_amd_gpus_come_back_as_the_kfd_topology(tmp_path: Path) -> None:
    """rocminfo's GPU agent (ROCm/legacy-rocm-build #1698, an RX 6600 XT, gfx1032) after an
    os-release: the recording held no AMD GPU, so the replayed host had none and install and
    check-command chose a CPU build. Now each pasted target is a KFD topology node (the probe's
    own fallback) with its gfx_target_version."""
    paste = tmp_path / "paste.txt"
    paste.write_text(
        "$ cat /etc/os-release\n"
        + (FIXTURES / "os/os-release-debian-12.txt").read_text(encoding="utf-8")
        + "\n$ rocminfo\n"
        + (FIXTURES / "explain/rocm/rocminfo-rx6600xt-gfx1032-agent2-cut.txt").read_text(
            encoding="utf-8"
        ),
        encoding="utf-8",
    )
    explained, replayed = round_trip(paste, tmp_path)
    assert explained["data"]["facts"]["rocm"]["gfx_targets"] == ["gfx1032"]
    assert replayed["data"]["facts"]["rocm"]["gfx_targets"] == ["gfx1032"]
    node = tmp_path / "recorded/files/sys/class/kfd/kfd/topology/nodes/1/properties"
    assert node.read_text(encoding="utf-8") == "gfx_target_version 100302\n"


FABRIC = FIXTURES / "explain/fabric"


@pytest.mark.parametrize(
    ("pastes", "findings"),
    [
        # The case's own paste: torch's error 802 and the fabric manager's journal.
        ([FIXTURES / "cases/07-fabricmanager-802-h100/paste.txt"], ["cuda-fabric-manager-not-ready"]),
        # nvidia-smi -q's Fabric block alone (gpu-operator #2511): a GPU "In Progress".
        ([FABRIC / "smi-q-fabric-in-progress-gpu-operator.txt"], ["cuda-fabric-manager-not-ready"]),
        # ... and the fabric manager's service, active (bottlerocket-kernel-kit #142).
        (
            [
                FABRIC / "smi-q-fabric-in-progress-gpu-operator.txt",
                FABRIC / "systemctl-status-fabricmanager-active-bottlerocket.txt",
            ],
            ["cuda-fabric-manager-not-ready"],
        ),
        # Completed, Success (dra-driver-nvidia-gpu #626): joined, nothing to say, nothing unchecked.
        ([FABRIC / "smi-q-grep-fabric-completed-k8s.txt"], []),
    ],
    ids=lambda v: "+".join(p.stem for p in v) if isinstance(v, list) and v and isinstance(v[0], Path) else None,
)  # fmt: skip
def test_a_pasted_fabric_comes_back_with_its_finding(
    pastes: list[Path], findings: list[str], tmp_path: Path
) -> None:
    """The fabric facts a paste states (each GPU's Fabric block, the fabric manager's service
    state) are recorded as the answers doctor's probe/gpu_access.py asks for (`nvidia-smi -q -x`,
    `systemctl is-active`): before, the recording held none and doctor judged no fabric."""
    paste = tmp_path / "paste.txt"
    paste.write_text("".join(p.read_text(encoding="utf-8") for p in pastes), encoding="utf-8")
    explained, replayed = round_trip(paste, tmp_path)
    assert ids(explained) == findings
    assert ids(replayed) == findings
    want = explained["data"]["facts"]["gpu_access"]["fabric"]
    got = replayed["data"]["facts"]["gpu_access"]["fabric"]
    for key in ("nvswitch", "gpus", "manager_state", "manager_version", "manager_on_host"):
        assert got[key] == want[key], key
    assert replayed["data"]["facts"]["os"]["system"] == ""  # the pastes state no OS


def test_case_07_over_its_own_host_comes_back_with_the_board(tmp_path: Path) -> None:
    """Case 07's paste over its recorded host (8x H100 in a docker container): the board, the
    container's device node and the fabric manager left unchecked come back as doctor read them."""
    case = FIXTURES / "cases/07-fabricmanager-802-h100"
    record = tmp_path / "recorded"
    explained = _run(
        "explain", str(case / "paste.txt"), "--replay", str(case / "host"), "--json",
        "--record", str(record),
    )  # fmt: skip
    replayed = _run("doctor", "--replay", str(record), "--json", "--deep")
    assert ids(explained) == ids(replayed) == ["cuda-fabric-manager-not-ready"]
    want = explained["data"]["facts"]["gpu_access"]
    assert want["fabric"]["nvswitch"] and want["container"]["device_nodes"] == ["/dev/nvidiactl"]
    assert replayed["data"]["facts"]["gpu_access"] == want
