"""`fleet node` (the task srun starts on each node) as a real process, without Slurm: the
variables a Slurm task has are set by hand (SLURMD_NODENAME, SLURM_JOB_ID, SLURM_STEP_ID,
SLURM_STEP_NODELIST). And the pieces of srun's command line `fleet run` builds."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from envsetup.fleet.slurm import (
    node_selection,
    srun_argv,
    time_limit_minutes,
    without_nodelist,
)
from hostbuilder import case_host
from scripts import run_envsetup

CASE = case_host("07-fabricmanager-802-h100")  # a real user's H100 host: doctor exits 0
TASK = {"SLURM_JOB_ID": "41", "SLURM_STEP_ID": "0", "SLURM_STEP_NODELIST": "gpu[07-09]"}


def node(out: Path, name: str, *args: str, **env: str):
    return run_envsetup(
        "fleet", "node", "--out", str(out), *args, env={**TASK, "SLURMD_NODENAME": name, **env}
    )


def test_the_node_marks_its_start_and_writes_doctors_envelope(tmp_path: Path) -> None:
    done = node(tmp_path, "gpu08", "--budget", "30", "--replay", str(CASE))
    assert done.returncode == 0, done.stderr
    stamp, pid = (tmp_path / "gpu08.started").read_text().split()
    assert stamp.endswith("+00:00") and int(pid) > 0
    report = json.loads((tmp_path / "gpu08.json").read_text())
    doctor = ("doctor", "--json", "--budget", "30", "--replay", str(CASE))
    alone = json.loads(run_envsetup(*doctor).stdout)
    assert report["data"].pop("node") == "gpu08"
    alone["data"].pop("node")  # doctor alone names this machine; the node names itself
    for document in (report, alone):  # the one figure that differs from run to run
        assert document["data"]["budget"].pop("elapsed_s") < 30
    # The envelope `doctor --json --budget` prints, written by doctor's own --out.
    assert report == alone
    step = json.loads((tmp_path / ".fleet-step").read_text())
    assert step == {"job_id": "41", "step_id": "0", "nodelist": "gpu[07-09]"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".fleet-step",
        "gpu08.json",
        "gpu08.started",
    ]  # written atomically: no temporary file left


def test_host_in_the_replay_path_is_the_node_name(tmp_path: Path) -> None:
    """A node whose recorded host is missing still answers: doctor's usage error, as JSON."""
    hosts = tmp_path / "hosts"
    hosts.mkdir()
    (hosts / "gpu07").symlink_to(CASE, target_is_directory=True)
    out = tmp_path / "run"
    out.mkdir()
    assert node(out, "gpu07", "--budget", "30", "--replay", f"{hosts}/{{host}}").returncode == 0
    missing = node(out, "gpu09", "--budget", "30", "--replay", f"{hosts}/{{host}}")
    assert missing.returncode == 2
    report = json.loads((out / "gpu09.json").read_text())
    assert report["outcome"] == "error" and report["error"]["kind"] == "usage"
    assert f"{hosts}/gpu09" in report["error"]["message"]


def test_a_node_past_its_budget_is_stopped_and_writes_no_report(tmp_path: Path) -> None:
    began = time.monotonic()
    done = node(tmp_path, "gpu09", "--budget", "1", ENVSETUP_FLEET_TEST_HANG="gpu07,gpu09")
    took = time.monotonic() - began
    assert done.returncode == 124
    assert 6 <= took < 20  # budget 1 s + the 5 s grace, then stopped
    assert (tmp_path / "gpu09.started").exists() and not (tmp_path / "gpu09.json").exists()
    assert done.stderr.strip() == (
        "envsetup fleet node gpu09: still running after 6 s (budget 1 s + 5 s); stopped, no report"
    )


def test_a_run_folder_it_cannot_write_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    done = node(blocker, "gpu07", "--budget", "5")
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith(f"envsetup: fleet node gpu07: cannot write to {blocker}")
    assert "fix: put the run folder on a filesystem every node mounts" in line


def test_verify_cannot_replay(tmp_path: Path) -> None:
    done = node(tmp_path, "gpu07", "--verify", "--replay", str(CASE))
    assert done.returncode == 2 and "--replay works with doctor only" in done.stderr
    assert not list(tmp_path.iterdir())


def test_without_srun_it_says_where_to_run(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    done = run_envsetup("fleet", "run", "--out", str(tmp_path / "r"), "--", "-N", "2",
                        env={"PATH": str(empty)})  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "envsetup: srun: not found on PATH — run fleet run on a Slurm login or compute node, "
        "or `fleet report DIR` on collected files"
    )
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    ("options", "nodelist", "chooses", "counts"),
    [
        (["-w", "n[1-3]"], "n[1-3]", True, False),
        (["-wn[1-3]"], "n[1-3]", True, False),
        (["--nodelist=n1,n2", "-p", "gpu"], "n1,n2", True, False),
        (["--nodelist", "n1"], "n1", True, False),
        (["-N", "4"], None, True, True),
        (["--nodes=4", "--exclusive"], None, True, True),
        (["-p", "gpu"], None, True, False),
        (["--partition=gpu"], None, True, False),
        (["--exclusive", "--mem=0"], None, False, False),
        ([], None, False, False),
    ],
)
def test_which_srun_options_choose_nodes(options, nodelist, chooses, counts) -> None:
    selection = node_selection(options)
    assert (selection.nodelist, selection.chooses_nodes, selection.counts_nodes) == (
        nodelist,
        chooses,
        counts,
    )


def test_a_nodelist_is_replaced_whatever_its_spelling() -> None:
    options = ["-p", "gpu", "-w", "a", "-wb", "--nodelist=c", "--nodelist", "d", "--exclusive"]
    assert without_nodelist(options) == ["-p", "gpu", "--exclusive"]


@pytest.mark.parametrize(
    ("budget", "minutes"), [(0.5, 1), (30, 1), (30.5, 2), (50, 2), (90, 2), (91, 3), (600, 11)]
)
def test_the_time_limit_is_budget_and_margin_in_whole_minutes(budget, minutes) -> None:
    assert time_limit_minutes(budget) == minutes


def test_the_users_options_come_after_fleets_own() -> None:
    argv = srun_argv("/usr/bin/srun", 50, ["--time=5", "-N", "2"], ["python", "-m", "envsetup"])
    assert argv == [
        "/usr/bin/srun",
        "--ntasks-per-node=1",
        "--kill-on-bad-exit=0",
        "--time=2",
        "--job-name=envsetup-fleet",
        "--time=5",  # srun takes the last: the user's
        "-N",
        "2",
        "python",
        "-m",
        "envsetup",
    ]
