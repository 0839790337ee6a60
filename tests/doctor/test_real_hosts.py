"""Every diagnosis rule on recorded hosts assembled from real machines' outputs.

Each test builds a host from captured outputs in tests/fixtures/ (see each folder's SOURCES.tsv),
runs the real probes and rules on it, and checks what doctor concludes — once where the rule must
fire and once where it must not.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from doctor.conftest import Doctor, ids
from envsetup.diagnose import diagnose
from envsetup.host.recorded import RecordedHost
from envsetup.model.capability import ComputeCapability
from envsetup.probe import probe_all
from envsetup.profiles.lookup import lookup_build
from envsetup.render.finding_words import words_for
from hostbuilder import HostSpec, fixture_text
from scripts import run_envsetup

VENV_SITE = "/home/u/.venv/lib/python3.11/site-packages"
SMI = "/usr/bin/nvidia-smi"


def ubuntu(**kwargs: object) -> HostSpec:
    spec = HostSpec(
        python="/home/u/.venv/bin/python",
        python_version="3.11.7",
        prefix="/home/u/.venv",
        site_packages=[VENV_SITE],
        **kwargs,  # type: ignore[arg-type]
    )
    spec.files["/etc/os-release"] = fixture_text("os/os-release-ubuntu-22.04.2.txt")
    spec.markers.append("/home/u/.venv/pyvenv.cfg")
    return spec


def with_smi(spec: HostSpec, fixture: str, returncode: int = 0, skip: int = 0) -> HostSpec:
    spec.which["nvidia-smi"] = SMI
    spec.markers.append("/dev/nvidiactl")
    return spec.command([SMI], fixture_text(fixture, skip=skip), returncode)


def rtx3090_host() -> HostSpec:
    return with_smi(ubuntu(), "nvidia-smi/535.129.03-2x-rtx3090.txt")


def test_two_rtx3090_with_cpu_torch_is_a_cpu_only_error(doctor: Doctor) -> None:
    spec = rtx3090_host().torch_wheel(
        VENV_SITE, "torch/version.py-2.13.0+cpu.txt", "torch/METADATA-2.13.0+cpu.txt"
    )
    facts, findings = doctor(spec)
    assert facts.nvidia.driver_version == "535.129.03"
    assert facts.nvidia.driver_cuda_version == "12.2"
    assert [g.name for g in facts.nvidia.gpus] == ["NVIDIA GeForce RTX 3090"] * 2
    assert facts.torch.version == "2.13.0+cpu" and facts.torch.flavor == "cpu"
    assert facts.os.distro_id == "ubuntu" and facts.os.distro_version == "22.04"
    assert "torch-cpu-only-on-gpu-host" in ids(findings)
    finding = next(f for f in findings if f.id == "torch-cpu-only-on-gpu-host")
    assert finding.severity == "error"
    assert shlex.split(finding.params["install"])[:2] == ["envsetup", "install"]
    assert finding.params["install"] in words_for(finding).fix
    assert "cu126" in finding.params["cuda_variants"]  # the CUDA variants torch 2.13 has


def test_a_cuda_torch_the_driver_can_run_raises_nothing(doctor: Doctor) -> None:
    spec = rtx3090_host().torch_wheel(VENV_SITE, "torch/version.py-2.2.1+cu121.txt")
    facts, findings = doctor(spec)
    assert facts.torch.flavor == "cuda" and facts.torch.cuda_version == "12.1"
    assert not {"torch-cpu-only-on-gpu-host", "driver-too-old-for-torch"} & ids(findings)
    assert not [f for f in findings if f.severity == "error"]


def test_driver_470_with_a_cu121_build_is_too_old_and_names_the_minimum(doctor: Doctor) -> None:
    header = fixture_text("torch-errors/driver-too-old-11040-rtx3050-470.86.txt", skip=7)
    spec = (
        ubuntu()
        .command([SMI], header, 0)
        .torch_wheel(VENV_SITE, "torch/version.py-2.2.1+cu121.txt")
    )
    spec.which["nvidia-smi"] = SMI
    facts, findings = doctor(spec)
    assert facts.nvidia.driver_version == "470.86" and facts.nvidia.driver_cuda_version == "11.4"
    finding = next(f for f in findings if f.id == "driver-too-old-for-torch")
    assert finding.severity == "error"
    assert finding.params["need"] == "525.60.13" and finding.params["have"] == "470.86"
    assert finding.params["verdict"] == "driver-below-floor"
    assert (finding.params["torch"], finding.params["cuda"]) == ("2.2.1+cu121", "12.1")


def test_couldnt_communicate_is_a_driver_error_with_a_fix(doctor: Doctor) -> None:
    spec = with_smi(
        ubuntu(), "nvidia-smi-failures/couldnt-communicate-after-unattended-upgrade.txt", 9, skip=1
    )
    facts, findings = doctor(spec)
    assert facts.nvidia.smi_state == "failed" and facts.nvidia.smi_failure == "couldnt-communicate"
    finding = next(f for f in findings if f.id == "nvidia-smi-failed")
    assert finding.params["failure"] == "couldnt-communicate"
    assert finding.params["cause"] == "driver-not-loaded"
    assert "nvidia-smi-failed" not in ids(doctor(rtx3090_host())[1])


def test_version_mismatch_names_both_versions_and_says_reboot(doctor: Doctor) -> None:
    truenas = "driver/nvml-mismatch-580.178-vs-proc-version-580.173.02-truenas.txt"
    spec = ubuntu().command([SMI], fixture_text(truenas, skip=1, stop="root@truenas"), 18)
    spec.which["nvidia-smi"] = SMI
    spec.files["/proc/driver/nvidia/version"] = fixture_text(truenas, skip=4)
    facts, findings = doctor(spec)
    assert facts.nvidia.kernel_module_version == "580.173.02"
    finding = next(f for f in findings if f.id == "driver-library-mismatch")
    assert "reboot" in words_for(finding).fix.lower()
    assert finding.params["kernel_module"] == "580.173.02"
    assert "nvidia-smi-failed" not in ids(findings)  # one problem, one finding


def test_no_devices_and_lost_gpu_are_told_apart(doctor: Doctor) -> None:
    lost = with_smi(
        ubuntu(), "nvidia-smi-failures/unable-to-determine-device-handle-0B.txt", 15, skip=1
    )
    assert "gpu-lost" in ids(doctor(lost)[1])
    none = with_smi(
        ubuntu(), "nvidia-smi/460.73.01-cuda-version-na-in-device-plugin-pod-header.txt", 0, skip=1
    )
    facts, findings = doctor(none)
    assert facts.nvidia.smi_cuda_version_raw == "N/A"
    assert "driver-cuda-unusable" in ids(findings)
    assert "driver-cuda-unusable" not in ids(doctor(rtx3090_host())[1])


def test_a_hung_nvidia_smi_is_reported_not_waited_for(doctor: Doctor) -> None:
    spec = ubuntu().command([SMI], "", None, timed_out=True)
    spec.which["nvidia-smi"] = SMI
    facts, findings = doctor(spec)
    assert facts.nvidia.smi_state == "timed-out"
    assert "nvidia-smi-hung" in ids(findings)


def test_nouveau_holding_the_gpu(doctor: Doctor) -> None:
    spec = ubuntu()
    spec.which["lspci"] = "/usr/bin/lspci"
    spec.command(
        ["/usr/bin/lspci", "-vv", "-d", "10de:"],
        fixture_text("driver/lspci-kernel-driver-in-use-nouveau-gtx970.txt", skip=1),
    )
    facts, findings = doctor(spec)
    assert facts.nvidia.nouveau_loaded
    assert facts.nvidia.pci_devices[0].startswith(
        "01:00.0 NVIDIA Corporation GM204 [GeForce GTX 970]"
    )
    finding = next(f for f in findings if f.id == "nouveau-loaded")
    assert finding.params["devices"] == facts.nvidia.pci_devices[:1]
    assert "blacklist" in words_for(finding).fix
    assert "nouveau-loaded" not in ids(doctor(rtx3090_host())[1])


def test_wsl2_with_a_linux_driver_installed_inside(doctor: Doctor) -> None:
    spec = with_smi(
        ubuntu(), "nvidia-smi-failures/wsl-couldnt-communicate-driver-not-loaded.txt", 9
    )
    spec.files["/proc/version"] = fixture_text(
        "os/proc-version-wsl2-4.19.67-microsoft-standard.txt"
    )
    spec.markers += [
        "/dev/dxg",
        "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1",
        "/usr/lib/x86_64-linux-gnu/libcuda.so.1",
    ]
    spec.dirs.append("/usr/lib/wsl/lib")
    facts, findings = doctor(spec)
    assert facts.os.wsl == 2
    assert "wsl-linux-driver-installed" in ids(findings)
    failed = next(f for f in findings if f.id == "nvidia-smi-failed")
    assert failed.params["cause"] == "wsl"  # the WSL fix, not the bare-metal one


def test_wsl2_using_the_windows_driver_is_fine(doctor: Doctor) -> None:
    spec = with_smi(ubuntu(), "nvidia-smi/wsl2-545.46-win546.80-cuda-err-partial.txt")
    spec.files["/proc/version"] = fixture_text(
        "os/proc-version-wsl2-4.19.67-microsoft-standard.txt"
    )
    spec.markers.append("/dev/dxg")
    spec.dirs.append("/usr/lib/wsl/lib")
    facts, findings = doctor(spec)
    assert facts.os.wsl == 2
    assert "wsl-linux-driver-installed" not in ids(findings)


def test_apt_nvcc_on_path_shadows_a_newer_toolkit(doctor: Doctor) -> None:
    spec = with_smi(ubuntu(), "nvidia-smi/535.129.03-2x-rtx3090.txt")
    spec.which["nvcc"] = "/usr/bin/nvcc"
    spec.markers += ["/usr/bin/nvcc", "/usr/local/cuda-12.5/bin/nvcc"]
    spec.files["/usr/include/cuda.h"] = (
        "#define CUDA_VERSION 11050\n"  # Ubuntu's nvidia-cuda-toolkit header
    )
    spec.command(
        ["/usr/bin/nvcc", "--version"],
        fixture_text("nvcc/nvcc-11.5.119-ubuntu-apt-shadowing-cuda-12.5.txt"),
    )
    spec.files["/usr/local/cuda-12.5/version.json"] = (
        '{"cuda": {"name": "CUDA SDK", "version": "12.5.82"}}'
    )
    facts, findings = doctor(spec)
    assert facts.cuda.nvcc_on_path_version == "11.5.119"
    assert sorted(t.version for t in facts.cuda.toolkits) == ["11.5.119", "12.5.82"]
    finding = next(f for f in findings if f.id == "nvcc-path-shadowed")
    assert finding.params["path"] == "/usr/local/cuda-12.5/bin"
    assert (finding.params["selected"], finding.params["newest"]) == ("11.5.119", "12.5.82")
    assert "toolkit-newer-than-driver" in ids(findings)  # 12.5 > the driver's 12.2


def test_toolkit_within_the_driver_is_not_flagged(doctor: Doctor) -> None:
    spec = rtx3090_host()
    spec.which["nvcc"] = "/usr/local/cuda-11.1/bin/nvcc"
    spec.markers.append("/usr/local/cuda-11.1/bin/nvcc")
    spec.files["/usr/local/cuda-11.1/include/cuda.h"] = "#define CUDA_VERSION 11010\n"
    spec.command(
        ["/usr/local/cuda-11.1/bin/nvcc", "--version"], fixture_text("nvcc/nvcc-11.1.105.txt")
    )
    facts, findings = doctor(spec)
    assert facts.cuda.nvcc_on_path_version == "11.1.105"
    assert not {"toolkit-newer-than-driver", "nvcc-path-shadowed", "toolkit-without-driver"} & ids(
        findings
    )


def test_toolkit_without_any_driver(doctor: Doctor) -> None:
    spec = ubuntu()
    spec.files["/etc/os-release"] = fixture_text("os/os-release-fedora-42.txt")
    spec.which["nvcc"] = "/usr/local/cuda-13.1/bin/nvcc"
    spec.markers.append("/usr/local/cuda-13.1/bin/nvcc")
    spec.files["/usr/local/cuda-13.1/include/cuda.h"] = "#define CUDA_VERSION 13010\n"
    spec.command(
        ["/usr/local/cuda-13.1/bin/nvcc", "--version"],
        fixture_text("nvcc/nvcc-13.1.80-fedora42.txt"),
    )
    facts, findings = doctor(spec)
    assert facts.os.distro_id == "fedora"
    finding = next(f for f in findings if f.id == "toolkit-without-driver")
    assert finding.params["need"] == "590.44.01"  # CUDA 13.1's driver
    assert finding.severity == "warning"


def test_gpu_arch_missing_from_the_build_via_the_arch_override(doctor: Doctor) -> None:
    # RTX 5070 (Blackwell, sm_120) with torch 2.7.1+cu126, whose arch list stops at sm_90.
    spec = with_smi(ubuntu(), "nvidia-smi/575.64.03-cuda-version-na-freebsd-linux-shim-rtx5070.txt")
    spec.torch_wheel(VENV_SITE, "torch/version.py-2.7.1+cu126.txt")
    spec.environ["ENVSETUP_GPU_ARCH"] = "sm_120"
    facts, findings = doctor(spec)
    assert facts.nvidia.gpus[0].compute_capability == ComputeCapability(12, 0)
    finding = next(f for f in findings if f.id == "gpu-arch-not-in-torch-build")
    assert finding.params["sms"] == ["sm_120"]
    assert "sm_120" not in finding.params["arch_list"]


def test_an_ada_gpu_runs_an_sm86_build(doctor: Doctor) -> None:
    spec = with_smi(ubuntu(), "nvidia-smi/550.40.07-rtx4070-single.txt")
    spec.torch_wheel(VENV_SITE, "torch/version.py-2.7.1+cu126.txt")
    spec.environ["ENVSETUP_GPU_ARCH"] = "8.9"
    assert "gpu-arch-not-in-torch-build" not in ids(doctor(spec)[1])


def test_ld_library_path_cuda11_runtime_shadows_a_cu121_torch(doctor: Doctor) -> None:
    spec = rtx3090_host().torch_wheel(VENV_SITE, "torch/version.py-2.2.1+cu121.txt")
    spec.environ["LD_LIBRARY_PATH"] = "/usr/local/cuda-11.0/lib64"
    spec.markers.append("/usr/local/cuda-11.0/lib64/libcudart.so.11.0")
    facts, findings = doctor(spec)
    assert facts.cuda.ld_library_path_cuda_libs == {
        "/usr/local/cuda-11.0/lib64": ["libcudart.so.11.0"]
    }
    assert "ld-library-path-shadows-torch" in ids(findings)
    spec.environ["LD_LIBRARY_PATH"] = "/opt/other"
    assert "ld-library-path-shadows-torch" not in ids(doctor(spec)[1])


def test_cudnn_8_and_9_side_by_side(doctor: Doctor) -> None:
    # The paths a CentOS Stream 9 box listed in collect_env (collect_env/...-cudnn8-and-9.txt).
    spec = rtx3090_host()
    spec.markers += ["/usr/lib64/libcudnn.so.8.9.2", "/usr/lib64/libcudnn.so.9.7.1"]
    facts, findings = doctor(spec)
    assert sorted(c.version for c in facts.cudnn) == ["8.9.2", "9.7.1"]
    assert "several-cudnn-versions" in ids(findings)
    assert "several-cudnn-versions" not in ids(doctor(rtx3090_host())[1])


def test_cudnn_header_versions(doctor: Doctor) -> None:
    spec = rtx3090_host()
    spec.files["/usr/include/cudnn_version.h"] = fixture_text(
        "cudnn/cudnn_version.h-9.6.0-block.txt"
    )
    facts, _ = doctor(spec)
    assert [(c.version, c.source) for c in facts.cudnn] == [("9.6.0", "header")]


def test_pep668_python_and_python_outside_the_release(doctor: Doctor) -> None:
    spec = HostSpec(
        python="/usr/bin/python3",
        python_version="3.13.1",
        prefix="/usr",
        base_prefix="/usr",
        site_packages=["/usr/lib/python3/dist-packages"],
    )
    spec.files["/etc/os-release"] = fixture_text("os/os-release-ubuntu-24.04.txt")
    spec.markers.append("/usr/lib/python3.13/EXTERNALLY-MANAGED")
    spec.torch_wheel("/usr/lib/python3/dist-packages", "torch/version.py-2.2.1+cu121.txt")
    facts, findings = doctor(spec)
    assert facts.python.externally_managed
    assert {"pep668-externally-managed", "python-unsupported-by-torch"} <= ids(findings)
    venv = rtx3090_host().torch_wheel(VENV_SITE, "torch/version.py-2.2.1+cu121.txt")
    assert not {"pep668-externally-managed", "python-unsupported-by-torch"} & ids(doctor(venv)[1])


def test_torch_missing_is_information_with_the_install_command(doctor: Doctor) -> None:
    facts, findings = doctor(rtx3090_host())
    assert facts.torch.version is None
    finding = next(f for f in findings if f.id == "torch-not-installed")
    assert finding.severity == "info"
    assert shlex.split(finding.params["install"])[:2] == ["envsetup", "install"]


def test_deep_import_failure_is_reported_with_the_error(doctor: Doctor) -> None:
    spec = rtx3090_host().torch_wheel(VENV_SITE, "torch/version.py-2.2.1+cu121.txt")
    error = fixture_text("torch-errors/undefined-symbol-cudaLaunchKernelExC-libcudart.txt")
    spec.command([spec.python, "-c", "*", "envsetup-deep"], "", 1, stderr=error)
    facts, findings = doctor(spec, deep=True)
    assert facts.torch.deep.ran
    assert "undefined symbol: cudaLaunchKernelExC" in (facts.torch.deep.error or "")
    # The stderr is classified (issue 10): the specific finding replaces the generic one.
    assert "torch-import-failed" not in ids(findings)
    finding = next(f for f in findings if f.id == "cuda-library-symbol-missing")
    assert finding.params["symbol"] == "cudaLaunchKernelExC"
    assert any("undefined symbol: cudaLaunchKernelExC" in e for e in finding.evidence)


def test_deep_import_failure_nothing_recognises_stays_generic(doctor: Doctor) -> None:
    spec = rtx3090_host().torch_wheel(VENV_SITE, "torch/version.py-2.2.1+cu121.txt")
    error = fixture_text("torch-errors/rocm-collect-env-indexerror-hip-runtime.txt")
    spec.command([spec.python, "-c", "*", "envsetup-deep"], "", 1, stderr=error)
    facts, findings = doctor(spec, deep=True)
    assert "IndexError: list index out of range" in (facts.torch.deep.error or "")
    assert "torch-import-failed" in ids(findings)


def test_deep_802_warning_says_fabric_manager_not_cuda_visible_devices(doctor: Doctor) -> None:
    """torch prints the 802 warning on stderr and is_available() is False: the stderr names the
    cause (tests/fixtures/paste/errors/case-07-...: the real warning)."""
    spec = rtx3090_host().torch_wheel(VENV_SITE, "torch/version.py-2.2.1+cu121.txt")
    warning = fixture_text("paste/errors/case-07-fabricmanager-802-h100.txt", skip=2, stop="False")
    result = '{"cuda_available": false, "device_count": 0, "arch_list": [], "duration_s": 1.5}'
    spec.command(
        [spec.python, "-c", "*", "envsetup-deep"], f"ENVSETUP-DEEP {result}\n", 0, stderr=warning
    )
    facts, findings = doctor(spec, deep=True)
    assert facts.torch.deep.cuda_available is False
    assert any("Error 802" in line for line in facts.torch.deep.stderr_tail)
    assert "torch-cuda-unavailable" not in ids(findings)
    finding = next(f for f in findings if f.id == "cuda-fabric-manager-not-ready")
    assert finding.params["driver"] == "535.129.03"  # this host's driver
    assert finding.evidence[0].startswith("stderr:1: ")


def test_no_devices_found(doctor: Doctor) -> None:
    trace = fixture_text("nvidia-smi-failures/no-devices-found-query-csv-ci.txt")
    printed = trace.split("INSTALLED_DRIVER_VERSION='", 1)[1].split("'", 1)[
        0
    ]  # what nvidia-smi printed
    spec = ubuntu().command([SMI], printed + "\n", 6)
    spec.which["nvidia-smi"] = SMI
    facts, findings = doctor(spec)
    assert facts.nvidia.smi_failure == "no-devices"
    assert "no-gpu-devices" in ids(findings)


def test_32bit_python_gets_no_wheels(doctor: Doctor) -> None:
    spec = rtx3090_host()
    spec.bits = 32
    assert "python-32bit" in ids(doctor(spec)[1])
    assert "python-32bit" not in ids(doctor(rtx3090_host())[1])


def test_an_environment_left_by_a_killed_install_is_reported(doctor: Doctor) -> None:
    spec = rtx3090_host()
    spec.files["/home/u/.venv/envsetup-install.json"] = (
        '{"state": "incomplete", "schema_version": 1, "mode": "new"}'
    )
    facts, findings = doctor(spec)
    assert facts.python.envsetup_install == "incomplete"
    assert "install-incomplete" in ids(findings)
    assert "install-incomplete" not in ids(doctor(rtx3090_host())[1])


@pytest.mark.parametrize(
    ("record", "state"),
    [
        ('{"state": "incomplete", "mode": "new"}', "incomplete"),
        ('{"state": "incomplete", "mode": "force"}', "incomplete"),
        ('{"state": "incomplete", "mode": "upgrade"}', "incomplete-upgrade"),
        ('{"state": "incompl', "unreadable"),
        ('{"state": ["incomplete"]}', "unreadable"),
        ("[" * 5000, "unreadable"),
    ],
)
def test_the_fix_for_an_interrupted_install_deletes_nothing_unasked(
    doctor: Doctor, record: str, state: str
) -> None:
    """Whatever the record says, the fix never offers a plain install (which refuses, and never
    deletes): an interrupted upgrade is retried with --upgrade, an interrupted new environment is
    rebuilt with --force; only --force deletes, and says so. Paths are quoted for the shell."""
    prefix = "/home/u/my envs/$(touch pwned)"
    spec = rtx3090_host()
    spec.prefix = prefix
    spec.files[f"{prefix}/envsetup-install.json"] = record
    facts, findings = doctor(spec)
    assert facts.python.envsetup_install == state
    (finding,) = [f for f in findings if f.id == "install-incomplete"]
    assert finding.params == {"state": state, "prefix": prefix}
    quoted = shlex.quote(prefix)
    commands = [c for c in re.findall(r"`([^`]*)`", words_for(finding).fix) if "--env" in c]
    assert commands
    for command in commands:
        assert quoted in command
        argv = shlex.split(command)
        assert argv[argv.index("--env") + 1] == prefix
        assert "--force" in argv or "--upgrade" in argv, command
    if state == "incomplete":
        assert commands == [f"envsetup install --env {quoted} --force"]
        assert "nothing is removed without --force" in words_for(finding).fix
    if state == "incomplete-upgrade":
        assert "packages may be mixed" in words_for(finding).fix
        assert f"envsetup install --env {quoted} --upgrade" in commands
        assert f"envsetup install --env {quoted}" not in commands
    assert (
        "--force` deletes" in words_for(finding).fix
        or "--force` instead deletes" in words_for(finding).fix
    )


def test_the_recorded_development_machine_replays_as_what_it_is() -> None:
    from envsetup.diagnose import diagnose
    from envsetup.host.recorded import RecordedHost
    from envsetup.probe import probe_all
    from envsetup.profiles.lookup import lookup_build
    from hostbuilder import FIXTURES

    facts = probe_all(RecordedHost(str(FIXTURES / "hosts" / "ci-debian12-cuda13-no-driver")))
    assert facts.os.distro_id == "debian" and facts.os.container == "docker"
    assert [(t.path, t.version) for t in facts.cuda.toolkits] == [
        ("/usr/local/cuda-13.0", "13.0.88")
    ]
    assert (
        facts.cuda.nvcc_on_path == "/usr/local/bin/nvcc"
        and facts.cuda.nvcc_on_path_version == "13.0.88"
    )
    assert facts.torch.version == "2.13.0+cpu" and facts.torch.flavor == "cpu"
    assert facts.nvidia.driver_version is None
    findings = diagnose(facts, lookup_build)
    assert {f.id for f in findings} == {"toolkit-without-driver"}


def test_a_torch_dist_without_a_readable_version_is_unknown_not_a_crash(doctor: Doctor) -> None:
    spec = rtx3090_host()
    spec.files[f"{VENV_SITE}/torch-.dist-info/METADATA"] = ""
    facts, findings = doctor(spec)
    assert facts.torch.flavor == "unknown"
    assert "torch-cpu-only-on-gpu-host" not in ids(findings)


@pytest.mark.parametrize(("python", "in_place"), [("3.8.18", False), ("3.11.7", True)])
def test_the_arch_fix_is_an_install_this_host_accepts(
    tmp_path: Path, python: str, in_place: bool
) -> None:
    # RTX 5070 (sm_120, real nvidia-smi) with torch 2.7.1+cu126 (no sm_120): the builds with
    # sm_120 kernels start at 2.7's cu128 and need Python >= 3.9 (profiles). A Python 3.8
    # environment (this test's) cannot take them: the fix is a new environment with a newer
    # Python, and install must accept the command the fix gives, on the same host.
    minor = ".".join(python.split(".")[:2])
    site = f"/home/u/.venv/lib/python{minor}/site-packages"
    spec = with_smi(ubuntu(), "nvidia-smi/575.64.03-cuda-version-na-freebsd-linux-shim-rtx5070.txt")
    spec.python_version, spec.site_packages = python, [site]
    spec.torch_wheel(site, "torch/version.py-2.7.1+cu126.txt")
    spec.environ["ENVSETUP_GPU_ARCH"] = "sm_120"
    host = spec.write(tmp_path / "host")
    findings = diagnose(probe_all(RecordedHost(host)), lookup_build)
    finding = next(f for f in findings if f.id == "gpu-arch-not-in-torch-build")
    command = shlex.split(finding.params["install"])
    assert ("--env" in command) is in_place
    if not in_place:
        assert finding.params["needs_python"] == "3.9"
        assert "Python 3.9 or newer" in words_for(finding).fix
    run = run_envsetup(*command[1:], "--dry-run", "--replay", str(host))
    assert run.returncode == 0, run.stdout + run.stderr
