"""check-command: a pasted pip / uv pip / conda install command, judged for this machine.

parse (the text, never run) -> simulate (what the installer would pick here) -> judge (findings:
the shared compatibility judgement on that build, plus the command's own mistakes) -> suggest
(*Instead*, resolved for this machine). Pure: `check_command(text, facts, releases)`.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Any, Optional

from envsetup.command_check.jetson import jetson_findings, jetson_pick
from envsetup.command_check.judge import (
    COMMAND_FINDINGS,
    command_findings,
    conda_forge_findings,
    conda_forge_takes,
    machine_evidence,
    machine_verdicts,
    unknown_pick_findings,
    verdict_findings,
)
from envsetup.command_check.parse import ParsedCommand, exact_pin, find_torch_install
from envsetup.command_check.rocm import rocm_findings
from envsetup.command_check.simulate import DecidedBy, Pick, Target, simulate
from envsetup.command_check.suggest import Suggestion, suggest
from envsetup.command_check.wheel_fit import wheel_findings
from envsetup.compat.verdicts import Verdict
from envsetup.diagnose.finding import Finding
from envsetup.errors import UsageError
from envsetup.facts import Facts
from envsetup.model.compute_platform import PlatformKind
from envsetup.model.machine import Machine
from envsetup.profiles.loader import Release
from envsetup.resolve.resolution import ResolutionRefused
from envsetup.resolve.resolver import machine_from_facts

PROBLEM_SEVERITIES = ("error", "warning")


@dataclass
class CommandReport:
    """What a pasted command would install here, what is wrong with it, and what to use instead."""

    command: str
    tool: str
    installs: list[str] = field(default_factory=list)  # what it would really install here
    pick: dict[str, Any] = field(default_factory=dict)  # release, version, build, decided_by
    findings: list[Finding] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)  # assess() on the build it installs
    # Instead: the plan resolved for this machine (render.command_line.instead_command writes it
    # as the command line to paste), and the `envsetup install` flags that make it.
    suggestion: Suggestion = field(default_factory=Suggestion)

    @property
    def suggested_flags(self) -> list[str]:
        return list(self.suggestion.flags)

    @property
    def suggested_build(self) -> dict[str, str]:
        """{"torch_release": "2.13", "variant": "cu126"}: what Instead installs ({} when none)."""
        return _build_of(self.suggestion)

    @property
    def suggestion_note(self) -> Optional[str]:
        return self.suggestion.note

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)

    @property
    def has_problems(self) -> bool:
        """An error or a warning: the command is wrong for this machine (exit 1)."""
        return any(f.severity in PROBLEM_SEVERITIES for f in self.findings)

    def ids(self, *severities: str) -> list[str]:
        """The findings' ids, of the given severities (all when none given)."""
        return [f.id for f in self.findings if not severities or f.severity in severities]

    def finding(self, id: str) -> Optional[Finding]:
        return next((f for f in self.findings if f.id == id), None)

    def verdict(self, code: str) -> Optional[Verdict]:
        return next((v for v in self.verdicts if v.code.value == code), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "tool": self.tool,
            "installs": list(self.installs),
            "pick": dict(self.pick),
            "findings": [f.to_dict() for f in self.findings],
            "verdicts": [v.to_dict() for v in self.verdicts],
            "suggested_flags": self.suggested_flags,
            "suggested_build": self.suggested_build,
            "suggested_environment": self.suggestion.new_environment,
            "suggestion_note": self.suggestion_note,
            "suggestion_refusal_codes": list(self.suggestion.refusal_codes),
            "has_errors": self.has_errors,
            "has_problems": self.has_problems,
        }


