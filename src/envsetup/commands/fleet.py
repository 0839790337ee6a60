"""`envsetup fleet`: the typer group, and one registration per subcommand (docs/fleet.md).

`fleet report DIR`: flags -> envsetup.fleet.report -> render -> exit code."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from envsetup.errors import UsageError

fleet_app = typer.Typer(
    name="fleet",
    help="Check every node of a cluster: merge the nodes' reports into one.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode="rich",
)


def report_command(
    directory: str = typer.Argument(
        ..., metavar="DIR", help="The run folder: one <node>.json report per node."
    ),
    as_json: bool = typer.Option(
        False,
        "--json",
        help="Print the report as one JSON document, the result envelope "
        "(python -m envsetup.render.schema DIR writes its JSON Schema).",
    ),
    junit: Optional[str] = typer.Option(
        None,
        "--junit",
        metavar="FILE",
        help="Also write a JUnit XML report to this file: one testsuite per node.",
    ),
) -> int:
    """Merge the node reports in DIR: nodes grouped by fingerprint, findings counted, the nodes
    to drain, the nodes that never answered. Exit 0 all healthy, 1 a node has an error, 2 a node
    is missing or timed out."""
    return print_fleet_report(directory, as_json=as_json, junit=junit)


def print_fleet_report(
    directory: str, *, as_json: bool = False, junit: Optional[str] = None
) -> int:
    """The merged report of the run folder DIR, printed (text, or the envelope with --json; the
    JUnit file with --junit); its exit code. `fleet run` ends with it too."""
    from envsetup.fleet.report import fleet_report

    if junit is not None and not Path(junit).resolve().parent.is_dir():
        raise UsageError(
            f"--junit {junit}: its directory does not exist; create it or pick another path"
        )
    report = fleet_report(directory)
    if junit is not None:
        from envsetup.render.fleet_junit import to_junit

        try:
            Path(junit).write_text(to_junit(report), encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                f"--junit {junit}: cannot write the file ({exc.strerror}); pick a writable path"
            ) from None
    if as_json:
        from envsetup.render.fleet_json import render_json

        typer.echo(render_json(report))
    else:
        from envsetup.render import style
        from envsetup.render.fleet_text import render_report

        render_report(report, style.console())
    return int(report.exit_code)


def _epilog(name: str) -> str:
    from envsetup.render.help_words import epilog

    return epilog(name)


fleet_app.command("report", epilog=_epilog("fleet report"))(report_command)
