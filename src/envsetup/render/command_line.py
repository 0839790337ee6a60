"""A Resolution as the command line a person types: pip, uv pip or conda, quoted for a POSIX shell.

Used by `install --dry-run` ("Equivalent command") and by check-command ("Instead").
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Optional

from envsetup.resolve.resolution import Resolution

if TYPE_CHECKING:
    from envsetup.command_check.check import CommandReport


def render_command(
    plan: Resolution,
    new_environment: Optional[str] = None,
    conda_environment: Optional[tuple[str, str]] = None,
) -> str:
    """The install command for `plan`.

    `new_environment` ("`.venv`"): create that virtual environment first and install into it (for
    a system Python that refuses installs, PEP 668). Ignored for conda, which installs into the
    active conda environment. `conda_environment` (name, Python "3.11"): create that conda
    environment first (`conda create -n NAME python=X.Y ...`, as the pasted command did) and
    install into it.
    """
    if plan.manager == "conda":
        verb = ["install"]
        if conda_environment:
            verb = ["create", "-n", conda_environment[0], f"python={conda_environment[1]}"]
        words = ["conda", *verb, *plan.conda_specs]
        for channel in plan.conda_channels:
            words += ["-c", channel]
        return shlex.join(words)
    if conda_environment:
        name, python = conda_environment
        make = shlex.join(["conda", "create", "-y", "-n", name, f"python={python}"])
        activate = shlex.join(["conda", "activate", name])
        return f"{make} && {activate} && {render_command(plan)}"
    pins = [pin.requirement() for pin in plan.pins]
    index = ["--index-url", plan.index_url] if plan.index_url else []
    if plan.manager == "uv":
        install = shlex.join(["uv", "pip", "install", *pins, *index])
        return (
            f"uv venv {shlex.quote(new_environment)} && {install}" if new_environment else install
        )
    if new_environment:
        python = f"{new_environment}/bin/python"
        make = shlex.join(["python3", "-m", "venv", new_environment])
        return f"{make} && {shlex.join([python, '-m', 'pip', 'install', *pins, *index])}"
    return shlex.join(["pip", "install", *pins, *index])


def instead_command(report: CommandReport) -> Optional[str]:
    """check-command's *Instead*: the plan resolved for the machine, as a command line."""
    plan = report.suggestion.resolution
    if plan is None:
        return None
    return render_command(
        plan, report.suggestion.new_environment, report.suggestion.conda_environment
    )
