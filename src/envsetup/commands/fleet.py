"""`envsetup fleet`: the typer group, and one registration per subcommand (docs/fleet.md).

`fleet run` (flags -> envsetup.fleet.run, srun) and its hidden per-node task `fleet node`;
`fleet report DIR` (flags -> envsetup.fleet.report -> render -> exit code). The logic is in
envsetup/fleet/."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from envsetup.errors import UsageError
from envsetup.render.help_words import JSON_HELP, epilog

fleet_app = typer.Typer(
    name="fleet",
    help="Check every node of a Slurm cluster and merge what they report.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode="rich",
)


def run_command(
    out: str = typer.Option(
        ..., "--out", metavar="DIR", help="Run folder on a filesystem every node mounts."
    ),
    verify: bool = typer.Option(False, "--verify", help="Run verify on each node, not doctor."),
    budget: float = typer.Option(
        50.0, "--budget", metavar="SECONDS", help="Seconds each node may take."
    ),
    replay: Optional[str] = typer.Option(
        None,
        "--replay",
        metavar="DIR",
        help="Test/demo aid: each node replays this recorded host; {host} is the node's name.",
    ),
    srun_options: Annotated[
        Optional[list[str]],
        typer.Argument(
            metavar="[-- SRUN_OPTIONS...]",
            help="Options for srun that choose nodes: -N, -w, -p ...",
            show_default=False,
        ),
    ] = None,
) -> int:
    """Run doctor (or verify) on every node through srun, one report per node in DIR."""
    from envsetup.fleet.run import plan_fleet, run_fleet
    from envsetup.host import environment
    from envsetup.render.fleet_run_text import summary_lines

    environ = environment()
    plan = plan_fleet(out, verify, budget, srun_options or [], replay, environ)
    result = run_fleet(plan, environ, lambda line: (sys.stderr.write(line), sys.stderr.flush()))
    for line in summary_lines(result):
        sys.stderr.write(line + "\n")
    sys.stderr.flush()
    # The merged report is the run's result: printed, and its exit code (2 a node never
    # answered or timed out, 1 a node has an error, 0 all healthy).
    return print_fleet_report(str(result.plan.out))


def node_command(
    out: str = typer.Option(..., "--out", metavar="DIR"),
    verify: bool = typer.Option(False, "--verify"),
    budget: float = typer.Option(50.0, "--budget", metavar="SECONDS"),
    replay: Optional[str] = typer.Option(None, "--replay", metavar="DIR"),
) -> int:
    """fleet run's task on each node (started by srun)."""
    from envsetup.fleet.node_side import run_node

    outcome = run_node(out, verify, budget, replay)
    if outcome.message:
        sys.stderr.write(f"envsetup fleet node {outcome.node}: {outcome.message}\n")
    return outcome.exit_code


def report_command(
    directory: str = typer.Argument(
        ..., metavar="DIR", help="The run folder: one <node>.json report per node."
    ),
    as_json: bool = typer.Option(
        False,
        "--json",
        help=JSON_HELP.format(what="report"),
    ),
    junit: Optional[str] = typer.Option(
        None,
        "--junit",
        metavar="FILE",
        help="Also write a JUnit XML report to this file: one testsuite per node.",
    ),
    max_age: Optional[str] = typer.Option(
        None,
        "--max-age",
        metavar="DURATION",
        help="A node whose report file is older than DURATION (90s, 15m, 2h, 1d; a plain "
        "number is seconds) is stale: not judged, listed with the nodes that did not answer, "
        "exit 2. For a health-check folder, where a node that went down keeps its last report.",
        show_default=False,
    ),
) -> int:
    """Merge the node reports in DIR into one report.

    Nodes grouped by fingerprint, findings counted, the nodes to drain, the nodes that never
    answered. Exit 0 all healthy, 1 a node has an error, 2 a node is missing, timed out or
    (with --max-age) stale."""
    from envsetup.fleet.age import parse_max_age

    max_age_s = parse_max_age(max_age) if max_age is not None else None
    return print_fleet_report(directory, as_json=as_json, junit=junit, max_age_s=max_age_s)


def print_fleet_report(
    directory: str,
    *,
    as_json: bool = False,
    junit: Optional[str] = None,
    max_age_s: Optional[float] = None,
) -> int:
    """The merged report of the run folder DIR, printed (text, or the envelope with --json; the
    JUnit file with --junit); its exit code. `fleet run` ends with it too."""
    from envsetup.fleet.report import fleet_report

    if junit is not None and not Path(junit).resolve().parent.is_dir():
        raise UsageError(
            f"--junit {junit}: its directory does not exist; create it or pick another path"
        )
    report = fleet_report(directory, max_age_s=max_age_s)
    if junit is not None:
        from envsetup.host.report_file import write_report
        from envsetup.render.fleet_junit import to_junit

        write_report(junit, to_junit(report), "--junit")
    if as_json:
        from envsetup.render.fleet_json import render_json

        typer.echo(render_json(report))
    else:
        from envsetup.render import style
        from envsetup.render.fleet_text import render_report

        render_report(report, style.console())
    return int(report.exit_code)


fleet_app.command(
    "run", context_settings={"allow_interspersed_args": False}, epilog=epilog("fleet run")
)(run_command)
fleet_app.command("node", hidden=True)(node_command)
# help= rather than the docstring: rich keeps a docstring's line breaks, mid-sentence.
REPORT_HELP = (
    "Merge the node reports in DIR into one report.\n\n"
    "Nodes grouped by fingerprint, findings counted, the nodes to drain, the nodes that never "
    "answered. Exit 0 all healthy, 1 a node has an error, 2 a node is missing, timed out or "
    "(with --max-age) stale."
)
fleet_app.command("report", help=REPORT_HELP, epilog=epilog("fleet report"))(report_command)
