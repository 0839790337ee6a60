"""The merged fleet report: per node its state, findings and checks; groups by fingerprint;
findings counted across nodes; the nodes to drain; the nodes that never answered. Pure: it works
on fleet/folder.py's RunFolder (parsed dicts), so `fleet run` and tests call it on any folder.

A node's state:
- healthy: its report has no error finding and no failed check;
- unhealthy: an error finding or a failed check (or verify found the target unusable): drained;
- failed: envsetup itself stopped on the node (outcome "error": a bad flag, an internal error);
  not drained, since the node was not found at fault;
- unreadable: its `<node>.json` is not a report (cut short, not JSON, another command's);
- timed-out: a `<node>.started` marker and no report (the budget ran out or the step was killed);
- stale: its report is older than `--max-age` (fleet/age.py: the file's modification time): an
  answer from before, not judged (a node that went down keeps its last report in a health-check
  folder); its findings, checks and fingerprint are left out, its reason says what it read then;
- missing: expected (fleet.json) and neither marker nor report: it never answered.
Exit: 2 when a node is missing, timed out, unreadable or stale (its answer is missing); else 1
when one is unhealthy or failed; else 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

from envsetup.diagnose.finding import Finding
from envsetup.exit_codes import ExitCode
from envsetup.fleet.age import OLD_REPORT_S, age_words, duration_option
from envsetup.fleet.fingerprint import fingerprint_of_report
from envsetup.fleet.folder import NodeFile, RunFolder
from envsetup.fleet.grouping import Group, group_nodes, value_text
from envsetup.fleet.hostlist import compress, natural_key

HEALTHY = "healthy"
UNHEALTHY = "unhealthy"
FAILED = "failed"
UNREADABLE = "unreadable"
TIMED_OUT = "timed-out"
STALE = "stale"
MISSING = "missing"
STATES = (HEALTHY, UNHEALTHY, FAILED, UNREADABLE, TIMED_OUT, STALE, MISSING)
NOT_ANSWERED = (MISSING, TIMED_OUT, UNREADABLE, STALE)
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
# Slurm stores the reason as given; kept to one short line so that `sinfo -R` shows it whole.
MAX_DRAIN_REASON = 100


@dataclass
class NodeFinding:
    """A finding as the node's report worded it (id, severity, title, fix)."""

    id: str
    severity: str
    title: str
    fix: str


@dataclass
class FailedCheck:
    """A verify check that failed on a node: its id, why, and its fix."""

    id: str
    reason: str
    fix: str


@dataclass
class Checks:
    """verify's checks on a node: how many passed, failed, were skipped; which."""

    pass_: int
    fail: int
    skip: int
    passed: list[str]
    skipped: list[str]
    failed: list[FailedCheck]

    def failed_ids(self) -> list[str]:
        return [check.id for check in self.failed]


@dataclass
class Node:
    """One node: its state (healthy, unhealthy, failed, unreadable, timed-out, stale, missing),
    what it ran, its fingerprint group's key, its findings, verify's checks, and in one line why it
    is not healthy (`reason`) and what `scontrol update state=drain reason=...` takes
    (`drain_reason`). `report_age_s`: whole seconds from its report file's last modification to
    the merge (a report carries no time of its own); null without a readable report."""

    node: str
    state: str
    command: Optional[str] = None
    exit_code: Optional[int] = None
    group: Optional[str] = None
    findings: list[NodeFinding] = field(default_factory=list)
    checks: Optional[Checks] = None
    reason: Optional[str] = None
    started: Optional[str] = None
    drain_reason: Optional[str] = None
    report_age_s: Optional[int] = None


@dataclass
class FindingCount:
    """One finding id across the fleet: on how many nodes, which (and as a hostlist); its title
    and fix as the first of those nodes worded them."""

    id: str
    severity: str
    count: int
    nodes: list[str]
    hostlist: str
    title: str
    fix: str


@dataclass
class Drain:
    """Nodes to drain for one reason: `scontrol update nodename=HOSTLIST state=drain reason=REASON`."""

    hostlist: str
    nodes: list[str]
    reason: str


