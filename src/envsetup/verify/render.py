"""The people's view of a verify report: a rich table, with each failure's evidence and fix under it."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from envsetup.verify.results import FAIL, PASS, SKIP, CheckResult, VerifyReport

_STYLE = {PASS: "[green]pass[/]", FAIL: "[bold red]FAIL[/]", SKIP: "[yellow]skip[/]"}
EVIDENCE_LINES = 12


def _summary_of(check: CheckResult) -> str:
    if check.reason:
        return check.reason
    evidence = check.evidence
    for key in ("version", "device", "backend", "devices", "results"):
        if key in evidence:
            return f"{key}: {_short(evidence[key])}"
    return ""


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."


def _evidence_lines(check: CheckResult) -> list[str]:
    lines = (
        json.dumps(check.evidence, indent=2, sort_keys=True).splitlines() if check.evidence else []
    )
    if check.output.strip():
        lines += ["output:", *check.output.rstrip().splitlines()]
    if len(lines) > EVIDENCE_LINES:
        lines = [*lines[: EVIDENCE_LINES // 2], "...", *lines[-EVIDENCE_LINES // 2 :]]
    return lines


def render_report(report: VerifyReport, console: Console) -> None:
    target = report.target
    if report.unusable is not None:  # the command reports this as a one-line error instead
        console.print(
            f"envsetup verify: {escape(report.unusable.reason)}; fix: {escape(report.unusable.fix)}"
        )
        return
    torch = (
        f"torch {target.torch_version} ({target.torch_build or '?'})"
        if target.torch_version
        else "torch ?"
    )
    console.print(
        f"verify {escape(target.python)} (Python {target.python_version}), {escape(torch)}"
    )
    table = Table(show_header=True, header_style="bold")
    table.add_column("check")
    table.add_column("result")
    table.add_column("time", justify="right")
    table.add_column("detail", overflow="fold")
    for check in report.checks:
        table.add_row(
            check.id,
            _STYLE.get(check.status, check.status),
            f"{check.duration_s:.2f}s",
            escape(_summary_of(check)),
        )
    console.print(table)
    for check in report.checks:
        if check.status != FAIL:
            continue
        console.print(f"[bold red]{check.id}[/]: {escape(check.reason)}")
        for line in _evidence_lines(check):
            console.print(f"    {escape(line)}", highlight=False)
        if check.fix:
            console.print(f"  fix: {escape(check.fix)}")
    counts = report.counts()
    console.print(
        f"{counts[PASS]} passed, {counts[FAIL]} failed, {counts[SKIP]} skipped in {report.duration_s:.1f}s"
    )


def render_json(report: VerifyReport) -> str:
    return json.dumps(report.to_dict(), indent=2, sort_keys=True)
