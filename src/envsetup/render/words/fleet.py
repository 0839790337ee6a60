"""Words for what `envsetup fleet report` says about the fleet itself (fleet/merge.py
`fleet_findings`). Params: nodes, hostlist (Slurm's compressed form), count, directory; plus
ids (unhealthy), groups (differ), max_age (stale), oldest (reports-old)."""

from __future__ import annotations

import shlex
from typing import Any, Mapping

from envsetup.render.finding_words import Words

P = Mapping[str, Any]


def _nodes(p: P) -> str:
    count = p.get("count", 0)
    return f"{count} node{'s' if count != 1 else ''} ({p.get('hostlist', '')})"


def _missing(p: P) -> Words:
    return Words(
        f"{_nodes(p)} never answered: no report and no start marker in {p.get('directory')}",
        "Check the nodes are up (`sinfo -N -n HOSTLIST`) and that the run folder is on a file "
        "system they all share; run `envsetup fleet run` again for them.",
    )


def _timed_out(p: P) -> Words:
    return Words(
        f"{_nodes(p)} started but wrote no report: timed out or killed",
        "Run `envsetup doctor` on one of them by hand to see where it hangs (a hung nvidia-smi "
        "shows as nvidia-smi-hung); give `fleet run` a longer --budget if the nodes are only slow.",
    )


def _unreadable(p: P) -> Words:
    return Words(
        f"{_nodes(p)} wrote a file that is not a doctor or verify report",
        "Look at the file named in the evidence; write reports with `envsetup doctor --json "
        "--out DIR/{host}.json` (or verify's), which writes them whole or not at all.",
    )


def _stale(p: P) -> Words:
    return Words(
        f"{_nodes(p)} with a report older than --max-age {p.get('max_age')}: not judged",
        "Check the nodes are up and their health check runs (`sinfo -R -n HOSTLIST` lists down "
        "and drained nodes with their reasons); a node that went down keeps its last report. "
        "Give --max-age a few health-check intervals.",
    )


def _old(p: P) -> Words:
    return Words(
        f"{_nodes(p)} with a report older than an hour (oldest {p.get('oldest')}), judged as if new",
        f"This folder has no fleet.json: a node that went down keeps its last report. Add "
        f"--max-age (a few health-check intervals, e.g. `envsetup fleet report "
        f"{shlex.quote(str(p.get('directory')))} --max-age 30m`) to count old reports as stale.",
    )


def _unhealthy(p: P) -> Words:
    ids = ", ".join(p.get("ids") or [])
    return Words(
        f"{_nodes(p)} with an error finding or a failed check ({ids})",
        "Drain them (the drain list gives each `scontrol update ... state=drain` line), fix each "
        "node as its report says, then resume them with `scontrol update nodename=HOSTLIST "
        "state=resume`.",
    )


def _failed(p: P) -> Words:
    return Words(
        f"envsetup stopped on {_nodes(p)} before its result",
        "The evidence has each node's one-line error and its fix; rerun there with "
        "ENVSETUP_DEBUG=1 for an internal error.",
    )


def _differ(p: P) -> Words:
    groups = p.get("groups", 0)
    return Words(
        f"{_nodes(p)} differ from the majority's fingerprint ({groups} groups)",
        "Compare the fields each group differs in (driver, torch, GPUs...); bring the nodes to "
        "one software image, or split the partition where the difference is meant.",
    )


def _no_nodes(p: P) -> Words:
    return Words(
        f"No node answered and none was expected: {p.get('directory')} names no node",
        "srun started no task (it waited for nodes past the budget, or refused the options: "
        "its error is in fleet run's output); check `sinfo`, ask for nodes that are up "
        "(`-N` no larger than the idle nodes, or `-w LIST`), and run `fleet run` again.",
    )


WORDS = {
    "fleet-no-nodes": _no_nodes,
    "fleet-node-missing": _missing,
    "fleet-node-timed-out": _timed_out,
    "fleet-report-unreadable": _unreadable,
    "fleet-node-stale": _stale,
    "fleet-node-unhealthy": _unhealthy,
    "fleet-node-failed": _failed,
    "fleet-nodes-differ": _differ,
    "fleet-reports-old": _old,
}
