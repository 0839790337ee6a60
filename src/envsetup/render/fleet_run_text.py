"""`fleet run`'s closing lines until the merged report (envsetup.fleet.report) takes over: which
nodes wrote a report, which started and never finished, which never answered."""

from __future__ import annotations

from envsetup.fleet.run import FleetResult


def _names(nodes: tuple[str, ...]) -> str:
    return ", ".join(nodes) if nodes else "none"


def summary_lines(result: FleetResult) -> list[str]:
    out = result.plan.out
    lines = [
        f"fleet run: {len(result.nodes)} node(s) expected, {len(result.reported)} wrote a "
        f"report in {out}"
    ]
    if result.failing:
        lines.append(f"  with an error finding or failed check: {_names(result.failing)}")
    if result.started_only:
        lines.append(f"  started, no report (timed out or killed): {_names(result.started_only)}")
    if result.missing:
        lines.append(f"  never answered: {_names(result.missing)}")
    for node, state in sorted(result.plan.unavailable.items()):
        lines.append(f"  {node}: not started, Slurm says it is {state}")
    if result.srun_exit_code not in (None, 0) and not (result.reported or result.started_only):
        lines.append(
            f"  srun started no node (exit {result.srun_exit_code}): its own error is above"
        )
    if result.srun_timed_out:
        lines.append(
            f"  srun still ran after {result.plan.budget_s:g} s + margin: stopped and cancelled"
        )
    lines.append(f"  merged report: envsetup fleet report {out}")
    return lines
