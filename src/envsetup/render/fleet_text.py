"""`fleet report` for people, short: the counts; the majority's fingerprint, then each deviation
by the fields it differs in; the findings counted across nodes; the drain list as `scontrol`
lines; the nodes that did not answer (render/style.py's look)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from envsetup.fleet.grouping import Fingerprint, Group, gpus_text, value_text
from envsetup.fleet.merge import (
    FAILED,
    MISSING,
    STALE,
    TIMED_OUT,
    UNHEALTHY,
    UNREADABLE,
    FleetReport,
    Node,
    fleet_findings,
)
from envsetup.render import style
from envsetup.render.finding_words import words_for

if TYPE_CHECKING:
    from rich.console import Console

# Findings listed by name; the rest are counted ("and 12 more"): a fleet's report stays short.
MAX_FINDINGS = 12
MAX_DEVIATIONS = 20
SHORT_FIX = 90
# Said under the stale nodes: what their age is measured by.
AGE_SOURCE = "Ages are the report files' modification times (reports carry no time of their own)."
_FIELD_WORDS = {
    "driver": "driver",
    "driver_cuda": "driver's CUDA",
    "gpus": "GPUs",
    "torch": "torch",
    "compute_platform": "build",
    "cudnn": "cuDNN",
    "python": "Python",
    "profile": "profile",
}


def nodes_words(count: int) -> str:
    return f"{count} node{'s' if count != 1 else ''}"


def fingerprint_words(fingerprint: Fingerprint) -> str:
    """'driver 550.90.07 (CUDA 12.4) / torch 2.5.1+cu124 / cuDNN 9.1.0 / Python 3.11.7 /
    8× NVIDIA H100 80GB HBM3 (sm_90)': what is known, in that order."""
    parts = []
    if fingerprint.driver:
        cuda = f" (CUDA {fingerprint.driver_cuda})" if fingerprint.driver_cuda else ""
        parts.append(f"driver {fingerprint.driver}{cuda}")
    else:
        parts.append("no NVIDIA driver seen")
    parts.append(f"torch {fingerprint.torch}" if fingerprint.torch else "no torch")
    if (
        fingerprint.torch
        and fingerprint.compute_platform
        and (fingerprint.compute_platform not in fingerprint.torch)
    ):
        parts[-1] += f" ({fingerprint.compute_platform})"
    if fingerprint.cudnn:
        parts.append(f"cuDNN {fingerprint.cudnn}")
    if fingerprint.python:
        parts.append(f"Python {fingerprint.python}")
    parts.append(gpus_text(fingerprint.gpus))
    return " / ".join(parts)


def short_fix(fix: str) -> str:
    """A fix's first clause, for a one-line deviation: up to its first sentence end, cut."""
    first = fix.split(". ")[0].rstrip(".")
    if len(first) <= SHORT_FIX:
        return first
    cut = first[:SHORT_FIX].rsplit(" ", 1)[0]  # between words
    if cut.count("`") % 2:  # never half a `code span`: a pasted half runs something else
        cut = cut[: cut.rindex("`")].rstrip()
    return cut.rstrip(",;:") + " …"


def deviation_line(group: Group, by_name: dict[str, Node]) -> str:
    """'n37: driver 550.127.05 (majority 550.90.07) — driver-library-mismatch: reboot ...'."""
    who = group.nodes[0] if group.count == 1 else f"{group.hostlist} ({nodes_words(group.count)})"
    differs = ", ".join(
        f"{_FIELD_WORDS.get(d.field, d.field)} {value_text(d.field, d.value)} "
        f"(majority {value_text(d.field, d.majority)})"
        for d in group.differs
    )
    errors = {}
    for name in group.nodes:
        for found in by_name[name].findings:
            if found.severity == "error":
                errors.setdefault(found.id, found.fix)
        checks = by_name[name].checks
        for check in checks.failed if checks else []:
            errors.setdefault(check.id, check.fix)
    line = f"{who}: {differs}"
    if errors:
        first_fix = next(iter(errors.values()))
        named = ", ".join(errors)
        line += f" — {named}" + (f": {short_fix(first_fix)}" if first_fix else "")
    return line


