"""A real Slurm cluster on this one host, for tests (issue 13: "a real Slurm, not a mock").

tests/slurm_local/start-local-slurm.sh starts munged, slurmctld and one `slurmd -N nK` per node
under a private folder and port (Debian builds slurmd with --enable-multiple-slurmd, so n1..nN are
separate daemons and each task sees its own SLURMD_NODENAME); stop-local-slurm.sh ends them by PID
and removes the folder. Where Slurm cannot start here (no packages and no way to install them, not
root, a daemon that will not come up) the tests that ask for a cluster skip with the reason, which
`pytest -rs` (on by default: addopts has -ra) prints. The fixtures are in tests/fleet/conftest.py.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Mapping, Sequence

SLURM_LOCAL = Path(__file__).resolve().parent
START = SLURM_LOCAL / "start-local-slurm.sh"
STOP = SLURM_LOCAL / "stop-local-slurm.sh"
# n1..n6: the fleet run tests need five nodes that answer (a healthy pair, a deviating driver, a
# CPU-only torch, one that times out) and one that never answers.
NODES = 6
DAEMONS = ("slurmctld", "slurmd", "srun", "munged")
START_TIMEOUT_S = 120  # a first start may apt-get install 8 packages (12 s measured, NOTES.md)


@dataclass(frozen=True)
class SlurmCluster:
    """A running local cluster. `env` is this process's environment plus SLURM_CONF: pass it as
    env= to srun/sbatch/scontrol or to an envsetup child that calls them."""

    directory: Path
    conf: Path
    nodes: tuple[str, ...]
    port: int
    env: Mapping[str, str] = field(repr=False)

    def run(
        self, argv: Sequence[str], timeout: float = 60, **kwargs: object
    ) -> subprocess.CompletedProcess[str]:
        """Run a Slurm client (or anything that needs SLURM_CONF) against this cluster."""
        return subprocess.run(
            list(argv),
            env=dict(self.env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            **kwargs,  # type: ignore[arg-type]
        )

    def node_state(self, node: str) -> str:
        """`sinfo`'s long state of one node (idle, down*, drained, ...)."""
        done = self.run(["sinfo", "-h", "-N", "-n", node, "-o", "%T"])
        return done.stdout.strip()

    def set_state(self, node: str, state: str, reason: str = "envsetup tests") -> None:
        if state.lower() == "resume" and self.node_state(node) == "idle":
            return  # back already: ReturnToService=2 returns a DOWN node when its slurmd registers
        argv = ["scontrol", "update", f"nodename={node}", f"state={state}"]
        if state.lower() in ("down", "drain", "fail"):
            argv.append(f"reason={reason}")
        done = self.run(argv)
        assert done.returncode == 0, done.stderr

    def stop_node(self, node: str) -> None:
        """Kill one node's slurmd (by the pid in its pid file): the node stops answering, as a
        machine that crashed. Jobs already on it are not cancelled."""
        pid = int((self.directory / "run" / f"slurmd-{node}.pid").read_text().split()[0])
        os.kill(pid, signal.SIGKILL)

    @contextlib.contextmanager
    def held_down(self, node: str, reason: str) -> Iterator[None]:
        """`node` DOWN for the block, and kept so: its slurmd is stopped first, since with
        ReturnToService=2 a DOWN node whose slurmd still runs comes back at its next
        registration (seen in CI: sinfo said idle a moment after `scontrol update state=down`).
        Its slurmd is started again after the block."""
        self.stop_node(node)
        try:
            self.set_state(node, "down", reason=reason)
            yield
        finally:
            self.start_node(node)

    def start_node(self, node: str, timeout: float = 60) -> None:
        """Start one node's slurmd again and wait until Slurm takes jobs on it (ReturnToService=2
        brings a node that stopped answering back when it registers)."""
        done = self.run(["slurmd", "-N", node, "-f", str(self.conf)])
        assert done.returncode == 0, done.stderr
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.node_state(node)
            if state == "idle":
                return
            if state.startswith(("down", "drain", "fail")) and not state.endswith("*"):
                self.set_state(node, "resume")
            time.sleep(0.2)
        raise AssertionError(f"{node} not idle {timeout} s after its slurmd started: {state}")


