"""The resolver: (request, doctor's facts, profiles) -> a Resolution that explains itself, or a refusal.

Pure: it reads only its arguments. Every refusal names the reason and the nearest requests that
would work on this machine.
"""

from __future__ import annotations

import bisect
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Optional, Union

from envsetup.compat.assess import assess
from envsetup.compat.machine import NoPlatformKey
from envsetup.compat.machine import machine_from_facts as _machine_from_facts
from envsetup.compat.verdicts import Verdict, VerdictCode
from envsetup.errors import UsageError
from envsetup.facts import Facts
from envsetup.model.compute_platform import ComputePlatform, PlatformKind
from envsetup.model.machine import Machine as Machine
from envsetup.model.versions import in_release_range, version_key
from envsetup.profiles.loader import (
    Patch,
    Platform,
    Release,
)
from envsetup.resolve.build_choice import cuda_distance, pick_variant
from envsetup.resolve.jetson import jetson_resolution, with_l4t_driver
from envsetup.resolve.notes import Gathered, Refuser, note_status
from envsetup.resolve.outcome import conda_resolution, wheel_resolution
from envsetup.resolve.reasons import FactSubject, PythonOrigin, ReasonCode, verdict_reason
from envsetup.resolve.request import (
    InstallRequest,
    backend_of,
    compute_flag,
    cuda_major,
    parse_compute,
    with_flags,
)
from envsetup.resolve.resolution import (
    Alternative,
    AlternativeKind,
    RefusalCode,
    Resolution,
    ResolutionRefused,
)

if TYPE_CHECKING:
    from packaging.version import Version

MAX_ALTERNATIVES = 4

# ----------------------------------------------------------------------------- machine


def machine_from_facts(facts: Facts) -> Machine:
    """envsetup.compat.machine_from_facts, refusing a machine PyTorch publishes no wheels for."""
    try:
        return _machine_from_facts(facts)
    except NoPlatformKey as exc:
        raise ResolutionRefused(
            RefusalCode.NO_PLATFORM,
            [Alternative(AlternativeKind.SUPPORTED_MACHINE)],
            params={"system": exc.system, "arch": exc.arch},
        ) from None


# ----------------------------------------------------------------------------- entry point


def resolve(request: InstallRequest, facts: Facts, releases: list[Release]) -> Resolution:
    """The plan for `request` on the machine `facts` describe, or ResolutionRefused."""
    machine = machine_from_facts(facts)
    return resolve_for_machine(request, machine, releases)


def resolve_for_machine(
    request: InstallRequest, machine: Machine, releases: list[Release]
) -> Resolution:
    """The plan, or ResolutionRefused whose flag alternatives each resolve on this machine when
    laid over `request` (a suggestion the tool would refuse in turn is no suggestion)."""
    try:
        return _resolve_for_machine(request, machine, releases)
    except ResolutionRefused as refusal:
        kept = []
        for alternative in refusal.alternatives:
            if alternative.kind is AlternativeKind.FLAGS:
                alternative = _with_backend(request, alternative)
                if not _resolves(with_flags(request, alternative.flags), machine, releases):
                    continue
            kept.append(alternative)
        refusal.alternatives = kept
        raise


def _with_backend(request: InstallRequest, alternative: Alternative) -> Alternative:
    """Under --backend, an alternative --cuda V says the backend V belongs to as well."""
    flags = dict(zip(alternative.flags[::2], alternative.flags[1::2]))
    if request.backend is None or "--cuda" not in flags or "--backend" in flags:
        return alternative
    backend = backend_of(parse_compute(flags["--cuda"]))
    return replace(alternative, flags=(*alternative.flags, "--backend", backend))


def _resolve_for_machine(
    request: InstallRequest, machine: Machine, releases: list[Release]
) -> Resolution:
    _refuse_gpu_builds_on_macos(request, machine)
    on_jetson = jetson_resolution(request, machine)
    if on_jetson is not None:
        return on_jetson
    machine = with_l4t_driver(machine)
    ordered = sorted(releases, key=lambda r: version_key(r.release))
    if not ordered:
        raise ResolutionRefused(RefusalCode.NO_PROFILES, [Alternative(AlternativeKind.REINSTALL)])
    if request.torch_release:
        release = next((r for r in ordered if r.release == request.torch_release), None)
        if release is None:
            raise ResolutionRefused(
                RefusalCode.UNKNOWN_RELEASE,
                [
                    Alternative.of("--torch", r.release)
                    for r in _nearest(ordered, request.torch_release)
                    if _resolves(_with_release(request, r.release), machine, ordered)
                ][:2],
                params={
                    "torch": request.torch,
                    "oldest": ordered[0].release,
                    "newest": ordered[-1].release,
                },
            )
        return _resolve_release(request, machine, release, ordered, suggest=True)
    _refuse_a_build_no_release_has(request, machine, ordered)
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
            RefusalCode.NO_RELEASE_FITS,
            detailed.alternatives,
            detailed.verdicts,
            params={"release": newest.release},
            cause=detailed,
            nearer=_nearer_refusal(request, machine, ordered, detailed),
        ) from None
    raise first  # pragma: no cover - the newest release failed above, so it fails again


