"""render/words/check_command.py words every finding check-command makes, from its params alone.

One scenario per finding id: a recorded host (tests/fixtures/hosts or cases/*/host, or one assembled from a real
nvidia-smi output, or from real files as in tests/doctor/) and a pasted command; the real
parse -> simulate -> judge -> suggest makes the finding, and render words it. A new id with no
scenario, no entry in the catalogue or no row in docs/check-command.md fails a test.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Callable, Union

import pytest

from envsetup.command_check.check import CommandReport, check_command
from envsetup.command_check.judge import COMMAND_FINDINGS, NOTES_SHOWN
from envsetup.compat.verdicts import SEVERITY, Severity, VerdictCode
from envsetup.facts import Facts
from envsetup.host.recorded import RecordedHost
from envsetup.probe import probe_all
from envsetup.profiles.loader import Release
from envsetup.render.check_command_json import check_command_document
from envsetup.render.finding_words import catalogue, words_for
from envsetup.render.words import check_command as check_command_words
from hostbuilder import HostSpec, case_host, fixture_text
from libc_hosts import alpine

DOCS = Path(__file__).resolve().parents[2] / "docs" / "check-command.md"
# Made by check-command, worded with doctor's findings of the same id (render/words/doctor.py).
SHARED_WITH_DOCTOR = {"pep668-externally-managed", "python-32bit"}
CU128 = "pip install torch==2.7.1 --index-url https://download.pytorch.org/whl/cu128"
NO_DRIVER = "ci-debian12-cuda13-no-driver"


def _system_python() -> HostSpec:
    """Ubuntu 24.04's python3 with PEP 668's marker (conda-pip/pep668-... in tests/fixtures)."""
    spec = HostSpec(python="/usr/bin/python3", python_version="3.13.1")
    spec.files["/etc/os-release"] = fixture_text("os/os-release-ubuntu-24.04.txt")
    spec.markers.append("/usr/lib/python3.13/EXTERNALLY-MANAGED")
    return spec


def _python_32bit() -> HostSpec:
    spec = HostSpec(python="/home/u/.venv/bin/python", prefix="/home/u/.venv", bits=32)
    spec.files["/etc/os-release"] = fixture_text("os/os-release-ubuntu-22.04.2.txt")
    spec.markers.append("/home/u/.venv/pyvenv.cfg")
    return spec


def _centos7() -> HostSpec:
    """CentOS 7: glibc 2.17, below the manylinux floor of every torch 2.x wheel."""
    spec = HostSpec(
        libc="glibc 2.17",
        release="3.10.0-1160.el7.x86_64",
        python="/home/u/.venv/bin/python",
        python_version="3.9.18",
        prefix="/home/u/.venv",
        site_packages=["/home/u/.venv/lib/python3.9/site-packages"],
    )
    spec.files["/etc/os-release"] = fixture_text("os/os-release-centos-7.txt")
    spec.markers.append("/home/u/.venv/pyvenv.cfg")
    return spec


def _overridden(name: str, environ: dict[str, str]) -> Callable[[Path], str]:
    """A recorded host with envsetup's overrides set (docs/findings.md, Overrides)."""

    def copy(directory: Path) -> str:
        shutil.copytree(case_host(name), directory)
        manifest = directory / "host.json"
        host = json.loads(manifest.read_text(encoding="utf-8"))
        host["environ"].update(environ)
        manifest.write_text(json.dumps(host), encoding="utf-8")
        return str(directory)

    return copy


def _built(spec: Callable[[], HostSpec]) -> Callable[[Path], str]:
    return lambda directory: spec().write(directory)


