"""*Instead*: the command to use, built by resolving for this machine — never by echoing the
pasted command's own build.

The request is the one `envsetup install --torch R --cuda auto` makes, where R is the release (or
the pinned patch) the pasted command would install, with the command's manager when that release
has packages for it (conda has none after 2.5; then pip). When that release has no build that runs
here, the newest release that does (`install --cuda auto`). Pure: the resolver is pure.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Optional

from envsetup.command_check.parse import ParsedCommand
from envsetup.command_check.simulate import Pick
from envsetup.model.jetson import is_jetpack_variant
from envsetup.model.machine import Machine
from envsetup.profiles.loader import Release
from envsetup.resolve.request import InstallRequest, compute_flag
from envsetup.resolve.resolution import Resolution, ResolutionRefused
from envsetup.resolve.resolver import resolve_for_machine

NEW_ENVIRONMENT = ".venv"
DOMAIN_PACKAGES = ("torchvision", "torchaudio")


@dataclass
class Suggestion:
    """The plan to use instead (render.command_line.render_command writes it as a command line),
    and the `envsetup install` flags that make the same plan."""

    resolution: Optional[Resolution] = None
    # Make this virtual environment first (the command's own Python refuses installs, PEP 668).
    new_environment: Optional[str] = None
    flags: list[str] = field(default_factory=list)
    note: Optional[str] = None  # why there is none, when no request can work (32-bit Python)
    # Why there is none: the resolver's refusal of the first request (render words it).
    refusal: Optional[ResolutionRefused] = None
    refusal_codes: list[str] = field(default_factory=list)
    # The conda environment the paste makes (name, Python): Instead makes it too, else the
    # install would land in the active environment, whose Python may not fit.
    conda_environment: Optional[tuple[str, str]] = None


def requests_for(command: ParsedCommand, pick: Pick) -> list[InstallRequest]:
    """The requests tried in order: this release with the command's manager, this release with
    pip, then the newest release that fits (as `install --cuda auto`)."""
    manager = command.tool
    if manager == "conda" and pick.named_release is not None and not pick.named_release.conda:
        manager = "pip"
    if pick.conda_forge:
        # A conda-forge command: PyTorch's own builds come from pip now, not from the pytorch
        # channel, which ends at 2.5 (pytorch/pytorch #138506).
        manager = "pip"
    torch = pick.torch_request
    out = []
    for release in dict.fromkeys([torch, None]):
        for name in dict.fromkeys([manager, "pip"]):
            # pip installs into the running Python; uv and conda into the environment's, which
            # for `uv pip install` / `conda install` is the one the command runs in.
            python = None if name == "pip" else pick.python
            out.append(InstallRequest(torch=release, compute="auto", manager=name, python=python))
    return out


def _only_asked(plan: Resolution, command: ParsedCommand) -> Resolution:
    """The plan with the torch packages the command installs (torch, and torchvision /
    torchaudio only where it names them): Instead replaces the command, it adds nothing."""
    named = set(command.conda_specs) if command.is_conda else set(command.requirements)
    wanted = {"torch", "pytorch", *named}
    pins = [pin for pin in plan.pins if pin.name in wanted]
    specs = [
        spec
        for spec in plan.conda_specs
        if re.split(r"[=<>!~ ]", spec, maxsplit=1)[0] not in DOMAIN_PACKAGES
        or re.split(r"[=<>!~ ]", spec, maxsplit=1)[0] in wanted
    ]
    return dataclasses.replace(plan, pins=pins, conda_specs=specs)


def suggest(
    command: ParsedCommand,
    pick: Pick,
    machine: Machine,
    releases: list[Release],
    new_environment: bool = False,
    no_wheels_reason: Optional[str] = None,
) -> Suggestion:
    """Resolve for `machine`: the plan behind *Instead*.

    `new_environment`: the command would install into a system Python that refuses (PEP 668), so
    the suggestion makes a virtual environment first. `no_wheels_reason`: no request can work
    (a 32-bit Python), said instead of a command.
    """
    if no_wheels_reason:
        return Suggestion(note=no_wheels_reason)
    machine = dataclasses.replace(machine, python=pick.python or machine.python)
    first: Optional[ResolutionRefused] = None
    for request in requests_for(command, pick):
        try:
            plan = resolve_for_machine(request, machine, releases)
        except ResolutionRefused as refusal:
            first = first or refusal
            continue
        # A JetPack build has no --cuda name of its own: --cuda auto picks it on a Jetson.
        cuda = "auto" if is_jetpack_variant(plan.variant) else compute_flag(plan.variant)
        flags = ["--torch", request.torch or plan.torch_release, "--cuda", cuda]
        if request.python:
            flags += ["--python", request.python]
        if plan.manager != "pip":
            flags += ["--manager", plan.manager]
        venv = NEW_ENVIRONMENT if new_environment and plan.manager != "conda" else None
        conda = None
        if command.conda_create_name is not None and pick.python:
            conda = (command.conda_create_name or "torch", pick.python)
            venv = None  # the conda environment is the new environment
        return Suggestion(_only_asked(plan, command), venv, flags, conda_environment=conda)
    assert first is not None  # requests_for is never empty
    return Suggestion(
        refusal=first,
        refusal_codes=[str(getattr(code, "value", code)) for code in first.codes],
    )
