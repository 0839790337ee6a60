"""check-command's --json document: the result envelope, the report's findings in the common shape,
and data = what the command would install and what to run instead
(docs/schema/check-command.schema.json)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from envsetup.render.envelope import envelope, finding, outcome_of, to_json

if TYPE_CHECKING:
    from envsetup.command_check.check import CommandReport


@dataclass
class CheckCommandData:
    """check-command's `data`. command: the text judged; tool: pip, uv or conda; installs: what it
    would really install here, one line per package; suggested_command: a command that installs
    the build `envsetup install` would pick (null when none fits, then suggestion_note says why);
    suggested_flags: the `envsetup install` flags for the same."""

    command: str
    tool: str
    installs: list[str] = field(default_factory=list)
    suggested_command: Optional[str] = None
    suggested_flags: list[str] = field(default_factory=list)
    suggestion_note: Optional[str] = None


# Stable ids for the report's findings, which carry a level and a message today. A finding that
# brings its own id (or code) keeps it; the patterns bridge until every finding does, and a test
# holds every finding the corpus of pasted commands produces to a catalogued id.
UNCATALOGUED = "check-command-finding"
_IDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (finding_id, re.compile(pattern))
    for finding_id, pattern in (
        ("externally-managed", r"externally-managed \(PEP 668\)"),
        ("python-32-bit", r"^this Python is 32-bit"),
        ("requirements-not-read", r"^requirements in .* are not read$"),
        ("local-version-needs-index", r"is a local-version build that exists only"),
        ("extra-index-mixes-builds", r"^--extra-index-url adds PyTorch's index"),
        ("pre-release-index", r"^a nightly or test index"),
        ("release-not-in-profiles", r"is not in envsetup's profiles"),
        ("unknown-patch", r"^torch \S+ is not a known \S+ patch"),
        ("torch-not-pinned", r"^torch is not pinned"),
        ("extra-index-lacks-release", r"^the extra index \(.*\) has no torch"),
        ("default-build", r"installs PyPI's default build of"),
        ("uv-backend-auto", r"--torch-backend auto picks the build"),
        ("platform-has-no-wheels", r"^torch \S+ has no wheels for"),
        ("python-outside-range", r"^torch \S+ has wheels for Python"),
        ("platform-has-no-such-build", r"^torch \S+ has no \S+ build for"),
        ("cpu-build-on-nvidia", r"installs the CPU-only build although"),
        ("conda-solver-picks-build", r"^no pytorch-cuda=X\.Y or cpuonly"),
        ("conda-cudatoolkit", r"no PyTorch 2\.x conda package depends on cudatoolkit"),
        ("conda-not-pytorch-channel", r"^no -c pytorch"),
        ("conda-no-package", r"no package on the pytorch channel fits"),
        ("driver-below-floor", r"build needs NVIDIA driver ≥"),
        ("driver-cuda-below-build", r"build needs a CUDA \d+\.x driver"),
        ("cuda-build-without-nvidia", r"^a CUDA build \(.*\) on a machine with no NVIDIA"),
        ("arch-not-covered", r"has no kernels in the \S+ build"),
        ("domain-version-mismatch", r"^(torchvision|torchaudio) \S+ .*pairs with"),
    )
)


def finding_id(finding: Any) -> str:
    """The stable id of one check-command finding (docs/findings.md lists them)."""
    own = getattr(finding, "id", None) or getattr(finding, "code", None)
    if own:
        return str(own)
    message = str(getattr(finding, "message", ""))
    for candidate, pattern in _IDS:
        if pattern.search(message):
            return candidate
    return UNCATALOGUED


def common_finding(found: Any, suggested_command: Optional[str]) -> dict[str, Any]:
    """A check-command finding in the shape every command's findings have: the command that
    installs a working build is the fix of every error and warning."""
    severity = str(getattr(found, "severity", None) or found.level)
    fix = suggested_command if suggested_command and severity in ("error", "warning") else ""
    evidence = list(getattr(found, "evidence", None) or [])
    return finding(finding_id(found), severity, str(found.message), evidence, fix)


def check_command_data(report: CommandReport) -> CheckCommandData:
    return CheckCommandData(
        command=report.command,
        tool=report.tool,
        installs=list(report.installs),
        suggested_command=report.suggested_command,
        suggested_flags=list(report.suggested_flags),
        suggestion_note=report.suggestion_note,
    )


def check_command_document(report: CommandReport, exit_code: int) -> dict[str, Any]:
    from dataclasses import asdict

    return envelope(
        "check-command",
        exit_code=exit_code,
        outcome=outcome_of(exit_code),
        findings=[common_finding(f, report.suggested_command) for f in report.findings],
        data=asdict(check_command_data(report)),
    )


def render_json(report: CommandReport, exit_code: int) -> str:
    return to_json(check_command_document(report, exit_code))
