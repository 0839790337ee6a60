"""install for people: the resolution and why, the plan's steps (dry run), the outcome."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Optional

from envsetup.render import style

if TYPE_CHECKING:
    from rich.console import Console

    from envsetup.install.execute import InstallResult
    from envsetup.install.plan import Step
    from envsetup.install.preview import Preview
    from envsetup.resolve.resolution import Resolution, ResolutionRefused


def render_resolution(
    out: Console, resolution: Resolution, index_url: Optional[str] = None
) -> None:
    """What will be installed, for which Python, with which manager, where, and why.
    `index_url`: the index the plan uses (after --index-url-base), when known."""
    target = resolution.env_name or resolution.env_path or "(default)"
    torch = resolution.pins[0].version if resolution.pins else resolution.torch_release
    style.labelled(
        out,
        "Plan",
        f"torch {torch} ({resolution.variant}) for Python {resolution.python_version} "
        f"with {resolution.manager} into {target}",
        indent=0,
    )
    from envsetup.compat.verdicts import Severity
    from envsetup.render.finding_words import words_for
    from envsetup.render.install_json import install_findings
    from envsetup.render.resolution_words import explanation

    # A warning verdict is marked as a warning, with its fix, below the reasons: not a reason.
    for reason, line in zip(resolution.reasons, explanation(resolution, index_url)):
        if reason.verdict is None or reason.verdict.severity is not Severity.WARNING:
            style.item(out, "bullet", line, indent=2)
    for found in install_findings(resolution):
        if found.severity == "warning":
            words = words_for(found)
            style.finding(out, "warning", words.title, found.id, fix=words.fix)


def render_plan(out: Console, resolution: Resolution, preview: Preview) -> None:
    """The dry run: the resolution, then every step install would run, exactly."""
    plan = preview.plan
    render_resolution(out, resolution, plan.index_url)
    style.command(out, "Index URL", plan.index_url, indent=0)
    # A target the install would refuse is not "new": say so here, the reason comes below.
    state = "install would stop: see below" if preview.problems else preview.mode
    style.labelled(out, "Target", f"{plan.env_path} ({state})", indent=0)
    for note in preview.notes:
        style.item(out, "info", note, indent=2)
    out.print("[bold]Steps:[/]" + ("" if plan.steps else " none: the target holds the plan"))
    # The steps' changes to the inherited environment (an index URL may travel there): what
    # every step shares is said once, below them; what one step adds, under it.
    shared_set, shared_unset = _shared_environment(plan.steps)
    for number, step in enumerate(plan.steps, 1):
        style.labelled(out, f"{number}. {step.id}", step.description, indent=2)
        style.command(out, "$", shlex.join(step.argv), indent=5, colon=False)
        own = [f"{name}={value}" for name, value in step.env_set if (name, value) not in shared_set]
        own += [f"{name} unset" for name in step.env_unset if name not in shared_unset]
        if own:
            style.text(out, "with " + ", ".join(own), indent=7, style="dim")
    if shared_set:
        sets = ", ".join(f"{name}={value}" for name, value in shared_set)
        style.text(out, f"Every step runs with {sets}", indent=2, style="dim")
    if shared_unset:
        lead = "and without" if shared_set else "Every step runs without"
        style.text(out, f"{lead} {', '.join(shared_unset)}", indent=2, style="dim")
    style.command(out, "Log", plan.log_path, indent=0)
    from envsetup.render.finding_words import words_for
    from envsetup.render.install_json import stop_findings

    for found in stop_findings(preview):
        style.item(out, "error", f"install would stop here: {words_for(found).title}", indent=0)
    style.text(out, "dry run: nothing was installed", indent=0)


def _shared_environment(steps: list[Step]) -> tuple[list[tuple[str, str]], list[str]]:
    """The variables every step sets (name, value) and unsets, in the first step's order."""
    if not steps:
        return [], []
    sets = [pair for pair in steps[0].env_set if all(pair in s.env_set for s in steps)]
    unsets = [name for name in steps[0].env_unset if all(name in s.env_unset for s in steps)]
    return sets, unsets


def render_result(out: Console, result: InstallResult) -> None:
    if result.mode == "satisfied":
        for note in result.notes:
            style.item(out, "ok", note, indent=0)
    else:
        style.item(out, "ok", f"installed into {result.env_path}", indent=0)
    if result.log_path:
        style.command(out, "log", result.log_path, indent=2)
    # check before activate: lines run top to bottom, and activating the new environment
    # deactivates the one `envsetup` runs from (the README's .venv), so a check after it would
    # find no `envsetup` on PATH (exit 127).
    if result.verify_command:
        style.command(out, "check", result.verify_command, indent=2)
    if result.activate:
        style.command(out, "activate", result.activate, indent=2)


def refusal_line(refusal: ResolutionRefused) -> str:
    """The one stderr line of a refused request: the reason, and the flags that would work."""
    from envsetup.render.resolution_words import alternatives_words, refusal_reason

    message = f"envsetup: cannot install: {refusal_reason(refusal)}"
    if refusal.alternatives:
        message += "; instead try: " + " | ".join(alternatives_words(refusal))
    return message
