"""`envsetup fleet`: the typer group and its subcommands' flags. The logic is in envsetup/fleet/."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

fleet_app = typer.Typer(
    name="fleet",
    help="Check every node of a Slurm cluster and merge what they report.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# ---------------------------------------------------------------- fleet run / fleet node (fleetrun)


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
    from envsetup.render.stdout import echo

    environ = environment()
    plan = plan_fleet(out, verify, budget, srun_options or [], replay, environ)
    result = run_fleet(plan, environ, lambda line: (sys.stderr.write(line), sys.stderr.flush()))
    for line in summary_lines(result):
        echo(line)
    return result.exit_code


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


fleet_app.command("run", context_settings={"allow_interspersed_args": False})(run_command)
fleet_app.command("node", hidden=True)(node_command)
