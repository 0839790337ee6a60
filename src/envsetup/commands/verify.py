"""`envsetup verify`: flags -> run_verify -> render -> exit code."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from envsetup.errors import EnvsetupError, UsageError
from envsetup.exit_codes import ExitCode
from envsetup.render.help_words import BUDGET_HELP, JSON_HELP, OUT_HELP, PROMETHEUS_HELP

if TYPE_CHECKING:
    from envsetup.facts import Facts
    from envsetup.host.budget import Deadline
    from envsetup.node_outputs import NodeRun
    from envsetup.verify.results import VerifyReport


def _check_ids() -> str:
    """The ids --only takes, for its help: the catalogue itself (an installed wheel has no docs/)."""
    from envsetup.verify.catalogue import all_checks

    return ", ".join(c.id for c in all_checks() if not c.hidden)


def verify_command(
    python: Optional[str] = typer.Option(
        None, "--python", metavar="PATH", help="The target interpreter."
    ),
    env: Optional[str] = typer.Option(
        None, "--env", metavar="DIR", help="The target environment (venv or conda prefix)."
    ),
    require_gpu: bool = typer.Option(
        False, "--require-gpu", help="Fail GPU checks instead of skipping them."
    ),
    only: Optional[str] = typer.Option(
        None,
        "--only",
        metavar="IDS",
        help=f"Comma-separated check ids or prefixes (bench = bench.*): {_check_ids()}.",
    ),
    timeout: float = typer.Option(
        120.0,
        "--timeout",
        metavar="SECONDS",
        help="Seconds each check may take before it is stopped.",
    ),
    as_json: bool = typer.Option(
        False,
        "--json",
        help=JSON_HELP.format(what="report"),
    ),
    junit: Optional[str] = typer.Option(
        None, "--junit", metavar="FILE", help="Also write a JUnit XML report to this file."
    ),
    bench: bool = typer.Option(
        False, "--bench", help="Also measure bf16 TFLOP/s, bandwidth, PCIe link, throttling."
    ),
    out: Optional[str] = typer.Option(
        None,
        "--out",
        metavar="PATH",
        help=OUT_HELP,
    ),
    budget: Optional[str] = typer.Option(
        None,
        "--budget",
        metavar="SECONDS",
        help=BUDGET_HELP["verify"],
    ),
    prometheus: Optional[str] = typer.Option(
        None,
        "--prometheus",
        metavar="PATH",
        help=PROMETHEUS_HELP,
    ),
) -> int:
    """Prove the target environment computes on its GPU (or CPU): run smoke tests in its interpreter."""
    from envsetup.node_outputs import reports_on_failure, start_node_run

    # Checked before anything runs: a bad --budget or an unwritable path is a usage error.
    node_run = start_node_run("verify", out, prometheus, budget)
    with reports_on_failure(node_run):
        return _verify(python, env, require_gpu, only, timeout, as_json, junit, bench, node_run)


def _verify(
    python: Optional[str],
    env: Optional[str],
    require_gpu: bool,
    only: Optional[str],
    timeout: float,
    as_json: bool,
    junit: Optional[str],
    bench: bool,
    node_run: NodeRun,
) -> int:
    # Imported here: every other command's start-up stays free of verify and rich.
    from envsetup.node_outputs import budget_finding, write_reports
    from envsetup.render.envelope import to_json
    from envsetup.render.verify_junit import to_junit
    from envsetup.verify import run_verify
    from envsetup.verify.catalogue import parse_only
    from envsetup.verify.target import resolve_python

    target = resolve_python(python, env)
    if junit is not None and not Path(junit).resolve().parent.is_dir():
        raise UsageError(
            f"--junit {junit}: its directory does not exist; create it or pick another path"
        )
    from envsetup.render import style
    from envsetup.render.progress import VerifyProgress

    # Each check as it runs; with --json on stderr, so that stdout holds the document alone.
    checks = parse_only(only)
    with VerifyProgress(style.console(stderr=as_json)) as display:
        report = run_verify(
            target,
            only=checks,
            timeout=timeout,
            require_gpu=require_gpu,
            bench=bench,
            progress=display,
            deadline=node_run.deadline,
        )
    cut = budget_finding(node_run.deadline)
    if cut is not None:
        report.findings.append(cut)
    if as_json or node_run.writes:
        document = _document(report, node_run)
        write_reports(node_run, document)
    if junit is not None:
        from envsetup.host.report_file import write_report

        write_report(junit, to_junit(report), "--junit")
    if as_json:
        typer.echo(to_json(document))
        if report.unusable is not None:  # the same line as without --json
            from envsetup.sanitize import for_terminal

            typer.echo(
                for_terminal(f"envsetup: {report.unusable.reason}; fix: {report.unusable.fix}"),
                err=True,
            )
    elif report.unusable is not None:
        raise EnvsetupError(
            f"{report.unusable.reason}; fix: {report.unusable.fix}", ExitCode.TARGET_UNUSABLE
        )
    else:
        from envsetup.render.verify_text import render_report

        render_report(report, style.console())
    return int(report.exit_code)


def _document(report: VerifyReport, node_run: NodeRun) -> dict[str, Any]:
    """verify's envelope, with the node, its fingerprint and what --budget cut."""
    from envsetup.model.fingerprint import profile_release
    from envsetup.profiles.lookup import lookup_build
    from envsetup.render.verify_json import verify_document
    from envsetup.verify.signals import target_facts

    facts = report.facts or target_facts(report.target, {}, report.checks)
    _add_driver(facts, node_run.deadline)
    deadline = node_run.deadline
    return verify_document(
        report,
        facts=facts,
        node=node_run.node,
        budget=deadline.report() if deadline else None,
        profile_of=profile_release(lookup_build),
    )


def _add_driver(facts: Facts, deadline: Optional[Deadline]) -> None:
    """The driver and its CUDA, read on this machine as doctor reads them (NVML, then
    nvidia-smi): verify's worker runs in the target and sees no driver version. The GPUs too
    when no check listed them (a CPU-only torch sees none)."""
    from envsetup.host.live import LiveHost
    from envsetup.probe.nvidia import probe_nvidia

    host: Any = LiveHost()
    if deadline is not None:
        from envsetup.host.budget import MIN_STEP_S, BudgetedHost
        from envsetup.probe.common import probe_timeout

        limit = max(min(probe_timeout(host.environ()), deadline.remaining()), MIN_STEP_S)
        host = BudgetedHost(LiveHost(nvml_timeout_s=limit), deadline)
    found = probe_nvidia(host, facts.os, [])
    facts.nvidia.driver_version = found.driver_version
    facts.nvidia.driver_cuda_version = found.driver_cuda_version
    if not facts.nvidia.gpus:
        facts.nvidia.gpus = found.gpus
