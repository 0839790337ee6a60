"""`envsetup fleet run`: doctor (or verify) on every node through srun, into one run folder.

The folder (docs/fleet.md, contract section 2): DIR/fleet.json, the manifest, written before srun
starts and again after it ends; DIR/<node>.started and DIR/<node>.json, written by each node side
(fleet/node_side.py). Which nodes are expected:
- `-w LIST` among the srun options: LIST, expanded by `scontrol show hostnames`;
- inside an allocation (SLURM_JOB_ID) with no option choosing nodes: SLURM_JOB_NODELIST, expanded
  the same way;
- otherwise (-N or -p alone: Slurm picks the nodes when srun runs): the step's own node list,
  which every node side writes (SLURM_STEP_NODELIST, node_side.STEP_FILE) and fleet run reads
  after srun; fleet.json lists no node until then.
srun itself runs under a wall limit of budget + slurm.MARGIN_S: past it, fleet run stops srun
(SIGTERM, on which srun cancels its step; then SIGKILL) and scancels the job or step.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Sequence

from envsetup.errors import EnvsetupError, UsageError
from envsetup.exit_codes import ExitCode
from envsetup.fleet import slurm
from envsetup.fleet.folder import parse_report
from envsetup.fleet.node_side import STARTED_SUFFIX, STEP_FILE, node_command
from envsetup.host import execution
from envsetup.host.files import LOCAL as host_files
from envsetup.safe_read import Unreadable

MANIFEST = "fleet.json"
SCHEMA_VERSION = 1
MAX_BUDGET_S = 3600.0
STOP_GRACE_S = 3.0  # after SIGTERM to srun (it cancels its step), before SIGKILL
MAX_REPORT_BYTES = 16 << 20


@dataclass(frozen=True)
class FleetPlan:
    out: Path
    mode: str  # "doctor" or "verify"
    budget_s: float
    srun_argv: tuple[str, ...]
    expected: tuple[str, ...]  # empty: learned from the step after srun
    unavailable: dict[str, str]  # expected nodes left out of srun -w: node -> sinfo state
    job_id: Optional[str]  # the allocation fleet run runs inside, if any
    clients: slurm.SlurmClients


@dataclass(frozen=True)
class FleetResult:
    """Where each node stands after srun: a report, a start marker only (started, never
    finished: timed out or killed), or nothing (never answered)."""

    plan: FleetPlan
    nodes: tuple[str, ...]
    reported: tuple[str, ...]
    started_only: tuple[str, ...]
    missing: tuple[str, ...]
    failing: tuple[str, ...]  # reported, with an error finding or a failed check (exit 1)
    srun_exit_code: Optional[int]
    srun_timed_out: bool
    manifest: dict[str, Any] = field(repr=False)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _check_budget(budget_s: float) -> None:
    if not 0 < budget_s <= MAX_BUDGET_S:
        raise UsageError(
            f"--budget {budget_s:g}: must be more than 0 and at most {MAX_BUDGET_S:g} seconds; "
            "fix: e.g. --budget 50 (a Slurm health check is killed after 60 s)"
        )


def plan_fleet(
    out: str,
    verify: bool,
    budget_s: float,
    srun_options: Sequence[str],
    replay: Optional[str],
    environ: Mapping[str, str],
) -> FleetPlan:
    """What fleet run will do, checked before anything runs. Raises UsageError (no allocation
    and no node option, a bad budget, --verify with --replay) and EnvsetupError (srun missing)."""
    _check_budget(budget_s)
    if verify and replay:
        raise UsageError(
            "--replay works with doctor only (verify runs torch in a real interpreter); fix: "
            "drop --verify or --replay"
        )
    clients = slurm.find_clients(environ.get("PATH"))
    selection = slurm.node_selection(srun_options)
    job_id = environ.get("SLURM_JOB_ID") or None
    if job_id is None and not selection.chooses_nodes:
        raise UsageError(
            "fleet run: no Slurm allocation here (SLURM_JOB_ID is unset) and no srun option "
            "naming nodes; fix: run it inside salloc/sbatch, or name the nodes after --: "
            "`envsetup fleet run --out DIR -- -N 4` or `-- -w node[01-04]`"
        )
    folder = host_files.absolute(out)
    expected: list[str] = []
    if selection.nodelist is not None and "/" not in selection.nodelist:
        expected = slurm.expand_hostnames(clients.scontrol, selection.nodelist, environ)
    elif job_id and not selection.chooses_nodes and environ.get("SLURM_JOB_NODELIST"):
        expected = slurm.expand_hostnames(clients.scontrol, environ["SLURM_JOB_NODELIST"], environ)
    unavailable: dict[str, str] = {}
    options = list(srun_options)
    if selection.nodelist is not None and expected:
        # srun -w waits for a down or drained node as long as it stays so: such nodes are left
        # out and reported as never answered, the others checked now.
        unavailable = slurm.unusable_nodes(clients.sinfo, expected, environ)
        if unavailable:
            usable = [n for n in expected if n not in unavailable]
            options = [*slurm.without_nodelist(options), f"--nodelist={','.join(usable)}"]
    command = node_command(str(folder), verify, budget_s, replay)
    argv = slurm.srun_argv(clients.srun, budget_s, options, command)
    return FleetPlan(
        out=folder,
        mode="verify" if verify else "doctor",
        budget_s=budget_s,
        srun_argv=tuple(argv),
        expected=tuple(expected),
        unavailable=unavailable,
        job_id=job_id,
        clients=clients,
    )


def manifest(plan: FleetPlan, nodes: Sequence[str], started_at: str) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "mode": plan.mode,
        "nodes": list(nodes),
        "budget_s": float(plan.budget_s),
        "started_at": started_at,
        "finished_at": None,
        "srun_argv": list(plan.srun_argv),
        "srun_exit_code": None,
        # Expected nodes left out of srun, with why (sinfo's state): fleet report says so.
        "unavailable": dict(sorted(plan.unavailable.items())),
    }


def write_manifest(folder: Path, document: Mapping[str, Any]) -> None:
    host_files.write_atomically(folder / MANIFEST, json.dumps(document, indent=2) + "\n")


def previous_run_files(folder: Path) -> list[Path]:
    """The files an earlier run left in `folder`: its manifest, step file and start markers, and
    every `<node>.json` that is a node report or belongs to a node of that run. Left there, they
    would pass as this run's answers (a drained node's old report counted healthy, a node not
    asked at all merged in). Other files are the user's and stay."""
    if not host_files.is_dir(folder):
        return []
    entries = host_files.list_dir(folder)
    old = _read_json(folder / MANIFEST)
    known = set(old.get("nodes") or []) if isinstance(old, dict) else set()
    known |= {p.name[: -len(STARTED_SUFFIX)] for p in entries if p.name.endswith(STARTED_SUFFIX)}
    return sorted(path for path in entries if _left_by_a_run(path, known))


