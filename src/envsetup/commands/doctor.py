"""`envsetup doctor`: its flags. The run (probe → facts → diagnose → render) is envsetup/doctor_run.py."""

from __future__ import annotations

from typing import Optional

import typer

from envsetup.render.help_words import BUDGET_HELP, JSON_HELP, OUT_HELP, PROMETHEUS_HELP


def doctor_command(
    json_output: bool = typer.Option(
        False,
        "--json",
        help=JSON_HELP.format(what="report"),
    ),
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Show the evidence and source of every fact."
    ),
    deep: bool = typer.Option(
        False,
        "--deep",
        help="Also import torch in a subprocess (with a timeout) to confirm CUDA works.",
    ),
    python: Optional[str] = typer.Option(
        None,
        "--python",
        metavar="PATH",
        help="Inspect this interpreter's torch (default: the active environment's).",
    ),
    record: Optional[str] = typer.Option(
        None, "--record", metavar="DIR", help="Write everything read from this host into DIR."
    ),
    replay: Optional[str] = typer.Option(
        None, "--replay", metavar="DIR", help="Run on a recorded host instead of this one."
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
        help=BUDGET_HELP["doctor"],
    ),
    prometheus: Optional[str] = typer.Option(
        None,
        "--prometheus",
        metavar="PATH",
        help=PROMETHEUS_HELP,
    ),
) -> int:
    """Detect OS, Python, NVIDIA driver and GPUs, CUDA, cuDNN and torch; say what is wrong and how to fix it."""
    # The run lives apart from typer: envsetup.fast_path calls it without loading typer.
    from envsetup.doctor_run import run_doctor

    return run_doctor(json_output, verbose, deep, python, record, replay, out, budget, prometheus)
