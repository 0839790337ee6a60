"""Fixtures for the fleet tests: a real local Slurm cluster (tests/slurm_local/cluster.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator, Sequence

import pytest

from slurm_local.cluster import NODES, SlurmCluster, start_cluster, stop_cluster


@pytest.fixture(scope="session")
def slurm_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlurmCluster]:
    """Nodes n1..n6 in partition `debug`, shared by the session: a test that changes a node's
    state (down, drain) sets it back before it ends."""
    directory = tmp_path_factory.mktemp("slurm")
    cluster, why = start_cluster(directory)
    if cluster is None:
        pytest.skip(why)
    try:
        yield cluster
    finally:
        stop_cluster(directory)


@pytest.fixture
def start_slurm_cluster(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., SlurmCluster]]:
    """A cluster of the test's own (other node count, extra slurm.conf lines), stopped after it:
    `start_slurm_cluster(nodes=2, extra_conf=["HealthCheckProgram=..."])`."""
    started: list[Path] = []

    def start(nodes: int = NODES, extra_conf: Sequence[str] = ()) -> SlurmCluster:
        directory = tmp_path_factory.mktemp("slurm")
        started.append(directory)
        cluster, why = start_cluster(directory, nodes, extra_conf)
        if cluster is None:
            pytest.skip(why)
        return cluster

    try:
        yield start
    finally:
        for directory in started:
            stop_cluster(directory)
