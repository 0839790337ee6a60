"""check-command for people: what the pasted command would install, what is wrong, what instead."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from envsetup.render import style
from envsetup.render.check_command_json import common_finding, suggestion_note
from envsetup.render.command_line import instead_command

if TYPE_CHECKING:
    from rich.console import Console

    from envsetup.command_check.check import CommandReport


def render_report(out: Console, report: CommandReport) -> None:
    style.command(out, f"Command ({report.tool})", report.command, indent=0)
    out.print("[bold]It would install:[/]")
    for line in report.installs or ["nothing envsetup can name"]:
        style.text(out, line, indent=2)
    if report.findings:
        out.print("[bold]Findings:[/]")
        note = suggestion_note(report)
        for item in report.findings:
            found = common_finding(item, None, note)
            style.finding(
                out,
                found["severity"],
                found["title"],
                found["id"],
                evidence_lines=found["evidence"],
                fix=found["fix"],
            )
    else:
        out.print("[bold]Findings:[/] none")
    instead = instead_command(report)
    if instead:
        style.command(out, instead_label(report), instead, indent=0)
        flags = shlex.join(["envsetup", "install", *report.suggested_flags])
        style.command(out, "or", flags, indent=2)
    elif suggestion_note(report):
        out.print("[bold]No working command for this machine:[/]")
        style.text(out, suggestion_note(report) or "", indent=2)


def instead_label(report: CommandReport) -> str:
    """What the resolved command is called: "Instead" only when the pasted one has an error or a
    warning; a clean command is not told to use another (JSON keeps suggested_command either way)."""
    return "Instead" if report.has_problems else "envsetup install would pick"
