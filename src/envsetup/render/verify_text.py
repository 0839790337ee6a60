"""verify for people: a rich table, then each failure with its evidence and fix (render/style.py)."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from envsetup.render import style
from envsetup.render.finding_words import words_for
from envsetup.sanitize import for_rich, for_terminal, redact_data
from envsetup.verify.results import FAIL, PASS, SKIP, CheckResult, VerifyReport

_STYLE = {PASS: "[green]pass[/]", FAIL: "[bold red]FAIL[/]", SKIP: "[yellow]skip[/]"}
EVIDENCE_LINES = 12


def _devices_text(devices: list[dict[str, Any]], fields: tuple[str, ...]) -> str:
    return "; ".join(
        f"cuda:{d.get('index')} " + " ".join(str(d.get(f)) for f in fields if d.get(f) is not None)
        for d in devices
    )


def _failures(checks: list[CheckResult]) -> list[tuple[list[str], CheckResult]]:
    """The failed checks, those failing for the same reason with the same fix and no evidence of
    their own told once ("cuda.available, cuda.arch: --require-gpu: ..."), in order."""
    told: dict[tuple[str, str], list[str]] = {}
    shown: list[tuple[list[str], CheckResult]] = []
    for check in checks:
        if check.status != FAIL:
            continue
        key = (check.reason or "", check.fix or "")
        if key in told and not _evidence_lines(check):
            told[key].append(check.id)
            continue
        ids = [check.id]
        if not _evidence_lines(check):
            told[key] = ids
        shown.append((ids, check))
    return shown


_BUILD_WORDS = {
    "cpu": "CPU build (no CUDA)",
    "cuda": "CUDA build",
    "rocm": "ROCm build (no CUDA)",
}


def build_words(build: object) -> str:
    """The worker's build name (torchenv.build_of: cuda, rocm, cpu) in doctor's words."""
    return _BUILD_WORDS.get(str(build), "build unknown") if build else "build unknown"


def _summary_of(check: CheckResult) -> str:
    """One line for the table: the reason of a failure or skip, else what the check saw."""
    if check.reason:
        return check.reason
    e = check.evidence
    devices = e.get("devices") if isinstance(e.get("devices"), list) else []
    summaries = {
        "torch.import": lambda: (
            f"{e.get('version')}, {build_words(e.get('build'))}, from {e.get('location')}"
        ),
        "cuda.available": lambda: _devices_text(devices, ("name", "capability")),
        "cuda.arch": lambda: _devices_text(devices, ("arch", "verdict")),
        "matmul": lambda: ", ".join(
            f"{r['device']} {r['dtype']} err {r['relative_error']:.1e}"
            for r in e.get("results", [])
        ),
        "amp.autocast": lambda: ", ".join(
            f"{r['device']} {r['autocast']}" for r in e.get("results", [])
        ),
        "cudnn": lambda: f"cuDNN {e.get('version')}",
        "compile": lambda: (
            f"{e.get('backend')} on {e.get('device')}, first call {e.get('first_call_s')} s"
        ),
        "distributed.all_reduce": lambda: f"{e.get('backend')}, {e.get('world_size')} processes",
        "hello.train": lambda: (
            f"loss {e.get('loss_first'):.3g} -> {e.get('loss_last'):.3g} "
            f"({e.get('drop'):.1%} lower) on {e.get('device')}"
        ),
        "memory.device": lambda: _devices_text(devices, ("allocated_gib", "total_gib")) + " GiB",
        "bench.matmul_bf16": lambda: _devices_text(devices, ("name", "tflops")) + " TFLOP/s",
        "bench.bandwidth": lambda: _devices_text(devices, ("name", "gb_per_s")) + " GB/s",
        "bench.nvml": lambda: _devices_text(
            devices, ("pcie_gen", "pcie_width", "throttle_reasons")
        ),
    }
    try:
        if check.id in summaries:
            return summaries[check.id]()
    except (KeyError, TypeError, ValueError):  # evidence from another worker version: fall back
        pass
    if "devices" in e:
        return f"devices: {_short(e['devices'])}"
    return _short(e) if e else ""


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."


def _evidence_lines(check: CheckResult) -> list[str]:
    lines: list[str] = []
    for key, value in sorted(check.evidence.items()):
        if isinstance(value, str) and "\n" in value:  # a traceback: show it as printed
            lines += [f"{key}:", *("  " + line for line in value.rstrip().splitlines())]
        else:
            lines.append(f"{key}: {_short(value)}")
    if check.output.strip():
        lines += ["output:", *("  " + line for line in check.output.rstrip().splitlines())]
    if len(lines) > EVIDENCE_LINES:
        lines = [*lines[: EVIDENCE_LINES // 2], "...", *lines[-EVIDENCE_LINES // 2 :]]
    return lines


def _detail_room(report: VerifyReport, width: int) -> int:
    """The detail column's width when the other three take what their longest cell needs: five
    borders, a blank each side of four cells, "result" and "time" as wide as their widest."""
    check = max([len("check"), *(len(c.id) for c in report.checks)])
    took = max([len("time"), *(len(f"{c.duration_s:.2f}s") for c in report.checks)])
    return max(width - (5 + 8 + check + len("result") + took), style.MIN_TEXT_WIDTH)


def render_report(report: VerifyReport, console: Console) -> None:
    # Redacted whole before any text is cut short (see envsetup.sanitize.redact_data).
    report = redact_data(report)
    target = report.target
    if report.unusable is not None:  # the command reports this as a one-line error instead
        console.print(
            f"envsetup verify: {for_rich(report.unusable.reason)}; fix: {for_rich(report.unusable.fix)}",
            soft_wrap=True,
        )
        return
    torch = (
        f"torch {target.torch_version}, {build_words(target.torch_build)}"
        if target.torch_version
        else "torch ?"
    )
    style.lead(console, "verify", f"{target.python} (Python {target.python_version}), {torch}")
    table = Table(show_header=True, header_style="bold")
    table.add_column("check")
    table.add_column("result")
    table.add_column("time", justify="right")
    table.add_column("detail", overflow="fold")
    room = _detail_room(report, console.width)
    for check in report.checks:
        table.add_row(
            for_rich(check.id),
            _STYLE.get(check.status, check.status),
            f"{check.duration_s:.2f}s",
            # A path longer than the column breaks after a "/", not mid-name.
            style.break_long_words(Text(for_terminal(_summary_of(check))), room),
        )
    console.print(table)
    for ids, check in _failures(report.checks):
        style.item(console, "error", f"{', '.join(ids)}: {check.reason}", markup="bold")
        style.evidence(console, _evidence_lines(check))
        if check.fix:
            style.fix_line(console, check.fix)  # a command whole, prose wrapped
    for found in report.findings:  # what torch printed, judged (envsetup.verify.signals)
        words = words_for(found)
        style.item(console, found.severity, f"{found.id}: {words.title}", markup="bold")
        style.evidence(console, found.evidence[:EVIDENCE_LINES])
        if words.fix:
            style.fix_line(console, words.fix)
    counts = report.counts()
    console.print(
        f"{counts[PASS]} passed, {counts[FAIL]} failed, {counts[SKIP]} skipped in {report.duration_s:.1f}s"
    )
