"""Recorded hosts and the corpus of real pasted install commands, for the check-command tests.

Hosts: every recording the tests hold (hostbuilder.recorded_host_dirs: tests/fixtures/hosts/, whose
SOURCES.tsv names each machine, and tests/fixtures/cases/*/host, beside its PROVENANCE.md), plus
hosts assembled from real nvidia-smi outputs (tests/fixtures/nvidia-smi/SOURCES.tsv) for driver
branches the recordings lack. Commands: tests/fixtures/commands/, the rows of SOURCES.tsv whose
category is `commands` (the file is one command) or `commands-page` (one command per line; lines
starting with # are the page's headings and comments).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from envsetup.facts import Facts
from envsetup.host.recorded import RecordedHost
from envsetup.probe import probe_all
from envsetup.profiles.loader import Release, load_releases
from hostbuilder import FIXTURES, HostSpec, case_host, fixture_text, host_name, recorded_host_dirs

RECORDED = [host_name(p) for p in recorded_host_dirs()]
# nvidia-smi outputs of real machines: one driver branch each (Linux 450, 535, 550, 575; Windows).
ASSEMBLED = {
    "assembled-titan-xp-450.57": "450.57-titan-xp-single.txt",
    "assembled-2x-rtx3090-535.129.03": "535.129.03-2x-rtx3090.txt",
    "assembled-rtx4070-550.40.07": "550.40.07-rtx4070-single.txt",
    "assembled-rtx5070-575.64.03": "575.64.03-cuda-version-na-freebsd-linux-shim-rtx5070.txt",
}
HOSTS = RECORDED + sorted(ASSEMBLED)
SMI = "/usr/bin/nvidia-smi"


def _assemble(directory: Path, smi_fixture: str) -> str:
    spec = HostSpec(
        python="/home/u/.venv/bin/python",
        python_version="3.11.7",
        prefix="/home/u/.venv",
        site_packages=["/home/u/.venv/lib/python3.11/site-packages"],
    )
    spec.files["/etc/os-release"] = fixture_text("os/os-release-ubuntu-22.04.2.txt")
    spec.markers += ["/home/u/.venv/pyvenv.cfg", "/dev/nvidiactl"]
    spec.which["nvidia-smi"] = SMI
    spec.command([SMI], fixture_text(f"nvidia-smi/{smi_fixture}"))
    return spec.write(directory)


@pytest.fixture(scope="session")
def releases() -> list[Release]:
    return load_releases()


@pytest.fixture(scope="session")
def host_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Host name -> a recorded host directory (for --replay and probe_all)."""
    out = {name: str(case_host(name)) for name in RECORDED}
    for name, smi in ASSEMBLED.items():
        out[name] = _assemble(tmp_path_factory.mktemp(name), smi)
    return out


@pytest.fixture(scope="session")
def host_facts(host_dirs: dict[str, str]) -> dict[str, Facts]:
    """Host name -> doctor's facts, probed once from the recording."""
    return {name: probe_all(RecordedHost(directory)) for name, directory in host_dirs.items()}


def corpus() -> list[tuple[str, str]]:
    """(where it comes from, the command) for every real command in tests/fixtures/commands."""
    folder = FIXTURES / "commands"
    out = []
    with open(folder / "SOURCES.tsv", encoding="utf-8", newline="") as table:
        for row in csv.DictReader(table, delimiter="\t"):
            path = folder / Path(row["path"]).name
            if row["category"] == "commands":
                out.append((path.name, path.read_text(encoding="utf-8").strip()))
            elif row["category"] == "commands-page":
                lines = path.read_text(encoding="utf-8").splitlines()
                out += [
                    (f"{path.name}:{number}", line.strip())
                    for number, line in enumerate(lines, 1)
                    if line.strip() and not line.lstrip().startswith("#")
                ]
    return out
