"""`envsetup fleet node`: what each Slurm task of `fleet run` does on its node.

It writes DIR/<node>.started (its start time and pid) before anything else, so that a node that
started and never finished is told apart from one that never answered; then runs doctor (or
verify) as a child with `--json --out DIR/<node>.json --budget SECONDS`: the child writes the
node's report itself, atomically, the same way a HealthCheckProgram's doctor does (node_outputs.py).

A child rather than in-process: the node side stays in charge of the wall clock. doctor's own
`--budget` is cooperative (it cuts what it has no time for and says so); a probe stuck in the kernel
(nvidia-smi on a wedged GPU) is not, and only a process that can be killed keeps the node side inside
its budget,
before srun's --time (a minute at least, enforced up to a minute late) or Slurm's 60 s limit on a
health check does it less gracefully. The cost is one more interpreter start (~0.2 s).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping, Optional, Sequence

from envsetup.errors import UsageError
from envsetup.host import environment, execution
from envsetup.host.files import LOCAL as host_files
from envsetup.host.machine import THIS_MACHINE
from envsetup.host.report_file import expand, node_name

STARTED_SUFFIX = ".started"
# Written by every node side (the same content): the step's job id, step id and node list, from
# which `fleet run` learns the nodes Slurm chose (-N without -w) and what to scancel. A dot file
# without the .json suffix: no report reader takes it for a node's report.
STEP_FILE = ".fleet-step"
# Beyond the budget: the child's interpreter start and the report's write.
NODE_GRACE_S = 5.0
# Test and demo aid, never set in production: the node sides whose names it lists (comma
# separated) run a child that sleeps instead of doctor, so that the node-side timeout is seen
# under a real Slurm (docs/fleet.md, "fleet run").
TEST_HANG_ENV = "ENVSETUP_FLEET_TEST_HANG"


@dataclass(frozen=True)
class NodeOutcome:
    """How one node side ended: the report written (or None), its exit code (the child's; 124
    when it ran past the budget), and a line saying why there is no report."""

    node: str
    report: Optional[Path]
    exit_code: int
    timed_out: bool = False
    message: str = ""


def node_command(out: str, verify: bool, budget_s: float, replay: Optional[str]) -> list[str]:
    """The node side's command line, as srun runs it on every node: this interpreter and this
    envsetup (the run folder and the install are on a shared filesystem)."""
    argv = [THIS_MACHINE.executable, "-m", "envsetup", "fleet", "node", "--out", out]
    argv += ["--verify"] if verify else []
    argv += ["--budget", f"{budget_s:g}"]
    argv += ["--replay", replay] if replay else []
    return argv


def child_argv(
    verify: bool, report: Path, budget_s: float, replay: Optional[str], hang: bool
) -> list[str]:
    """doctor's (or verify's) command line: it writes `report` itself within `budget_s`."""
    python = THIS_MACHINE.executable
    if hang:
        return [python, "-c", "import time; time.sleep(3600)"]
    command = "verify" if verify else "doctor"
    argv = [python, "-m", "envsetup", command, "--json", "--out", str(report)]
    argv += ["--budget", f"{budget_s:g}"]
    return argv + (["--replay", replay] if replay else [])


def _hangs(environ: Mapping[str, str], node: str) -> bool:
    return node in [n.strip() for n in environ.get(TEST_HANG_ENV, "").split(",")]


def _step(environ: Mapping[str, str]) -> dict[str, Optional[str]]:
    return {
        "job_id": environ.get("SLURM_JOB_ID"),
        "step_id": environ.get("SLURM_STEP_ID"),
        "nodelist": environ.get("SLURM_STEP_NODELIST") or environ.get("SLURM_JOB_NODELIST"),
    }


def _written_since(path: Path, started_ns: int) -> bool:
    """The child wrote `path`: it is there and newer than the node side's start (a report left
    in the folder by an earlier run does not count)."""
    try:
        return host_files.stat(path).st_mtime_ns >= started_ns - 1_000_000_000
    except OSError:
        return False


def _last_line(stderr: bytes) -> str:
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else "nothing on stderr"


def run_node(out: str, verify: bool, budget_s: float, replay: Optional[str] = None) -> NodeOutcome:
    """Mark the start, run doctor (or verify) within `budget_s` + NODE_GRACE_S, write the
    report. Raises UsageError when the run folder is not there or not writable."""
    if verify and replay:
        raise UsageError(
            "fleet node: --replay works with doctor only (verify runs torch in a real "
            "interpreter); fix: drop --verify or --replay"
        )
    environ = environment()
    node = node_name(environ)
    folder = Path(out)
    report = folder / f"{node}.json"
    started_ns = 0
    started = f"{datetime.now(timezone.utc).isoformat(timespec='seconds')} {THIS_MACHINE.pid()}\n"
    try:
        host_files.write_atomically(folder / f"{node}{STARTED_SUFFIX}", started)
        host_files.write_atomically(folder / STEP_FILE, json.dumps(_step(environ)) + "\n")
        started_ns = host_files.stat(folder / f"{node}{STARTED_SUFFIX}").st_mtime_ns
    except OSError as exc:
        raise UsageError(
            f"fleet node {node}: cannot write to {out} ({exc.strerror or exc}); fix: put the run "
            "folder on a filesystem every node mounts and may write"
        ) from None
    argv = child_argv(
        verify, report, budget_s, expand(replay, node) if replay else None, _hangs(environ, node)
    )
    limit = budget_s + NODE_GRACE_S
    try:
        done = execution.run(execution.Request(tuple(argv), timeout_s=limit, stop_grace_s=1.0))
    except OSError as exc:
        return NodeOutcome(node, None, 1, message=f"cannot start {argv[0]}: {exc.strerror or exc}")
    if done.timed_out:
        return NodeOutcome(
            node,
            None,
            124,
            timed_out=True,
            message=f"still running after {limit:g} s (budget {budget_s:g} s + {NODE_GRACE_S:g} s); "
            "stopped, no report",
        )
    code = done.returncode if done.returncode is not None else 1
    if not _written_since(report, started_ns):
        return NodeOutcome(
            node,
            None,
            code or 1,
            message=f"no report written (exit {code}): {_last_line(done.stderr)}",
        )
    return NodeOutcome(node, report, code)


def started_nodes(folder: Path, names: Sequence[str]) -> list[str]:
    """Which of `names` wrote a .started marker in `folder`."""
    return [name for name in names if host_files.exists(folder / f"{name}{STARTED_SUFFIX}")]
