"""What is wrong with a pasted command on this machine: findings with stable ids.

Two kinds, kept apart on purpose:
- machine verdicts: can the build the command installs run here? They come from
  envsetup.compat.assess, the one judgement the resolver and doctor use too; the finding's id is
  the verdict's code (driver-below-floor, arch-not-covered, python-outside-range,
  cpu-build-on-nvidia-gpu, cuda-build-without-nvidia...), its params the verdict's;
- the command's own mistakes, which no other part of envsetup judges (ids in COMMAND_FINDINGS).
Findings say what (id, evidence, params); render/words/check_command.py words them.
Pure: the parsed command, the simulated pick, the machine and doctor's Python facts in.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any, Optional

from envsetup.command_check.parse import (
    ParsedCommand,
    conda_forge_build_spec,
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
NOTES_SHOWN = (VerdictCode.NO_NVIDIA_DRIVER, VerdictCode.ARCH_UNKNOWN)
# What can be judged when the build is not known (uv's auto backend, conda's solver).
_RELEASE_LEVEL = (
    VerdictCode.NO_BUILD_FOR_PLATFORM,
    VerdictCode.GLIBC_BELOW_FLOOR,
    VerdictCode.MUSL_LIBC,
    VerdictCode.PYTHON_OUTSIDE_RANGE,
)

# The command's own findings: id -> severity. Catalogued in docs/check-command.md (the ids
# doctor also uses, pep668-externally-managed and python-32bit, mean the same there).
COMMAND_FINDINGS = {
    "pep668-externally-managed": "error",
    "python-32bit": "error",
    "requirements-file-not-read": "info",
    "local-version-without-index": "error",
    "wheel-not-supported": "error",
    "extra-index-url": "warning",
    "extra-index-lacks-release": "warning",
    "uv-torch-backend-auto": "warning",
    "prerelease-index": "warning",
    "torch-not-pinned": "info",
    "pypi-default-build": "info",
    "index-url-unknown": "warning",
    "unknown-release": "warning",
    "pick-unknown": "warning",  # info when Instead installs the same build (check.py)
    "unknown-patch": "error",
    "conda-cudatoolkit": "error",
    "conda-no-pytorch-channel": "warning",
    "conda-no-selector": "warning",
    "conda-no-package": "error",
    "conda-channel-ends": "info",
    "conda-forge-build": "info",
    "conda-forge-cuda-unsolvable": "error",
    "domain-version-mismatch": "error",
}


def command_finding(
    id: str, evidence: list[str], params: Optional[dict[str, Any]] = None
) -> Finding:
    return Finding(
        id=id, severity=COMMAND_FINDINGS[id], evidence=evidence, params=dict(params or {})
    )


# ----------------------------------------------------------------------------- machine verdicts


def machine_verdicts(pick: Pick, machine: Machine) -> list[Verdict]:
    """assess() on the build `pick` installs, for the Python the environment will have."""
    if pick.release is None:
        return []
    machine = dataclasses.replace(machine, python=pick.python or machine.python)
    if pick.build is not None and ComputePlatform.try_parse(pick.build) is not None:
        return assess(pick.release.build(pick.build, machine.platform_key), machine)
    any_build = pick.release.pypi_wheel(machine.platform_key).build or "cpu"
    found = assess(pick.release.build(any_build, machine.platform_key), machine)
    return [v for v in found if v.code in _RELEASE_LEVEL]


def verdict_findings(verdicts: list[Verdict], evidence: list[str]) -> list[Finding]:
    """Findings for the verdicts worth one: id = the verdict's code, params = its params."""
    out: list[Finding] = []
    # Eight H100s are one finding, not eight: verdicts that differ only in the GPU are merged.
    seen: dict[tuple[str, str], tuple[Finding, list[str]]] = {}
    for verdict in verdicts:
        if verdict.severity is Severity.NOTE and verdict.code not in NOTES_SHOWN:
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
            command_finding(
                "pep668-externally-managed",
                [f"{marker}: {command.tool} refuses with error: externally-managed-environment"],
                {"tool": command.tool},
            )
        )
    if python.bits == 32:
        out.append(
            command_finding(
                "python-32bit",
                [f"{python.executable}: 32-bit; pip finds none (from versions: none)"],
                {"tool": command.tool},
            )
        )
    if command.requirement_files:
        out.append(
            command_finding(
                "requirements-file-not-read", [], {"files": list(command.requirement_files)}
            )
        )
    return out


