"""NVIDIA Jetson: the installed torch cannot use the integrated GPU (a CPU wheel, or a wheel built
for server ARM and the desktop driver instead of NVIDIA's JetPack build).

Facts and sources: envsetup.model.jetson. Each finding says what and why (id, evidence, params);
render/words/jetson.py words it."""

from __future__ import annotations

import shlex
from typing import Any, Optional

from envsetup.diagnose.finding import Finding
from envsetup.diagnose.install_target import install_command, new_env_command
from envsetup.facts import Facts
from envsetup.model.compute_platform import TorchFlavor
from envsetup.model.jetson import (
    JetsonFacts,
    builds_of,
    is_jetson_build,
    jetpack_release,
    pytorch_wheels_run,
)
from envsetup.profiles.build_info import BuildLookup


def jetson_params(jetson: JetsonFacts, python: Optional[str] = None) -> dict[str, Any]:
    """What a Jetson finding says about the board and the builds that use its GPU: module,
    compute capability, L4T, JetPack series, NVIDIA's index (null: none known), the page that
    lists the builds, the builds' CUDA and Python, a torch/torchvision pair on that index, the
    pip command that installs it (null without an index), and whether PyTorch's own aarch64 CUDA
    wheels run there (pytorch_wheels_run). `python` ("3.10"): the environment's; when NVIDIA's
    index has no build for it, the command is PyTorch's own index where its wheels run there,
    else null (python_mismatch says so), never a pip command that cannot resolve."""
    builds = builds_of(jetson)
    pytorch_wheels = pytorch_wheels_run(jetson)
    command = None
    mismatch = bool(builds and builds.python and python and python != builds.python)
    if builds and builds.index_url and builds.torch and not mismatch:
        pins = [f"torch=={builds.torch}"]
        if builds.torchvision:
            pins.append(f"torchvision=={builds.torchvision}")
        command = shlex.join(["pip", "install", *pins, "--index-url", builds.index_url])
    elif builds and builds.pytorch_index and pytorch_wheels:
        command = shlex.join(["pip", "install", "torch", "--index-url", builds.pytorch_index])
    return {
        "module": jetson.module,
        "compute_capability": str(jetson.compute_capability or "") or None,
        "l4t": jetson.l4t,
        "jetpack": jetson.jetpack,
        "jetpack_release": jetpack_release(jetson.l4t),
        "index_url": builds.index_url if builds else None,
        "page": builds.page if builds else None,
        "cuda": builds.cuda if builds else None,
        "python": builds.python if builds else None,
        "command": command,
        "pytorch_wheels": pytorch_wheels,
        "env_python": python if mismatch else None,
    }


def _install(facts: Facts) -> str:
    """The `envsetup install` line that resolves on this host (resolve/jetson.py): into this
    environment, unless NVIDIA's builds need another Python and PyTorch's own wheels do not run
    here, where a new uv environment with that Python is the way (JETSON_PYTHON's alternative)."""
    builds = builds_of(facts.jetson)
    python = _python(facts)
    if (
        builds
        and builds.python
        and python not in (None, builds.python)
        and not (builds.pytorch_index and pytorch_wheels_run(facts.jetson))
    ):
        return new_env_command(
            facts, ["--manager", "uv", "--python", builds.python, "--cuda", "auto"]
        )
    return install_command(facts, ["--cuda", "auto"])


def _python(facts: Facts) -> Optional[str]:
    """The environment's Python as NVIDIA's indexes name it: '3.10.12' -> '3.10'."""
    version = facts.python.version or ""
    return ".".join(version.split(".")[:2]) or None


def _evidence(facts: Facts) -> list[str]:
    jetson = facts.jetson
    lines = [f"torch {facts.torch.version} ({facts.torch.source})", *jetson.evidence]
    if jetson.compute_capability:
        lines.append(
            f"integrated GPU: {jetson.module}, compute capability {jetson.compute_capability} "
            f"({jetson.compute_capability_source})"
        )
    if jetson.jetpack:
        lines.append(
            f"L4T {jetson.l4t} ships with JetPack {jetson.jetpack} ({jetson.jetpack_source})"
        )
    return lines


def cpu_torch_on_jetson(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    if not facts.jetson.is_jetson or facts.torch.flavor is not TorchFlavor.CPU:
        return []
    return [
        Finding(
            id="jetson-torch-cpu-only",
            severity="error",
            evidence=_evidence(facts),
            params={
                **jetson_params(facts.jetson, _python(facts)),
                "torch": facts.torch.version,
                "install": _install(facts),
            },
        )
    ]


def generic_cuda_torch_on_jetson(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    """A CUDA torch from PyPI or download.pytorch.org (its local label +cuXYZ, or nvidia-* wheels
    required) on a Jetson whose JetPack those server-ARM builds do not run on."""
    jetson, torch = facts.jetson, facts.torch
    if not jetson.is_jetson or torch.flavor is not TorchFlavor.CUDA:
        return []
    if is_jetson_build(torch.version):
        return []
    local = (torch.version or "").partition("+")[2]
    if not (local.startswith("cu") or torch.requires_nvidia):
        return []  # no label and no nvidia-* wheels: may well be NVIDIA's own build
    params = jetson_params(jetson, _python(facts))
    if params["pytorch_wheels"]:
        return []  # Thor under JetPack 7 runs them; arch coverage is torch_rules' judgement
    return [
        Finding(
            id="jetson-torch-not-for-igpu",
            severity="error",
            evidence=_evidence(facts),
            params={**params, "torch": torch.version, "install": _install(facts)},
        )
    ]


RULES = [cpu_torch_on_jetson, generic_cuda_torch_on_jetson]

# What the Jetson findings replace (diagnose() drops them beside one): torch_rules' judgement of
# PyTorch's builds against a desktop driver and GPU. Their fixes (another PyTorch build, a newer
# driver) are wrong on a Jetson, where JetPack 6's nvidia-smi reports driver 540.4.0 and an
# "Orin (nvgpu)" GPU (ultralytics/ultralytics PR #20680) and only NVIDIA's build uses that GPU.
SUPERSEDES = (
    "torch-cpu-only-on-gpu-host",
    "driver-too-old-for-torch",
    "gpu-arch-not-in-torch-build",
)
JETSON_FINDINGS = ("jetson-torch-cpu-only", "jetson-torch-not-for-igpu")


def drop_superseded(findings: list[Finding]) -> list[Finding]:
    """`findings` without SUPERSEDES when a Jetson finding is among them."""
    if not any(f.id in JETSON_FINDINGS for f in findings):
        return findings
    return [f for f in findings if f.id not in SUPERSEDES]