def _nearer_refusal(
    request: InstallRequest,
    machine: Machine,
    ordered: list[Release],
    newest: ResolutionRefused,
) -> Optional[ResolutionRefused]:
    """Why the newest release that the newest's block does not stop refused: the next constraint
    that binds (glibc 2.27 stops torch 2.6 and later; Python 3.6 stops 2.5, which glibc 2.27
    allows). Named with the release in its params; None when every release refuses for the same
    reason as the newest."""
    for release in reversed(ordered[:-1]):
        try:
            _resolve_release(request, machine, release, ordered, suggest=True)
        except ResolutionRefused as refusal:
            if refusal.code is not newest.code:
                refusal.params.setdefault("release", release.release)
                return refusal
    return None


def _refuse_a_build_no_release_has(
    request: InstallRequest, machine: Machine, ordered: list[Release]
) -> None:
    """--cuda X.Y (or a ROCm build) that no release publishes for this platform: say that, not
    why the newest release refused (its Python range, say), which no flag change would fix.
    The alternatives are the builds of that kind that do resolve here, newest first."""
    if request.compute in ("auto", "cpu", "cuda"):
        return
    key = machine.platform_key
    offered = {
        name for release in ordered if key in release.platforms
        for name in release.platforms[key].variants
    }  # fmt: skip
    platforms = [ComputePlatform.parse(name) for name in offered]
    major = cuda_major(request.compute)
    if (
        request.compute in offered
        or (request.compute == "rocm" and any(n.startswith("rocm") for n in offered))
        or (major is not None and any(_major_of(p) == major for p in platforms))
    ):
        return
    wanted = ComputePlatform.try_parse(request.compute)
    if request.compute == "rocm":  # --backend rocm: any ROCm build
        kind = PlatformKind.ROCM
    else:
        kind = wanted.kind if wanted is not None else PlatformKind.CUDA
    names = [p.tag for p in sorted(platforms, key=_version_of) if p.kind is kind]
    # Nearest in value to the build asked for first (--cuda 11.9: 11.8), the newest as near.
    asked = compute_flag(request.compute)
    by_value = sorted(reversed(names), key=lambda n: _value_distance(n, asked, kind))
    working = [n for n in by_value if _resolves(replace(request, compute=n), machine, ordered)]
    alternatives = [
        Alternative.of("--cuda", compute_flag(n)) for n in working[: MAX_ALTERNATIVES - 1]
    ]
    raise ResolutionRefused(
        RefusalCode.NO_SUCH_BUILD,
        [*alternatives, Alternative.of("--cuda", "auto")],
        params={
            "release": None,
            "build": request.compute,
            "platform_key": key,
            "builds": names,
            "kind": kind.value,
            "oldest": ordered[0].release,
            "newest": ordered[-1].release,
        },
    )


def _version_of(platform: ComputePlatform) -> Version:
    return version_key(platform.version or "0")


def _major_of(platform: ComputePlatform) -> Optional[str]:
    if platform.kind is not PlatformKind.CUDA or not platform.version:
        return None
    return platform.version.split(".")[0]


def _value_distance(name: str, asked: str, kind: PlatformKind) -> tuple[Any, ...]:
    """How far build `name` is from the version asked for: CUDA by build_choice.cuda_distance, a
    ROCm build by its version's distance (no order when nothing comparable was asked)."""
    platform = ComputePlatform.parse(name)
    if kind is PlatformKind.CUDA:
        return cuda_distance(platform.version or "0", version_key(asked))
    wanted = ComputePlatform.try_parse(asked)
    if wanted is None or not wanted.version or not platform.version:
        return (0,)
    have, target = version_key(platform.version), version_key(wanted.version)
    return (abs(have.major - target.major), abs(have.minor - target.minor), have < target)


