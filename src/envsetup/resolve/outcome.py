"""A resolved release as what to install: pinned wheels from an index, or conda specs and channels."""

from __future__ import annotations

from typing import Optional

from envsetup.model.compute_platform import PlatformKind
from envsetup.model.machine import Machine
from envsetup.profiles.release import Patch, Release, Variant
from envsetup.resolve.notes import Gathered, Refuser, note_status
from envsetup.resolve.reasons import FactSubject, ReasonCode
from envsetup.resolve.request import InstallRequest
from envsetup.resolve.resolution import Alternative, Pin, RefusalCode, Resolution

_OTHER_MANAGERS = [Alternative.of("--manager", "uv"), Alternative.of("--manager", "pip")]


def wheel_resolution(
    request: InstallRequest,
    release: Release,
    patch: Patch,
    variant: Variant,
    python: str,
    key: str,
    plan: Gathered,
) -> Resolution:
    label = variant.local_label_for(key)
    suffix = f"+{label}" if label else ""
    index_url = variant.index_url_for(key)
    pins = [
        Pin("torch", patch.torch + suffix),
        Pin("torchvision", patch.torchvision + suffix),
        Pin("torchaudio", patch.torchaudio + suffix),
    ]
    plan.add(ReasonCode.INDEX, index_url=index_url)
    return finish(request, release, variant, python, plan, pins=pins, index_url=index_url)


def conda_resolution(
    request: InstallRequest,
    machine: Machine,
    release: Release,
    patch: Patch,
    variant: Variant,
    python: str,
    plan: Gathered,
    refuse: Refuser,
) -> Resolution:
    if not release.conda:
        raise refuse(
            RefusalCode.NO_CONDA_PACKAGE,
            _OTHER_MANAGERS,
            params={"release": release.release, "why": release.conda_reason},
        )
    key = machine.platform_key
    if key not in release.conda_platforms or not variant.conda_selector:
        raise refuse(
            RefusalCode.NO_CONDA_RECIPE,
            _OTHER_MANAGERS,
            params={"release": release.release, "build": variant.name, "platform_key": key},
        )
    note_status(
        plan, FactSubject.CONDA_RECIPE, {"release": release.release}, release.status, ("conda",)
    )
    specs = [
        f"pytorch=={patch.torch}",
        f"torchvision=={patch.conda_torchvision or patch.torchvision}",
        f"torchaudio=={patch.conda_torchaudio or patch.torchaudio}",
    ]
    # The official macOS conda command has no cpuonly: the macOS package is CPU/MPS only.
    if not (key.startswith("macos") and variant.platform.kind is PlatformKind.CPU):
        specs.append(variant.conda_selector)
    channels = list(variant.conda_channels)
    plan.add(ReasonCode.CONDA_CHANNELS, channels=list(channels), why=release.conda_reason)
    return finish(request, release, variant, python, plan, conda=(channels, specs))


def finish(
    request: InstallRequest,
    release: Release,
    variant: Variant,
    python: str,
    plan: Gathered,
    pins: Optional[list[Pin]] = None,
    index_url: Optional[str] = None,
    conda: Optional[tuple[list[str], list[str]]] = None,
) -> Resolution:
    if plan.unconfirmed:
        plan.add(ReasonCode.UNCONFIRMED_FACTS, facts=[f.to_dict() for f in plan.unconfirmed])
    sources = [
        f"{tag}: {release.sources[tag]}" for tag in sorted(plan.tags) if tag in release.sources
    ]
    sources += list(dict.fromkeys(plan.extra_sources))
    return Resolution(
        torch_release=release.release,
        variant=variant.name,
        python_version=python,
        manager=request.manager,
        pins=pins or [],
        index_url=index_url,
        conda_channels=conda[0] if conda else [],
        conda_specs=conda[1] if conda else [],
        env_path=request.env_path,
        env_name=request.env_name,
        cuda_version=variant.cuda,
        cudnn_version=variant.cudnn,
        reasons=plan.reasons,
        sources=sources,
        unconfirmed=list(plan.unconfirmed),
        verdicts=list(plan.verdicts),
    )
