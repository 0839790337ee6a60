"""The resolver: (request, doctor's facts, profiles) -> a Resolution that explains itself, or a refusal.

Pure: it reads only its arguments. Every refusal names the reason and the nearest requests that
would work on this machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

from envsetup import compat
from envsetup.digits import is_small_int
from envsetup.facts import Facts
from envsetup.profiles.loader import (
    STATUS_WORDS,
    Patch,
    Platform,
    Release,
    Variant,
    platform_key_for,
)
from envsetup.resolve.request import InstallRequest, compute_flag
from envsetup.resolve.resolution import Pin, Resolution, ResolutionRefused

# NVIDIA CUDA C++ Programming Guide, "Binary Compatibility" and "PTX Compatibility"
# (https://docs.nvidia.com/cuda/cuda-c-programming-guide/index.html#binary-compatibility):
# a cubin built for compute capability X.y runs only on devices of capability X.z with z >= y;
# PTX built for X.y can be JIT-compiled for any capability >= X.y; arch-specific targets
# (sm_90a...) run only on exactly that capability.
ARCH_RULE_SOURCE = (
    "NVIDIA CUDA C++ Programming Guide, Binary Compatibility and PTX Compatibility, "
    "https://docs.nvidia.com/cuda/cuda-c-programming-guide/index.html#binary-compatibility"
)
MAX_ALTERNATIVES = 4

# Builds a refusal for the release being resolved (adds other releases that would work).
Refuser = Callable[[str, list[str]], ResolutionRefused]


@dataclass(frozen=True)
class GpuArch:
    label: str  # "GPU 0 (NVIDIA GeForce RTX 3090)" or "ENVSETUP_GPU_ARCH"
    cc: tuple[int, int]

    @property
    def sm(self) -> str:
        return f"sm_{self.cc[0]}{self.cc[1]}"


@dataclass(frozen=True)
class Machine:
    """The facts the resolver uses, with doctor's overrides already applied."""

    platform_key: str
    system: str
    glibc: Optional[str] = None
    python: Optional[str] = None  # "3.11", the Python running envsetup
    driver: Optional[str] = None
    driver_cuda: Optional[str] = None  # the highest CUDA the driver supports
    gpus: tuple[GpuArch, ...] = ()
    rocm: Optional[str] = None
    apple_silicon: bool = False

    @property
    def has_nvidia(self) -> bool:
        return bool(self.gpus or self.driver or self.driver_cuda)


@dataclass
class _Plan:
    """What one release's resolution gathered on the way: lines for people, facts used."""

    lines: list[str] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)
    unconfirmed: list[str] = field(default_factory=list)
    extra_sources: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Assessment:
    """Can this machine run this CUDA build, and why (or why not)."""

    variant: Variant
    driver_ok: Optional[bool]  # None: no driver version known
    native: Optional[bool]  # build CUDA <= the driver's CUDA (no minor version compat needed)
    uncovered: tuple[GpuArch, ...]
    arch_known: bool
    lines: tuple[str, ...]

    @property
    def usable(self) -> bool:
        return self.driver_ok is not False and not self.uncovered


# ----------------------------------------------------------------------------- machine


def machine_from_facts(facts: Facts) -> Machine:
    key = platform_key_for(facts.os.system, facts.os.arch)
    if key is None:
        raise ResolutionRefused(
            f"PyTorch publishes no wheels for {facts.os.system} on {facts.os.arch}",
            ["a Linux x86_64/aarch64, Windows x86_64 or macOS machine"],
        )
    overrides = facts.overrides
    # Facts may come from a file (--facts): a value that is no version counts as unknown.
    driver = _version_or_none(overrides.driver_version or facts.nvidia.driver_version)
    driver_cuda = overrides.cuda_driver_version or facts.nvidia.driver_cuda_version
    if driver_cuda and compat.cuda_major_minor(driver_cuda) is None:
        driver_cuda = None
    if driver and not driver_cuda:
        driver_cuda = compat.max_cuda_for_driver(driver, facts.os.system)
    return Machine(
        platform_key=key,
        system=facts.os.system,
        glibc=facts.os.glibc,
        python=_major_minor(facts.python.version),
        driver=driver,
        driver_cuda=driver_cuda,
        gpus=_gpu_arches(facts),
        rocm=facts.rocm.version,
        apple_silicon=facts.apple.apple_silicon,
    )


