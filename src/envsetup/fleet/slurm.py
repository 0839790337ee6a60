"""What `fleet run` asks of Slurm: which nodes the srun options (or the allocation) name, the srun
command line, and cancelling a step that ran past its limit.

Slurm facts used here, with their sources:
- `scontrol show hostnames LIST` prints a hostlist expression (`n[1-3],gpu07`) one name a line:
  https://slurm.schedmd.com/scontrol.html ("show hostnames").
- `--time` is in minutes (`--time=2`); Slurm checks limits about every 30 s, so a job is killed
  up to a minute late and never under a minute: https://slurm.schedmd.com/srun.html (-t, --time)
  and measured on Debian's 22.05.8 (tests/slurm_local/PROVENANCE.md).
- `--kill-on-bad-exit=0`: one task's non-zero exit does not end the others:
  https://slurm.schedmd.com/srun.html (-K, --kill-on-bad-exit).
- SIGTERM to srun ends its step: srun prints "forcing job termination" and slurmstepd cancels the
  step's tasks (measured on Debian's 22.05.8: `srun -w n1 bash -c 'sleep 30'`, then SIGTERM to
  srun; the step is CANCELLED at once). A pending srun withdraws its request instead ("Job
  allocation N has been revoked").
- Inside salloc/sbatch the allocation is SLURM_JOB_ID and SLURM_JOB_NODELIST; in a task,
  SLURMD_NODENAME is the node, SLURM_STEP_NODELIST the step's nodes:
  https://slurm.schedmd.com/srun.html ("OUTPUT ENVIRONMENT VARIABLES").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

from envsetup.errors import EnvsetupError, UsageError
from envsetup.exit_codes import ExitCode
from envsetup.host import execution

# Beyond the node side's budget: its own start and its report's write, then srun's launch and
# wind-down. srun's --time gets budget + this, in whole minutes; `fleet run` stops the whole srun
# at budget + this as well (Slurm enforces --time up to a minute late).
MARGIN_S = 30.0
CLIENT_TIMEOUT_S = 30.0  # scontrol, sinfo, scancel: they answer at once or the controller is gone
JOB_NAME = "envsetup-fleet"
SRUN_MISSING = (
    "srun: not found on PATH — run fleet run on a Slurm login or compute node, or "
    "`fleet report DIR` on collected files"
)

# srun's options that choose nodes (https://slurm.schedmd.com/srun.html).
_NODELIST = ("-w", "--nodelist")
_NODE_CHOOSERS = ("-N", "--nodes", "-w", "--nodelist", "-p", "--partition", "-F", "--nodefile")


@dataclass(frozen=True)
class NodeSelection:
    """What the srun options say about nodes: `nodelist` (-w's value, a hostlist expression or
    a file), and whether any option picks nodes at all (-N, -w, -p, -F)."""

    nodelist: Optional[str]
    chooses_nodes: bool
    counts_nodes: bool  # -N: a subset of an allocation, which Slurm picks


def _value(options: Sequence[str], names: Sequence[str]) -> Optional[str]:
    """The last value given to one of `names` (`-w X`, `-wX`, `--nodelist=X`, `--nodelist X`)."""
    found = None
    for index, option in enumerate(options):
        for name in names:
            if option == name and index + 1 < len(options):
                found = options[index + 1]
            elif name.startswith("--") and option.startswith(name + "="):
                found = option[len(name) + 1 :]
            elif not name.startswith("--") and option.startswith(name) and option != name:
                found = option[len(name) :]
    return found


def without_nodelist(options: Sequence[str]) -> list[str]:
    """The srun options with every -w/--nodelist (and its value) taken out."""
    kept: list[str] = []
    skip = False
    for option in options:
        if skip:
            skip = False
            continue
        if option in _NODELIST:
            skip = True
            continue
        if option.startswith("--nodelist=") or (option.startswith("-w") and option != "-w"):
            continue
        kept.append(option)
    return kept


def node_selection(options: Sequence[str]) -> NodeSelection:
    return NodeSelection(
        nodelist=_value(options, _NODELIST),
        chooses_nodes=_value(options, _NODE_CHOOSERS) is not None,
        counts_nodes=_value(options, ("-N", "--nodes")) is not None,
    )


def time_limit_minutes(budget_s: float, margin_s: float = MARGIN_S) -> int:
    """srun's --time for a node side given `budget_s`: whole minutes, rounded up, at least 1."""
    return max(1, math.ceil((budget_s + margin_s) / 60.0))