def _resolves(request: InstallRequest, machine: Machine, ordered: list[Release]) -> bool:
    try:
        _resolve_for_machine(request, machine, ordered)
    except (ResolutionRefused, UsageError):
        return False
    return True


def _refuse_gpu_builds_on_macos(request: InstallRequest, machine: Machine) -> None:
    if machine.platform_key.startswith("macos") and request.compute not in ("auto", "cpu"):
        raise ResolutionRefused(
            RefusalCode.NO_GPU_BUILDS_ON_MACOS,
            [Alternative.of("--cuda", "auto"), Alternative.of("--cuda", "cpu")],
            params={"build": request.compute},
        )


def _nearest(ordered: list[Release], wanted: str) -> list[Release]:
    """The releases nearest in value to `wanted`, nearest first: by place in the release order,
    so 1.13 (older than every profile) is nearest the oldest, 3.0 the newest, and an unknown
    2.5 its neighbours (of two as near, the newer)."""
    target = version_key(wanted)
    place = bisect.bisect_left([version_key(r.release) for r in ordered], target)

    def distance(index: int) -> tuple[int, int]:
        apart = index - place if index >= place else place - index - 1
        return (apart, -index)

    return [ordered[i] for i in sorted(range(len(ordered)), key=distance)]


def _refuse(
    code: Union[RefusalCode, VerdictCode],
    alternatives: list[Alternative],
    request: InstallRequest,
    machine: Machine,
    release: Release,
    ordered: list[Release],
    suggest: bool,
    verdicts: tuple[Verdict, ...] = (),
    params: Optional[dict[str, Any]] = None,
) -> ResolutionRefused:
    """A refusal; with `suggest`, other releases that would work are added as alternatives."""
    alts = list(alternatives)
    if suggest:
        alts += _working_releases(request, machine, release, ordered)
    unique = list(dict.fromkeys(alts))[:MAX_ALTERNATIVES]
    return ResolutionRefused(code, unique, verdicts, params)


def _working_releases(
    request: InstallRequest, machine: Machine, release: Release, ordered: list[Release]
) -> list[Alternative]:
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
        picks = request.compute in ("auto", "rocm", "cuda") or cuda_major(request.compute)
        build = plan.variant if picks else None
        found.append(Alternative.of("--torch", other.release, build=build))
        if len(found) == 2:
            break
    return found


def _with_release(request: InstallRequest, release: str) -> InstallRequest:
    return replace(request, torch=release)


# ----------------------------------------------------------------------------- one release


def _resolve_release(
    request: InstallRequest,
    machine: Machine,
    release: Release,
    ordered: list[Release],
    suggest: bool,
    by_default: bool = False,
) -> Resolution:
    def refuse(
        code: Union[RefusalCode, VerdictCode],
        alternatives: list[Alternative],
        verdicts: tuple[Verdict, ...] = (),
        params: Optional[dict[str, Any]] = None,
    ) -> ResolutionRefused:
        return _refuse(
            code, alternatives, request, machine, release, ordered, suggest, verdicts, params
        )

    plan = Gathered()
    key = machine.platform_key
    platform = release.platforms.get(key)
    if platform is None:
        # No platform table: the judgement of any build of this release is NO_BUILD_FOR_PLATFORM.
        verdicts = tuple(assess(release.build("cpu", key), machine))
        raise refuse(
            VerdictCode.NO_BUILD_FOR_PLATFORM,
            [],
            verdicts=verdicts,
            params={"release": release.release, "platform_key": key},
        )
    patch = _pick_patch(request, release, refuse)
    named = {"release": release.release}
    note_status(plan, FactSubject.RELEASE, named, release.status, ("release_date",))
    plan.add(
        ReasonCode.RELEASE_CHOSEN,
        torch=patch.torch,
        release=release.release,
        release_date=release.release_date,
        asked=not by_default,
        platform_key=key,
        manager=request.manager,
    )
    plan.tags.update(release.source + patch.source + platform.source)
    note_status(
        plan, FactSubject.PATCH, {"torch": patch.torch}, patch.status, ("torchvision", "torchaudio")
    )
    _check_glibc(machine, release, platform, plan, refuse)
    python = _pick_python(request, machine, release, platform, plan, refuse)
    variant = pick_variant(request, machine, release, platform, plan, refuse)
    plan.tags.update(variant.source)
    per = variant.on.get(key)
    if per:
        plan.tags.update(per.source)
    note_status(
        plan,
        FactSubject.BUILD,
        {"build": variant.name, "platform_key": key},
        variant.status_on(key),
        ("arch_list", "local_version", "index_url"),
    )
    if request.manager == "conda":
        return conda_resolution(request, machine, release, patch, variant, python, plan, refuse)
    return wheel_resolution(request, release, patch, variant, python, key, plan)