@dataclass
class Summary:
    """Node counts: expected (fleet.json's list, else every node seen) and each state's."""

    expected: int
    answered: int
    healthy: int
    unhealthy: int
    failed: int
    unreadable: int
    timed_out: int
    stale: int
    missing: int


@dataclass
class FleetReport:
    directory: str
    mode: Optional[str]  # fleet.json's mode (doctor or verify); null without a manifest
    manifest_problem: Optional[str]
    summary: Summary
    groups: list[Group]
    nodes: list[Node]
    findings: list[FindingCount]
    drain: list[Drain]
    # --max-age in seconds (null without it): reports older than this are stale.
    max_age_s: Optional[float] = None

    @property
    def exit_code(self) -> ExitCode:
        states = {node.state for node in self.nodes}
        if not self.nodes or states & set(NOT_ANSWERED):
            # No node at all (srun started none, a -N it never granted) is no healthy fleet.
            return ExitCode.NODES_MISSING  # some node's answer is missing (README, Exit codes)
        if states & {UNHEALTHY, FAILED}:
            return ExitCode.FINDINGS
        return ExitCode.OK

    def in_state(self, *states: str) -> list[Node]:
        return [node for node in self.nodes if node.state in states]


def merge(
    run: RunFolder,
    releases: frozenset[str] = frozenset(),
    *,
    now: Optional[float] = None,
    max_age_s: Optional[float] = None,
) -> FleetReport:
    """The fleet report of a run folder. `releases`: the profiled torch releases, for the
    fingerprint fallback of older reports (fingerprint.py). `now`: the time of the merge
    (seconds since the epoch), which the reports' ages are measured from (none without it);
    `max_age_s`: a report older than this is stale."""
    expected = list(run.manifest["nodes"]) if run.manifest else []
    names = sorted(set(expected) | set(run.reports) | set(run.started), key=natural_key)
    nodes: list[Node] = []
    fingerprints: dict[str, dict[str, Any]] = {}
    unavailable = _unavailable(run.manifest)
    for name in names:
        file = run.reports.get(name)
        node, fields = _node(name, file, run.started.get(name), releases)
        if (
            file is not None
            and file.document is not None
            and file.mtime is not None
            and now is not None
        ):
            node.report_age_s = int(max(0.0, now - file.mtime))
            if max_age_s is not None and node.report_age_s > max_age_s:
                node, fields = _stale(node, max_age_s), None
        if node.state == MISSING and name in unavailable:
            node.reason = f"not started: Slurm says it is {unavailable[name]}"
        nodes.append(node)
        if fields is not None:
            fingerprints[name] = fields
    groups = group_nodes(fingerprints)
    for node in nodes:
        if node.node in fingerprints:
            node.group = str(fingerprints[node.node].get("key") or "")
    mode = run.manifest.get("mode") if run.manifest else None
    return FleetReport(
        directory=run.directory,
        mode=mode if isinstance(mode, str) else None,
        manifest_problem=run.manifest_problem,
        summary=_summary(nodes, len(expected) or len(names)),
        groups=groups,
        nodes=nodes,
        findings=count_findings(nodes),
        drain=drain_list(nodes),
        max_age_s=max_age_s,
    )


def _stale(node: Node, max_age_s: float) -> Node:
    """The node of a report older than --max-age: what it read then, in its reason only."""
    then = {UNHEALTHY: f"unhealthy, {node.reason}", FAILED: "envsetup had stopped"}.get(
        node.state, node.state
    )
    age = age_words(node.report_age_s or 0)
    return Node(
        node.node,
        STALE,
        command=node.command,
        exit_code=node.exit_code,
        started=node.started,
        report_age_s=node.report_age_s,
        reason=f"last report {age} ago, older than --max-age {duration_option(max_age_s)}: "
        f"not judged (then: {then})",
    )


def _unavailable(manifest: Optional[dict[str, Any]]) -> dict[str, str]:
    """fleet.json's `unavailable`: the expected nodes fleet run left out of srun, with their
    Slurm state (absent in folders of older runs)."""
    found = (manifest or {}).get("unavailable")
    if not isinstance(found, dict):
        return {}
    return {str(k): str(v) for k, v in found.items() if isinstance(v, str)}


