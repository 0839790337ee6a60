"""The text report's closing line counts what its sections list (attack13 report, finding 7): a
reviewer saw "2 nodes unhealthy; drain them as above" over a Drain section of one line, because a
node where envsetup itself stopped (state failed: named, never drained) was counted as unhealthy.
Run folders of real doctor documents (fleet_nodes.py) and a real doctor that stopped."""

from __future__ import annotations

import json
from pathlib import Path

from fleet_nodes import H100, WINDOWS_CPU_TORCH, doctor_report, write_run
from scripts import run_envsetup


def _stopped(tmp_path: Path) -> dict:
    done = run_envsetup("doctor", "--json", "--replay", str(tmp_path / "no-such-host"))
    assert done.returncode == 2
    return json.loads(done.stdout)


def _closing(run: Path) -> str:
    done = run_envsetup("fleet", "report", str(run), env={"COLUMNS": "200"})
    assert done.returncode == 1, done.stdout + done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_the_closing_line_counts_the_drained_and_the_stopped_apart(tmp_path: Path) -> None:
    run = write_run(
        tmp_path / "run",
        {
            "n1": doctor_report(H100),
            "n2": doctor_report(WINDOWS_CPU_TORCH),
            "n3": _stopped(tmp_path),
        },
        expected=["n1", "n2", "n3"],
    )
    text = run_envsetup("fleet", "report", str(run), env={"COLUMNS": "200"}).stdout

    assert text.count("scontrol update nodename=") == 1
    assert "n3 (not drained)" in text
    assert text.strip().splitlines()[-1] == (
        "1 node unhealthy; drain it as above; envsetup stopped on 1 node (not drained)."
    )


def test_only_stopped_nodes_are_not_called_unhealthy(tmp_path: Path) -> None:
    run = write_run(
        tmp_path / "run",
        {"n1": doctor_report(H100), "n3": _stopped(tmp_path)},
        expected=["n1", "n3"],
    )
    assert _closing(run) == "envsetup stopped on 1 node: see why above (not drained)."


def test_silent_nodes_and_stopped_ones_are_both_said(tmp_path: Path) -> None:
    run = write_run(
        tmp_path / "run",
        {"n1": doctor_report(H100), "n3": _stopped(tmp_path)},
        expected=["n1", "n3", "n4"],
    )
    done = run_envsetup("fleet", "report", str(run), env={"COLUMNS": "200"})
    assert done.returncode == 2
    assert done.stdout.strip().splitlines()[-1] == (
        "1 node did not answer; 0 unhealthy; envsetup stopped on 1 node (not drained)."
    )
