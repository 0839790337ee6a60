"""The kind behind cases 03 and 04: "CPU wheel by accident". PyPI's torch wheel is a CUDA build
on Linux x86_64, the CPU build on Windows and Intel macOS, and on Linux aarch64 the CPU build
through 2.10 and a CUDA 13.0 build from 2.11. doctor, check-command and install must agree on it
(one function: envsetup.profiles.pypi.pypi_wheel).

- The profiles are held to PyPI's own wheels: the metadata of each file in tests/fixtures/pypi
  (SOURCES.tsv: the files.pythonhosted.org address of each).
- The three commands give the same answer for every release and platform.
- Hosts built by hand here (their GPU facts written as NVML would report them, said so below):
  a GH200 (aarch64, compute capability 9.0) with a release whose PyPI aarch64 wheel is CUDA and one
  whose wheel is CPU; Windows with a pinned +cu121 from its index (no finding); Linux x86_64,
  where PyPI's wheel is a CUDA build (no finding).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Optional

import pytest
from packaging.requirements import Requirement
from packaging.utils import parse_wheel_filename

from envsetup.command_check.check import check_command
from envsetup.command_check.simulate import DecidedBy
from envsetup.compat.verdicts import VerdictCode
from envsetup.diagnose import diagnose
from envsetup.facts import Facts
from envsetup.host.recorded import RecordedHost
from envsetup.model.compute_platform import ComputePlatform, PlatformKind
from envsetup.model.manylinux import tag_glibc
from envsetup.model.versions import version_key
from envsetup.parsers.torch_build import marker_environment
from envsetup.probe import probe_all
from envsetup.profiles.loader import Release, load_releases
from envsetup.profiles.lookup import lookup_build
from envsetup.profiles.pypi import NoWheel, pypi_wheel
from envsetup.render.command_line import instead_command
from envsetup.resolve.request import parse_request
from envsetup.resolve.resolution import ResolutionRefused
from envsetup.resolve.resolver import resolve
from hostbuilder import FIXTURES, HostSpec, fixture_text
from install.machines import make_facts

PYPI = FIXTURES / "pypi"
ROWS = list(csv.DictReader((PYPI / "SOURCES.tsv").open(encoding="utf-8"), delimiter="\t"))
# A wheel's platform tag -> (profile platform key, platform.system(), platform.machine()).
TAG_PLATFORM = {
    "aarch64": ("linux-aarch64", "Linux", "aarch64"),
    "x86_64": ("linux-x86_64", "Linux", "x86_64"),
    "win_amd64": ("windows-x86_64", "Windows", "AMD64"),
    "macosx": ("macos-x86_64", "Darwin", "x86_64"),
}
SYSTEMS = {key: (system, machine) for key, system, machine in TAG_PLATFORM.values()}
SYSTEMS["macos-arm64"] = ("Darwin", "arm64")


@pytest.fixture(scope="module")
def releases() -> list[Release]:
    return load_releases()


def _release(releases: list[Release], name: str) -> Release:
    return next(r for r in releases if r.release == name)


def _platform_of(tag: str) -> tuple[str, str, str]:
    found = next(v for k, v in TAG_PLATFORM.items() if tag.startswith("macosx") == (k == "macosx") and k in tag)  # fmt: skip
    return found


def _cuda_major_required(metadata: str, system: str, machine: str, python: str) -> Optional[int]:
    """The CUDA major the wheel's own requirements pull in on its own platform (nvidia-*-cuXY or
    cuda-toolkit==X.Y whose markers hold there), None when none holds: a CPU build."""
    environment = marker_environment(system=system, machine=machine, python_version=f"{python}.0")
    majors = set()
    for line in metadata.splitlines():
        if not line.startswith("Requires-Dist:"):
            continue
        requirement = Requirement(line.split(":", 1)[1].strip())
        if requirement.marker is not None and not requirement.marker.evaluate(environment):
            continue
        suffix = re.search(r"-cu(\d+)$", requirement.name)
        if requirement.name.startswith("nvidia-") and suffix:
            majors.add(int(suffix.group(1)))
        elif requirement.name == "cuda-toolkit":
            majors.update(int(str(s.version).split(".")[0]) for s in requirement.specifier)
    assert len(majors) <= 1, majors
    return majors.pop() if majors else None


@pytest.mark.parametrize("row", ROWS, ids=[r["path"].split("requires-dist-")[1] for r in ROWS])
def test_the_profiles_pypi_build_is_pypi_s_own_wheel(row: dict, releases: list[Release]) -> None:
    wheel = row["source"].split()[0].rsplit("/", 1)[1]
    _, version, _, tags = parse_wheel_filename(wheel)
    tag = next(iter(tags))
    key, system, machine = _platform_of(tag.platform)
    python = f"{tag.interpreter[2]}.{tag.interpreter[3:]}"
    release = _release(releases, f"{version.major}.{version.minor}")
    said = release.pypi_wheel(key, python)
    assert said.build is not None and said.confirmed, (release.release, key, said)
    major = _cuda_major_required((FIXTURES / row["path"]).read_text(encoding="utf-8"), system, machine, python)  # fmt: skip
    built = ComputePlatform.parse(said.build)
    if major is None:
        assert built.kind is PlatformKind.CPU, (wheel, said.build)
    else:
        assert built.kind is PlatformKind.CUDA and built.version is not None
        assert int(built.version.split(".")[0]) == major, (wheel, said.build)
    floor = tag_glibc(tag.platform)
    if floor is not None:
        glibc_min = release.platforms[key].glibc_min
        assert glibc_min is not None and version_key(floor) <= version_key(glibc_min)
        if not tag.platform.startswith("manylinux1"):
            # manylinux1 claims glibc 2.5, but 2.0-2.5 were built on CentOS 7 (glibc 2.17).
            assert floor == glibc_min, (wheel, glibc_min)


def test_aarch64_pypi_wheels_turn_cuda_at_2_11(releases: list[Release]) -> None:
    cpu = [r.release for r in releases if r.pypi_wheel("linux-aarch64").is_cpu]
    cuda = [r.release for r in releases if not r.pypi_wheel("linux-aarch64").is_cpu]
    assert max(cpu, key=version_key) == "2.10" and min(cuda, key=version_key) == "2.11"
    assert all(r.pypi_wheel("windows-x86_64").is_cpu for r in releases)
    assert not any(r.pypi_wheel("linux-x86_64").is_cpu for r in releases)


def test_no_wheel_for_a_platform_or_a_python_is_said_apart(releases: list[Release]) -> None:
    intel_mac = _release(releases, "2.3").pypi_wheel("macos-x86_64", "3.11")
    assert intel_mac.build is None and intel_mac.missing is NoWheel.PLATFORM
    windows_313 = _release(releases, "2.5").pypi_wheel("windows-x86_64", "3.13")
    assert windows_313.build is None and windows_313.missing is NoWheel.PYTHON
    assert windows_313.python_range == ("3.9", "3.12")
    assert _release(releases, "2.2").pypi_wheel("macos-x86_64", "3.11").build == "cpu"
    # A raw table as TOML gives it (doctor's lookup), with a status marking the fact U.
    raw = {"pypi_default": "cu130", "python": ["3.10", "3.14"], "status": {"pypi_default": "U"}}
    assert not pypi_wheel("2.99", "linux-aarch64", raw).confirmed


@pytest.mark.parametrize("key", sorted(SYSTEMS))
def test_doctor_check_command_and_install_agree_on_pypi_s_build(
    key: str, releases: list[Release]
) -> None:
    system, machine = SYSTEMS[key]
    for release in releases:
        wanted = release.pypi_wheel(key)
        if wanted.build is None:
            continue
        patch = release.newest_patch().torch
        python = wanted.python_range[0] if wanted.python_range else None
        # doctor: an installed wheel without a local label
        info = lookup_build(patch, system, machine)
        assert info is not None and info.variant == wanted.build == info.pypi_build, (release.release, key)  # fmt: skip
        # check-command: the same version without an index URL
        facts = make_facts(system=system, arch=machine, python=f"{python}.1")
        report = check_command(f"pip install torch=={patch}", facts, releases)
        assert report.pick["decided_by"] == DecidedBy.PYPI_DEFAULT.value
        assert report.pick["build"] == wanted.build, (release.release, key)


# ----------------------------------------------------------------------------- hosts

GH200_NVML = {
    # Written by hand: what NVML reports for one GH200 (compute capability 9.0, 96 GB HBM3)
    # under an R580 driver; no captured output of such a machine is in the fixtures.
    "driver_version": "580.65.06",
    "cuda_driver_version": 13000,
    "devices": [
        {
            "index": 0,
            "name": "NVIDIA GH200 480GB",
            "uuid": "GPU-00000000-0000-0000-0000-000000000000",
            "memory_total_bytes": 102005473280,
            "compute_capability": "9.0",
            "mig_mode": None,
        }
    ],
}
SITE = "/home/u/.venv/lib/python3.12/site-packages"


def _gh200(version_py: str) -> HostSpec:
    spec = HostSpec(
        release="6.8.0-1021-nvidia-64k",
        machine="aarch64",
        python="/home/u/.venv/bin/python",
        prefix="/home/u/.venv",
        site_packages=[SITE],
        nvml=GH200_NVML,
    )
    spec.files["/etc/os-release"] = fixture_text("os/os-release-ubuntu-22.04.2.txt")
    spec.markers += ["/home/u/.venv/pyvenv.cfg", "/dev/nvidiactl"]
    spec.files[f"{SITE}/torch/version.py"] = version_py
    version = re.search(r"__version__ = '([^']+)'", version_py).group(1)  # type: ignore[union-attr]
    spec.files[f"{SITE}/torch-{version.split('+')[0]}.dist-info/METADATA"] = ""
    return spec


# Written by hand in the layout of torch/version.py (tests/fixtures/torch/version.py-*.txt): the
# PyPI aarch64 CPU wheel of 2.10.0, which carries no local label.
CPU_2_10_0 = (
    "from typing import Optional\n\n"
    "__all__ = ['__version__', 'debug', 'cuda', 'git_version', 'hip']\n"
    "__version__ = '2.10.0'\ndebug = False\ncuda: Optional[str] = None\n"
    "git_version = '0000000000000000000000000000000000000000'\nhip: Optional[str] = None\n"
)


def _probe(spec: HostSpec, tmp_path: Path) -> Facts:
    return probe_all(RecordedHost(spec.write(tmp_path / "host")))


def test_gh200_with_pypi_s_2_10_aarch64_wheel_is_cpu_only_and_says_why(tmp_path: Path) -> None:
    facts = _probe(_gh200(CPU_2_10_0), tmp_path)
    assert facts.os.arch == "aarch64" and facts.nvidia.gpus
    finding = next(f for f in diagnose(facts, lookup_build) if f.id == "torch-cpu-only-on-gpu-host")
    assert finding.params["from_pypi"] is True and finding.params["pypi_build"] == "cpu"
    # driver 580 runs all three; cu126's aarch64 list is 8.0, 9.0 in 2.12+, unknown for 2.10
    assert finding.params["runs_here"] == ["cu126", "cu128", "cu130"]


def test_gh200_with_a_cuda_13_wheel_has_no_cpu_finding(tmp_path: Path) -> None:
    facts = _probe(_gh200(fixture_text("torch/version.py-2.14.1.txt")), tmp_path)
    found = {f.id for f in diagnose(facts, lookup_build)}
    assert not {"torch-cpu-only-on-gpu-host", "driver-too-old-for-torch"} & found


def test_gh200_pip_install_of_a_release_whose_aarch64_wheel_is_cuda_is_clean(
    tmp_path: Path, releases: list[Release]
) -> None:
    facts = _probe(_gh200(CPU_2_10_0), tmp_path)
    report = check_command("pip install torch==2.11.0", facts, releases)
    assert report.pick["build"] == "cu130"
    assert report.ids("error", "warning") == []


def test_gh200_pip_install_of_a_release_whose_aarch64_wheel_is_cpu_warns(
    tmp_path: Path, releases: list[Release]
) -> None:
    facts = _probe(_gh200(CPU_2_10_0), tmp_path)
    report = check_command("pip install torch==2.10.0", facts, releases)
    assert report.pick["build"] == "cpu"
    assert report.ids("error", "warning") == ["cpu-build-on-nvidia-gpu"]
    instead = instead_command(report)
    assert instead is not None and "torch==2.10.0" in instead
    assert re.search(r"--index-url https://download.pytorch.org/whl/cu1\d+$", instead)


def test_windows_with_a_pinned_cu121_from_its_index_has_no_finding(releases: list[Release]) -> None:
    facts = make_facts(
        system="Windows",
        arch="AMD64",
        python="3.10.13",
        driver="551.86",
        driver_cuda="12.4",
        gpus=[("NVIDIA GeForce RTX 4080 Laptop GPU", "8.9")],
    )
    command = (
        "pip install torch==2.2.2+cu121 torchvision==0.17.2+cu121 torchaudio==2.2.2+cu121 "
        "--index-url https://download.pytorch.org/whl/cu121"
    )
    report = check_command(command, facts, releases)
    assert report.pick["build"] == "cu121" and report.pick["decided_by"] == "local-label"
    assert report.ids("error", "warning") == []


def test_linux_x86_64_pip_install_torch_takes_pypi_s_cuda_build_without_a_finding(
    releases: list[Release],
) -> None:
    facts = make_facts(
        driver="580.82.07", driver_cuda="13.0", gpus=[("NVIDIA GeForce RTX 4090", "8.9")]
    )
    report = check_command("pip install torch", facts, releases)
    assert report.pick["decided_by"] == DecidedBy.PYPI_DEFAULT.value
    assert ComputePlatform.parse(report.pick["build"]).kind is PlatformKind.CUDA
    assert report.ids("error", "warning") == []


def test_windows_python_3_13_and_torch_2_5_has_no_wheel_in_check_command_and_install(
    releases: list[Release],
) -> None:
    # PyPI has no cp313 win_amd64 wheel of 2.5.1 (pip finds none: read 2026-11-30).
    facts = make_facts(system="Windows", arch="AMD64", python="3.13.1")
    report = check_command("pip install torch==2.5.1", facts, releases)
    assert report.installs[0].startswith("nothing: PyPI has no torch 2.5.1 wheel for Python 3.13")
    assert report.ids("error") == ["python-outside-range"]
    assert "torch-not-pinned" not in report.ids() and "pypi-default-build" not in report.ids()
    with pytest.raises(ResolutionRefused) as refused:
        resolve(parse_request(torch="2.5"), facts, releases)
    assert refused.value.code is VerdictCode.PYTHON_OUTSIDE_RANGE
    assert refused.value.params["high"] == "3.12"


def test_intel_macos_takes_2_2_2_the_last_release_with_wheels_there(
    releases: list[Release],
) -> None:
    facts = make_facts(system="Darwin", arch="x86_64", python="3.11.5", glibc=None)
    report = check_command("pip install torch", facts, releases)
    assert report.pick["version"] == "2.2.2" and report.pick["build"] == "cpu"
    assert report.ids("error", "warning") == []
    plan = resolve(parse_request(), facts, releases)
    assert (plan.torch_release, plan.variant) == ("2.2", "cpu")
    pinned = check_command("pip install torch==2.4.0", facts, releases)
    assert "no-build-for-platform" in pinned.ids("error")