def _node(
    name: str, file: Optional[NodeFile], started: Optional[str], releases: frozenset[str]
) -> tuple[Node, Optional[dict[str, Any]]]:
    if file is None:
        if started is not None:
            when = f"started at {started.split()[0]}" if started else "started"
            return Node(
                name, TIMED_OUT, started=started, reason=f"{when}, no report: timed out or killed"
            ), None
        return Node(name, MISSING, reason="never answered: no marker, no report"), None
    if file.document is None:
        return Node(name, UNREADABLE, started=started, reason=file.problem), None
    document = file.document
    command = str(document.get("command"))
    code = document.get("exit_code")
    node = Node(
        name,
        HEALTHY,
        command=command,
        exit_code=code if isinstance(code, int) else None,
        started=started,
    )
    data = document.get("data")
    error = document.get("error") if isinstance(document.get("error"), dict) else None
    if document.get("outcome") == "error" or not isinstance(data, dict):
        node.state = FAILED
        message = (error or {}).get("message") or "the report has no result"
        node.reason = f"envsetup {command} stopped: {message}"
        return node, None
    node.checks = _checks(data) if command == "verify" else None
    failed_checks = set(node.checks.failed_ids()) if node.checks else set()
    node.findings = [
        f
        for f in (_finding(entry) for entry in document.get("findings") or [])
        if f is not None and f.id not in failed_checks  # told once, as a failed check
    ]
    errors = [f.id for f in node.findings if f.severity == "error"]
    unusable = data.get("unusable") if command == "verify" else None
    if errors or failed_checks or unusable:
        node.state = UNHEALTHY
        node.reason = _reason(errors, sorted(failed_checks), unusable, error)
        node.drain_reason = _drain_reason(node.reason)
    return node, fingerprint_of_report(command, data, releases)


def _finding(entry: Any) -> Optional[NodeFinding]:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        return None
    severity = entry.get("severity")
    return NodeFinding(
        id=entry["id"],
        severity=severity if severity in _SEVERITY_ORDER else "info",
        title=str(entry.get("title") or ""),
        fix=str(entry.get("fix") or ""),
    )


def _checks(data: dict[str, Any]) -> Checks:
    listed = [c for c in data.get("checks") or [] if isinstance(c, dict)]

    def ids(status: str) -> list[str]:
        return [str(c.get("id")) for c in listed if c.get("status") == status]

    failed = [
        FailedCheck(str(c.get("id")), str(c.get("reason") or ""), str(c.get("fix") or ""))
        for c in listed
        if c.get("status") == "fail"
    ]
    passed, skipped = ids("pass"), ids("skip")
    return Checks(len(passed), len(failed), len(skipped), passed, skipped, failed)


def _reason(
    errors: list[str], failed_checks: list[str], unusable: Any, error: Optional[dict[str, Any]]
) -> str:
    parts = []
    if errors:
        parts.append(", ".join(errors))
    if failed_checks:
        parts.append("verify failed " + ", ".join(failed_checks))
    if unusable:
        reason = unusable.get("reason") if isinstance(unusable, dict) else None
        parts.append(f"verify target unusable: {reason or (error or {}).get('message') or ''}")
    return "; ".join(parts)


def _drain_reason(reason: str) -> str:
    """`envsetup: <ids>`, one line of at most MAX_DRAIN_REASON characters. The line is pasted
    inside double quotes in a shell: no quote, backquote, dollar or backslash survives."""
    text = " ".join(re.sub(r'["`$\\]', "'", f"envsetup: {reason}").split())
    return text if len(text) <= MAX_DRAIN_REASON else text[: MAX_DRAIN_REASON - 3] + "..."


def count_findings(nodes: list[Node]) -> list[FindingCount]:
    """Each finding id across the nodes: errors first, then the most widespread."""
    seen: dict[tuple[str, str], tuple[NodeFinding, list[str]]] = {}
    for node in nodes:
        for found in node.findings:
            key = (found.id, found.severity)
            if key not in seen:
                seen[key] = (found, [])
            if node.node not in seen[key][1]:
                seen[key][1].append(node.node)
    counted = [
        FindingCount(
            found.id, found.severity, len(where), where, compress(where), found.title, found.fix
        )
        for found, where in seen.values()
    ]
    return sorted(counted, key=lambda c: (_SEVERITY_ORDER[c.severity], -c.count, c.id))


