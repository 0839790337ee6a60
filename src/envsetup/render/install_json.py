"""install's --json document: the result envelope with data = {dry_run, resolution, plan, result,
refusal} (docs/schema/install.schema.json)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from envsetup.diagnose.finding import Finding
from envsetup.install.execute import InstallResult
from envsetup.render.envelope import INSTALLED, PLANNED, PROBLEMS, REFUSED, envelope, to_json
from envsetup.render.finding_words import finding_entry
from envsetup.resolve.resolution import Resolution

if TYPE_CHECKING:
    from envsetup.install.plan import Plan
    from envsetup.install.preview import Preview
    from envsetup.resolve.resolution import ResolutionRefused


@dataclass
class PlannedStep:
    """One command of the plan, run without a shell: argv as given to the OS, env_set/env_unset
    the changes to the inherited environment, timeout_s when it is stopped."""

    id: str  # create-env, check-resolves, install
    description: str
    argv: list[str]
    timeout_s: float
    env_set: dict[str, str]
    env_unset: list[str]


@dataclass
class PlannedInstall:
    """What install runs, in order (the same steps provision() carries out): the index URL is
    the one used (after --index-url-base), credentials masked."""

    manager: str
    mode: str  # new, force, upgrade
    env_path: str
    python: str  # the environment's interpreter, once created
    index_url: str
    log_path: str
    steps: list[PlannedStep]
    notes: list[str] = field(default_factory=list)


@dataclass
class Refusal:
    """Why no build fits the request, and the nearest requests that would (flags)."""

    reason: str
    alternatives: list[str]
    # Why, as codes (envsetup.resolve.resolution.RefusalCode and the compatibility verdict codes,
    # docs/check-command.md), and the blocking verdicts with their parameters.
    codes: list[str] = field(default_factory=list)
    verdicts: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class InstallData:
    """install's `data`: the resolution (null on a refusal), the plan (dry run), the result of
    provisioning (a real run), or the refusal."""

    dry_run: bool
    resolution: Optional[Resolution]
    plan: Optional[PlannedInstall]
    result: Optional[InstallResult]
    refusal: Optional[Refusal]


def _data_dict(data: InstallData) -> dict[str, Any]:
    """`data` as JSON: each verdict as every --json writes one ({code, severity, **parameters})."""
    out = asdict(data)
    if data.resolution is not None:
        used = data.plan.index_url if data.plan is not None else None
        out["resolution"] = resolution_dict(data.resolution, used)
    return out


def resolution_dict(resolution: Resolution, index_url: Optional[str] = None) -> dict[str, Any]:
    """The resolution as JSON: its data (Resolution.to_dict), with `explanation` (one sentence
    per reason, for people; naming `index_url`, the index the plan uses, when given) before
    `reasons` (the same as codes with parameters, the profile's index URL), and the unconfirmed
    profile facts in words."""
    from envsetup.render.resolution_words import explanation, unconfirmed_lines

    out: dict[str, Any] = {}
    for key, value in resolution.to_dict().items():
        if key == "reasons":
            out["explanation"] = explanation(resolution, index_url)
        elif key == "unconfirmed":
            value = unconfirmed_lines(resolution)
        out[key] = value
    return out


def planned_install(plan: Plan, mode: str, notes: list[str]) -> PlannedInstall:
    return PlannedInstall(
        manager=plan.manager,
        mode=mode,
        env_path=plan.env_path,
        python=plan.python,
        index_url=plan.index_url,
        log_path=plan.log_path,
        steps=[
            PlannedStep(
                id=step.id,
                description=step.description,
                argv=list(step.argv),
                timeout_s=step.timeout_s,
                env_set=dict(step.env_set),
                env_unset=list(step.env_unset),
            )
            for step in plan.steps
        ],
        notes=list(notes),
    )


def install_findings(resolution: Resolution) -> list[Finding]:
    """The chosen build's warning verdicts (a CUDA build asked for on a machine with no NVIDIA
    driver...), by their verdict code, and the unconfirmed profile facts the choice rests on."""
    from envsetup.compat.verdicts import Severity
    from envsetup.render.resolution_words import unconfirmed_lines

    # The fix's `envsetup install ...` keeps the target the user named (--env DIR, --name N).
    target = _target_flags(resolution)
    found = [
        Finding(verdict.code.value, "warning", params={**verdict.params, "target_flags": target})
        for verdict in resolution.verdicts
        if verdict.severity is Severity.WARNING
    ]
    if resolution.unconfirmed:
        found.append(Finding("unconfirmed-profile-facts", "info", unconfirmed_lines(resolution)))
    return found


def _target_flags(resolution: Resolution) -> str:
    """' --env DIR' or ' --name N' for a target other than install's default ./.venv; ''."""
    import shlex

    if resolution.env_name:
        return f" --name {shlex.quote(resolution.env_name)}"
    if resolution.env_path and resolution.env_path.rstrip("/\\") not in (".venv", "./.venv"):
        return f" --env {shlex.quote(resolution.env_path)}"
    return ""


def stop_findings(preview: Preview) -> list[Finding]:
    """What would stop `install` with the same flags on this machine, one finding each: an error,
    so that the dry run fails as the install would (exit 1, outcome "problems")."""
    return [
        Finding("install-would-stop", "error", params={"problem": problem})
        for problem in preview.problems
    ]


def resolution_findings(resolution: Resolution) -> list[dict[str, Any]]:
    """install_findings, worded (render/words/), in the envelope's shape."""
    return [finding_entry(found) for found in install_findings(resolution)]


def preview_findings(preview: Preview) -> list[dict[str, Any]]:
    """stop_findings, worded, in the envelope's shape."""
    return [finding_entry(found) for found in stop_findings(preview)]


def plan_document(resolution: Resolution, preview: Preview) -> dict[str, Any]:
    data = InstallData(
        dry_run=True,
        resolution=resolution,
        plan=planned_install(preview.plan, preview.mode, preview.notes),
        result=None,
        refusal=None,
    )
    findings = resolution_findings(resolution) + preview_findings(preview)
    stops = bool(preview.problems)
    return envelope(
        "install",
        exit_code=1 if stops else 0,
        outcome=PROBLEMS if stops else PLANNED,
        findings=findings,
        data=_data_dict(data),
    )


def result_document(resolution: Resolution, result: InstallResult) -> dict[str, Any]:
    data = InstallData(dry_run=False, resolution=resolution, plan=None, result=result, refusal=None)
    return envelope(
        "install",
        exit_code=0,
        outcome=INSTALLED,
        findings=resolution_findings(resolution),
        data=_data_dict(data),
    )


def refusal_document(refusal: ResolutionRefused, exit_code: int, dry_run: bool) -> dict[str, Any]:
    from envsetup.render.resolution_words import alternatives_words, refusal_reason

    reason = refusal_reason(refusal)
    data = InstallData(
        dry_run=dry_run,
        resolution=None,
        plan=None,
        result=None,
        refusal=Refusal(
            reason,
            alternatives_words(refusal),
            codes=[str(getattr(code, "value", code)) for code in refusal.codes],
            verdicts=[verdict.to_dict() for verdict in refusal.verdicts],
        ),
    )
    return envelope(
        "install",
        exit_code=exit_code,
        outcome=REFUSED,
        error={"kind": "usage", "message": reason},
        data=_data_dict(data),
    )


__all__ = [
    "InstallData",
    "PlannedInstall",
    "PlannedStep",
    "Refusal",
    "plan_document",
    "refusal_document",
    "result_document",
    "to_json",
]
