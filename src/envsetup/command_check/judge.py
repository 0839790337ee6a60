"""What is wrong with a pasted command on this machine: findings with stable ids.

Two kinds, kept apart on purpose:
- machine verdicts: can the build the command installs run here? They come from
  envsetup.compat.assess, the one judgement the resolver and doctor use too; the finding's id is
  the verdict's code (driver-below-floor, arch-not-covered, python-outside-range,
  cpu-build-on-nvidia-gpu, cuda-build-without-nvidia...), its params the verdict's;
- the command's own mistakes, which no other part of envsetup judges (ids in COMMAND_FINDINGS).
Pure: the parsed command, the simulated pick, the machine and doctor's Python facts in.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any, Optional

from envsetup.command_check.parse import (
    ParsedCommand,
    exact_pin,
    index_platform,
    is_prerelease_index,
    public_version,
)
from envsetup.command_check.simulate import DecidedBy, Pick
from envsetup.compat.assess import assess
from envsetup.compat.verdicts import Severity, Verdict, VerdictCode
from envsetup.diagnose.finding import Finding
from envsetup.facts import PythonFacts
from envsetup.model.compute_platform import ComputePlatform
from envsetup.model.machine import Machine
from envsetup.model.versions import version_key
from envsetup.profiles.loader import Release

# Severity of a verdict as a finding's severity.
_SEVERITY = {Severity.BLOCKING: "error", Severity.WARNING: "warning", Severity.NOTE: "info"}
# Notes worth a finding: something the judgement could not check. The rest ("driver-ok",
# "arch-covered"...) stay in the report's verdicts.
_NOTES_SHOWN = (VerdictCode.NO_NVIDIA_DRIVER, VerdictCode.ARCH_UNKNOWN)
# What can be judged when the build is not known (uv's auto backend, conda's solver).
_RELEASE_LEVEL = (
    VerdictCode.NO_BUILD_FOR_PLATFORM,
    VerdictCode.GLIBC_BELOW_FLOOR,
    VerdictCode.PYTHON_OUTSIDE_RANGE,
)

# The command's own findings: id -> severity. Catalogued in docs/check-command.md (the ids
# doctor also uses, pep668-externally-managed and python-32bit, mean the same there).
COMMAND_FINDINGS = {
    "pep668-externally-managed": "error",
    "python-32bit": "error",
    "requirements-file-not-read": "info",
    "local-version-without-index": "error",
    "extra-index-url": "warning",
    "extra-index-lacks-release": "warning",
    "uv-torch-backend-auto": "warning",
    "prerelease-index": "warning",
    "torch-not-pinned": "info",
    "pypi-default-build": "info",
    "unknown-release": "warning",
    "unknown-patch": "error",
    "conda-cudatoolkit": "error",
    "conda-no-pytorch-channel": "warning",
    "conda-no-selector": "warning",
    "conda-no-package": "error",
    "domain-version-mismatch": "error",
}


def _finding(
    id: str, title: str, evidence: list[str], fix: str = "", params: Optional[dict[str, Any]] = None
) -> Finding:
    return Finding(
        id=id,
        severity=COMMAND_FINDINGS[id],
        title=title,
        evidence=evidence,
        fix=fix,
        params=dict(params or {}),
    )


# ----------------------------------------------------------------------------- machine verdicts


def machine_verdicts(pick: Pick, machine: Machine) -> list[Verdict]:
    """assess() on the build `pick` installs, for the Python the environment will have."""
    if pick.release is None:
        return []
    machine = dataclasses.replace(machine, python=pick.python or machine.python)
    if pick.build is not None and ComputePlatform.try_parse(pick.build) is not None:
        return assess(pick.release.build(pick.build, machine.platform_key), machine)
    platform = pick.release.platforms.get(machine.platform_key)
    any_build = platform.pypi_default if platform else "cpu"
    found = assess(pick.release.build(any_build, machine.platform_key), machine)
    return [v for v in found if v.code in _RELEASE_LEVEL]


def verdict_findings(verdicts: list[Verdict], evidence: list[str]) -> list[Finding]:
    """Findings for the verdicts worth one: id = the verdict's code, params = its params."""
    out: list[Finding] = []
    # Eight H100s are one finding, not eight: verdicts that differ only in the GPU are merged.
    seen: dict[tuple[str, str], tuple[Finding, list[str]]] = {}
    for verdict in verdicts:
        if verdict.severity is Severity.NOTE and verdict.code not in _NOTES_SHOWN:
            continue
        same = (verdict.code.value, repr(sorted((k, v) for k, v in verdict.params.items() if k not in ("gpu", "index"))))  # fmt: skip
        if same in seen:
            seen[same][1].append(str(verdict.params.get("gpu", "another GPU")))
            continue
        finding = Finding(
            id=verdict.code.value,
            severity=_SEVERITY[verdict.severity],
            evidence=list(evidence),
            params=dict(verdict.params),
        )
        seen[same] = (finding, [])
        out.append(finding)
    for finding, others in seen.values():
        if others:
            finding.evidence.append(f"the same for {', '.join(others)}")
            finding.params["same_for"] = list(others)
    return out


