"""render/words/doctor.py words every doctor finding the real rules make on real hosts.

One scenario per finding id, each a host assembled from captured outputs (tests/fixtures/, sources
in each folder's SOURCES.tsv) as in test_real_hosts.py: the real probes and rules run on it, the
finding with that id comes out, and its words come from its params alone. A new rule whose id
has no scenario here, or no entry in the catalogue or in docs/findings.md, fails a test.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Callable

import pytest

from doctor.test_real_hosts import SMI, VENV_SITE, rtx3090_host, ubuntu, with_smi
from envsetup.diagnose import diagnose
from envsetup.diagnose.finding import Finding
from envsetup.host.recorded import RecordedHost
from envsetup.probe import probe_all
from envsetup.profiles.lookup import lookup_build
from envsetup.render.finding_words import catalogue, words_for
from envsetup.render.words import doctor as doctor_words
from hostbuilder import FIXTURES, HostSpec, fixture_text, host_name, recorded_host_dirs

DOCS = Path(__file__).resolve().parents[2] / "docs" / "findings.md"
BACKTICKED = re.compile(r"`([^`]*)`")
CU121 = "torch/version.py-2.2.1+cu121.txt"


def _cpu_torch() -> HostSpec:
    return rtx3090_host().torch_wheel(
        VENV_SITE, "torch/version.py-2.13.0+cpu.txt", "torch/METADATA-2.13.0+cpu.txt"
    )


def _driver_470_with_cu121() -> HostSpec:
    header = fixture_text("torch-errors/driver-too-old-11040-rtx3050-470.86.txt", skip=7)
    spec = ubuntu().command([SMI], header, 0).torch_wheel(VENV_SITE, CU121)
    spec.which["nvidia-smi"] = SMI
    return spec


def _truenas_mismatch() -> HostSpec:
    truenas = "driver/nvml-mismatch-580.178-vs-proc-version-580.173.02-truenas.txt"
    spec = ubuntu().command([SMI], fixture_text(truenas, skip=1, stop="root@truenas"), 18)
    spec.which["nvidia-smi"] = SMI
    spec.files["/proc/driver/nvidia/version"] = fixture_text(truenas, skip=4)
    return spec


def _hung_smi() -> HostSpec:
    spec = ubuntu().command([SMI], "", None, timed_out=True)
    spec.which["nvidia-smi"] = SMI
    return spec


def _no_devices() -> HostSpec:
    trace = fixture_text("nvidia-smi-failures/no-devices-found-query-csv-ci.txt")
    printed = trace.split("INSTALLED_DRIVER_VERSION='", 1)[1].split("'", 1)[0]
    spec = ubuntu().command([SMI], printed + "\n", 6)
    spec.which["nvidia-smi"] = SMI
    return spec


def _lspci(text: str) -> HostSpec:
    spec = ubuntu()
    spec.which["lspci"] = "/usr/bin/lspci"
    return spec.command(["/usr/bin/lspci", "-vv", "-d", "10de:"], text)


GTX970 = "driver/lspci-kernel-driver-in-use-nouveau-gtx970.txt"


def _gpu_without_driver() -> HostSpec:
    # The GTX 970's real lspci entry without its "Kernel driver in use" line: what lspci prints
    # for a device no driver has bound.
    lines = fixture_text(GTX970, skip=1).splitlines(keepends=True)
    return _lspci("".join(line for line in lines if "Kernel driver in use" not in line))


def _wsl_with_linux_driver() -> HostSpec:
    spec = with_smi(
        ubuntu(), "nvidia-smi-failures/wsl-couldnt-communicate-driver-not-loaded.txt", 9
    )
    spec.files["/proc/version"] = fixture_text(
        "os/proc-version-wsl2-4.19.67-microsoft-standard.txt"
    )
    spec.markers += ["/dev/dxg", "/usr/lib/x86_64-linux-gnu/libcuda.so.1"]
    spec.dirs.append("/usr/lib/wsl/lib")
    return spec


def _apt_nvcc_shadowing() -> HostSpec:
    spec = rtx3090_host()
    spec.which["nvcc"] = "/usr/bin/nvcc"
    spec.markers += ["/usr/bin/nvcc", "/usr/local/cuda-12.5/bin/nvcc"]
    spec.files["/usr/include/cuda.h"] = "#define CUDA_VERSION 11050\n"
    spec.command(
        ["/usr/bin/nvcc", "--version"],
        fixture_text("nvcc/nvcc-11.5.119-ubuntu-apt-shadowing-cuda-12.5.txt"),
    )
    spec.files["/usr/local/cuda-12.5/version.json"] = (
        '{"cuda": {"name": "CUDA SDK", "version": "12.5.82"}}'
    )
    return spec


def _toolkit_without_driver() -> HostSpec:
    spec = ubuntu()
    spec.which["nvcc"] = "/usr/local/cuda-13.1/bin/nvcc"
    spec.markers.append("/usr/local/cuda-13.1/bin/nvcc")
    spec.files["/usr/local/cuda-13.1/include/cuda.h"] = "#define CUDA_VERSION 13010\n"
    return spec.command(
        ["/usr/local/cuda-13.1/bin/nvcc", "--version"],
        fixture_text("nvcc/nvcc-13.1.80-fedora42.txt"),
    )


def _ld_library_path() -> HostSpec:
    spec = rtx3090_host().torch_wheel(VENV_SITE, CU121)
    spec.environ["LD_LIBRARY_PATH"] = "/usr/local/cuda-11.0/lib64"
    spec.markers.append("/usr/local/cuda-11.0/lib64/libcudart.so.11.0")
    return spec


def _two_cudnns() -> HostSpec:
    spec = rtx3090_host()
    spec.markers += ["/usr/lib64/libcudnn.so.8.9.2", "/usr/lib64/libcudnn.so.9.7.1"]
    return spec


def _system_python_3_13() -> HostSpec:
    spec = HostSpec(
        python="/usr/bin/python3",
        python_version="3.13.1",
        prefix="/usr",
        base_prefix="/usr",
        site_packages=["/usr/lib/python3/dist-packages"],
    )
    spec.files["/etc/os-release"] = fixture_text("os/os-release-ubuntu-24.04.txt")
    spec.markers.append("/usr/lib/python3.13/EXTERNALLY-MANAGED")
    return spec.torch_wheel("/usr/lib/python3/dist-packages", CU121)


def _python_32bit() -> HostSpec:
    spec = rtx3090_host()
    spec.bits = 32
    return spec


def _killed_install() -> HostSpec:
    spec = rtx3090_host()
    spec.files["/home/u/.venv/envsetup-install.json"] = '{"state": "incomplete", "mode": "new"}'
    return spec


def _arch_missing() -> HostSpec:
    spec = with_smi(ubuntu(), "nvidia-smi/575.64.03-cuda-version-na-freebsd-linux-shim-rtx5070.txt")
    spec.torch_wheel(VENV_SITE, "torch/version.py-2.7.1+cu126.txt")
    spec.environ["ENVSETUP_GPU_ARCH"] = "sm_120"
    return spec


def _deep(spec: HostSpec, stdout: str, returncode: int = 0, stderr: str = "") -> HostSpec:
    return spec.command(
        [spec.python, "-c", "*", "envsetup-deep"], stdout, returncode, stderr=stderr
    )


def _import_failed() -> HostSpec:
    # An error no signal rule recognises (a recognised one, e.g. an undefined symbol, gets its
    # own finding instead: tests/doctor/test_real_hosts.py).
    error = fixture_text("torch-errors/rocm-collect-env-indexerror-hip-runtime.txt")
    return _deep(rtx3090_host().torch_wheel(VENV_SITE, CU121), "", 1, error)


def _cuda_unavailable() -> HostSpec:
    # The deep check's own report (probe/torch_files.py DEEP_SCRIPT) when CUDA is not usable.
    report = {"cuda_available": False, "device_count": 0, "arch_list": [], "duration_s": 1.2}
    return _deep(
        rtx3090_host().torch_wheel(VENV_SITE, CU121), f"ENVSETUP-DEEP {json.dumps(report)}\n"
    )


def _old_macos(directory: Path) -> None:
    # The M1 of collect_env/macos-arm64-torch1.13.0.dev-conda-forge-m1.txt: macOS 12.2.1, arm64.
    manifest = directory / "host.json"
    host = json.loads(manifest.read_text())
    host["platform"]["mac_version"] = "12.2.1"
    manifest.write_text(json.dumps(host))


def _mac() -> HostSpec:
    spec = HostSpec(
        system="Darwin",
        release="21.3.0",
        machine="arm64",
        libc="",
        python="/Users/u/.venv/bin/python",
        python_version="3.9.12",
        prefix="/Users/u/.venv",
        site_packages=["/Users/u/.venv/lib/python3.9/site-packages"],
    )
    spec.markers.append("/Users/u/.venv/pyvenv.cfg")
    return spec.torch_wheel(
        "/Users/u/.venv/lib/python3.9/site-packages", "torch/version.py-2.14.1.txt"
    )


def _nvml_lost_in_container() -> HostSpec:
    # NVIDIA/nvidia-docker #1671: nvidia-smi inside a container after the host's daemon-reload;
    # 255 is nvidia-smi(1)'s "other error" return value.
    spec = with_smi(
        ubuntu(), "nvidia-smi-failures/nvml-unknown-error-container-after-daemon-reload.txt", 255, 1
    )
    spec.markers.append("/.dockerenv")
    return spec


def _cut_nvidia_smi() -> HostSpec:
    # A real nvidia-smi table cut after its first line (the date): no header to read.
    first = fixture_text("nvidia-smi/535.129.03-2x-rtx3090.txt").splitlines(keepends=True)[0]
    spec = ubuntu().command([SMI], first, 0)
    spec.which["nvidia-smi"] = SMI
    return spec


# id -> (the host that makes it, whether doctor runs with --deep)
Scenario = Callable[[], HostSpec]
SCENARIOS: dict[str, tuple[Scenario, bool]] = {
    "could-not-read": (_cut_nvidia_smi, False),
    "driver-library-mismatch": (_truenas_mismatch, False),
    "nvidia-smi-hung": (_hung_smi, False),
    "no-gpu-devices": (_no_devices, False),
    "gpu-lost": (
        lambda: with_smi(
            ubuntu(), "nvidia-smi-failures/unable-to-determine-device-handle-0B.txt", 15, skip=1
        ),
        False,
    ),
    "nvidia-smi-failed": (
        lambda: with_smi(
            ubuntu(), "nvidia-smi-failures/couldnt-communicate-after-unattended-upgrade.txt", 9, 1
        ),
        False,
    ),
    "nvml-unknown-error": (_nvml_lost_in_container, False),
    "nouveau-loaded": (lambda: _lspci(fixture_text(GTX970, skip=1)), False),
    "gpu-without-driver": (_gpu_without_driver, False),
    "wsl-linux-driver-installed": (_wsl_with_linux_driver, False),
    "driver-cuda-unusable": (
        lambda: with_smi(
            ubuntu(), "nvidia-smi/460.73.01-cuda-version-na-in-device-plugin-pod-header.txt", 0, 1
        ),
        False,
    ),
    "toolkit-without-driver": (_toolkit_without_driver, False),
    "toolkit-newer-than-driver": (_apt_nvcc_shadowing, False),
    "nvcc-path-shadowed": (_apt_nvcc_shadowing, False),
    "ld-library-path-shadows-torch": (_ld_library_path, False),
    "several-cudnn-versions": (_two_cudnns, False),
    "pep668-externally-managed": (_system_python_3_13, False),
    "python-32bit": (_python_32bit, False),
    "python-unsupported-by-torch": (_system_python_3_13, False),
    "install-incomplete": (_killed_install, False),
    "torch-not-installed": (rtx3090_host, False),
    "torch-cpu-only-on-gpu-host": (_cpu_torch, False),
    "driver-too-old-for-torch": (_driver_470_with_cu121, False),
    "gpu-arch-not-in-torch-build": (_arch_missing, False),
    "torch-import-failed": (_import_failed, True),
    "torch-cuda-unavailable": (_cuda_unavailable, True),
    "mps-needs-newer-macos": (_mac, False),
}
# Hosts whose recording needs a field HostSpec does not write.
AMEND = {"mps-needs-newer-macos": _old_macos}


def _findings(tmp_path: Path, finding_id: str) -> list[Finding]:
    build, deep = SCENARIOS[finding_id]
    directory = Path(build().write(tmp_path / "host"))
    AMEND.get(finding_id, lambda _: None)(directory)
    facts = probe_all(RecordedHost(str(directory)), deep=deep)
    return diagnose(facts, lookup_build)


def assert_worded(finding: Finding) -> None:
    """Words from params alone: a one-line title; a fix whose backticked commands split as a
    POSIX shell splits them."""
    words = words_for(finding)
    assert words.title and "\n" not in words.title, (finding.id, words)
    assert "\n" not in words.fix, (finding.id, words)
    for command in BACKTICKED.findall(words.fix):
        shlex.split(command)


def test_every_doctor_id_has_a_scenario_and_a_catalogue_entry() -> None:
    assert set(SCENARIOS) == set(doctor_words.WORDS)


@pytest.mark.parametrize("finding_id", sorted(doctor_words.WORDS))
def test_each_doctor_finding_is_worded_from_a_real_host(tmp_path: Path, finding_id: str) -> None:
    findings = _findings(tmp_path, finding_id)
    made = [f for f in findings if f.id == finding_id]
    assert made, f"{finding_id} not made; made: {[f.id for f in findings]}"
    for finding in findings:  # every other finding on that host too
        assert_worded(finding)


def test_nvml_unknown_error_in_a_container_is_the_container_not_the_gpu(tmp_path: Path) -> None:
    """'Failed to initialize NVML: Unknown Error' in a container: NVIDIA's notice (container-toolkit
    #48) says the container lost its devices; it was worded as a GPU fallen off the bus."""
    (found,) = [
        f for f in _findings(tmp_path, "nvml-unknown-error") if f.id.startswith(("nvml", "gpu"))
    ]
    assert found.id == "nvml-unknown-error" and found.params == {"container": "docker"}
    words = words_for(found)
    assert "docker container" in words.title and "re-create the container" in words.fix
    assert "nvidia-ctk system create-dev-char-symlinks --create-all" in words.fix
    assert "Xid" not in words.fix  # the GPU did not fall off the bus