def check_command(text: str, facts: Facts, releases: list[Release]) -> CommandReport:
    """Read `text` as a pasted install command and judge it for the machine `facts` describe.

    UsageError for text with no torch install in it, or a machine PyTorch has no wheels for.
    """
    command = find_torch_install(text)
    try:
        machine = machine_from_facts(facts)  # the one Machine the judgement and the resolver read
    except ResolutionRefused as exc:  # RefusalCode.NO_PLATFORM
        if not exc.params["system"] or not exc.params["arch"]:  # a recording that names neither
            raise UsageError(
                "check-command: the machine's OS or CPU architecture is unknown (a recording "
                "without platform.system / platform.machine); fix: record the machine itself "
                "(`envsetup doctor --record DIR`) or add them to its host.json"
            ) from None
        raise UsageError(
            f"check-command: PyTorch publishes no wheels for {exc.params['system']} on "
            f"{exc.params['arch']}; fix: run it on a machine PyTorch supports"
        ) from None
    pick = simulate(command, Target(machine.platform_key, machine.python), releases)
    pick = jetson_pick(command, pick, machine)
    verdicts = machine_verdicts(pick, machine)
    installs = _installs(command, pick, machine)
    evidence = [installs[0], machine_evidence(machine)]
    findings = command_findings(command, pick, facts.python, releases)
    findings += conda_forge_findings(command, pick, machine)
    findings += wheel_findings(command, pick, machine)
    findings += verdict_findings(verdicts, evidence)
    findings += rocm_findings(pick, facts.rocm)
    findings = jetson_findings(command, pick, machine, findings, evidence, facts.torch.version)
    # Instead is a bare pip / uv command (or conda's fallback to pip): into an externally-managed
    # system Python it needs its own environment, whatever the pasted command did (made one
    # first, or used conda).
    system_refuses = facts.python.externally_managed and facts.python.environment == "system"
    no_wheels = (
        "PyTorch publishes no wheels for 32-bit Python; install a 64-bit Python"
        if facts.python.bits == 32 and not command.is_conda
        else None
    )
    suggestion = suggest(command, pick, machine, releases, system_refuses, no_wheels)
    findings += _unknown_pick(command, pick, releases, suggestion)
    _point_fixes_at(findings, suggestion)
    return CommandReport(
        command=text.strip(),
        tool=command.tool,
        installs=installs,
        pick=_pick_dict(pick),
        findings=findings,
        verdicts=verdicts,
        suggestion=suggestion,
    )


def _unknown_pick(
    command: ParsedCommand, pick: Pick, releases: list[Release], suggestion: Suggestion
) -> list[Finding]:
    """pick-unknown: a warning when Instead installs another build than the command asks for
    (the command may well install something else), info when it installs the same build."""
    found = unknown_pick_findings(command, pick, releases)
    instead = _build_of(suggestion).get("variant")
    for finding in found:
        finding.params["instead_build"] = instead
        if pick.build is not None and instead == pick.build:
            finding.severity = "info"
    return found


def _build_of(suggestion: Suggestion) -> dict[str, str]:
    plan = suggestion.resolution
    return {"torch_release": plan.torch_release, "variant": plan.variant} if plan else {}


def _point_fixes_at(findings: list[Finding], suggestion: Suggestion) -> None:
    """A machine verdict's fix is the plan resolved for this machine (the command under Instead):
    params `instead` (the `envsetup install` command), else `instead_note` (why there is none)."""
    if suggestion.resolution:
        pointer: dict[str, Any] = {"instead": shlex.join(["envsetup", "install", *suggestion.flags])}  # fmt: skip
    else:
        # No request resolves here: a fix must not send the user to `envsetup install`, which
        # refuses (render/words/check_command.py words the verdict's own fix then).
        pointer = {"instead_note": suggestion.note or "", "install_refuses": True}
    for finding in findings:
        # The command's own findings name their own fix (render/words/check_command.py).
        if finding.id not in COMMAND_FINDINGS and finding.severity in PROBLEM_SEVERITIES:
            finding.params.update(pointer)


def _pick_dict(pick: Pick) -> dict[str, Any]:
    return {
        "release": pick.release.release if pick.release else None,
        "requested_release": pick.named_release.release if pick.named_release else None,
        "version": None if pick.prerelease else pick.version,
        "prerelease": pick.prerelease,
        # the profiled release the verdicts stand in with for a pre-release (null: none)
        "judged_as": pick.version if pick.prerelease else None,
        "build": pick.build,
        "decided_by": pick.decided_by.value if pick.decided_by else None,
        "python": pick.python,
    }


