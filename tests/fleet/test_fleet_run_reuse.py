"""A run folder used again (`fleet run --out DIR` twice: a nightly job rerun the same day): the
earlier run's reports must not pass as this run's answers. Found by the issue-13 attack
(/work/notes/attack13-report.md, finding 1): a node drained between two runs was reported healthy
from its old report, and a node not asked at all was merged in."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from envsetup.fleet.run import MANIFEST, previous_run_files
from fleet.test_fleet_run import BUDGET, fleet_run, healthy, load


def _doctor_envelope() -> str:
    # The keys parse_report looks at; the rest of an envelope does not matter to the clearing.
    return json.dumps({"command": "doctor", "findings": [], "data": {}, "exit_code": 0})


def test_previous_run_files_are_the_runs_own_and_nothing_else(tmp_path: Path) -> None:
    (tmp_path / MANIFEST).write_text(json.dumps({"nodes": ["n1", "n2", "n9"]}))
    (tmp_path / ".fleet-step").write_text("{}")
    (tmp_path / "n1.started").write_text("2026-12-01T00:00:00+00:00 12\n")
    (tmp_path / "n1.json").write_text(_doctor_envelope())
    (tmp_path / "n2.json").write_text('{"half a rep')  # a node of that run, cut short
    (tmp_path / "n7.json").write_text(_doctor_envelope())  # a report, whichever run wrote it
    (tmp_path / "n9.started").write_text("")
    (tmp_path / "notes.json").write_text('{"mine": true}')  # the user's: stays
    (tmp_path / "README").write_text("the user's")
    (tmp_path / ".n1.json.abc.tmp").write_text("")  # a writer's temp file: fleet report skips it

    names = [p.name for p in previous_run_files(tmp_path)]

    assert names == [
        ".fleet-step",
        "fleet.json",
        "n1.json",
        "n1.started",
        "n2.json",
        "n7.json",
        "n9.started",
    ]
    assert previous_run_files(tmp_path / "not-there") == []


@pytest.mark.slurm
def test_a_reused_folder_does_not_pass_old_reports_as_fresh(slurm_cluster, tmp_path: Path) -> None:
    hosts = tmp_path / "hosts"
    for node in ("n1", "n2", "n3"):
        healthy().write(hosts / node)
    out = tmp_path / "run"
    common = ("--out", str(out), "--budget", BUDGET, "--replay", f"{hosts}/{{host}}")

    first = fleet_run(slurm_cluster, *common, "--", "-w", "n[1-3]")
    assert first.returncode == 0, first.stdout + first.stderr
    assert (out / "n3.json").is_file()
    (out / "notes.json").write_text('{"mine": true}\n')

    slurm_cluster.set_state("n3", "drain", reason="fleet test: drained between two runs")
    try:
        second = fleet_run(slurm_cluster, *common, "--", "-w", "n[1-3]")
    finally:
        slurm_cluster.set_state("n3", "resume")

    assert second.returncode == 2, second.stdout + second.stderr  # n3 did not answer this time
    assert "held an earlier run: removed its" in second.stderr
    assert not (out / "n3.json").exists() and not (out / "n3.started").exists()
    assert (out / "notes.json").read_text() == '{"mine": true}\n'
    assert load(out / MANIFEST)["nodes"] == ["n1", "n2", "n3"]  # notes is nobody's node

    third = fleet_run(slurm_cluster, *common, "--", "-w", "n[1-2]")
    assert third.returncode == 2, third.stdout + third.stderr  # notes.json: not a report
    merged = subprocess.run(
        [sys.executable, "-m", "envsetup", "fleet", "report", str(out), "--json"],
        capture_output=True,
        text=True,
        check=False,
        env={**slurm_cluster.env, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")},
    )
    report = json.loads(merged.stdout)
    states = {n["node"]: n["state"] for n in report["data"]["nodes"]}
    assert states == {"n1": "healthy", "n2": "healthy", "notes": "unreadable"}


@pytest.mark.slurm
def test_a_folder_of_reports_no_fleet_run_wrote_is_refused_untouched(
    slurm_cluster, tmp_path: Path
) -> None:
    """The HealthCheckProgram's folder (`doctor --out DIR/{host}.json`, no fleet.json): its
    reports are the user's record; fleet run stops before srun and removes nothing."""
    out = tmp_path / "health"
    out.mkdir()
    (out / "n1.json").write_text(_doctor_envelope())
    (out / "n2.json").write_text(_doctor_envelope())
    before = sorted((p.name, p.read_text()) for p in out.iterdir())

    done = fleet_run(slurm_cluster, "--out", str(out), "--budget", BUDGET, "--", "-w", "n1")

    assert done.returncode == 2, done.stdout + done.stderr
    [line] = done.stderr.splitlines()
    assert "node report(s)" in line and "no fleet.json" in line and "fix: " in line
    assert sorted((p.name, p.read_text()) for p in out.iterdir()) == before
    assert not slurm_cluster.run(["squeue", "-h"]).stdout.strip()
