"""`envsetup check-command "<pasted install command>"`: what it would install here, what is wrong."""

from __future__ import annotations

from typing import Optional

import typer

from envsetup.exit_codes import ExitCode
from envsetup.render.help_words import JSON_HELP


def check_command_command(
    command: str = typer.Argument(
        ..., metavar="COMMAND", help="The pip / uv pip / conda install command, quoted."
    ),
    as_json: bool = typer.Option(
        False,
        "--json",
        help=JSON_HELP.format(what="report"),
    ),
    replay: Optional[str] = typer.Option(
        None,
        "--replay",
        metavar="DIR",
        help="Judge it for a recorded host directory instead of this machine.",
    ),
    facts_file: Optional[str] = typer.Option(
        None,
        "--facts",
        metavar="FILE",
        help="Judge it for the machine described by a Facts JSON file.",
    ),
) -> int:
    """Say what a pasted install command would really install here, and what is wrong with it."""
    from envsetup.command_check.check import check_command
    from envsetup.probe.facts_source import load_facts
    from envsetup.profiles.loader import load_releases

    report = check_command(command, load_facts(replay, facts_file), load_releases())
    # An error or a warning: the command is wrong for this machine (docs/check-command.md).
    code = ExitCode.FINDINGS if report.has_problems else ExitCode.OK
    if as_json:
        from envsetup.render.check_command_json import render_json

        typer.echo(render_json(report, int(code)))
    else:
        from envsetup.render import style
        from envsetup.render.check_command_text import render_report

        render_report(style.console(), report)
    return int(code)
