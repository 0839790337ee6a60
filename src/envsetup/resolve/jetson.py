"""`--cuda auto` on a Jetson: NVIDIA's JetPack build of torch, or a refusal that says where it is.

PyTorch's profiles describe PyPI and download.pytorch.org; their aarch64 CUDA wheels are built
for server ARM (SBSA) and do not use a Jetson's integrated GPU under JetPack 4-6
(envsetup.model.jetson, with sources). So on a Jetson the resolver asks this module first; it
answers None when the profiles' own resolution applies (a CPU build asked for; Thor under
JetPack 7 with its driver answering, which PyTorch's aarch64 cu130 wheels cover). Pure.
"""

from __future__ import annotations

import dataclasses
from typing import Optional

from envsetup.model.jetson import (
    JetPackBuilds,
    builds_of,
    jetpack_variant,
    l4t_driver_cuda,
    pytorch_wheels_run,
)
from envsetup.model.machine import Machine
from envsetup.resolve.reasons import Reason, ReasonCode
from envsetup.resolve.request import InstallRequest
from envsetup.resolve.resolution import (
    Alternative,
    Pin,
    RefusalCode,
    Resolution,
    ResolutionRefused,
)


def jetson_resolution(request: InstallRequest, machine: Machine) -> Optional[Resolution]:
    """The JetPack build for `request` on a Jetson; None when the profiles decide (not a Jetson,
    --cuda cpu, or PyTorch's own wheels cover the GPU and its driver answers). Raises
    ResolutionRefused (RefusalCode.JETSON_*) when no JetPack build fits the request."""
    jetson = machine.jetson
    if jetson is None or request.compute == "cpu":
        return None
    builds = builds_of(jetson)
    if pytorch_wheels_run(jetson) and _profiles_decide(request, machine, builds):
        return None
    named = {
        "module": jetson.module,
        "l4t": jetson.l4t,
        "jetpack": jetson.jetpack,
        "page": builds.page if builds else None,
        "index_url": builds.index_url if builds else None,
    }
    if request.compute != "auto":
        raise ResolutionRefused(
            RefusalCode.JETSON_BUILD_ONLY,
            [Alternative.of("--cuda", "auto"), Alternative.of("--cuda", "cpu")],
            params={**named, "build": request.compute},
        )
    if builds is None or not builds.index_url or not builds.torch:
        # No alternative: the CPU build is no fix for a Jetson's GPU; the refusal names the page
        # that lists NVIDIA's wheels for this release.
        raise ResolutionRefused(RefusalCode.JETSON_NO_INDEX, [], params=named)
    return _resolution(request, machine, builds, named)


def with_l4t_driver(machine: Machine) -> Machine:
    """`machine` as PyTorch's profiles judge it on a Jetson whose GPU their wheels use (Thor):
    with the CUDA its L4T driver supports when no driver tool answered (model.jetson.
    l4t_driver_cuda, sourced), for the driver is part of L4T. Unchanged elsewhere."""
    if machine.driver or machine.driver_cuda:
        return machine
    cuda = l4t_driver_cuda(machine.jetson)
    return dataclasses.replace(machine, driver_cuda=cuda) if cuda else machine


def _profiles_decide(
    request: InstallRequest, machine: Machine, builds: Optional[JetPackBuilds]
) -> bool:
    """Where PyTorch's own wheels run (Thor), they are the plan unless NVIDIA's index fits
    exactly: asked for by --cuda auto, no driver tool answered (driver_cuda then is L4T's, from
    model.jetson.l4t_driver_cuda), and the Python is the one its builds are for."""
    if builds is None or not builds.index_url or not builds.torch:
        return True
    if request.compute != "auto" or machine.driver or machine.driver_cuda:
        return True
    python = request.python or (machine.python if request.manager == "pip" else None)
    return python not in (None, builds.python) or request.manager == "conda"


def _resolution(
    request: InstallRequest, machine: Machine, builds: JetPackBuilds, named: dict
) -> Resolution:
    assert builds.torch and builds.python and builds.index_url
    release = ".".join(builds.torch.split(".")[:2])
    if request.torch and request.torch not in (release, builds.torch):
        raise ResolutionRefused(
            RefusalCode.JETSON_NO_SUCH_RELEASE,
            [Alternative.of("--torch", release), Alternative.of("--cuda", "cpu")],
            params={**named, "torch": request.torch, "known": builds.torch},
        )
    if request.manager == "conda":
        raise ResolutionRefused(
            RefusalCode.JETSON_NO_CONDA,
            [Alternative.of("--manager", "pip"), Alternative.of("--manager", "uv")],
            params=named,
        )
    python = (
        request.python or (machine.python if request.manager == "pip" else None) or builds.python
    )
    if python != builds.python:
        # NVIDIA builds each JetPack's torch for the Python its Ubuntu ships, one only.
        alternatives = [Alternative.of("--manager", "uv", "--python", builds.python)]
        raise ResolutionRefused(
            RefusalCode.JETSON_PYTHON,
            alternatives
            if request.manager == "pip"
            else [Alternative.of("--python", builds.python)],
            params={**named, "python": python, "wheels_python": builds.python},
        )
    pins = [Pin("torch", builds.torch)]
    if builds.torchvision:
        pins.append(Pin("torchvision", builds.torchvision))
    series = builds.series
    variant = jetpack_variant(builds)
    reasons = [
        Reason(
            ReasonCode.JETSON_BUILD,
            {**named, "torch": builds.torch, "cuda": builds.cuda, "python": python},
        ),
        Reason(ReasonCode.INDEX, {"index_url": builds.index_url}),
    ]
    return Resolution(
        torch_release=release,
        variant=variant,
        python_version=python,
        manager=request.manager,
        pins=pins,
        index_url=builds.index_url,
        env_path=request.env_path,
        env_name=request.env_name,
        cuda_version=builds.cuda,
        reasons=reasons,
        sources=[f"jetpack-{series}: {builds.source}"],
    )
