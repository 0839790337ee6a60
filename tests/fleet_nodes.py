"""Node reports for the `fleet report` tests and bench: real `envsetup doctor --json` (and verify)
output on the recorded hosts of tests/fixtures, written into run folders as `fleet run` lays them
out (docs/fleet.md: `<node>.json`, `<node>.started`, `fleet.json`).

Two hosts are derived by hand from case 07's recording (8x H100, driver 535.230.02), and say so:
`newer_driver_host` (NVML answers a later 535 version number: a healthy node whose driver
deviates) and `mismatch_host` (NVML fails with "Driver/library version mismatch", the words
nvidia-smi prints in tests/fixtures/driver/nvml-mismatch-580.178-vs-proc-version-580.173.02-
truenas.txt: what a driver upgrade without a reboot leaves).
"""

from __future__ import annotations

import copy
import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional

CASES = Path(__file__).parent / "fixtures" / "cases"
H100 = CASES / "07-fabricmanager-802-h100" / "host"  # healthy: an info finding only
WINDOWS_CPU_TORCH = (
    CASES / "04-windows-pypi-cpu-wheel-rtx4080" / "host"
)  # torch-cpu-only-on-gpu-host
ROCM = CASES / "10-rocm-rx6700xt-gfx1031" / "host"
NEWER_DRIVER = "535.247.01"


def envsetup(
    *args: str, timeout: float = 120, env: Optional[Mapping[str, str]] = None
) -> subprocess.CompletedProcess[str]:
    """`python -m envsetup ARGS`; `env` is laid over this process's environment."""
    return subprocess.run(
        [sys.executable, "-m", "envsetup", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **env} if env is not None else None,
        check=False,
    )


@functools.cache
def _doctor_text(host: str) -> str:
    result = envsetup("doctor", "--json", "--replay", host)
    assert result.stdout.startswith("{"), result.stderr
    return result.stdout


def doctor_report(host: Path) -> dict[str, Any]:
    """`envsetup doctor --json --replay HOST`'s envelope (run once per host per session)."""
    return json.loads(_doctor_text(str(host)))


def _derived(base: Path, directory: Path, nvml: Mapping[str, Any]) -> Path:
    if not (directory / "host.json").is_file():
        shutil.copytree(base, directory, dirs_exist_ok=True)
        recording = json.loads((directory / "host.json").read_text(encoding="utf-8"))
        recording["nvml"] = {**recording["nvml"], **nvml} if "error" not in nvml else dict(nvml)
        (directory / "host.json").write_text(json.dumps(recording), encoding="utf-8")
    return directory


def newer_driver_host(directory: Path) -> Path:
    return _derived(H100, directory, {"driver_version": NEWER_DRIVER})


def mismatch_host(directory: Path) -> Path:
    return _derived(H100, directory, {"error": "Driver/library version mismatch"})


def health_check_report(directory: Path, node: str, host: Path) -> Path:
    """`<node>.json` as the Slurm health check writes it (contrib/slurm/envsetup-healthcheck.sh):
    `envsetup doctor --json --out DIR/{host}.json` with SLURMD_NODENAME set, here replaying
    `host`. No marker and no fleet.json: a health-check folder has neither."""
    directory.mkdir(parents=True, exist_ok=True)
    result = envsetup(
        "doctor",
        "--json",
        "--replay",
        str(host),
        "--out",
        str(directory / "{host}.json"),
        env={"SLURMD_NODENAME": node},
    )
    report = directory / f"{node}.json"
    assert result.returncode in (0, 1) and report.is_file(), result.stderr
    return report


def write_run(
    directory: Path,
    reports: Mapping[str, Mapping[str, Any]],
    *,
    started: Iterable[str] = (),
    expected: Optional[list[str]] = None,
    mode: str = "doctor",
) -> Path:
    """A run folder: `<node>.json` per report, a `.started` marker for every node in `started`
    and every node with a report (the node side writes it first), and fleet.json listing
    `expected` (no fleet.json when None)."""
    directory.mkdir(parents=True, exist_ok=True)
    for node in [*reports, *started]:
        (directory / f"{node}.started").write_text("2026-11-30T23:00:00+00:00 4242\n")
    for node, report in reports.items():
        (directory / f"{node}.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    if expected is not None:
        manifest = {
            "schema_version": 1,
            "mode": mode,
            "nodes": expected,
            "budget_s": 50.0,
            "started_at": "2026-11-30T23:00:00+00:00",
            "finished_at": "2026-11-30T23:01:00+00:00",
            "srun_argv": ["srun", "--ntasks-per-node=1"],
            "srun_exit_code": 0,
        }
        (directory / "fleet.json").write_text(json.dumps(manifest), encoding="utf-8")
    return directory


def varied(
    report: Mapping[str, Any], *, driver: Optional[str] = None, torch: Optional[str] = None
) -> dict[str, Any]:
    """A copy of a doctor report with its driver or torch version changed, in the facts and, when
    the report carries one, in data.fingerprint (its key dropped: the reader recomputes it)."""
    changed = copy.deepcopy(dict(report))
    data = changed["data"]
    if driver is not None:
        data["facts"]["nvidia"]["driver_version"] = driver
    if torch is not None:
        data["facts"]["torch"]["version"] = torch
    fingerprint = data.get("fingerprint")
    if isinstance(fingerprint, dict):
        if driver is not None:
            fingerprint["driver"] = driver
        if torch is not None:
            fingerprint["torch"] = torch
            fingerprint["profile"] = ".".join(torch.split(".")[:2])  # profiles/ has 2.0 on
        fingerprint.pop("key", None)
    return changed


def generate_fleet(
    directory: Path, base: Mapping[str, Any], count: int = 1000
) -> dict[str, list[str]]:
    """`count` node reports made from one real doctor report: node names gpu0001..; every 37th
    node a newer driver, every 101st a different torch (both fingerprint fields). Returns the
    expected groups: name -> nodes ('majority', 'driver', 'torch')."""
    groups: dict[str, list[str]] = {"majority": [], "driver": [], "torch": []}
    reports = {}
    newer = varied(base, driver=NEWER_DRIVER)
    other_torch = varied(base, torch="2.5.1")
    for index in range(1, count + 1):
        node = f"gpu{index:04d}"
        if index % 101 == 0:
            groups["torch"].append(node)
            reports[node] = other_torch
        elif index % 37 == 0:
            groups["driver"].append(node)
            reports[node] = newer
        else:
            groups["majority"].append(node)
            reports[node] = base
    write_run(directory, reports, expected=sorted(reports))
    return groups