def render_report(report: FleetReport, out: Console) -> None:
    summary = report.summary
    counts = [f"{nodes_words(summary.expected)} expected", f"{summary.healthy} healthy"]
    for count, word in (
        (summary.unhealthy, "unhealthy"),
        (summary.failed, "envsetup failed"),
        (summary.timed_out, "timed out"),
        (summary.stale, "stale"),
        (summary.missing, "missing"),
        (summary.unreadable, "unreadable"),
    ):
        if count:
            counts.append(f"{count} {word}")
    mode = f" ({report.mode})" if report.mode else ""
    style.lead(out, "fleet report", f"{report.directory}{mode}: {', '.join(counts)}")
    if report.manifest_problem:
        style.item(out, "warning", report.manifest_problem)
    for found in fleet_findings(report):
        if found.id == "fleet-reports-old":  # the one finding no section below says
            words = words_for(found)
            style.finding(out, "info", words.title, found.id, fix=words.fix)
    by_name = {node.node: node for node in report.nodes}
    if report.groups:
        style.section(out, "Nodes by fingerprint")
        majority = report.groups[0]
        style.item(
            out,
            "ok",
            f"{nodes_words(majority.count)} ({majority.hostlist}): "
            f"{fingerprint_words(majority.fingerprint)}",
        )
        for group in report.groups[1 : MAX_DEVIATIONS + 1]:
            style.item(out, "warning", deviation_line(group, by_name))
        if len(report.groups) > MAX_DEVIATIONS + 1:
            style.text(out, f"and {len(report.groups) - MAX_DEVIATIONS - 1} more groups (--json)")
    if report.findings:
        style.section(out, "Findings across nodes")
        for counted in report.findings[:MAX_FINDINGS]:
            style.finding(
                out,
                counted.severity,
                f"{counted.title} — on {nodes_words(counted.count)} ({counted.hostlist})",
                counted.id,
            )
        if len(report.findings) > MAX_FINDINGS:
            style.text(out, f"and {len(report.findings) - MAX_FINDINGS} more (--json)")
    checked = [node for node in report.nodes if node.checks is not None]
    if checked:
        style.section(out, "verify checks")
        clean = [n for n in checked if not n.checks or not n.checks.fail]
        if clean:
            style.item(out, "ok", f"{nodes_words(len(clean))}: every check passed or was skipped")
        for node in checked:
            if node.checks and node.checks.fail:
                style.item(
                    out,
                    "error",
                    f"{node.node}: {node.checks.pass_} passed, {node.checks.fail} failed "
                    f"({', '.join(node.checks.failed_ids())}), {node.checks.skip} skipped",
                )
    failed = report.in_state(FAILED)
    if report.drain or failed:
        style.section(out, "Drain")
        for drain in report.drain:
            style.command(
                out,
                nodes_words(len(drain.nodes)),
                f'scontrol update nodename={drain.hostlist} state=drain reason="{drain.reason}"',
            )
        for node in failed:
            style.item(out, "error", f"{node.node} (not drained): {node.reason}")
    silent = report.in_state(MISSING, TIMED_OUT, UNREADABLE, STALE)
    if silent:
        style.section(out, "Did not answer")
        for node in silent:
            style.item(out, "error", f"{node.node}: {node.reason}")
        if any(node.state == STALE for node in silent):
            style.text(out, AGE_SOURCE)
    out.print()
    out.print(_closing(report))


def _closing(report: FleetReport) -> str:
    """The last line. Its counts are the sections' own: the unhealthy are the nodes the Drain
    section drains; a node where envsetup stopped is counted apart (it is named, not drained)."""
    silent = len(report.in_state(MISSING, TIMED_OUT, UNREADABLE, STALE))
    unhealthy = len(report.in_state(UNHEALTHY))
    failed = len(report.in_state(FAILED))
    stopped = f"; envsetup stopped on {nodes_words(failed)} (not drained)" if failed else ""
    stale = len(report.in_state(STALE))
    if silent:
        old = f" ({stale} with a report older than --max-age)" if stale else ""
        return f"{nodes_words(silent)} did not answer{old}; {unhealthy} unhealthy{stopped}."
    if unhealthy:
        them = "them" if unhealthy != 1 else "it"
        return f"{nodes_words(unhealthy)} unhealthy; drain {them} as above{stopped}."
    if failed:
        return f"envsetup stopped on {nodes_words(failed)}: see why above (not drained)."
    if not report.nodes:
        return "No node answered, and the run names none: srun started no node."
    return f"All {nodes_words(report.summary.expected)} healthy."
