"""`envsetup check-command "<pasted install command>"`: what it would install here, what is wrong."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Optional

import typer

from envsetup.exit_codes import ExitCode
from envsetup.failure import RESULT_VERSION as RESULT_VERSION
from envsetup.sanitize import dumps, for_terminal

if TYPE_CHECKING:
    from envsetup.command_check.check import CommandReport

_MARKS = {"error": "✗", "warning": "!", "info": "·"}


def check_command_command(
    command: str = typer.Argument(..., help="The pip / uv pip / conda install command, quoted."),
    as_json: bool = typer.Option(False, "--json", help="Emit the report as JSON."),
    replay: Optional[str] = typer.Option(
        None, "--replay", help="Judge it for a recorded host directory instead of this machine."
    ),
    facts_file: Optional[str] = typer.Option(
        None, "--facts", help="Judge it for the machine described by a Facts JSON file."
    ),
) -> int:
    """Say what a pasted install command would really install here, and what is wrong with it."""
    from envsetup.command_check.check import check_command
    from envsetup.probe.facts_source import load_facts
    from envsetup.profiles.loader import load_releases

    report = check_command(command, load_facts(replay, facts_file), load_releases())
    code = ExitCode.FINDINGS if report.has_errors else ExitCode.OK
    if as_json:
        envelope = {
            "envsetup_result_version": RESULT_VERSION,
            "command": "check-command",
            "status": "problems" if report.has_errors else "ok",
            "exit_code": int(code),
            "data": report.to_dict(),
            "errors": [f.message for f in report.findings if f.level == "error"],
        }
        typer.echo(dumps(envelope, indent=2, sort_keys=True, ensure_ascii=False))
    else:
        typer.echo(for_terminal(format_report(report)))
    return int(code)


def format_report(report: CommandReport) -> str:
    lines = [f"Command ({report.tool}): {report.command}", "It would install:"]
    lines += [f"  {item}" for item in report.installs] or ["  nothing envsetup can name"]
    if report.findings:
        lines.append("Findings:")
        lines += [f"  {_MARKS.get(f.level, '-')} {f.level}: {f.message}" for f in report.findings]
    else:
        lines.append("Findings: none")
    if report.suggested_command:
        lines.append(f"Instead: {report.suggested_command}")
        lines.append(f"  or: {shlex.join(['envsetup', 'install', *report.suggested_flags])}")
    elif report.suggestion_note:
        lines.append(f"No working command for this machine: {report.suggestion_note}")
    return "\n".join(lines)