def drain_list(nodes: list[Node]) -> list[Drain]:
    """The unhealthy nodes, grouped by drain reason."""
    by_reason: dict[str, list[str]] = {}
    for node in nodes:
        if node.state == UNHEALTHY and node.drain_reason:
            by_reason.setdefault(node.drain_reason, []).append(node.node)
    return [
        Drain(compress(where), where, reason)
        for reason, where in sorted(by_reason.items(), key=lambda item: (-len(item[1]), item[0]))
    ]


def _summary(nodes: list[Node], expected: int) -> Summary:
    count = {state: sum(n.state == state for n in nodes) for state in STATES}
    return Summary(
        expected=expected,
        answered=count[HEALTHY] + count[UNHEALTHY] + count[FAILED],
        healthy=count[HEALTHY],
        unhealthy=count[UNHEALTHY],
        failed=count[FAILED],
        unreadable=count[UNREADABLE],
        timed_out=count[TIMED_OUT],
        stale=count[STALE],
        missing=count[MISSING],
    )


def fleet_findings(report: FleetReport) -> list[Finding]:
    """What the fleet itself says (render/words/fleet.py words them), one finding per kind with
    the nodes named: those that did not answer, the unhealthy, those where envsetup stopped, and
    those whose fingerprint differs from the majority's."""
    found = []
    if not report.nodes:
        found.append(
            Finding(
                "fleet-no-nodes",
                "error",
                [f"{report.directory}: fleet.json lists no node, and no report or marker is there"],
                {"directory": report.directory},
            )
        )
    for state, finding_id in (
        (MISSING, "fleet-node-missing"),
        (TIMED_OUT, "fleet-node-timed-out"),
        (UNREADABLE, "fleet-report-unreadable"),
        (STALE, "fleet-node-stale"),
        (UNHEALTHY, "fleet-node-unhealthy"),
        (FAILED, "fleet-node-failed"),
    ):
        nodes = report.in_state(state)
        if nodes:
            params = _node_params([n.node for n in nodes], report.directory)
            if state == UNHEALTHY:
                params["ids"] = sorted(
                    {f.id for n in nodes for f in n.findings if f.severity == "error"}
                    | {c for n in nodes if n.checks for c in n.checks.failed_ids()}
                )
            if state == STALE and report.max_age_s is not None:
                params["max_age"] = duration_option(report.max_age_s)
            found.append(
                Finding(finding_id, "error", [f"{n.node}: {n.reason}" for n in nodes], params)
            )
    deviating = [node for group in report.groups[1:] for node in group.nodes]
    if deviating:
        params = _node_params(deviating, report.directory)
        params["groups"] = len(report.groups)
        evidence = [
            f"{group.hostlist}: "
            + ", ".join(
                f"{d.field} {value_text(d.field, d.value)} "
                f"(majority {value_text(d.field, d.majority)})"
                for d in group.differs
            )
            for group in report.groups[1:]
        ]
        found.append(Finding("fleet-nodes-differ", "warning", evidence, params))
    old = old_reports(report)
    if old:
        params = _node_params([n.node for n in old], report.directory)
        params["oldest"] = age_words(max(n.report_age_s or 0 for n in old))
        evidence = [f"{n.node}: last report {age_words(n.report_age_s or 0)} ago" for n in old]
        found.append(Finding("fleet-reports-old", "info", evidence, params))
    return found


def old_reports(report: FleetReport) -> list[Node]:
    """Without --max-age, in a folder without fleet.json (a health check's: nothing says which
    nodes to expect; the fleet.json fleet run writes always names its mode), the nodes whose
    report is older than an hour: told, not judged."""
    if report.max_age_s is not None or report.mode is not None or report.manifest_problem:
        return []
    return [n for n in report.nodes if (n.report_age_s or 0) > OLD_REPORT_S]


def _node_params(names: list[str], directory: str) -> dict[str, Any]:
    return {
        "nodes": names,
        "hostlist": compress(names),
        "count": len(names),
        "directory": directory,
    }