def _left_by_a_run(path: Path, known: set[str]) -> bool:
    name = path.name
    if name in (MANIFEST, STEP_FILE) or name.endswith(STARTED_SUFFIX):
        return True
    if not name.endswith(".json") or name.startswith("."):
        return False
    return name[: -len(".json")] in known or _is_node_report(path)


def _is_node_report(path: Path) -> bool:
    try:
        raw = host_files.read_regular(path, MAX_REPORT_BYTES)
    except OSError:
        return False
    return parse_report(raw)[0] is not None


def _prepare(plan: FleetPlan, document: Mapping[str, Any]) -> int:
    """Create the run folder (or clear an earlier run's files from it) and write the manifest;
    how many files of an earlier run were removed."""
    try:
        host_files.make_dirs(plan.out)
        stale = previous_run_files(plan.out)
        _refuse_a_folder_of_other_reports(plan.out, stale)
        for path in stale:
            host_files.remove_file(path)
        write_manifest(plan.out, document)
    except OSError as exc:
        raise UsageError(
            f"--out {plan.out}: cannot write there ({exc.strerror or exc}); fix: pick a "
            "writable directory on a filesystem every node mounts"
        ) from None
    return len(stale)


def _refuse_a_folder_of_other_reports(folder: Path, stale: Sequence[Path]) -> None:
    """Only an earlier fleet run's files are cleared. Node reports without its manifest were
    written by something else (the HealthCheckProgram's `doctor --out`, a cron job): they are
    the user's record, so the run stops before touching them. Raises UsageError."""
    if not stale or host_files.exists(folder / MANIFEST):
        return
    reports = [p.name for p in stale if p.name.endswith(".json")]
    if not reports:
        return
    raise UsageError(
        f"--out {folder}: it holds {len(reports)} node report(s) ({reports[0]}, ...) that no "
        "fleet run wrote (no fleet.json), e.g. the health check's; fix: give fleet run a folder "
        f"of its own, e.g. --out {folder}/run-$(date +%F)"
    )