def machine_evidence(machine: Machine) -> str:
    """One line: the facts about this machine the verdicts read."""
    parts = [machine.platform_key, f"Python {machine.python or 'unknown'}"]
    if machine.driver or machine.driver_cuda:
        ceiling = f" (CUDA ≤ {machine.driver_cuda})" if machine.driver_cuda else ""
        parts.append(f"NVIDIA driver {machine.driver or 'version unknown'}{ceiling}")
    else:
        parts.append("no NVIDIA driver")
    if machine.gpus:
        counted = Counter(g.sm for g in machine.gpus)
        parts.append(
            "GPUs " + ", ".join(f"{n}× {sm}" if n > 1 else sm for sm, n in counted.items())
        )
    if machine.rocm:
        parts.append(f"ROCm {machine.rocm}")
    return "this machine: " + ", ".join(parts)


# ----------------------------------------------------------------------------- the command's own


def command_findings(
    command: ParsedCommand, pick: Pick, python: PythonFacts, releases: list[Release]
) -> list[Finding]:
    """What is wrong with the command itself, whatever the machine's GPU."""
    if command.is_conda:
        out = _conda_findings(command, pick, releases)
    else:
        out = _environment_findings(command, python) + _index_findings(command, pick)
        out += _pick_findings(command, pick)
    return out + _domain_findings(command, pick, releases)


def _environment_findings(command: ParsedCommand, python: PythonFacts) -> list[Finding]:
    """What the Python the command would run in says before any index is asked."""
    out = []
    if python.externally_managed and python.environment == "system" and command.in_system_python:
        marker = python.externally_managed_path or "EXTERNALLY-MANAGED"
        out.append(
            _finding(
                "pep668-externally-managed",
                f"{command.tool} would install into the system Python, which is marked "
                "externally-managed (PEP 668)",
                [f"{marker}: {command.tool} refuses with error: externally-managed-environment"],
                "install into a virtual environment (envsetup install creates one)",
            )
        )
    if python.bits == 32:
        out.append(
            _finding(
                "python-32bit",
                "this Python is 32-bit: PyTorch publishes no 32-bit wheels",
                [f"{python.executable}: 32-bit; pip finds none (from versions: none)"],
                "install a 64-bit Python",
            )
        )
    if command.requirement_files:
        out.append(
            _finding(
                "requirements-file-not-read",
                f"requirements in {', '.join(command.requirement_files)} are not read",
                [],
            )
        )
    return out