def _index_findings(command: ParsedCommand, pick: Pick) -> list[Finding]:
    """Problems with where the command looks for wheels."""
    out = []
    label = pick.pinned.split("+", 1)[1] if pick.pinned and "+" in pick.pinned else None
    if label and not command.all_urls:
        out.append(
            command_finding(
                "local-version-without-index",
                ["without --index-url pip finds no such version (from versions: ...)"],
                {
                    "pinned": pick.pinned,
                    "build": label,
                    "index_url": f"https://download.pytorch.org/whl/{label}",
                },
            )
        )
    if command.extra_index_urls and index_platform(command.all_urls):
        out.append(_extra_index_finding(command))
    if (command.torch_backend or "").lower() == "auto":
        out.append(command_finding("uv-torch-backend-auto", ["--torch-backend auto"]))
    if any(is_prerelease_index(url) for url in command.all_urls):
        out.append(
            command_finding(
                "prerelease-index", [url for url in command.all_urls if is_prerelease_index(url)]
            )
        )
    return out


def _extra_index_finding(command: ParsedCommand) -> Finding:
    """--extra-index-url beside another index: pip and uv resolve it by different rules.

    pip takes the highest version from every index. uv's default index strategy is first-index:
    it takes a package from the first index that has it, and asks --extra-index-url indexes before
    --index-url / PyPI (https://docs.astral.sh/uv/concepts/indexes/ "Searching across multiple
    indexes"; uv-distribution-types IndexUrls::indexes, "Prioritizes ... the --extra-index-url
    definitions over the --index-url definition"). So for uv the first extra index decides: when it
    is one of PyTorch's build indexes the build is the one it names, which is only worth an info.
    """
    evidence = [f"--extra-index-url {url}" for url in command.extra_index_urls]
    if command.tool != "uv":
        return command_finding("extra-index-url", evidence, {"installer": "pip"})
    first = command.extra_index_urls[0]
    build = index_platform([first])
    finding = command_finding(
        "extra-index-url", evidence, {"installer": "uv", "first_index": first, "build": build}
    )
    return finding if build is None else dataclasses.replace(finding, severity="info")


def _pick_findings(command: ParsedCommand, pick: Pick) -> list[Finding]:
    out = []
    if pick.unknown_version:
        out.append(_unknown_release("torch", pick.unknown_version))
    elif pick.unknown_patch and pick.release is not None:
        known = [p.torch for p in pick.release.patches]
        out.append(
            command_finding(
                "unknown-patch",
                [f"known patches of {pick.release.release}: {', '.join(known)}"],
                {"pinned": pick.pinned, "release": pick.release.release, "known": known},
            )
        )
    no_wheel = pick.pypi is not None and pick.pypi.missing is not None  # nothing to take
    # A pre-release index: prerelease-index says what it takes, not "the newest version".
    if pick.pinned is None and pick.version is not None and not no_wheel and not pick.prerelease:
        out.append(
            command_finding(
                "torch-not-pinned",
                [],
                {
                    "tool": command.tool,
                    "spec": str(pick.spec) if pick.spec else None,
                    "python": pick.python,
                    "version": pick.version,
                },
            )
        )
    if pick.extra_index_build and pick.release is not None:
        out.append(
            command_finding(
                "extra-index-lacks-release",
                [f"--extra-index-url {url}" for url in command.extra_index_urls],
                {"build": pick.extra_index_build, "release": pick.release.release},
            )
        )
    if pick.decided_by is DecidedBy.PYPI_DEFAULT and pick.release is not None and pick.build:
        status = pick.pypi.status if pick.pypi else "C"
        out.append(
            command_finding(
                "pypi-default-build",
                [f"profile torch-{pick.release.release}: pypi_default = {pick.build} ({status})"],
                {
                    "tool": command.tool,
                    "release": pick.release.release,
                    "platform_key": pick.platform_key,
                    "build": pick.build,
                    "extra_index": bool(command.extra_index_urls),  # false: no index URL at all
                    # a PyPI mirror given as --index-url (null: PyPI itself)
                    "index_url": command.index_url,
                    "confirmed": status != "U",  # false: the profile marks the fact unconfirmed
                },
            )
        )
    if pick.decided_by is DecidedBy.UNKNOWN_INDEX and pick.release is not None:
        out.append(
            command_finding(
                "index-url-unknown",
                [f"{url}: the URL names no compute platform" for url in pick.unknown_indexes],
                {
                    "tool": command.tool,
                    "urls": list(pick.unknown_indexes),
                    "version": pick.version,
                    "release": pick.release.release,
                    "platform_key": pick.platform_key,
                    # what a mirror of PyPI would serve, said beside the unknown
                    "pypi_build": pick.release.pypi_wheel(pick.platform_key, pick.python).build,
                },
            )
        )
    return out