def srun_argv(
    srun: str, budget_s: float, user_options: Sequence[str], node_command: Sequence[str]
) -> list[str]:
    """One task per node, none killed for another's failure, a wall limit; the user's options
    after ours, so that theirs win where they repeat one (srun takes the last)."""
    return [
        srun,
        "--ntasks-per-node=1",
        "--kill-on-bad-exit=0",
        f"--time={time_limit_minutes(budget_s)}",
        f"--job-name={JOB_NAME}",
        *user_options,
        *node_command,
    ]


@dataclass(frozen=True)
class SlurmClients:
    """Where Slurm's client commands are on this machine."""

    srun: str
    scontrol: str
    scancel: str
    sinfo: str


def find_clients(path: Optional[str]) -> SlurmClients:
    """srun, scontrol and scancel on `path` (PATH's value); srun missing is the one-line error
    SRUN_MISSING, the others default to their bare names (srun without them is unusual)."""
    from envsetup.host.files import LOCAL

    srun = LOCAL.which("srun", path)
    if srun is None:
        raise EnvsetupError(SRUN_MISSING, ExitCode.USAGE)
    return SlurmClients(
        srun=srun,
        scontrol=LOCAL.which("scontrol", path) or "scontrol",
        scancel=LOCAL.which("scancel", path) or "scancel",
        sinfo=LOCAL.which("sinfo", path) or "sinfo",
    )


def _client(argv: Sequence[str], env: Mapping[str, str]) -> execution.Outcome:
    try:
        return execution.run(
            execution.Request(tuple(argv), timeout_s=CLIENT_TIMEOUT_S, env=dict(env))
        )
    except OSError as exc:
        raise EnvsetupError(
            f"{argv[0]}: cannot run it ({exc.strerror or exc}); fix: run fleet run where the "
            "Slurm client commands are installed",
            ExitCode.USAGE,
        ) from None


def expand_hostnames(scontrol: str, expression: str, env: Mapping[str, str]) -> list[str]:
    """The node names of a hostlist expression, as Slurm expands it."""
    done = _client([scontrol, "show", "hostnames", expression], env)
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = why[-1] if why else f"exit status {done.returncode}"
        raise UsageError(
            f"node list {expression!r}: scontrol cannot expand it ({reason}); fix: give -w a "
            "Slurm hostlist such as node[01-04]"
        )
    return [line.strip() for line in done.stdout.decode("utf-8", "replace").split() if line]


# sinfo's long states (%T) in which a node takes a new step now or once its current jobs end;
# anything else (down, drained, draining, fail, maint, future, ...) makes srun -w wait for it.
# https://slurm.schedmd.com/sinfo.html ("NODE STATE CODES"); a trailing "*" means not responding.
_USABLE_STATES = {"idle", "mixed", "allocated", "completing"}


# The state given to a name sinfo does not list at all (a typo, a node removed from slurm.conf):
# srun -w with it fails for every node ("Invalid node name specified"), so it is left out too.
NOT_A_NODE = "not a node of this cluster (sinfo does not list it)"


def unusable_nodes(sinfo: str, names: Sequence[str], env: Mapping[str, str]) -> dict[str, str]:
    """Of `names`, the nodes srun could not start on now, with their sinfo state (NOT_A_NODE for
    a name sinfo does not know). `-a`: nodes of hidden partitions are nodes too. When sinfo
    itself fails, nothing is left out: srun says why itself."""
    if not names:
        return {}
    done = _client([sinfo, "-a", "-h", "-N", "-n", ",".join(names), "-o", "%N %T"], env)
    if done.returncode != 0:
        return {}
    states: dict[str, str] = {}
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in names:
            states.setdefault(parts[0], parts[1])
    if not states:
        return {}  # sinfo answered nothing at all: not a verdict on the names
    return {
        name: states.get(name, NOT_A_NODE)
        for name in names
        if states.get(name, NOT_A_NODE) not in _USABLE_STATES
    }


def cancel(scancel: str, target: str, env: Mapping[str, str]) -> bool:
    """`scancel TARGET` (a job id, or JOB.STEP inside an allocation, which then stays); whether
    scancel accepted it. Best effort: `fleet run` ends its srun after this either way."""
    try:
        return _client([scancel, "--quiet", target], env).returncode == 0
    except EnvsetupError:
        return False