def _index_findings(command: ParsedCommand, pick: Pick) -> list[Finding]:
    """Problems with where the command looks for wheels."""
    out = []
    label = pick.pinned.split("+", 1)[1] if pick.pinned and "+" in pick.pinned else None
    if label and not command.all_urls:
        out.append(
            _finding(
                "local-version-without-index",
                f"torch=={pick.pinned} is a local-version build that exists only on PyTorch's own "
                "index, not on PyPI",
                ["without --index-url pip finds no such version (from versions: ...)"],
                f"add --index-url https://download.pytorch.org/whl/{label}",
                {
                    "pinned": pick.pinned,
                    "build": label,
                    "index_url": f"https://download.pytorch.org/whl/{label}",
                },
            )
        )
    if command.extra_index_urls and index_platform(command.all_urls):
        out.append(
            _finding(
                "extra-index-url",
                "--extra-index-url puts a second index beside the first (PyTorch's and PyPI) "
                "and pip takes the highest version from either, so which build lands depends "
                "on both indexes",
                [f"--extra-index-url {url}" for url in command.extra_index_urls],
                "use --index-url (the official commands do since 2.0)",
            )
        )
    if (command.torch_backend or "").lower() == "auto":
        out.append(
            _finding(
                "uv-torch-backend-auto",
                "uv's --torch-backend auto picks the build from the driver version alone and "
                "ignores the GPU's compute capability: an older GPU can get a build with no "
                "kernels for it",
                ["--torch-backend auto"],
                "name the build: --torch-backend cuXYZ, or use the command under Instead",
            )
        )
    if any(is_prerelease_index(url) for url in command.all_urls):
        out.append(
            _finding(
                "prerelease-index",
                "a nightly or test index: pre-release builds that change daily and are not in "
                "envsetup's profiles",
                [url for url in command.all_urls if is_prerelease_index(url)],
                "pin a release for a reproducible environment",
            )
        )
    return out


def _pick_findings(command: ParsedCommand, pick: Pick) -> list[Finding]:
    out = []
    if pick.unknown_version:
        out.append(_unknown_release("torch", pick.unknown_version))
    elif pick.unknown_patch and pick.release is not None:
        known = ", ".join(p.torch for p in pick.release.patches)
        out.append(
            _finding(
                "unknown-patch",
                f"torch {pick.pinned} is not a known {pick.release.release} patch",
                [f"known patches of {pick.release.release}: {known}"],
                f"pin one of {known}",
            )
        )
    if pick.pinned is None and pick.version is not None:
        allowed = f" matching {pick.spec}" if pick.spec else ""
        out.append(
            _finding(
                "torch-not-pinned",
                f"torch is not pinned: {command.tool} takes the newest version{allowed} for "
                f"Python {pick.python}: {pick.version}",
                [],
            )
        )
    if pick.extra_index_build and pick.release is not None:
        out.append(
            _finding(
                "extra-index-lacks-release",
                f"the extra index ({pick.extra_index_build}) has no torch {pick.release.release} "
                "build, so pip takes that version from PyPI instead",
                [f"--extra-index-url {url}" for url in command.extra_index_urls],
                "pin a version that index has, or use the command under Instead",
            )
        )
    if pick.decided_by is DecidedBy.PYPI_DEFAULT and pick.release is not None:
        no_index = "" if command.extra_index_urls else "no index URL: "
        out.append(
            _finding(
                "pypi-default-build",
                f"{no_index}{command.tool} installs PyPI's default build of "
                f"{pick.release.release} for {pick.platform_key}, which is {pick.build}",
                [f"profile torch-{pick.release.release}: pypi_default = {pick.build}"],
            )
        )
    return out


def _unknown_release(name: str, version: str) -> Finding:
    return _finding(
        "unknown-release",
        f"{name} {version} is not in envsetup's profiles (2.0 and later): its builds, drivers and "
        "Python range cannot be checked",
        [],
        "pin a release envsetup has a profile for, or use the command under Instead",
    )