def _read_json(path: Path) -> Optional[Any]:
    try:
        return json.loads(host_files.read_regular(path, MAX_REPORT_BYTES).decode("utf-8"))
    except (FileNotFoundError, Unreadable, UnicodeDecodeError, ValueError):
        return None


def _step_nodes(plan: FleetPlan, environ: Mapping[str, str]) -> list[str]:
    step = _read_json(plan.out / STEP_FILE)
    nodelist = step.get("nodelist") if isinstance(step, dict) else None
    if not isinstance(nodelist, str) or not nodelist:
        return []
    try:
        return slurm.expand_hostnames(plan.clients.scontrol, nodelist, environ)
    except EnvsetupError:
        return []


def _cancel(plan: FleetPlan, environ: Mapping[str, str]) -> None:
    """scancel what srun left (a step inside the allocation, else srun's own job)."""
    step = _read_json(plan.out / STEP_FILE)
    if not isinstance(step, dict) or not step.get("job_id"):
        return  # no node side started: stopping srun withdrew its pending request
    target = str(step["job_id"])
    if plan.job_id and step.get("step_id") is not None:
        target = f"{target}.{step['step_id']}"
    slurm.cancel(plan.clients.scancel, target, environ)


def _failing(report: Any) -> bool:
    """A report whose run found an error (doctor) or a failed check (verify), or did not finish."""
    if not isinstance(report, dict):
        return True
    return report.get("exit_code") != 0


def run_fleet(
    plan: FleetPlan, environ: Mapping[str, str], on_line: Callable[[str], None]
) -> FleetResult:
    """Write the manifest, run srun (its output, node sides' complaints included, line by line
    to `on_line`), then classify the nodes and write the manifest again."""
    started_at = _now()
    document = manifest(plan, plan.expected, started_at)
    cleared = _prepare(plan, document)
    if cleared:
        on_line(f"fleet run: {plan.out} held an earlier run: removed its {cleared} file(s)\n")
    request = execution.Request(
        plan.srun_argv,
        timeout_s=plan.budget_s + slurm.MARGIN_S,
        env=dict(environ),
        stop_grace_s=STOP_GRACE_S,
    )
    if plan.expected and len(plan.unavailable) == len(plan.expected):
        outcome = execution.Outcome(returncode=None, elapsed_s=0.0)  # no node to run on
    else:
        try:
            outcome = execution.stream(request, on_line)
        except OSError as exc:
            raise EnvsetupError(
                f"srun: cannot run it ({exc.strerror or exc}); fix: check the Slurm client install",
                ExitCode.USAGE,
            ) from None
    if outcome.timed_out:
        _cancel(plan, environ)
    nodes = list(plan.expected) or _step_nodes(plan, environ)
    found = sorted(
        p.name[: -len(".json")]
        for p in host_files.glob(plan.out, "*.json")
        if p.name != MANIFEST and not p.name.startswith(".")
    )
    # A node side nobody expected (srun's own choice): it left a start marker in this run. A
    # .json without one is not a node's (the folder was cleared of earlier runs).
    nodes += [
        n for n in found if n not in nodes and host_files.exists(plan.out / f"{n}{STARTED_SUFFIX}")
    ]
    reports = {n: _read_json(plan.out / f"{n}.json") for n in nodes if n in found}
    started = [n for n in nodes if host_files.exists(plan.out / f"{n}{STARTED_SUFFIX}")]
    document = {
        **document,
        "nodes": nodes,
        "finished_at": _now(),
        "srun_exit_code": outcome.returncode,
    }
    write_manifest(plan.out, document)
    return FleetResult(
        plan=replace(plan, expected=tuple(nodes)),
        nodes=tuple(nodes),
        reported=tuple(n for n in nodes if n in reports),
        started_only=tuple(n for n in nodes if n in started and n not in reports),
        missing=tuple(n for n in nodes if n not in started and n not in reports),
        failing=tuple(n for n, report in reports.items() if _failing(report)),
        srun_exit_code=outcome.returncode,
        srun_timed_out=outcome.timed_out,
        manifest=document,
    )
