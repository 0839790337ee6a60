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
    from envsetup.render.command_line import instead_command

    report = check_command(command, load_facts(replay, facts_file), load_releases())
    # An error or a warning: the command is wrong for this machine (docs/check-command.md).
    code = ExitCode.FINDINGS if report.has_problems else ExitCode.OK
    if as_json:
        envelope = {
            "envsetup_result_version": RESULT_VERSION,
            "command": "check-command",
            "status": "problems" if report.has_problems else "ok",
            "exit_code": int(code),
            "data": {**report.to_dict(), "suggested_command": instead_command(report)},
            "errors": [f.title for f in report.findings if f.severity == "error"],
        }
        typer.echo(dumps(envelope, indent=2, sort_keys=True, ensure_ascii=False))
    else:
        typer.echo(for_terminal(format_report(report)))
    return int(code)


def format_report(report: CommandReport) -> str:
    from envsetup.render.command_line import instead_command

    lines = [f"Command ({report.tool}): {report.command}", "It would install:"]
    lines += [f"  {item}" for item in report.installs] or ["  nothing envsetup can name"]
    if report.findings:
        lines.append("Findings:")
        for f in report.findings:
            lines.append(f"  {_MARKS.get(f.severity, '-')} {f.severity}: {f.title} [{f.id}]")
            lines += [f"      {line}" for line in f.evidence]
            if f.fix:
                lines.append(f"      fix: {f.fix}")
    else:
        lines.append("Findings: none")
    instead = instead_command(report)
    if instead:
        lines.append(f"Instead: {instead}")
        lines.append(f"  or: {shlex.join(['envsetup', 'install', *report.suggested_flags])}")
    elif report.suggestion_note:
        lines.append(f"No working command for this machine: {report.suggestion_note}")
    return "\n".join(lines)
