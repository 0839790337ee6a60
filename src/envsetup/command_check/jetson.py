"""check-command on a Jetson: a torch from PyPI or download.pytorch.org does not use the
integrated GPU (envsetup.model.jetson, with sources); NVIDIA's JetPack build does.

The machine verdicts that would send a Jetson user to a desktop driver (no NVIDIA driver found)
are replaced by this one finding; *Instead* comes from the resolver, which on a Jetson resolves
to the JetPack build (resolve/jetson.py). Pure."""

from __future__ import annotations

import dataclasses
from typing import Optional

from envsetup.command_check.parse import ParsedCommand
from envsetup.command_check.simulate import DecidedBy, Pick
from envsetup.compat.verdicts import VerdictCode
from envsetup.diagnose.finding import Finding
from envsetup.diagnose.jetson_rules import jetson_params
from envsetup.model.jetson import (
    builds_of,
    is_jetson_build,
    jetpack_variant,
    pytorch_wheels_run,
    same_jetson_index,
)
from envsetup.model.machine import Machine

# Verdicts that judge PyTorch's build against a desktop driver or GPU: their fixes (install or
# upgrade the driver, another PyTorch build) are wrong advice on a Jetson, whose driver is part
# of L4T (JetPack 6's nvidia-smi says 540.4.0, below every desktop floor) and which needs
# NVIDIA's build whatever PyTorch's arch list holds. The Jetson finding says it instead.
SUPERSEDED_VERDICTS = tuple(
    code.value
    for code in (
        VerdictCode.CUDA_BUILD_WITHOUT_NVIDIA,
        VerdictCode.NO_NVIDIA_DRIVER,
        VerdictCode.DRIVER_BELOW_FLOOR,
        VerdictCode.DRIVER_CUDA_TOO_LOW,
        VerdictCode.ARCH_NOT_COVERED,
        VerdictCode.ARCH_UNKNOWN,
        VerdictCode.CPU_BUILD_ON_NVIDIA_GPU,
    )
)
NO_DRIVER_VERDICTS = (
    VerdictCode.CUDA_BUILD_WITHOUT_NVIDIA.value,
    VerdictCode.NO_NVIDIA_DRIVER.value,
)
FINDING = "jetson-command-not-for-igpu"


def from_jetson_source(command: ParsedCommand, pick: Pick) -> bool:
    """The command takes torch from NVIDIA's Jetson index or wheels, or pins a Jetson build."""
    sources = [
        command.index_url,
        *command.extra_index_urls,
        *command.find_links,
        *command.wheel_urls,
    ]
    return (
        is_jetson_build(pick.pinned)
        or any(is_jetson_build(None, s) for s in sources if s)
        or any(_jetson_wheel_file(location, command) for location in command.wheel_urls)
    )


def _jetson_wheel_file(location: str, command: ParsedCommand) -> bool:
    """A torch wheel file on disk tagged only linux_aarch64: NVIDIA's Jetson wheels are named so
    (the 'PyTorch for Jetson' page's `wget ... -O torch-1.10.0-cp36-cp36m-linux_aarch64.whl` then
    `pip3 install torch-1.10.0-cp36-cp36m-linux_aarch64.whl`), while PyPI and download.pytorch.org
    publish aarch64 wheels as manylinux only (a bare linux tag is refused on PyPI, PEP 513)."""
    if "://" in location:
        return False
    name = location.replace("\\", "/").rsplit("/", 1)[-1]
    tags = command.wheel_tags.get(name)
    return bool(tags) and all(tag.platform == "linux_aarch64" for tag in tags)


def jetson_pick(command: ParsedCommand, pick: Pick, machine: Machine) -> Pick:
    """On a Jetson, a command whose --index-url is NVIDIA's index for this JetPack installs the
    JetPack build (jp6-cu126: what `install --cuda auto` resolves to here), not the profiles'
    PyPI default, which that index does not serve. Unchanged elsewhere."""
    jetson = machine.jetson
    builds = builds_of(jetson) if jetson is not None else None
    if builds is None or not builds.index_url or command.is_conda:
        return pick
    if not same_jetson_index(command.index_url, builds.index_url):
        return pick
    return dataclasses.replace(pick, build=jetpack_variant(builds), decided_by=DecidedBy.INDEX_URL)


def jetson_findings(
    command: ParsedCommand,
    pick: Pick,
    machine: Machine,
    findings: list[Finding],
    evidence: list[str],
    installed: Optional[str] = None,
) -> list[Finding]:
    """`findings` for a Jetson: SUPERSEDED_VERDICTS dropped, jetson-command-not-for-igpu added
    when the command installs a build that does not use the integrated GPU (saying so when it
    replaces the installed NVIDIA build, `installed`: its version). Unchanged elsewhere."""
    jetson = machine.jetson
    if jetson is None or (command.is_conda and not pick.release):
        return findings
    kept = [f for f in findings if f.id not in SUPERSEDED_VERDICTS]
    if from_jetson_source(command, pick):
        # NVIDIA's build: no desktop driver or PyTorch arch list judges it; a 1.x JetPack wheel
        # (JetPack 4's only GPU torch) is outside the profiles, not a wrong pin.
        for finding in kept:
            if finding.id == "unknown-release":
                finding.severity = "info"
                finding.params["jetson_build"] = True
        return kept
    params = jetson_params(jetson, machine.python)
    if pytorch_wheels_run(jetson) and pick.build != "cpu":
        # Thor: PyTorch's aarch64 CUDA wheels use its GPU, judged as on a server, but its driver
        # is part of L4T: no tool answering is no missing driver.
        if machine.driver or machine.driver_cuda:
            return findings
        return [f for f in findings if f.id not in NO_DRIVER_VERDICTS]
    build = f"the {pick.build} build of torch {pick.version or ''}".rstrip() if pick.build else None
    # A JetPack release (or a module on it) whose builds envsetup does not know: whether this
    # build uses the GPU is not known either, so a warning, never an error (attack12c M3: L4T
    # R39.2 on an AGX Orin).
    known = builds_of(jetson) is not None
    finding = Finding(
        id=FINDING,
        # A CPU build is a warning, unless it replaces NVIDIA's working GPU build; a release
        # whose builds are not known, a warning too.
        severity="warning"
        if (pick.build == "cpu" and not is_jetson_build(installed)) or not known
        else "error",
        evidence=[*evidence, *jetson.evidence],
        params={
            **params,
            "build": build,
            # the NVIDIA build pip would replace ("1.14.0a0+44dac51c.nv23.02"; null: none)
            "replaces": installed if is_jetson_build(installed) else None,
            "unknown_release": not known,
        },
    )
    return [finding, *kept]
