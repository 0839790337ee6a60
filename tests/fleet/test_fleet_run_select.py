"""Which nodes `fleet run` asks, under the real local Slurm, where the srun options name nodes
Slurm cannot give (attack13 report, findings 2-4): a name that is no node of the cluster is left
out and told as such (srun -w with it refuses every node: "Invalid node name specified"), and a
`-N` larger than the cluster (srun queues past the budget and is stopped) ends as incomplete,
exit 2, never as "All 0 nodes healthy"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fleet.test_fleet_run import fleet_run, healthy, load

pytestmark = pytest.mark.slurm


def test_a_name_that_is_no_node_is_left_out_and_said(slurm_cluster, tmp_path: Path) -> None:
    hosts = tmp_path / "hosts"
    healthy().write(hosts / "n1")
    out = tmp_path / "run"

    done = fleet_run(
        slurm_cluster,
        *("--out", str(out), "--budget", "10", "--replay", f"{hosts}/{{host}}"),
        *("--", "-w", "n1,nosuch"),
    )

    assert done.returncode == 2, done.stdout + done.stderr
    assert "nosuch: not started, Slurm says it is not a node of this cluster" in done.stderr
    manifest = load(out / "fleet.json")
    assert "--nodelist=n1" in manifest["srun_argv"]
    assert manifest["unavailable"] == {
        "nosuch": "not a node of this cluster (sinfo does not list it)"
    }
    assert (out / "n1.json").is_file()  # n1 ran: the bad name did not sink the whole srun


def test_more_nodes_than_the_cluster_has_is_incomplete(slurm_cluster, tmp_path: Path) -> None:
    out = tmp_path / "run"

    done = fleet_run(
        slurm_cluster,
        *("--out", str(out), "--budget", "1", "--replay", f"{tmp_path}/{{host}}"),
        *("--", "-N", str(len(slurm_cluster.nodes) + 3)),
    )

    assert done.returncode == 2, done.stdout + done.stderr
    assert "srun still ran after 1 s + margin: stopped and cancelled" in done.stderr
    assert "All 0 nodes healthy" not in done.stdout
    assert json.loads((out / "fleet.json").read_text())["nodes"] == []
    queue = slurm_cluster.run(["squeue", "-h", "-n", "envsetup-fleet", "-o", "%i %T"])
    assert queue.stdout.strip() == ""  # the pending request was withdrawn
