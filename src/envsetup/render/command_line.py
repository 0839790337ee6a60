"""A Resolution as the command line a person types: pip, uv pip or conda, quoted for a POSIX shell.

Used by `install --dry-run` ("Equivalent command") and by check-command ("Instead").
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Optional

from envsetup.resolve.resolution import Resolution

if TYPE_CHECKING:
    from envsetup.command_check.check import CommandReport


def render_command(plan: Resolution, new_environment: Optional[str] = None) -> str:
    """The install command for `plan`.

    `new_environment` ("`.venv`"): create that virtual environment first and install into it (for
    a system Python that refuses installs, PEP 668). Ignored for conda, which installs into the
    active conda environment.
    """
    if plan.manager == "conda":
        words = ["conda", "install", *plan.conda_specs]
        for channel in plan.conda_channels:
            words += ["-c", channel]
        return shlex.join(words)
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
    return render_command(plan, report.suggestion.new_environment) if plan else None
