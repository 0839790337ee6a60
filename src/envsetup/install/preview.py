"""install --dry-run: what provision() would do with the same arguments, worked out (and printed
by render/) before anything runs; no lock, no directory, no command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional

from envsetup.errors import UsageError
from envsetup.host import environment
from envsetup.host.files import LOCAL, Files
from envsetup.install import ownership
from envsetup.install import target as install_target
from envsetup.install.backends import Backend
from envsetup.install.decisions import MODE_SATISFIED, held_already, plan_for, set_up
from envsetup.install.plan import Plan
from envsetup.install.satisfied import satisfied_note
from envsetup.install.tools import (
    Elsewhere,
)
from envsetup.resolve.resolution import Resolution


@dataclass
class Preview:
    """What provision() would do with the same arguments, worked out without touching anything."""

    plan: Plan
    mode: str  # new, force, upgrade
    notes: list[str] = field(default_factory=list)
    # Why provision() would stop on this machine before its first step (one line each, with the
    # fix); the plan shown is then the one for a new environment with the tool found.
    problems: list[str] = field(default_factory=list)


def preview(
    resolution: Resolution,
    *,
    force: bool = False,
    upgrade: bool = False,
    index_url_base: Optional[str] = None,
    log_dir: Optional[str] = None,
    environ: Optional[Mapping[str, str]] = None,
    host_files: Files = LOCAL,
    elsewhere: Optional[Elsewhere] = None,
) -> Preview:
    """provision()'s plan for the same arguments (install --dry-run): the same set-up, target
    decision and plan builder, without the lock, any directory, or any command run. A bad flag is
    a UsageError as in provision(); what would stop the install here is in Preview.problems.

    `elsewhere`: the plan is for another machine (--replay, --facts): its backend takes that
    machine's OS and interpreter, the target is as spelled (what is there is taken from
    --force/--upgrade); the log and state paths stay this machine's, and a note says so."""
    environ = environment() if environ is None else environ
    problems: list[str] = []
    setup = set_up(resolution, index_url_base, log_dir, environ, host_files, problems, elsewhere)
    try:
        if elsewhere is not None:
            # What that host holds at the target is not on this machine: taken as the flags say
            # (--force, --upgrade: an environment is there; otherwise nothing is).
            kind = install_target.ENVIRONMENT if force or upgrade else install_target.ABSENT
        else:
            claim = (
                ownership.read_claim(setup.state, setup.env_path, host_files)
                if setup.state
                else None
            )
            kind = install_target.classify_target(setup.env_path, claim, host_files)
            held = held_already(resolution, setup, kind, force=force, upgrade=upgrade)
            if held is not None:
                plan = plan_for(resolution, setup, install_target.decide(setup.env_path, kind, force=False, upgrade=True))  # fmt: skip
                plan.steps = []  # nothing would run
                return Preview(plan, MODE_SATISFIED, [satisfied_note(setup.env_path, held)], problems)  # fmt: skip
        decision = install_target.decide(setup.env_path, kind, force=force, upgrade=upgrade)
    except UsageError as exc:
        problems.append(str(exc))
        decision = install_target.decide(
            setup.env_path, install_target.ABSENT, force=False, upgrade=False
        )
    notes = [decision.note] if decision.note else []
    if elsewhere is not None:
        notes.append(_elsewhere_note(elsewhere, setup.backend))
    return Preview(plan_for(resolution, setup, decision), decision.mode, notes, problems)


def _elsewhere_note(elsewhere: Elsewhere, backend: Backend) -> str:
    base = getattr(backend, "base_python", None) or getattr(backend, "interpreter", None)
    made_by = (
        f"its interpreter {base}"
        if base and base == elsewhere.python_executable
        else "the tool as named on its PATH"
    )
    return (
        f"planned for the recorded {elsewhere.system} host: {made_by}, the environment's "
        f"paths shaped for {elsewhere.system}, the target as spelled (not looked at here); "
        "the log and state paths are this machine's"
    )
