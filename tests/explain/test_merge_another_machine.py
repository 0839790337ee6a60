"""Pasted facts over a host's when the paste is another machine's, torch proven by its own errors,
and values the paste's end cut (attack10 defects 3 and 9): real pastes over real recorded hosts.

The rule (explain/merge.py): where the paste states another OS, driver or GPU than the host's,
the host's facts are set aside whole (as --no-host); where it states another interpreter, the
host's Python and torch facts are; a pasted torch traceback, warning or CUDA error proves torch
is installed; a value visibly cut by the paste's end is not taken."""

from __future__ import annotations

import pytest

from envsetup.explain.merge import another_machine
from envsetup.explain.run import explain
from envsetup.facts import Facts
from envsetup.host.recorded import RecordedHost
from envsetup.probe import probe_all
from envsetup.profiles.lookup import lookup_build
from explain.corpus import FIXTURES, text
from hostbuilder import case_host

PASTE = FIXTURES / "paste"


def _host(name: str) -> Facts:
    return probe_all(RecordedHost(str(case_host(name))))


@pytest.fixture(scope="module")
def linux_host() -> Facts:
    """Case 02's machine: Linux, torch 2.5.1 in a venv, CUDA 12.1 toolkit."""
    return _host("02-ldpath-nvjitlink-cuda121")


@pytest.fixture(scope="module")
def windows_host() -> Facts:
    """Case 04's machine: Windows, an RTX 4080, a CPU-only torch 2.2 wheel."""
    return _host("04-windows-pypi-cpu-wheel-rtx4080")


def _ids(result: object) -> set[str]:
    return {f.id for f in result.findings}  # type: ignore[attr-defined]


def test_a_windows_smi_paste_over_a_linux_host_sets_the_host_aside(linux_host: Facts) -> None:
    """vggt #437 (Windows, WDDM, driver 581.57) over a Linux host: none of the host's Python,
    torch or toolkit facts reach the findings (before: "torch is not installed for the host's
    interpreter" beside the pasted no-kernel-image error)."""
    paste = text(PASTE / "nvidia-smi" / "mergefix-vggt-5070ti-windows-smi.txt")
    result = explain(paste, linux_host, lookup_build)
    assert "581.57" in result.host_set_aside
    assert _ids(result) == {"cuda-no-kernel-image"}
    assert result.facts.python.executable == ""  # the host's interpreter is not the paste's
    assert result.facts.torch.version is None
    assert result.facts.cuda.toolkits == []
    assert linux_host.python.executable and linux_host.torch.version  # the host had both


def test_an_rtx_5090_paste_over_a_windows_rtx_4080_host_gets_no_cpu_wheel_fix(
    windows_host: Facts,
) -> None:
    """The journal paste (a /nix/store Python whose torch warns about sm_120) over case 04's
    Windows host with a CPU wheel: before, torch-cpu-only-on-gpu-host told the paste's owner to
    reinstall a torch 2.2 CUDA build (no sm_120 kernels) and the Windows host's torch facts were
    the paste's."""
    assert windows_host.torch.flavor.value == "cpu"
    paste = text(PASTE / "errors" / "mergefix-journal-sm120-forge.txt")
    result = explain(paste, windows_host, lookup_build)
    assert "RTX 5090" in result.host_set_aside
    assert _ids(result) == {"cuda-no-kernel-image"}
    assert result.facts.torch.flavor.value != "cpu"
    assert result.facts.os.system == ""  # never the host's Windows under a Linux path


@pytest.mark.parametrize(
    ("case", "host"),
    [
        ("case-02-ldpath-nvjitlink-cuda121", "02-ldpath-nvjitlink-cuda121"),
        ("case-07-fabricmanager-802-h100", "07-fabricmanager-802-h100"),
        ("case-10-rocm-rx6700xt-gfx1031", "10-rocm-rx6700xt-gfx1031"),
    ],
)
def test_a_paste_from_the_hosts_own_machine_is_merged_over_it(case: str, host: str) -> None:
    """The cases whose paste and recorded host are one machine: nothing is set aside."""
    result = explain(text(PASTE / f"{case}.paste.txt"), _host(host), lookup_build)
    assert result.host_set_aside == ""


