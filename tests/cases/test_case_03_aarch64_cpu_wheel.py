"""Case 03 (pytorch/pytorch #168065): a GB200 node (aarch64, compute capability 10.0, driver
570.133.20) where `pip install torch` (2.9.1) gave the CPU build, because PyPI's aarch64 wheel of
that release is the CPU build. Replayed from the copy in tests/fixtures/cases/ (PROVENANCE.md).

The case README's right diagnosis: doctor says the installed torch is CPU-only on a GPU machine and
names the CUDA builds that run there; check-command on `pip install torch==2.9.1` says it will be
the CPU build and suggests the CUDA index that fits (never the CPU one); install picks a CUDA build.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envsetup.command_check.check import check_command
from envsetup.command_check.simulate import DecidedBy
from envsetup.diagnose import diagnose
from envsetup.facts import Facts
from envsetup.host.recorded import RecordedHost
from envsetup.model.compute_platform import ComputePlatform, PlatformKind
from envsetup.probe import probe_all
from envsetup.profiles.loader import Release, load_releases
from envsetup.profiles.lookup import lookup_build
from envsetup.render.command_line import instead_command
from envsetup.render.finding_words import words_for
from envsetup.resolve.request import parse_request
from envsetup.resolve.resolver import resolve
from scripts import run_envsetup

CASE = Path(__file__).parent.parent / "fixtures" / "cases" / "03-aarch64-gb200-pypi-cpu-wheel"
HOST = str(CASE / "host")


@pytest.fixture(scope="module")
def releases() -> list[Release]:
    return load_releases()


@pytest.fixture(scope="module")
def facts() -> Facts:
    return probe_all(RecordedHost(HOST))


def test_doctor_says_cpu_only_because_pypi_s_aarch64_wheel_is_cpu(facts: Facts) -> None:
    finding = next(f for f in diagnose(facts, lookup_build) if f.id == "torch-cpu-only-on-gpu-host")
    assert finding.severity == "error"
    assert finding.params["release"] == "2.9" and finding.params["platform_key"] == "linux-aarch64"
    # The cause: no local label, and PyPI's 2.9 wheel for aarch64 is the CPU build.
    assert finding.params["from_pypi"] is True and finding.params["pypi_build"] == "cpu"
    # The builds that run here: driver 570 (CUDA 12.8) runs cu126 and cu128; cu130 needs >= 580.
    assert finding.params["runs_here"] == ["cu126", "cu128"]
    fix = words_for(finding).fix
    assert "PyPI's torch 2.9 for linux-aarch64 is the CPU build" in fix
    assert "cu126, cu128 of torch 2.9 run here" in fix and "cu130" not in fix


def test_check_command_on_the_pinned_2_9_1_says_cpu_build_and_suggests_cu128(
    facts: Facts, releases: list[Release]
) -> None:
    report = check_command("pip install torch==2.9.1", facts, releases)
    assert report.pick["decided_by"] == DecidedBy.PYPI_DEFAULT.value
    assert report.pick["build"] == "cpu"
    assert "cpu-build-on-nvidia-gpu" in report.ids("warning")
    instead = instead_command(report)
    assert instead is not None
    assert "--index-url https://download.pytorch.org/whl/cu128" in instead and "torch==2.9.1" in instead  # fmt: skip
    assert "whl/cpu" not in instead


def test_check_command_on_the_bare_case_command_never_suggests_the_cpu_index(
    facts: Facts, releases: list[Release]
) -> None:
    # `pip install torch` today takes 2.14.1, whose PyPI aarch64 wheel is the CUDA 13.0 build
    # (its metadata, tests/fixtures/pypi): driver 570 cannot run it, so an error, not a CPU warning.
    text = (CASE / "command.txt").read_text(encoding="utf-8").strip()
    report = check_command(text, facts, releases)
    assert report.pick["build"] == "cu130" and report.pick["release"] == "2.14"
    said = report.finding("pypi-default-build")
    assert said is not None and said.params["confirmed"] is True
    assert "driver-below-floor" in report.ids("error")
    instead = instead_command(report)
    assert instead is not None and "whl/cpu" not in instead
    assert "download.pytorch.org/whl/cu12" in instead  # a CUDA 12 build, which driver 570 runs


def test_install_picks_a_cuda_build(facts: Facts, releases: list[Release]) -> None:
    plan = resolve(parse_request(), facts, releases)
    assert ComputePlatform.parse(plan.variant).kind is PlatformKind.CUDA
    assert plan.index_url and "/whl/cu" in plan.index_url


def test_the_cli_agrees_doctor_and_check_command_exit_1_install_plans_cuda() -> None:
    doctor = run_envsetup("doctor", "--replay", HOST, "--json")
    assert doctor.returncode == 1, doctor.stderr
    found = {f["id"] for f in json.loads(doctor.stdout)["findings"]}
    assert "torch-cpu-only-on-gpu-host" in found
    checked = run_envsetup("check-command", "--replay", HOST, "pip install torch==2.9.1")
    assert checked.returncode == 1 and "cpu-build-on-nvidia-gpu" in checked.stdout
    planned = run_envsetup("install", "--dry-run", "--replay", HOST, "--json")
    assert planned.returncode == 0, planned.stderr
    assert "Traceback" not in doctor.stderr + checked.stderr + planned.stderr
    assert '"variant": "cu1' in planned.stdout