def _installs(command: ParsedCommand, pick: Pick, machine: Machine) -> list[str]:
    """What the command would install, one line per package, for people."""
    name = "pytorch" if command.is_conda else "torch"
    if pick.conda_forge:
        takes = conda_forge_takes(pick, machine)
        if takes is None:
            return [
                "nothing: conda fails to solve (the conda-forge CUDA build it requires needs a "
                "__cuda virtual package, from an NVIDIA driver, that this machine lacks)"
            ]
        build = "CUDA" if takes == "cuda" else "CPU"
        return [
            f"pytorch, conda-forge's own {build} build, chosen by "
            f"{_decided_by_words(pick, machine)} (its versions are not in the profiles)"
        ]
    if pick.unknown_version:
        what = f"{name} {pick.unknown_version}, a release envsetup's profiles cannot describe"
        toolkit = command.conda_specs.get("cudatoolkit", ("", ""))[1]
        if toolkit:
            # The pytorch channel's mutex: the cudatoolkit build when the release has one for
            # this platform, else its CPU build (pytorch/pytorch #92273: 1.12.1 with
            # cudatoolkit=10.2 on Windows -> pytorch-1.12.1-py3.8_cpu_0, pytorch-mutex cpu).
            what += (
                f": its cudatoolkit {toolkit} build if it has one for this platform and Python, "
                "else its CPU build (pytorch-mutex cpu)"
            )
        return [what]
    if pick.version is None or pick.release is None:
        return [f"{name}: a version envsetup's profiles cannot name"]
    what = f"torch {pick.version}"
    if pick.prerelease:
        # A nightly / test index serves pre-releases (2.X.devYYYYMMDD, rcs), not the release.
        what = (
            "a pre-release torch (a 2.X.devYYYYMMDD nightly or a release candidate, not a "
            f"release; judged as {pick.version}, the newest release with this build)"
        )
    if pick.pypi is not None and pick.pypi.missing is not None and pick.pypi.python_range:
        low, high = pick.pypi.python_range
        return [
            f"nothing: PyPI has no torch {pick.version} wheel for Python {pick.python} on "
            f"{pick.platform_key} (its wheels are for Python {low}–{high})"
        ]
    variant = pick.release.variants.get(pick.build or "")
    if variant is not None and variant.platform.kind is PlatformKind.CUDA:
        what += f", the {variant.name} build (CUDA {variant.cuda}, cuDNN {variant.cudnn or 'unknown'})"  # fmt: skip
    elif variant is not None and variant.platform.kind is PlatformKind.ROCM:
        what += f", the {variant.name} build (ROCm {variant.rocm})"
    elif variant is not None:
        engines = "CPU and MPS" if machine.is_macos else "CPU only"
        what += f", the cpu build ({engines})"
    elif pick.build:
        what += f", the {pick.build} build"
    if pick.decided_by is not None:
        what += f", chosen by {_decided_by_words(pick, machine)}"
    out = [what]
    for package in ("torchvision", "torchaudio"):
        requirement = command.requirements.get(package)
        if requirement is not None:
            pinned = exact_pin(requirement)
            out.append(
                f"{package} {pinned}"
                if pinned
                else f"{package}: the version {command.tool} pairs with that torch"
            )
    return out


def _decided_by_words(pick: Pick, machine: Machine) -> str:
    if pick.decided_by is DecidedBy.PYPI_DEFAULT and pick.release is not None:
        return f"PyPI's default build of {pick.release.release} for {machine.platform_key}"
    return _DECIDED_BY_WORDS.get(pick.decided_by.value if pick.decided_by else "", "")


_DECIDED_BY_WORDS = {
    "local-label": "its local version label",
    "index-url": "its index URL",
    "torch-backend": "uv's --torch-backend",
    "extra-index-url": "its extra index URL (when that index has the newest version)",
    "conda-selector": "its conda selector (pytorch-cuda / cpuonly)",
    "uv-auto-backend": "uv's auto backend (from the driver version alone)",
    "conda-solver": "conda's solver (no selector package: the CPU build)",
    "conda-forge-metapackage": "conda-forge's metapackage",
    "conda-forge-build-string": "its build string",
    "conda-forge-solver": "conda-forge's solver (the CUDA build where an NVIDIA driver provides "
    "__cuda, else the CPU build)",
    "unknown-index": "its index URL, which names no build: envsetup cannot tell which it serves",
}