def test_another_interpreter_sets_aside_only_the_hosts_python_and_torch(
    linux_host: Facts,
) -> None:
    """The paste names a conda interpreter (runpy's warning) on an otherwise unstated machine:
    the host's torch is another environment's, its driver and toolkits stay."""
    paste = text(PASTE / "collect-env" / "facts-collect-env-runpy-conda-v100s.txt")
    first = paste.index("PyTorch version")
    warning_only = paste[:first]  # a variation: only the warning naming the interpreter
    assert "/data/anaconda3/envs/bvllm/" in warning_only
    result = explain(warning_only, linux_host, lookup_build)
    assert result.host_set_aside == ""
    assert result.facts.python.executable == "/data/anaconda3/envs/bvllm/bin/python"
    assert result.facts.torch.version is None  # not the host's 2.5.1
    assert result.facts.cuda.toolkits == linux_host.cuda.toolkits
    assert "torch-not-installed" not in _ids(result)  # the paste shows no torch search


def test_another_machine_names_what_differs() -> None:
    host = {"os": {"system": "Linux"}, "nvidia": {"driver_version": "535.104.05", "gpus": []}}
    assert another_machine(host, {"os": {"system": "Linux"}}) == ""
    assert "Windows" in another_machine(host, {"os": {"system": "Windows"}})
    assert "570.144" in another_machine(host, {"nvidia": {"driver_version": "570.144"}})
    assert another_machine(host, {"nvidia": {"driver_version": "535.104.05"}}) == ""
    gpu = {"nvidia": {"gpus": [{"name": "NVIDIA H100 80GB HBM3"}]}}
    assert "H100" in another_machine(host, gpu)
    host["nvidia"]["gpus"] = [{"name": "NVIDIA H100 80GB HBM3"}]
    assert another_machine(host, gpu) == ""
    # the same driver and GPU under other spellings: collect_env's short version, the table's cut
    # name, a driver < 495's name without "NVIDIA "
    assert another_machine(host, {"nvidia": {"driver_version": "535.104"}}) == ""
    assert another_machine(host, {"nvidia": {"gpus": [{"name": "NVIDIA H100 80GB ..."}]}}) == ""
    assert another_machine(host, {"nvidia": {"gpus": [{"name": "H100 80GB HBM3"}]}}) == ""
    assert another_machine(host, {"nvidia": {"driver_version": "535.54.03"}}) != ""


def test_collect_env_na_with_torchs_own_traceback_is_not_torch_not_installed(
    linux_host: Facts,
) -> None:
    """pytorch #133397: "PyTorch version: N/A" under a WinError 126 raised inside torch: torch is
    installed but will not import (its fbgemm.dll does not load). Unknown, not absent: no
    torch-not-installed, with or without
    a host (the host is set aside: Windows)."""
    paste = text(PASTE / "collect-env" / "mergefix-win-fbgemm-126-collectenv.txt")
    for host in (None, linux_host):
        result = explain(paste, host, lookup_build)
        assert _ids(result) == {"windows-dll-load-failed"}, host and host.os.system
        assert result.facts.torch.version is None
        assert "torch.version" not in result.fact_sources


def test_collect_env_na_alone_is_unknown_not_absent() -> None:
    """The same collect_env without the traceback (a variation: its lines 9 on): "N/A" says
    collect_env could not import torch, not that torch is absent: no torch-not-installed."""
    paste = text(PASTE / "collect-env" / "mergefix-win-fbgemm-126-collectenv.txt")
    versions = "\n".join(paste.splitlines()[8:])
    assert versions.startswith("### Versions") and "PyTorch version: N/A" in versions
    result = explain(versions, None, lookup_build)
    assert "torch-not-installed" not in _ids(result)
    assert result.facts.python.version == "3.12.5"