def _why_slurm_cannot_start() -> str | None:
    """The reason this host cannot run the local cluster, or None when it can try."""
    if not Path("/proc/self/environ").exists():
        return "local Slurm needs Linux (/proc): not available here"
    if os.geteuid() != 0:
        return (
            f"local Slurm needs root (munged and slurmd run as root); running as uid {os.geteuid()}"
        )
    missing = [name for name in DAEMONS if shutil.which(name) is None]
    if missing and shutil.which("apt-get") is None:
        return (
            f"Slurm is not installed ({', '.join(missing)} not on PATH) and apt-get is missing to "
            "install it (Debian/Ubuntu: apt-get install slurmctld slurmd slurm-client munge)"
        )
    return None


def _ports_free(first: int, count: int) -> bool:
    for port in range(first, first + count):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def _free_port_range(count: int) -> int:
    """A first port such that it and the next count-1 are free on 127.0.0.1 (other helpers and
    CI jobs may run their own cluster on this machine)."""
    rng = random.Random(os.getpid())
    for _ in range(200):
        first = rng.randrange(20000, 60000 - count)
        if _ports_free(first, count):
            return first
    raise RuntimeError(f"no {count} consecutive free ports on 127.0.0.1")


def _exports(stdout: str) -> dict[str, str]:
    """The start script's stdout: only `export NAME=value` lines."""
    found = {}
    for line in stdout.splitlines():
        if line.startswith("export ") and "=" in line:
            name, value = line[len("export ") :].split("=", 1)
            found[name] = value
    return found


def start_cluster(
    directory: Path, nodes: int = NODES, extra_conf: Sequence[str] = ()
) -> tuple[SlurmCluster | None, str]:
    """Start a cluster under `directory`; (cluster, "") or (None, why it did not start).
    `extra_conf`: slurm.conf lines added before the node lines (HealthCheckProgram=..., ...)."""
    why = _why_slurm_cannot_start()
    if why:
        return None, why
    last = ""
    for _ in range(3):  # a port taken between the check and slurmctld's bind: try another
        port = _free_port_range(nodes + 1)
        env = dict(
            os.environ,
            SLURM_LOCAL_DIR=str(directory),
            SLURM_LOCAL_NODES=str(nodes),
            SLURM_LOCAL_PORT=str(port),
            SLURM_LOCAL_EXTRA_CONF="\n".join(extra_conf),
        )
        env.pop("SLURM_CONF", None)  # the start script's own clients must talk to its cluster
        try:
            done = subprocess.run(
                [str(START)],
                env=env,
                capture_output=True,
                text=True,
                timeout=START_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            stop_cluster(directory)
            return None, f"local Slurm did not start within {START_TIMEOUT_S} s"
        if done.returncode == 0:
            exports = _exports(done.stdout)
            client_env = dict(os.environ, SLURM_CONF=exports["SLURM_CONF"])
            names = tuple(f"n{i}" for i in range(1, nodes + 1))
            cluster = SlurmCluster(directory, Path(exports["SLURM_CONF"]), names, port, client_env)
            return cluster, ""
        errors = [line for line in done.stderr.splitlines() if "ERROR" in line]
        last = (errors or done.stderr.strip().splitlines() or ["no output"])[-1]
        if "already in use" not in last:
            break
    return None, f"local Slurm did not start: {last.strip()}"


def stop_cluster(directory: Path) -> None:
    env = dict(os.environ, SLURM_LOCAL_DIR=str(directory))
    env.pop("SLURM_CONF", None)
    subprocess.run([str(STOP)], env=env, capture_output=True, timeout=120, check=False)
