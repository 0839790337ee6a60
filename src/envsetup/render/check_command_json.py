"""check-command's --json document: the result envelope, the report's findings in the common shape,
and data = what the command would install, the verdicts behind it and what to run instead
(docs/schema/check-command.schema.json; finding ids: docs/check-command.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from envsetup.render.command_line import instead_command
from envsetup.render.envelope import envelope, outcome_of, to_json
from envsetup.render.finding_words import finding_entry

if TYPE_CHECKING:
    from envsetup.command_check.check import CommandReport
    from envsetup.diagnose.finding import Finding


@dataclass
class CheckCommandData:
    """check-command's `data`. command: the text judged; tool: pip, uv or conda; installs: what it
    would really install here, one line per package; pick: the release, version, build and what
    decided it; verdicts: the compatibility verdicts (code, severity, parameters) on that build for
    this machine; suggested_command: a command that installs the build `envsetup install --cuda
    auto` picks for that release (null when none fits, then suggestion_note and
    suggestion_refusal_codes say why); suggested_flags: the `envsetup install` flags for the same;
    suggested_build: {torch_release, variant} of the suggestion; suggested_environment: the
    environment the suggestion creates first (null when it installs where the command would)."""

    command: str
    tool: str
    installs: list[str] = field(default_factory=list)
    pick: dict[str, Any] = field(default_factory=dict)
    verdicts: list[dict[str, Any]] = field(default_factory=list)
    suggested_command: Optional[str] = None
    suggested_flags: list[str] = field(default_factory=list)
    suggested_build: dict[str, str] = field(default_factory=dict)
    suggested_environment: Optional[str] = None
    suggestion_note: Optional[str] = None
    suggestion_refusal_codes: list[str] = field(default_factory=list)


def common_finding(
    found: Finding, suggested_command: Optional[str], note: Optional[str] = None
) -> dict[str, Any]:
    """A check-command finding in the shape every command's findings have, worded
    (render/words/check_command.py): when the finding names no fix of its own, the command that
    installs a working build is the fix of every error and warning, else `note`, why there is none."""
    entry = finding_entry(found)
    if not entry["fix"] and found.severity in ("error", "warning"):
        entry["fix"] = suggested_command or note or ""
    return entry


def suggestion_note(report: CommandReport) -> Optional[str]:
    """Why there is no *Instead*: no request can work here, or the resolver's refusal, worded."""
    from envsetup.render.resolution_words import refusal_note

    refusal = report.suggestion.refusal
    if report.suggestion_note or refusal is None:
        return report.suggestion_note
    return refusal_note(refusal)


def check_command_data(report: CommandReport) -> CheckCommandData:
    data = report.to_dict()
    return CheckCommandData(
        command=report.command,
        tool=report.tool,
        installs=list(report.installs),
        pick=dict(data["pick"]),
        verdicts=list(data["verdicts"]),
        suggested_command=instead_command(report),
        suggested_flags=list(report.suggested_flags),
        suggested_build=dict(report.suggested_build),
        suggested_environment=data["suggested_environment"],
        suggestion_note=suggestion_note(report),
        suggestion_refusal_codes=[str(code) for code in data["suggestion_refusal_codes"]],
    )


def check_command_document(report: CommandReport, exit_code: int) -> dict[str, Any]:
    instead = instead_command(report)
    return envelope(
        "check-command",
        exit_code=exit_code,
        outcome=outcome_of(exit_code),
        findings=[common_finding(f, instead, suggestion_note(report)) for f in report.findings],
        data=asdict(check_command_data(report)),
    )


def render_json(report: CommandReport, exit_code: int) -> str:
    return to_json(check_command_document(report, exit_code))
