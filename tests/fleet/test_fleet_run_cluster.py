"""The local Slurm cluster the fleet tests run on: it really schedules one task per node on n1..n6,
it ends every daemon it started, and where it cannot start the reason is said."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import alive
from slurm_local.cluster import NODES

pytestmark = pytest.mark.slurm


def test_one_task_per_node_sees_its_own_node_name(slurm_cluster) -> None:
    done = slurm_cluster.run(
        ["srun", f"-N{NODES}", "--ntasks-per-node=1", "sh", "-c", "echo $SLURMD_NODENAME"]
    )
    assert done.returncode == 0, done.stderr
    assert sorted(done.stdout.split()) == sorted(slurm_cluster.nodes)
    assert slurm_cluster.nodes == tuple(f"n{i}" for i in range(1, NODES + 1))


def test_expected_nodes_expand_with_scontrol(slurm_cluster) -> None:
    done = slurm_cluster.run(["scontrol", "show", "hostnames", "n[1-3],n5"])
    assert done.stdout.split() == ["n1", "n2", "n3", "n5"]


def test_stop_ends_every_daemon_and_removes_the_folder(start_slurm_cluster) -> None:
    from slurm_local.cluster import stop_cluster

    cluster = start_slurm_cluster(nodes=2, extra_conf=["HealthCheckInterval=0"])
    assert "HealthCheckInterval=0\n" in cluster.conf.read_text()
    pids = [int(p.read_text()) for p in (cluster.directory / "run").glob("*.pid")]
    assert len(pids) == 4  # munged, slurmctld, slurmd n1 and n2
    assert all(alive(pid) for pid in pids)
    stop_cluster(cluster.directory)
    assert not any(alive(pid) for pid in pids)
    assert not cluster.directory.exists()


def _reason_as(argv_prefix: list[str], env: dict[str, str]) -> str:
    code = "from slurm_local.cluster import _why_slurm_cannot_start as w; print(w())"
    tests = str(Path(__file__).resolve().parents[1])
    done = subprocess.run(
        [*argv_prefix, sys.executable, "-c", code],
        env={**env, "PYTHONPATH": tests},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def test_without_slurm_or_apt_get_the_reason_says_what_is_missing(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    if os.geteuid() != 0:
        pytest.skip("the root check comes first: this one is seen as root only")
    reason = _reason_as([], {**os.environ, "PATH": str(empty)})
    assert "Slurm is not installed" in reason
    assert "slurmctld" in reason and "apt-get" in reason


def test_not_root_the_reason_names_root() -> None:
    setpriv = shutil.which("setpriv")
    if os.geteuid() == 0:
        if setpriv is None:
            pytest.skip("setpriv (util-linux) is needed to run the check as another user")
        prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    else:
        prefix = []
    reason = _reason_as(prefix, dict(os.environ))
    assert reason.startswith("local Slurm needs root"), reason