def _version_or_none(text: Optional[str]) -> Optional[str]:
    return text if compat.parse_version(text) is not None else None


def _gpu_arches(facts: Facts) -> tuple[GpuArch, ...]:
    if facts.overrides.gpu_arch:
        parsed = [parse_cc(part) for part in _split_arches(facts.overrides.gpu_arch)]
        return tuple(GpuArch("ENVSETUP_GPU_ARCH", cc) for cc in parsed if cc is not None)
    out = []
    for gpu in facts.nvidia.gpus:
        cc = parse_cc(gpu.compute_capability or "")
        if cc is not None:
            label = f"GPU {gpu.index} ({gpu.name})" if gpu.name else f"GPU {gpu.index}"
            out.append(GpuArch(label, cc))
    return tuple(out)


def _split_arches(text: str) -> list[str]:
    return [part for part in text.replace(";", ",").replace(" ", ",").split(",") if part]


def parse_cc(text: str) -> Optional[tuple[int, int]]:
    """'8.6', 'sm_86', '86', 'compute_86' -> (8, 6)."""
    value = text.strip().lower()
    for prefix in ("sm_", "compute_"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    if "." in value:
        major, _, minor = value.partition(".")
        return (int(major), int(minor)) if is_small_int(major) and is_small_int(minor) else None
    if is_small_int(value) and len(value) >= 2:
        return int(value[:-1]), int(value[-1])
    return None


def _major_minor(version: str) -> Optional[str]:
    parts = version.strip().split(".")
    if len(parts) >= 2 and is_small_int(parts[0]) and is_small_int(parts[1]):
        return f"{parts[0]}.{parts[1]}"
    return None


def _vkey(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if is_small_int(part))


# ----------------------------------------------------------------------------- GPU coverage


def _assess(variant: Variant, machine: Machine) -> _Assessment:
    lines = []
    driver_ok, native = _driver_verdict(variant, machine, lines)
    arch_known = variant.has_arch_list(machine.platform_key)
    uncovered = []
    if arch_known:
        arches = variant.arch_list(machine.platform_key)
        for gpu in machine.gpus:
            how = compat.arch_runs(arches, gpu.cc)
            if how is None:
                uncovered.append(gpu)
                lines.append(
                    f"{gpu.label} {gpu.sm} has no kernels in the {variant.name} build "
                    f"(arch list {';'.join(arches)})"
                )
            else:
                lines.append(
                    f"{gpu.label}: {how.replace('the build', f'the {variant.name} build')}"
                )
    elif machine.gpus:
        lines.append(
            f"the {variant.name} build's arch list on {machine.platform_key} is not in the profile: "
            f"GPU coverage of {', '.join(g.sm for g in machine.gpus)} not checked"
        )
    return _Assessment(variant, driver_ok, native, tuple(uncovered), arch_known, tuple(lines))


def _driver_verdict(
    variant: Variant, machine: Machine, lines: list[str]
) -> tuple[Optional[bool], Optional[bool]]:
    cuda = variant.cuda or "0.0"
    need = variant.min_driver(machine.system)
    native = _vkey(cuda) <= _vkey(machine.driver_cuda) if machine.driver_cuda else None
    ceiling = f"supports CUDA ≤ {machine.driver_cuda}" if machine.driver_cuda else "supports"
    if machine.driver and need:
        ok = compat.driver_at_least(machine.driver, need)
        if ok is False:
            lines.append(
                f"driver {machine.driver} is too old for the {variant.name} build: it needs ≥ {need} "
                f"(CUDA {cuda.split('.')[0]}.x minor version compatibility)"
            )
        elif native:
            lines.append(
                f"driver {machine.driver} {ceiling} ≥ {cuda} ({variant.name} needs ≥ {need})"
            )
        else:
            lines.append(
                f"driver {machine.driver} {ceiling} < {cuda}: {variant.name} runs through CUDA minor "
                f"version compatibility (driver ≥ {need}; JIT of newer PTX may fail)"
            )
        return ok, native
    if machine.driver_cuda:
        ok = _vkey(cuda)[0] <= _vkey(machine.driver_cuda)[0]
        verdict = "runs" if ok else "cannot run"
        lines.append(
            f"driver CUDA {machine.driver_cuda} (no driver version) {verdict} {variant.name}"
        )
        return ok, native
    lines.append(
        f"no NVIDIA driver found: {variant.name} installs, but CUDA needs a driver ≥ {need}"
    )
    return None, None


# ----------------------------------------------------------------------------- entry point


def resolve(request: InstallRequest, facts: Facts, releases: list[Release]) -> Resolution:
    """The plan for `request` on the machine `facts` describe, or ResolutionRefused."""
    machine = machine_from_facts(facts)
    return resolve_for_machine(request, machine, releases)


def resolve_for_machine(
    request: InstallRequest, machine: Machine, releases: list[Release]
) -> Resolution:
    _refuse_gpu_builds_on_macos(request, machine)
    ordered = sorted(releases, key=lambda r: _vkey(r.release))
    if not ordered:
        raise ResolutionRefused("no release profiles are loaded", ["reinstall envsetup"])
    if request.torch_release:
        release = next((r for r in ordered if r.release == request.torch_release), None)
        if release is None:
            known = f"{ordered[0].release}–{ordered[-1].release}"
            raise ResolutionRefused(
                f"torch {request.torch} is not a release envsetup has a profile for ({known})",
                [f"--torch {r.release}" for r in _nearest(ordered, request.torch_release)],
            )
        return _resolve_release(request, machine, release, ordered, suggest=True)
    first: Optional[ResolutionRefused] = None
    for release in reversed(ordered):
        try:
            return _resolve_release(
                request, machine, release, ordered, suggest=False, by_default=True
            )
        except ResolutionRefused as refusal:
            first = first or refusal
    assert first is not None
    newest = ordered[-1]
    try:
        _resolve_release(request, machine, newest, ordered, suggest=True)
    except ResolutionRefused as detailed:
        raise ResolutionRefused(
            f"no release fits this machine; for the newest, torch {newest.release}: {detailed.reason}",
            detailed.alternatives,
        ) from None
    raise first  # pragma: no cover - the newest release failed above, so it fails again


def _refuse_gpu_builds_on_macos(request: InstallRequest, machine: Machine) -> None:
    if machine.platform_key.startswith("macos") and request.compute not in ("auto", "cpu"):
        raise ResolutionRefused(
            f"--cuda {compute_flag(request.compute)}: there are no CUDA or ROCm builds for macOS; "
            "PyTorch on a Mac runs on the CPU and, on Apple silicon, on the GPU through MPS",
            ["--cuda auto", "--cuda cpu"],
        )


def _nearest(ordered: list[Release], wanted: str) -> list[Release]:
    target = _vkey(wanted)
    return sorted(ordered, key=lambda r: abs(_vkey(r.release)[1] - target[1]))[:2]


def _refuse(
    reason: str,
    alternatives: list[str],
    request: InstallRequest,
    machine: Machine,
    release: Release,
    ordered: list[Release],
    suggest: bool,
) -> ResolutionRefused:
    """A refusal; with `suggest`, other releases that would work are added as alternatives."""
    alts = list(alternatives)
    if suggest:
        alts += _working_releases(request, machine, release, ordered)
    unique = list(dict.fromkeys(alts))[:MAX_ALTERNATIVES]
    return ResolutionRefused(reason, unique)


def _working_releases(
    request: InstallRequest, machine: Machine, release: Release, ordered: list[Release]
) -> list[str]:
    here = ordered.index(release)
    by_distance = sorted(
        (r for r in ordered if r is not release),
        key=lambda r: (abs(ordered.index(r) - here), -ordered.index(r)),
    )
    found = []
    for other in by_distance:
        try:
            plan = _resolve_release(
                _with_release(request, other.release), machine, other, ordered, suggest=False
            )
        except ResolutionRefused:
            continue
        build = f" ({plan.variant})" if request.compute == "auto" else ""
        found.append(f"--torch {other.release}{build}")
        if len(found) == 2:
            break
    return found


def _with_release(request: InstallRequest, release: str) -> InstallRequest:
    return InstallRequest(
        torch=release,
        compute=request.compute,
        python=request.python,
        manager=request.manager,
        env_path=request.env_path,
        env_name=request.env_name,
    )


# ----------------------------------------------------------------------------- one release


def _resolve_release(
    request: InstallRequest,
    machine: Machine,
    release: Release,
    ordered: list[Release],
    suggest: bool,
    by_default: bool = False,
) -> Resolution:
    def refuse(reason: str, alternatives: list[str]) -> ResolutionRefused:
        return _refuse(reason, alternatives, request, machine, release, ordered, suggest)

    plan = _Plan()
    key = machine.platform_key
    platform = release.platforms.get(key)
    if platform is None:
        raise refuse(f"torch {release.release} has no wheels for {key}", [])
    patch = _pick_patch(request, release, refuse)
    _note_status(plan, f"torch {release.release}", release.status, ("release_date",))
    why = "the newest release that fits" if by_default else "as asked"
    plan.lines.append(
        f"torch {patch.torch} (release {release.release} of {release.release_date}, {why}) "
        f"for {key} with {request.manager}"
    )
    plan.tags.update(release.source + patch.source + platform.source)
    _note_status(plan, f"torch {patch.torch}", patch.status, ("torchvision", "torchaudio"))
    _check_glibc(machine, release, platform, plan, refuse)
    python = _pick_python(request, machine, release, platform, plan, refuse)
    variant = _pick_variant(request, machine, release, platform, plan, refuse)
    plan.tags.update(variant.source)
    per = variant.on.get(key)
    if per:
        plan.tags.update(per.source)
    _note_status(
        plan,
        f"{variant.name} on {key}",
        variant.status_on(key),
        ("arch_list", "local_version", "index_url"),
    )
    if request.manager == "conda":
        return _conda_resolution(request, machine, release, patch, variant, python, plan, refuse)
    return _wheel_resolution(request, release, patch, variant, python, key, plan)


def _pick_patch(request: InstallRequest, release: Release, refuse: Refuser) -> Patch:
    if request.torch_patch is None:
        return release.newest_patch()
    patch = release.patch(request.torch_patch)
    if patch is None:
        known = ", ".join(p.torch for p in release.patches)
        raise refuse(
            f"torch {request.torch_patch} is not a known patch of {release.release} ({known})",
            [f"--torch {p.torch}" for p in reversed(release.patches)],
        )
    return patch


def _check_glibc(
    machine: Machine, release: Release, platform: Platform, plan: _Plan, refuse: Refuser
) -> None:
    if not platform.glibc_min or not machine.glibc:
        return
    if _vkey(machine.glibc) < _vkey(platform.glibc_min):
        raise refuse(
            f"torch {release.release} wheels for {platform.key} need glibc ≥ {platform.glibc_min}; "
            f"this system has glibc {machine.glibc}",
            [],
        )
    plan.lines.append(f"glibc {machine.glibc} ≥ {platform.glibc_min}")
    _note_status(plan, f"glibc floor of torch {release.release}", platform.status, ("glibc_min",))


def _pick_python(
    request: InstallRequest,
    machine: Machine,
    release: Release,
    platform: Platform,
    plan: _Plan,
    refuse: Refuser,
) -> str:
    low, high = platform.python_min, platform.python_max
    span = f"{low}–{high}"
    if request.python:
        python = request.python
        if request.manager == "pip" and machine.python and python != machine.python:
            raise refuse(
                f"pip builds the environment with the Python running envsetup ({machine.python}), "
                f"not Python {python}",
                [f"--manager uv --python {python}", f"--python {machine.python}"],
            )
        origin = "as asked"
    elif request.manager == "pip" and machine.python:
        python, origin = machine.python, "the Python running envsetup"
    else:
        provider = (
            f"{request.manager} provides it"
            if request.manager != "pip"
            else "the running Python's version is unknown"
        )
        python, origin = high, f"the newest torch {release.release} supports; {provider}"
    if not _vkey(low) <= _vkey(python) <= _vkey(high):
        alternatives = []
        if request.manager == "pip":
            alternatives.append(f"--manager uv --python {high}")
        else:
            alternatives.append(f"--python {high}")
        raise refuse(
            f"Python {python} is not supported by torch {release.release} (wheels for {span})",
            alternatives,
        )
    plan.lines.append(f"Python {python} ({origin}) is in {span}")
    _note_status(plan, f"Python range of torch {release.release}", platform.status, ("python",))
    return python


def _pick_variant(
    request: InstallRequest,
    machine: Machine,
    release: Release,
    platform: Platform,
    plan: _Plan,
    refuse: Refuser,
) -> Variant:
    compute = request.compute
    available = [release.variants[name] for name in platform.variants]
    if machine.platform_key.startswith("macos"):
        engine = (
            "CPU and MPS (Apple silicon GPU)" if machine.platform_key == "macos-arm64" else "CPU"
        )
        plan.lines.append(f"macOS: the PyPI wheel runs on {engine}")
        return release.variants["cpu"]
    if compute == "cpu":
        if machine.gpus:
            plan.lines.append("CPU build as asked, although NVIDIA GPUs are present")
        else:
            plan.lines.append("CPU build as asked")
        return release.variants["cpu"]
    if compute.startswith("rocm"):
        return _pick_rocm(compute, machine, release, available, plan, refuse)
    if compute == "auto":
        return _pick_auto(machine, release, available, plan, refuse)
    return _pick_cuda(compute, machine, release, available, plan, refuse)


def _pick_rocm(
    compute: str,
    machine: Machine,
    release: Release,
    available: list[Variant],
    plan: _Plan,
    refuse: Refuser,
) -> Variant:
    rocm_builds = [v for v in available if v.kind == "rocm"]
    chosen = next((v for v in rocm_builds if v.name == compute), None)
    if chosen is None:
        listed = ", ".join(v.name for v in rocm_builds) or "none"
        raise refuse(
            f"torch {release.release} has no {compute} build for {machine.platform_key} (ROCm builds: {listed})",
            [f"--cuda {v.name}" for v in reversed(rocm_builds)],
        )
    found = f"ROCm {machine.rocm} found" if machine.rocm else "no ROCm found on this machine"
    plan.lines.append(f"{compute} build as asked; {found}")
    return chosen


def _cuda_builds(available: list[Variant]) -> list[Variant]:
    return sorted((v for v in available if v.kind == "cuda"), key=lambda v: _vkey(v.cuda or "0"))


def _pick_cuda(
    compute: str,
    machine: Machine,
    release: Release,
    available: list[Variant],
    plan: _Plan,
    refuse: Refuser,
) -> Variant:
    builds = _cuda_builds(available)
    chosen = next((v for v in builds if v.name == compute), None)
    if chosen is None:
        listed = ", ".join(v.cuda or v.name for v in builds) or "none"
        runnable = [v for v in reversed(builds) if _assess(v, machine).usable]
        raise refuse(
            f"torch {release.release} has no CUDA {compute_flag(compute)} build for "
            f"{machine.platform_key} (CUDA builds: {listed})",
            [f"--cuda {v.cuda}" for v in runnable or list(reversed(builds))],
        )
    verdict = _assess(chosen, machine)
    if not verdict.usable:
        others = [v for v in reversed(builds) if v is not chosen and _assess(v, machine).usable]
        alternatives = [f"--cuda {v.cuda}" for v in others]
        if verdict.driver_ok is False:
            alternatives.append(
                f"upgrade the NVIDIA driver to ≥ {chosen.min_driver(machine.system)}"
            )
        alternatives.append("--cuda cpu")
        raise refuse("; ".join(line for line in verdict.lines if _is_problem(line)), alternatives)
    plan.lines += verdict.lines
    _note_driver_source(plan, chosen, machine)
    return chosen


def _why_unusable(verdict: _Assessment, machine: Machine) -> str:
    variant = verdict.variant
    if verdict.driver_ok is False:
        return f"{variant.name} needs driver ≥ {variant.min_driver(machine.system)}, this one is {machine.driver}"
    arches = ";".join(variant.arch_list(machine.platform_key))
    sms = ", ".join(gpu.sm for gpu in verdict.uncovered)
    return f"{variant.name} has no kernels for {sms} (arch list {arches})"


def _is_problem(line: str) -> bool:
    return "too old" in line or "has no kernels" in line or "cannot run" in line


def _pick_auto(
    machine: Machine,
    release: Release,
    available: list[Variant],
    plan: _Plan,
    refuse: Refuser,
) -> Variant:
    if not machine.has_nvidia:
        plan.lines.append("no NVIDIA GPU or driver found: the CPU build")
        rocm_builds = [v.name for v in available if v.kind == "rocm"]
        if machine.rocm and rocm_builds:
            plan.lines.append(
                f"ROCm {machine.rocm} found: ask for a ROCm build with --cuda {rocm_builds[-1]}"
            )
        return release.variants["cpu"]
    builds = _cuda_builds(available)
    verdicts = [_assess(v, machine) for v in builds]
    usable = [a for a in verdicts if a.usable]
    if not usable:
        problems = [_why_unusable(a, machine) for a in verdicts]
        blocked_by_driver = any(a.driver_ok is False for a in verdicts)
        alternatives = ["--cuda cpu"]
        if blocked_by_driver and all(not a.uncovered for a in verdicts) and builds:
            lowest = min(builds, key=lambda v: _vkey(v.min_driver(machine.system) or "0"))
            alternatives.insert(
                0, f"upgrade the NVIDIA driver to ≥ {lowest.min_driver(machine.system)}"
            )
        reason = (
            "; ".join(problems) if problems else f"it has no CUDA build for {machine.platform_key}"
        )
        raise refuse(f"no CUDA build of torch {release.release} runs here: {reason}", alternatives)
    best = max(
        usable, key=lambda a: (a.arch_known, a.native is not False, _vkey(a.variant.cuda or "0"))
    )
    gpus = ", ".join(g.sm for g in machine.gpus) or "no GPU listed"
    plan.lines += list(best.lines)
    plan.lines.append(
        f"auto: {best.variant.name} is the highest CUDA build of {release.release} this driver runs "
        f"whose arch list holds every GPU ({gpus})"
    )
    _note_driver_source(plan, best.variant, machine)
    return best.variant


def _note_driver_source(plan: _Plan, variant: Variant, machine: Machine) -> None:
    plan.extra_sources.append(compat.SOURCE_MVC)
    if machine.gpus and variant.has_arch_list(machine.platform_key):
        plan.extra_sources.append(ARCH_RULE_SOURCE)


def _note_status(plan: _Plan, what: str, status: dict[str, str], keys: tuple[str, ...]) -> None:
    for key in keys:
        if status.get(key) == "U":
            plan.unconfirmed.append(f"{what}: {key} is {STATUS_WORDS['U']} in the profile")


# ----------------------------------------------------------------------------- building the plan


def _wheel_resolution(
    request: InstallRequest,
    release: Release,
    patch: Patch,
    variant: Variant,
    python: str,
    key: str,
    plan: _Plan,
) -> Resolution:
    label = variant.local_label_for(key)
    suffix = f"+{label}" if label else ""
    index_url = variant.index_url_for(key)
    pins = [
        Pin("torch", patch.torch + suffix),
        Pin("torchvision", patch.torchvision + suffix),
        Pin("torchaudio", patch.torchaudio + suffix),
    ]
    plan.lines.append(
        f"from {index_url}" if index_url else "from PyPI (the official command for this platform)"
    )
    return _finish(request, release, variant, python, plan, pins=pins, index_url=index_url)


def _conda_resolution(
    request: InstallRequest,
    machine: Machine,
    release: Release,
    patch: Patch,
    variant: Variant,
    python: str,
    plan: _Plan,
    refuse: Refuser,
) -> Resolution:
    if not release.conda:
        raise refuse(
            f"torch {release.release} has no conda package: {release.conda_reason}",
            ["--manager uv", "--manager pip"],
        )
    key = machine.platform_key
    if key not in release.conda_platforms or not variant.conda_selector:
        raise refuse(
            f"torch {release.release} has no conda recipe for the {variant.name} build on {key}",
            ["--manager uv", "--manager pip"],
        )
    _note_status(plan, f"conda recipe of torch {release.release}", release.status, ("conda",))
    specs = [
        f"pytorch=={patch.torch}",
        f"torchvision=={patch.conda_torchvision or patch.torchvision}",
        f"torchaudio=={patch.conda_torchaudio or patch.torchaudio}",
    ]
    # The official macOS conda command has no cpuonly: the macOS package is CPU/MPS only.
    if not (key.startswith("macos") and variant.kind == "cpu"):
        specs.append(variant.conda_selector)
    channels = list(variant.conda_channels)
    plan.lines.append(f"conda channels {', '.join(channels)}: {release.conda_reason}")
    return _finish(request, release, variant, python, plan, conda=(channels, specs))


def _finish(
    request: InstallRequest,
    release: Release,
    variant: Variant,
    python: str,
    plan: _Plan,
    pins: Optional[list[Pin]] = None,
    index_url: Optional[str] = None,
    conda: Optional[tuple[list[str], list[str]]] = None,
) -> Resolution:
    if plan.unconfirmed:
        plan.lines.append("rests on unconfirmed facts: " + "; ".join(plan.unconfirmed))
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
        explanation=plan.lines,
        sources=sources,
        unconfirmed=list(plan.unconfirmed),
    )
