"""Case 04 (pytorch/pytorch #122924): a Windows 11 laptop with an RTX 4080 (compute capability
8.9, driver 551.86, CUDA 12.4) where `pip install torch torchvision torchaudio` gave torch 2.2.2's
CPU build, because PyPI's Windows wheel is the CPU build. Replayed from the copy in
tests/fixtures/cases/ (PROVENANCE.md).

The case README's right diagnosis: doctor: CPU-only torch on a machine with a working GPU,
reinstall a CUDA build (cu118 or cu121 for 2.2); check-command on the pasted command: it installs
the CPU build on a GPU machine (exit 1), and Instead is a CUDA build this driver runs, never the
CPU index.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envsetup.command_check.check import check_command
from envsetup.command_check.simulate import DecidedBy
from envsetup.compat import min_driver_for_torch_cuda
from envsetup.diagnose import diagnose
from envsetup.facts import Facts
from envsetup.host.recorded import RecordedHost
from envsetup.model.compute_platform import ComputePlatform, PlatformKind
from envsetup.model.versions import version_key
from envsetup.probe import probe_all
from envsetup.profiles.loader import Release, load_releases
from envsetup.profiles.lookup import lookup_build
from envsetup.render.command_line import instead_command
from envsetup.render.finding_words import words_for
from envsetup.resolve.request import parse_request
from envsetup.resolve.resolver import resolve
from scripts import run_envsetup

CASE = Path(__file__).parent.parent / "fixtures" / "cases" / "04-windows-pypi-cpu-wheel-rtx4080"
HOST = str(CASE / "host")
COMMAND = (CASE / "command.txt").read_text(encoding="utf-8").strip()


@pytest.fixture(scope="module")
def releases() -> list[Release]:
    return load_releases()


@pytest.fixture(scope="module")
def facts() -> Facts:
    return probe_all(RecordedHost(HOST))


def test_doctor_says_cpu_only_and_names_cu118_and_cu121(facts: Facts) -> None:
    finding = next(f for f in diagnose(facts, lookup_build) if f.id == "torch-cpu-only-on-gpu-host")
    assert finding.params["release"] == "2.2" and finding.params["platform_key"] == "windows-x86_64"
    assert finding.params["from_pypi"] is True and finding.params["pypi_build"] == "cpu"
    assert finding.params["runs_here"] == ["cu118", "cu121"]
    fix = words_for(finding).fix
    assert "PyPI's torch 2.2 for windows-x86_64 is the CPU build" in fix
    assert "cu118, cu121 of torch 2.2 run here" in fix


def test_check_command_warns_and_instead_is_a_cuda_build_this_driver_runs(
    facts: Facts, releases: list[Release]
) -> None:
    report = check_command(COMMAND, facts, releases)
    assert (
        report.pick["decided_by"] == DecidedBy.PYPI_DEFAULT.value and report.pick["build"] == "cpu"
    )
    assert "cpu-build-on-nvidia-gpu" in report.ids("warning")
    instead = instead_command(report)
    assert instead is not None and "whl/cpu" not in instead
    build = instead.split("/whl/")[1].split()[0]
    platform = ComputePlatform.parse(build)
    assert platform.kind is PlatformKind.CUDA
    floor = min_driver_for_torch_cuda(platform.version, "Windows")
    assert floor is not None and version_key("551.86") >= version_key(floor.driver)


def test_install_picks_a_cuda_build(facts: Facts, releases: list[Release]) -> None:
    plan = resolve(parse_request(), facts, releases)
    assert ComputePlatform.parse(plan.variant).kind is PlatformKind.CUDA


def test_the_cli_exits_1_on_the_pasted_command_and_0_on_its_instead() -> None:
    done = run_envsetup("check-command", "--replay", HOST, COMMAND, "--json")
    assert done.returncode == 1, done.stderr
    instead = json.loads(done.stdout)["data"]["suggested_command"]
    again = run_envsetup("check-command", "--replay", HOST, instead)
    assert again.returncode == 0, again.stdout
    doctor = run_envsetup("doctor", "--replay", HOST)
    assert doctor.returncode == 1 and "torch-cpu-only-on-gpu-host" in doctor.stdout
