"""`envsetup explain [FILE ...]`: its flags. The run (read the paste, probe the host, explain,
print) is envsetup/explain_run.py, which the console script's fast path calls without typer."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from envsetup.render.help_words import JSON_HELP


def explain_command(
    files: Annotated[
        Optional[list[str]],
        typer.Argument(
            metavar="[FILE]...",
            help="Text files holding the paste; '-' or none: standard input.",
            show_default=False,
        ),
    ] = None,
    replay: Optional[str] = typer.Option(
        None, "--replay", metavar="DIR", help="Merge over a recorded host instead of this one."
    ),
    no_host: bool = typer.Option(
        False, "--no-host", help="Merge over no host: only what the paste states."
    ),
    json_output: bool = typer.Option(
        False,
        "--json",
        help=JSON_HELP.format(what="result"),
    ),
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Show the evidence (pasted lines, facts) of every finding."
    ),
    record: Optional[str] = typer.Option(
        None,
        "--record",
        metavar="DIR",
        help="Write a recorded host built from the merged facts into DIR (doctor --replay DIR).",
    ),
) -> int:
    """Explain pasted errors, logs, collect_env and nvidia-smi output against a machine's facts."""
    from envsetup.explain_run import run_explain

    return run_explain(files or [], replay, no_host, json_output, verbose, record)