def unknown_pick_findings(
    command: ParsedCommand, pick: Pick, releases: list[Release]
) -> list[Finding]:
    """A torch install whose release the profiles cannot name (and no other finding says why):
    `reason` is what ruled every profiled release out."""
    if (
        pick.release is not None
        or pick.unknown_version
        or pick.cudatoolkit_only
        or pick.no_conda_package
        or pick.conda_forge
        or not command.installs_torch
    ):
        return []
    on_platform = [r for r in releases if pick.platform_key in r.platforms]
    with_build = [
        r
        for r in on_platform
        if not pick.build or pick.build in r.platforms[pick.platform_key].variants
    ]
    if not on_platform:
        reason = "no-release-for-platform"
    elif not with_build:
        reason = "no-release-with-build"
    else:
        reason = "no-version-in-spec"
    what = f"a {pick.build} build" if pick.build else "wheels"
    what += f" for {pick.platform_key}"
    return [
        command_finding(
            "pick-unknown",
            [f"profiles: {len(with_build)} of {len(releases)} releases have {what}"],
            {
                "package": "pytorch" if command.is_conda else "torch",
                "reason": reason,
                "build": pick.build,
                "platform_key": pick.platform_key,
                "python": pick.python,
                "spec": str(pick.spec) if pick.spec else None,
            },
        )
    ]


def _unknown_release(name: str, version: str) -> Finding:
    return command_finding("unknown-release", [], {"package": name, "version": version})