def test_could_not_read_is_worded_from_what_and_why(tmp_path: Path) -> None:
    (unread,) = [f for f in _findings(tmp_path, "could-not-read") if f.id == "could-not-read"]
    assert unread.params == {
        "what": "nvidia-smi output",
        "reason": "no 'NVIDIA-SMI <version>' header line: not nvidia-smi's table output",
    }
    assert words_for(unread).title == (
        "Could not read nvidia-smi output: no 'NVIDIA-SMI <version>' header line: not "
        "nvidia-smi's table output"
    )


def test_every_recorded_host_s_findings_are_worded() -> None:
    hosts = recorded_host_dirs()
    assert hosts
    for host in hosts:
        for finding in diagnose(probe_all(RecordedHost(str(host))), lookup_build):
            assert finding.id in catalogue(), (host_name(host), finding.id)
            assert_worded(finding)


def test_docs_findings_md_lists_every_worded_id() -> None:
    ids = re.compile(r"^\| `([a-z0-9-]+)` \|", re.M)  # the tables' first column
    listed = set(ids.findall(DOCS.read_text(encoding="utf-8")))
    assert set(doctor_words.WORDS) <= listed
    assert listed <= set(catalogue())  # no documented id without words


def test_the_words_are_made_of_params_only() -> None:
    """The same params word the same sentences: nothing else (no facts, no host) is read."""
    findings = {f.id: f for f in diagnose(probe_all(RecordedHost(str(FIXTURES / "hosts" / "ci-debian12-cuda13-no-driver"))), lookup_build)}  # fmt: skip
    found = findings["toolkit-without-driver"]
    again = Finding(found.id, found.severity, [], json.loads(json.dumps(found.params)))
    assert words_for(again) == words_for(found)
    assert "CUDA 13.0 needs driver >= 580" in words_for(found).fix
