"""The parts of check-command one at a time: the pure parser, the installer simulation, the
suggestion's command line, and the command's own findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from envsetup.command_check.check import check_command
from envsetup.command_check.judge import COMMAND_FINDINGS
from envsetup.command_check.parse import (
    conda_selector_platform,
    find_torch_install,
    index_platform,
    split_commands,
)
from envsetup.command_check.simulate import DecidedBy, Target, simulate
from envsetup.compat.verdicts import SEVERITY, Severity, VerdictCode
from envsetup.errors import UsageError
from envsetup.facts import Facts
from envsetup.profiles.loader import Release
from envsetup.render.command_line import instead_command
from install.machines import make_facts

LINUX = Target("linux-x86_64", "3.11")
GPU_BOX_535 = {"driver": "535.104.05", "driver_cuda": "12.2", "gpus": [("NVIDIA GeForce RTX 3090", "8.6")]}  # fmt: skip


# ----------------------------------------------------------------------------- parse


@pytest.mark.parametrize(
    ("text", "program", "in_system"),
    [
        ("pip install torch", "pip", True),
        ("python3 -m pip install torch", "python3 -m pip", True),
        (".venv/bin/python -m pip install torch", ".venv/bin/python -m pip", False),
        ("python3 -m venv .venv && .venv/bin/pip install torch", ".venv/bin/pip", False),
        ("uv venv && uv pip install torch", "uv", False),
        ("conda create -n t python=3.10 && conda activate t && pip install torch", "pip", False),
    ],
)
def test_the_parser_tells_where_the_install_goes(text: str, program: str, in_system: bool) -> None:
    parsed = find_torch_install(text)
    assert parsed.program == program
    assert parsed.in_system_python is in_system


def test_the_parser_reads_index_urls_and_selectors() -> None:
    parsed = find_torch_install(
        "pip install torch --index-url https://download.pytorch.org/whl/cu121 "
        "--extra-index-url https://pypi.org/simple"
    )
    assert index_platform(parsed.strict_urls) == "cu121"
    assert index_platform(["https://download.pytorch.org/whl/nightly/cu128"]) == "cu128"
    assert index_platform(["https://mirror.lan/simple"]) is None
    conda = find_torch_install("conda install pytorch pytorch-cuda=11.8 -c pytorch -c nvidia")
    assert conda_selector_platform(conda.conda_specs) == "cu118"
    assert split_commands("pip install torch; echo ok") == [["pip", "install", "torch"], ["echo", "ok"]]  # fmt: skip


def test_an_empty_paste_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="no command given"):
        find_torch_install("   ")


# ----------------------------------------------------------------------------- simulate


@pytest.mark.parametrize(
    ("text", "release", "build", "decided_by"),
    [
        ("pip install torch==2.4.1+cu118", "2.4", "cu118", DecidedBy.LOCAL_LABEL),
        (
            "pip install torch --index-url https://download.pytorch.org/whl/cu121",
            "2.5",
            "cu121",
            DecidedBy.INDEX_URL,
        ),
        (
            "uv pip install torch==2.6.0 --torch-backend cu126",
            "2.6",
            "cu126",
            DecidedBy.TORCH_BACKEND,
        ),
        ("uv pip install torch==2.6.0 --torch-backend=auto", "2.6", None, DecidedBy.UV_AUTO),
        ("pip install torch==2.6.0", "2.6", "cu124", DecidedBy.PYPI_DEFAULT),
        (
            "pip install torch==2.6.0 --extra-index-url https://download.pytorch.org/whl/cu118",
            "2.6",
            "cu118",
            DecidedBy.EXTRA_INDEX_URL,
        ),
        ("conda install pytorch==2.3.1 cpuonly -c pytorch", "2.3", "cpu", DecidedBy.CONDA_SELECTOR),
        ("conda install pytorch==2.3.1 -c pytorch", "2.3", None, DecidedBy.CONDA_SOLVER),
    ],
)
def test_simulate_names_what_decides_the_build(
    releases: list[Release], text: str, release: str, build: str, decided_by: DecidedBy
) -> None:
    pick = simulate(find_torch_install(text), LINUX, releases)
    assert pick.release is not None and pick.release.release == release
    assert (pick.build, pick.decided_by) == (build, decided_by)


def test_simulate_takes_the_newest_release_for_this_python(releases: list[Release]) -> None:
    newest = simulate(find_torch_install("pip install torch"), Target("linux-x86_64", "3.8"), releases)  # fmt: skip
    assert newest.release is not None and newest.release.release == "2.4"  # 3.8's last release
    conda = simulate(find_torch_install("conda create -n t python=3.12 pytorch -c pytorch"), LINUX, releases)  # fmt: skip
    assert conda.python == "3.12"


# ----------------------------------------------------------------------------- suggest


def test_instead_makes_a_virtual_environment_where_the_system_python_refuses(
    releases: list[Release],
) -> None:
    # Comfy-Org/ComfyUI #3554: the command on Ubuntu 24.04's externally-managed Python 3.12.
    facts = make_facts(python="3.12.3", **GPU_BOX_535)  # type: ignore[arg-type]
    facts.python.externally_managed = True
    text = "pip install torch torchvision torchaudio --extra-index-url https://download.pytorch.org/whl/cu121"  # fmt: skip
    report = check_command(text, facts, releases)
    assert "pep668-externally-managed" in report.ids("error")
    instead = instead_command(report)
    assert instead is not None and instead.startswith("python3 -m venv .venv && .venv/bin/python -m pip install ")  # fmt: skip
    again = check_command(instead, facts, releases)
    assert again.ids("error", "warning") == []
    assert again.pick["build"] == report.suggested_build["variant"]


def test_a_32_bit_python_gets_a_reason_not_a_command(releases: list[Release]) -> None:
    facts = make_facts()
    facts.python.bits = 32
    report = check_command("pip install torch", facts, releases)
    assert instead_command(report) is None
    assert report.suggestion_note and "64-bit" in report.suggestion_note


def test_conda_after_2_5_is_told_to_use_pip_for_that_release(releases: list[Release]) -> None:
    report = check_command("conda install pytorch==2.6.0 -c pytorch", make_facts(**GPU_BOX_535), releases)  # type: ignore[arg-type]  # fmt: skip
    assert "conda-no-package" in report.ids("error")
    # 2.6 as asked, from pip: the pytorch channel has no 2.6 (pytorch/pytorch #138506); cu118 is
    # 2.6's build this driver (CUDA 12.2) runs natively, as `install --torch 2.6` picks.
    assert report.suggested_build == {"torch_release": "2.6", "variant": "cu118"}
    assert (instead_command(report) or "").startswith("pip install torch==2.6.0+cu118")


def test_gpus_alike_make_one_finding(host_facts: dict[str, Facts], releases: list[Release]) -> None:
    # 8x H100 (dstackai/dstack #2348's machine) with 2.0.1 from PyPI (cu117, no sm_90 kernels).
    text = "pip install torch==2.0.1 torchvision==0.15.2 torchaudio==2.0.2"
    report = check_command(text, host_facts["07-fabricmanager-802-h100"], releases)
    assert report.ids("error") == ["arch-not-covered"]
    assert len([v for v in report.verdicts if v.code.value == "arch-not-covered"]) == 8
    finding = report.finding("arch-not-covered")
    assert finding is not None and finding.params["index"] == 0
    assert finding.params["sm"] == "sm_90" and "sm_90" not in finding.params["arch_list"]
    assert len(finding.params["same_for"]) == 7  # GPUs 1-7, merged into GPU 0's finding
    assert "GPU 7" in finding.params["same_for"][-1]


def test_every_finding_id_is_catalogued_with_its_severity() -> None:
    catalogue = (Path(__file__).parents[2] / "docs" / "check-command.md").read_text(
        encoding="utf-8"
    )
    for id, severity in COMMAND_FINDINGS.items():
        assert f"| `{id}` | {severity} |" in catalogue, id
    for code, level in SEVERITY.items():
        if level is not Severity.NOTE or code in (VerdictCode.NO_NVIDIA_DRIVER, VerdictCode.ARCH_UNKNOWN):  # fmt: skip
            assert f"`{code.value}`" in catalogue, code