def _conda_findings(command: ParsedCommand, pick: Pick, releases: list[Release]) -> list[Finding]:
    out = []
    specs = command.conda_specs
    toolkit = specs.get("cudatoolkit")
    if toolkit:
        out.append(
            command_finding(
                "conda-cudatoolkit",
                ["PyTorch 2.x conda packages take pytorch-cuda=X.Y from -c nvidia (compat.md §3)"],
                {
                    "cudatoolkit": toolkit[1] or None,
                    # what conda takes instead: "cpu" (the newest release's CPU build, a 2.x
                    # with no cudatoolkit builds); null when a pinned 1.x release decides
                    "build": pick.build,
                    "version": pick.version,
                },
            )
        )
    if pick.conda_forge:
        # conda-forge's own build of pytorch, nothing on the pytorch channel (which has the
        # pytorch-mutex): judged against the machine by conda_forge_findings.
        return out
    if not any("pytorch" in channel for channel in command.channels):
        out.append(
            command_finding(
                "conda-no-pytorch-channel",
                [f"channels: {', '.join(command.channels) or 'none given'}"],
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
            command_finding(
                "conda-no-package",
                [
                    f"the channel's last release is {newest.release if newest else 'none'}; after "
                    "2.5 PyTorch publishes no conda packages (pytorch/pytorch #138506)"
                ],
                {"op": op, "version": version},
            )
        )
    platform = pick.release.platforms.get(pick.platform_key) if pick.release else None
    if (
        pick.decided_by is DecidedBy.CONDA_SOLVER
        and (platform is None or len(platform.variants) > 1)
        and not toolkit  # conda-cudatoolkit says why the solver takes the CPU build
    ):
        out.append(command_finding("conda-no-selector", [], {"build": pick.build}))
    newest = max(releases, key=lambda r: version_key(r.release), default=None)
    if pick.release is not None and pick.spec is None and newest and not newest.conda:
        out.append(
            command_finding(
                "conda-channel-ends",
                ["pytorch/pytorch #138506: 2.5 is the last release on the pytorch channel"],
                {"last": pick.release.release, "newest": newest.release},
            )
        )
    return out


def _has_cuda(machine: Machine) -> bool:
    """conda's __cuda virtual package: set from the NVIDIA driver (none on macOS)."""
    return bool(machine.driver or machine.driver_cuda) and not machine.is_macos


def major_of(version: Optional[str]) -> Optional[int]:
    """12 for '12.2'; None when unknown."""
    head = (version or "").split(".")[0]
    return int(head) if head.isdigit() else None


def _driver_below(pick: Pick, machine: Machine) -> bool:
    """The command asks for a CUDA major (cuda-version=12, a cuda12* build string) above the one
    the driver's __cuda offers: the cuda-version package requires __cuda >= its major
    (conda-forge/cuda-version-feedstock recipe/README.md)."""
    major = pick.conda_forge_cuda_major
    have = major_of(machine.driver_cuda)
    return major is not None and have is not None and have < major


def conda_forge_takes(pick: Pick, machine: Machine) -> Optional[str]:
    """The conda-forge build conda takes here: 'cuda' or 'cpu'; None when the command requires
    the CUDA build and nothing provides a __cuda it accepts (conda fails to solve)."""
    if pick.conda_forge_build == "cuda":
        return "cuda" if _has_cuda(machine) and not _driver_below(pick, machine) else None
    if pick.conda_forge_build == "cpu":
        return "cpu"
    return "cuda" if _has_cuda(machine) else "cpu"


def conda_forge_findings(command: ParsedCommand, pick: Pick, machine: Machine) -> list[Finding]:
    """conda-forge's pytorch: which of its builds conda takes here, or why it cannot solve.

    conda-forge has no pytorch-mutex. Its CUDA builds depend on the __cuda virtual package, which
    conda sets from the NVIDIA driver: "If conda detects a CUDA driver (that is, the __cuda virtual
    package is available), it selects the CUDA-enabled build ... To require a CUDA-enabled build,
    match the build string: "pytorch=*=cuda*"" (https://conda-forge.org/docs/user/cuda/). A
    command that requires the CUDA build (pytorch-gpu, a cuda* build string) on a machine without a
    driver fails to solve unless CONDA_OVERRIDE_CUDA stands in for it (same page, "Installing CUDA
    packages without a GPU"; conda-forge/pytorch-cpu-feedstock #364)."""
    if not pick.conda_forge:
        return []
    evidence = [f"channels: {', '.join(command.channels) or 'none given'}"]
    spec = conda_forge_build_spec(command)
    takes = conda_forge_takes(pick, machine)
    if takes is None:
        return [
            command_finding(
                "conda-forge-cuda-unsolvable",
                [*evidence, machine_evidence(machine)],
                {
                    "spec": spec,
                    "platform_key": machine.platform_key,
                    "macos": machine.is_macos,
                    # the __cuda there is, below the CUDA major the command asks for (null: none)
                    "driver_cuda": machine.driver_cuda if _has_cuda(machine) else None,
                    "cuda_major": pick.conda_forge_cuda_major,
                },
            )
        ]
    if pick.conda_forge_build is not None:
        reason = "metapackage" if pick.conda_forge != "pytorch" else "build-string"
    else:
        reason = "driver" if takes == "cuda" else "no-driver"
    finding = command_finding(
        "conda-forge-build",
        evidence,
        {
            "package": pick.conda_forge,
            "cuda": takes == "cuda",
            "reason": reason,
            "spec": spec,
            "driver_cuda": machine.driver_cuda if _has_cuda(machine) else None,
        },
    )
    return [finding]


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
        out.append(
            command_finding(
                "domain-version-mismatch",
                [
                    f"profile torch-{pick.release.release}: torch {pick.version} pairs with "
                    f"{name} {getattr(patch, name)}"
                ],
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