# id -> (a recorded host's name, or a builder of one; the pasted command)
Host = Union[str, Callable[[Path], str]]
SCENARIOS: dict[str, tuple[Host, str]] = {
    # the command's own
    "pep668-externally-managed": (_built(_system_python), "pip install torch"),
    "python-32bit": (_built(_python_32bit), "pip install torch"),
    "requirements-file-not-read": (NO_DRIVER, "pip install -r requirements.txt torch"),
    "local-version-without-index": (NO_DRIVER, "pip install torch==2.1.0+cu121"),
    "wheel-not-supported": (
        "07-fabricmanager-802-h100",
        "pip install https://download.pytorch.org/whl/cu121/torch-2.2.0%2Bcu121-cp310-cp310-win_amd64.whl",
    ),
    "extra-index-url": (
        NO_DRIVER,
        "pip install torch torchvision --extra-index-url https://download.pytorch.org/whl/cu116",
    ),
    "extra-index-lacks-release": (
        NO_DRIVER,
        "pip install torch torchvision --extra-index-url https://download.pytorch.org/whl/cu116",
    ),
    "uv-torch-backend-auto": (NO_DRIVER, "uv pip install torch --torch-backend=auto"),
    "prerelease-index": (
        NO_DRIVER,
        "pip install --pre torch --index-url https://download.pytorch.org/whl/nightly/cu128",
    ),
    "torch-not-pinned": (NO_DRIVER, "pip install torch"),
    "pypi-default-build": (NO_DRIVER, "pip install torch"),
    "index-url-unknown": (
        NO_DRIVER,
        "pip install torch -i https://devpi.example.com/root/prod/+simple/",
    ),
    "unknown-release": (NO_DRIVER, "pip install torch==1.13.1"),
    "unknown-patch": (NO_DRIVER, "pip install torch==2.1.7"),
    "pick-unknown": (
        "03-aarch64-gb200-pypi-cpu-wheel",
        "pip3 install torch torchvision torchaudio --index-url https://download.pytorch.org/whl/cu121",
    ),
    "conda-cudatoolkit": (
        NO_DRIVER,
        "conda install pytorch torchvision torchaudio cudatoolkit=11.1 -c pytorch",
    ),
    "conda-no-pytorch-channel": (NO_DRIVER, "conda install pytorch"),
    "conda-no-selector": (NO_DRIVER, "conda install pytorch"),
    "conda-no-package": (NO_DRIVER, "conda install pytorch==2.6.0 -c pytorch"),
    "conda-channel-ends": (NO_DRIVER, "conda install pytorch torchvision cpuonly -c pytorch"),
    "conda-forge-build": ("07-fabricmanager-802-h100", "conda install pytorch-gpu -c conda-forge"),
    "conda-forge-cuda-unsolvable": (
        NO_DRIVER,
        'micromamba install -c conda-forge pytorch "libtorch=*=cuda12*"',
    ),
    "domain-version-mismatch": (NO_DRIVER, "pip install torch==2.0.0 torchvision==0.16.0"),
    # machine verdicts
    "no-build-for-platform": (
        "03-aarch64-gb200-pypi-cpu-wheel",
        "pip install torch==2.1.0+cu121 --index-url https://download.pytorch.org/whl/cu121",
    ),
    "glibc-below-floor": (_built(_centos7), "pip install torch==2.7.1"),
    "musl-libc": (_built(alpine), "pip install torch"),
    "python-outside-range": ("02-ldpath-nvjitlink-cuda121", "pip install torch==2.1.0"),
    "driver-below-floor": ("assembled-titan-xp-450.57", CU128),
    "driver-cuda-too-low": (
        _overridden(NO_DRIVER, {"ENVSETUP_CUDA_DRIVER_VERSION": "11.8"}),
        CU128,
    ),
    "cuda-build-without-nvidia": (NO_DRIVER, CU128),
    "no-nvidia-driver": (_overridden(NO_DRIVER, {"ENVSETUP_GPU_ARCH": "8.6"}), CU128),
    "arch-not-covered": ("07-fabricmanager-802-h100", "pip install torch==2.0.0"),
    "arch-unknown": (
        "03-aarch64-gb200-pypi-cpu-wheel",
        "pip install --pre torch --index-url https://download.pytorch.org/whl/nightly/cu128",
    ),
    "cpu-build-on-nvidia-gpu": (
        "assembled-2x-rtx3090-535.129.03",
        "pip install torch --index-url https://download.pytorch.org/whl/cpu",
    ),
    "rocm-build-without-rocm": (
        NO_DRIVER,
        "pip install torch --index-url https://download.pytorch.org/whl/rocm6.3",
    ),
}


@pytest.fixture
def report_for(
    host_dirs: dict[str, str], releases: list[Release], tmp_path: Path
) -> Callable[[str], CommandReport]:
    def run(finding_id: str) -> CommandReport:
        host, text = SCENARIOS[finding_id]
        directory = host_dirs[host] if isinstance(host, str) else host(tmp_path / "host")
        facts: Facts = probe_all(RecordedHost(directory))
        return check_command(text, facts, releases)

    return run


def test_every_id_check_command_makes_has_a_scenario_and_words() -> None:
    made = set(COMMAND_FINDINGS) | set(check_command_words.VERDICT_FINDINGS)
    assert set(SCENARIOS) == made
    assert made <= set(catalogue())
    assert set(check_command_words.WORDS) == made - SHARED_WITH_DOCTOR


def test_the_verdicts_worded_are_the_ones_judge_makes_findings_of() -> None:
    shown = {code for code in VerdictCode if SEVERITY[code] is not Severity.NOTE}
    assert set(check_command_words.VERDICT_FINDINGS) == shown | set(NOTES_SHOWN)


def test_docs_check_command_md_lists_every_id() -> None:
    section = DOCS.read_text(encoding="utf-8").split("## Findings", 1)[1]
    listed = set(re.findall(r"`([a-z0-9]+(?:-[a-z0-9]+)+)`", section))
    assert set(SCENARIOS) <= listed


@pytest.mark.parametrize("finding_id", sorted(SCENARIOS))
def test_each_finding_is_worded_from_a_real_host(
    report_for: Callable[[str], CommandReport], finding_id: str
) -> None:
    report = report_for(finding_id)
    assert finding_id in report.ids(), report.ids()
    document = check_command_document(report, 1 if report.has_problems else 0)
    for found, entry in zip(report.findings, document["findings"]):
        words = words_for(found)
        assert words.title and "\n" not in words.title, (found.id, words)
        assert (entry["title"], entry["id"]) == (words.title, found.id)
        if found.severity in ("error", "warning"):
            assert entry["fix"], (found.id, entry)  # every problem says what to do


def test_a_verdict_s_fix_is_the_plan_for_this_machine(
    report_for: Callable[[str], CommandReport],
) -> None:
    report = report_for("cuda-build-without-nvidia")
    (found,) = [f for f in report.findings if f.id == "cuda-build-without-nvidia"]
    assert found.params["instead"].startswith("envsetup install --torch 2.7.1 --cuda ")
    assert words_for(found).fix == found.params["instead"]
    assert words_for(found).title.startswith("no NVIDIA driver found: cu128 installs")


def test_pep668_is_worded_for_the_pasted_command_not_for_doctor(
    report_for: Callable[[str], CommandReport],
) -> None:
    found = next(f for f in report_for("pep668-externally-managed").findings if f.id == "pep668-externally-managed")  # fmt: skip
    assert found.params == {"tool": "pip"}
    assert words_for(found).title == (
        "pip would install into the system Python, which is marked externally-managed (PEP 668)"
    )
    assert words_for(found).fix == "install into a virtual environment (envsetup install creates one)"  # fmt: skip