def test_a_gpu_name_cut_by_the_pastes_end_is_not_a_fact() -> None:
    """vllm #19542's excerpt stops at "GPU 0: NVIDIA GeForce GTX": no GPU, a could-not-read on
    line 34 (before: the GPU "NVIDIA GeForce GTX" and "No problems found")."""
    paste = text(PASTE / "collect-env" / "mergefix-vllm-19542-1080ti-cu126-cut.txt")
    result = explain(paste, None, lookup_build)
    assert result.facts.nvidia.gpus == []
    assert "nvidia.gpus" not in result.fact_sources
    unread = [f for f in result.findings if f.id == "could-not-read"]
    assert len(unread) == 1 and "34" in unread[0].params["reason"]
    assert result.facts.torch.version == "2.7.0+cu126"  # the lines before it came whole


def test_the_same_line_whole_or_followed_by_more_is_taken() -> None:
    """Variations of the same real paste: the GPU line completed as the issue gives it (GTX 1080
    Ti), or the cut line followed by another line (not the paste's end: the name is whole as
    printed), are read."""
    paste = text(PASTE / "collect-env" / "mergefix-vllm-19542-1080ti-cu126-cut.txt").rstrip()
    whole = explain(paste + " 1080 Ti\n", None, lookup_build)
    assert [g.name for g in whole.facts.nvidia.gpus] == ["NVIDIA GeForce GTX 1080 Ti"]
    assert "could-not-read" not in _ids(whole)
    inner = explain(paste + "\nNvidia driver version        : 535.230.02\n", None, lookup_build)
    assert [g.name for g in inner.facts.nvidia.gpus] == ["NVIDIA GeForce GTX"]


def test_a_version_cut_after_its_dot_at_the_end_is_not_taken() -> None:
    """A variation of the real vggt table: the paste ends in the header's "Driver Version: 581."."""
    lines = text(PASTE / "nvidia-smi" / "mergefix-vggt-5070ti-windows-smi.txt").splitlines()
    header = lines[3]
    cut = header[: header.index("581.57") + len("581.")]
    result = explain("\n".join([*lines[1:3], cut]) + "\n", None, lookup_build)
    assert result.facts.nvidia.driver_version != "581."


def test_a_pasted_drivers_cuda_over_a_host_without_a_driver_sets_the_host_aside() -> None:
    """ai4d-iasc/trixie#9: torch's "driver on your system is too old (found version 10010)" states
    the paste's driver supports CUDA 10.1; over a CI host with a CUDA 13 toolkit and no driver,
    that host is another machine. Before: the host's toolkit-without-driver ("no NVIDIA driver
    visible") and toolkit-newer-than-driver (its CUDA 13.0 toolkit against the paste's 10.1)
    beside the pasted error."""
    host = probe_all(RecordedHost(str(case_host("ci-debian12-cuda13-no-driver"))))
    assert host.nvidia.driver_version is None and host.cuda.toolkits  # a toolkit, no driver
    paste = text(PASTE / "errors" / "attack10-driver-too-old-10010-assertion-slurm.txt")
    result = explain(paste, host, lookup_build)
    assert result.host_set_aside == (
        "its driver supports CUDA 10.1 and its Python is "
        "/home/drozdyuka/anaconda3/envs/patchy_discs_model, this host has no driver"
    )
    assert _ids(result) == {"cuda-driver-too-old"}
    assert result.facts.cuda.toolkits == []


