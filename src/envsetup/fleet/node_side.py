"""`envsetup fleet node`: what each Slurm task of `fleet run` does on its node.

It writes DIR/<node>.started (its start time and pid) before anything else, so that a node that
started and never finished is told apart from one that never answered; then runs doctor (or
verify) as a child with `--json` and writes the envelope it prints to DIR/<node>.json atomically.

A child rather than in-process: the node side stays in charge of the wall clock. doctor's own
budget is cooperative (it skips what it has no time for); a probe stuck in the kernel (nvidia-smi on
a wedged GPU) is not, and only a process that can be killed keeps the node side inside its budget,
before srun's --time (a minute at least, enforced up to a minute late) or Slurm's 60 s limit on a
health check does it less gracefully. The cost is one more interpreter start (~0.2 s).
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

from envsetup.errors import UsageError
from envsetup.host import environment, execution
from envsetup.host.files import LOCAL as host_files
from envsetup.host.machine import THIS_MACHINE

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
HOST_PLACEHOLDER = "{host}"


@dataclass(frozen=True)
class NodeOutcome:
    """How one node side ended: the report written (or None), its exit code (the child's; 124
    when it ran past the budget), and a line saying why there is no report."""

    node: str
    report: Optional[Path]
    exit_code: int
    timed_out: bool = False
    message: str = ""


def node_name(environ: Mapping[str, str]) -> str:
    """The node's name as Slurm knows it (SLURMD_NODENAME: several slurmd may share one host),
    else the short host name."""
    name = environ.get("SLURMD_NODENAME", "").strip()
    return name or socket.gethostname().split(".")[0]


def for_node(template: str, node: str) -> str:
    """`template` with {host} replaced by the node's name."""
    return template.replace(HOST_PLACEHOLDER, node)


def write_node_report(path: Path, envelope: Mapping[str, Any]) -> None:
    """The node's report, atomically (temp file in the same folder + os.replace): a reader on
    another node sees the whole file or none. At merge this gives way to fleetnode's
    doctor/verify --out (report_file.py), which writes the same envelope the same way."""
    host_files.write_atomically(path, json.dumps(envelope, indent=2, ensure_ascii=False) + "\n")


def node_command(out: str, verify: bool, budget_s: float, replay: Optional[str]) -> list[str]:
    """The node side's command line, as srun runs it on every node: this interpreter and this
    envsetup (the run folder and the install are on a shared filesystem)."""
    argv = [THIS_MACHINE.executable, "-m", "envsetup", "fleet", "node", "--out", out]
    argv += ["--verify"] if verify else []
    argv += ["--budget", f"{budget_s:g}"]
    argv += ["--replay", replay] if replay else []
    return argv


def child_argv(verify: bool, replay: Optional[str], hang: bool) -> list[str]:
    python = THIS_MACHINE.executable
    if hang:
        return [python, "-c", "import time; time.sleep(3600)"]
    command = "verify" if verify else "doctor"
    argv = [python, "-m", "envsetup", command, "--json"]
    return argv + (["--replay", replay] if replay else [])


def _hangs(environ: Mapping[str, str], node: str) -> bool:
    return node in [n.strip() for n in environ.get(TEST_HANG_ENV, "").split(",")]


def _step(environ: Mapping[str, str]) -> dict[str, Optional[str]]:
    return {
        "job_id": environ.get("SLURM_JOB_ID"),
        "step_id": environ.get("SLURM_STEP_ID"),
        "nodelist": environ.get("SLURM_STEP_NODELIST") or environ.get("SLURM_JOB_NODELIST"),
    }


def _envelope(stdout: bytes) -> Optional[dict[str, Any]]:
    try:
        document = json.loads(stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return document if isinstance(document, dict) and "command" in document else None


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
    started = f"{datetime.now(timezone.utc).isoformat(timespec='seconds')} {THIS_MACHINE.pid()}\n"
    try:
        host_files.write_atomically(folder / f"{node}{STARTED_SUFFIX}", started)
        host_files.write_atomically(folder / STEP_FILE, json.dumps(_step(environ)) + "\n")
    except OSError as exc:
        raise UsageError(
            f"fleet node {node}: cannot write to {out} ({exc.strerror or exc}); fix: put the run "
            "folder on a filesystem every node mounts and may write"
        ) from None
    argv = child_argv(verify, for_node(replay, node) if replay else None, _hangs(environ, node))
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
    envelope = _envelope(done.stdout)
    if envelope is None:
        return NodeOutcome(
            node,
            None,
            code or 1,
            message=f"no JSON report (exit {code}): {_last_line(done.stderr)}",
        )
    data = envelope.get("data")
    if isinstance(data, dict):
        data.setdefault("node", node)  # fleetnode's doctor/verify set it themselves
    path = folder / f"{node}.json"
    write_node_report(path, envelope)
    return NodeOutcome(node, path, code)


def started_nodes(folder: Path, names: Sequence[str]) -> list[str]:
    """Which of `names` wrote a .started marker in `folder`."""
    return [name for name in names if host_files.exists(folder / f"{name}{STARTED_SUFFIX}")]