def _conda_findings(command: ParsedCommand, pick: Pick, releases: list[Release]) -> list[Finding]:
    out = []
    specs = command.conda_specs
    toolkit = specs.get("cudatoolkit")
    if toolkit:
        out.append(
            _finding(
                "conda-cudatoolkit",
                f"cudatoolkit={toolkit[1] or '?'}: no PyTorch 2.x conda package depends on "
                "cudatoolkit, so conda can only satisfy this with a PyTorch 1.x build or fails to "
                "solve",
                ["PyTorch 2.x conda packages take pytorch-cuda=X.Y from -c nvidia (compat.md §3)"],
                "use pytorch-cuda=X.Y -c pytorch -c nvidia, or the command under Instead",
            )
        )
    if not any("pytorch" in channel for channel in command.channels):
        out.append(
            _finding(
                "conda-no-pytorch-channel",
                "no -c pytorch: conda takes pytorch from the default or conda-forge channel, a "
                "different distribution than PyTorch's own (its builds are not in envsetup's "
                "profiles)",
                [f"channels: {', '.join(command.channels) or 'none given'}"],
                "add -c pytorch",
            )
        )
    if pick.unknown_version:
        out.append(_unknown_release("pytorch", pick.unknown_version))
    if pick.no_conda_package:
        op, version = specs.get("pytorch", ("", ""))
        newest = max(
            (r for r in releases if r.conda), key=lambda r: version_key(r.release), default=None
        )
        out.append(
            _finding(
                "conda-no-package",
                f"pytorch{op}{version}: no package on the pytorch channel fits",
                [
                    f"the channel's last release is {newest.release if newest else 'none'}; after "
                    "2.5 PyTorch publishes no conda packages (pytorch/pytorch #138506)"
                ],
                "install with pip or uv (the command under Instead)",
            )
        )
    if pick.decided_by is DecidedBy.CONDA_SOLVER and pick.build is None:
        out.append(
            _finding(
                "conda-no-selector",
                "no pytorch-cuda=X.Y or cpuonly: conda's solver chooses CPU or CUDA by itself",
                [],
                "pin one: pytorch-cuda=X.Y or cpuonly",
            )
        )
    return out


def _domain_findings(command: ParsedCommand, pick: Pick, releases: list[Release]) -> list[Finding]:
    """torchvision / torchaudio pinned to a version another torch release pairs with."""
    if pick.release is None or pick.version is None:
        return []
    patch = pick.release.patch(pick.version)
    if patch is None:
        return []
    out = []
    for name in ("torchvision", "torchaudio"):
        got = _pinned_domain(command, name)
        if got is None:
            continue
        expected = {getattr(patch, name)}
        if command.is_conda:
            expected.add(getattr(patch, f"conda_{name}") or "")
        if got in expected:
            continue
        owner = _domain_owner(name, got, releases)
        built_for = f"is built for torch {owner}" if owner else "is not in the profiles"
        out.append(
            _finding(
                "domain-version-mismatch",
                f"{name} {got} {built_for}; torch {pick.version} pairs with {name} "
                f"{getattr(patch, name)}",
                [
                    f"profile torch-{pick.release.release}: torch {pick.version} pairs with "
                    f"{name} {getattr(patch, name)}"
                ],
                f"pin {name}=={getattr(patch, name)}",
                {
                    "package": name,
                    "version": got,
                    "belongs_to": owner,
                    "torch": pick.version,
                    "pairs_with": getattr(patch, name),
                },
            )
        )
    return out


def _pinned_domain(command: ParsedCommand, name: str) -> Optional[str]:
    if command.is_conda:
        op, version = command.conda_specs.get(name, ("", ""))
        return version if op in ("=", "==") and version else None
    pinned = exact_pin(command.requirements.get(name))
    return public_version(pinned) if pinned else None


def _domain_owner(name: str, version: str, releases: list[Release]) -> Optional[str]:
    for release in releases:
        for patch in release.patches:
            if version in (getattr(patch, name), getattr(patch, f"conda_{name}")):
                return patch.torch
    return None