@pytest.mark.parametrize(
    ("paste", "why"),
    [
        (
            "attack10-fallen-off-bus-bumblebee-dmesg.txt",
            "kernel log shows the NVIDIA kernel module",
        ),
        ("../attack10-smi-device-handle-unknown-dmesg-aer-zsh.txt", "NVIDIA driver or GPU"),
        ("attack10-hip-no-binary-navi14-rocminfo-irregular.txt", "its AMD GPU is gfx1012"),
    ],
)
def test_a_machine_with_a_gpu_pasted_over_a_host_without_one_is_another_machine(
    paste: str, why: str
) -> None:
    """NVRM kernel-log lines, an nvidia-smi that ran, an AMD GPU: the paste's machine has what
    this host (a CI container: toolkit, no driver, no GPU) shows no trace of. The host's toolkit
    must not give the paste's machine 'no NVIDIA driver visible' (attack10, problem 1)."""
    result = explain(
        text(PASTE / "errors" / paste), _host("ci-debian12-cuda13-no-driver"), lookup_build
    )
    assert why in result.host_set_aside, result.host_set_aside
    assert "toolkit-without-driver" not in _ids(result)
    assert "torch-not-installed" not in _ids(result)


def test_a_kernel_log_over_a_host_with_an_nvidia_driver_is_merged() -> None:
    """Case 07's H100 host has a driver: NVRM lines may well be its own."""
    paste = text(PASTE / "errors" / "attack10-fallen-off-bus-bumblebee-dmesg.txt")
    result = explain(paste, _host("07-fabricmanager-802-h100"), lookup_build)
    assert result.host_set_aside == ""


def test_another_machine_by_amd_gpus() -> None:
    host = {"rocm": {"gfx_targets": ["gfx1031"], "gpus": [{"gfx": "gfx1031"}]}}
    assert another_machine(host, {"rocm": {"gfx_targets": ["gfx1031"]}}) == ""
    assert "gfx1100" in another_machine(host, {"rocm": {"gfx_targets": ["gfx1100"]}})
    assert "none" in another_machine({}, {"rocm": {"gpus": [{"gfx": "gfx90a"}]}})
    # rocminfo could not open /dev/kfd here: the host's GPUs are unknown, not absent
    blocked = {"rocm": {"kfd_error": "Permission denied"}}
    assert another_machine(blocked, {"rocm": {"gfx_targets": ["gfx1031"]}}) == ""


def test_a_cuda_error_only_a_driver_gives_over_a_host_without_one_is_another_machine() -> None:
    """CUDA error 35 / torch's "too old (found version N)" / 803 / 804 / 222 / 802 come from a
    driver that answered: over a host with no NVIDIA trace, the paste is another machine's
    (attack10: WSL #8174's deviceQuery 35, TensorRT-LLM's 804 over a GPU-less container)."""
    from envsetup.model.paste import Signal

    bare = {"os": {"system": "Linux"}, "nvidia": {}}
    for signal_id in ("cuda-error-35", "torch-driver-too-old", "cuda-error-804"):
        why = another_machine(bare, {}, [Signal(id=signal_id, kind="cuda-error", lines=[2])])
        assert "comes from an NVIDIA driver" in why, signal_id
    # A host with a driver may be the paste's machine; an error any machine gives says nothing.
    with_driver = {"os": {"system": "Linux"}, "nvidia": {"driver_version": "550.54.14"}}
    assert another_machine(with_driver, {}, [Signal(id="cuda-error-35", kind="cuda-error")]) == ""
    assert another_machine(bare, {}, [Signal(id="cuda-error-209", kind="cuda-error")]) == ""


def test_a_windows_interpreter_over_a_linux_host_is_another_machine(linux_host: Facts) -> None:
    """A traceback's frames in C:\\Users\\...\\anaconda3\\envs\\edm (NVlabs/edm #25) name a Windows
    Python: over a Linux host the paste is another machine's, not an environment of it."""
    paste = text(PASTE / "errors" / "attack10-traceback-cut-before-exception-edm.txt")
    result = explain(paste, linux_host, lookup_build)
    assert "(Windows), this host runs Linux" in result.host_set_aside
    assert _ids(result) == {"python-traceback-cut"}