def _pick_patch(request: InstallRequest, release: Release, refuse: Refuser) -> Patch:
    if request.torch_patch is None:
        return release.newest_patch()
    patch = release.patch(request.torch_patch)
    if patch is None:
        asked = version_key(request.torch_patch)  # nearest in value first: 2.0.7 -> 2.0.1
        raise refuse(
            RefusalCode.UNKNOWN_PATCH,
            [
                Alternative.of("--torch", p.torch)
                for p in sorted(
                    reversed(release.patches),
                    key=lambda p: abs(version_key(p.torch).micro - asked.micro),
                )
            ],
            params={
                "torch": request.torch_patch,
                "release": release.release,
                "known": [p.torch for p in release.patches],
            },
        )
    return patch


def _check_glibc(
    machine: Machine, release: Release, platform: Platform, plan: Gathered, refuse: Refuser
) -> None:
    # Judged once per release, before a build is picked: by the platform's strictest floor, not
    # a build's own lower one (profiles/README.md), so every build install may pick runs here.
    any_build = release.pypi_wheel(platform.key).build or "cpu"
    build = replace(release.build(any_build, platform.key), glibc_min=platform.glibc_min)
    for verdict in assess(build, machine):
        if verdict.code in (VerdictCode.GLIBC_BELOW_FLOOR, VerdictCode.MUSL_LIBC):
            raise refuse(
                verdict.code,
                [],
                verdicts=(verdict,),
                params={"release": release.release, "platform_key": platform.key},
            )
        if verdict.code is VerdictCode.GLIBC_OK:
            plan.reasons.append(verdict_reason(verdict))
            plan.verdicts.append(verdict)
            named = {"release": release.release}
            note_status(plan, FactSubject.GLIBC_FLOOR, named, platform.status, ("glibc_min",))


def _pick_python(
    request: InstallRequest,
    machine: Machine,
    release: Release,
    platform: Platform,
    plan: Gathered,
    refuse: Refuser,
) -> str:
    low, high = platform.python_min, platform.python_max
    if request.python:
        python = request.python
        if request.manager == "pip" and machine.python and python != machine.python:
            raise refuse(
                RefusalCode.PIP_PYTHON_MISMATCH,
                [
                    Alternative.of("--manager", "uv", "--python", python),
                    Alternative.of("--python", machine.python),
                ],
                params={"python": python, "running": machine.python},
            )
        origin = PythonOrigin.ASKED
    elif request.manager == "pip" and machine.python:
        python, origin = machine.python, PythonOrigin.RUNNING
    else:
        python, origin = high, PythonOrigin.NEWEST
    build = release.build(release.pypi_wheel(platform.key).build or "cpu", platform.key)

    def outside_range(version: str) -> list[Verdict]:
        return [
            v
            for v in assess(build, replace(machine, python=version))
            if v.code is VerdictCode.PYTHON_OUTSIDE_RANGE
        ]

    if request.manager == "uv" and origin is PythonOrigin.NEWEST:
        # An interpreter already here beats a download (which fails offline): the newest in range.
        installed = [
            v
            for v in {machine.python, *request.installed_pythons}
            if v and in_release_range(v, low, high) and not outside_range(v)
        ]
        if installed:
            python, origin = max(installed, key=version_key), PythonOrigin.INSTALLED
    outside = outside_range(python)
    if outside or in_release_range(python, low, high) is None:
        if request.manager == "pip":
            alternative = Alternative.of("--manager", "uv", "--python", high)
        else:
            alternative = Alternative.of("--python", high)
        raise refuse(
            VerdictCode.PYTHON_OUTSIDE_RANGE,
            [alternative],
            verdicts=tuple(outside),
            params={"python": python, "release": release.release, "low": low, "high": high},
        )
    plan.add(
        ReasonCode.PYTHON_CHOSEN,
        python=python,
        origin=origin.value,
        release=release.release,
        manager=request.manager,
        low=low,
        high=high,
    )
    named = {"release": release.release}
    note_status(plan, FactSubject.PYTHON_RANGE, named, platform.status, ("python",))
    return python
