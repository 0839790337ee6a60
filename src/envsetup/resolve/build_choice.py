"""Which build of one release: CPU, ROCm or CUDA as asked, or `--cuda auto`'s pick: the highest
CUDA build the driver runs whose arch list holds every GPU (envsetup.compat.assess judges each);
on a machine with AMD GPUs and no NVIDIA one, the newest ROCm build whose gfx targets run them
(envsetup.compat.rocm)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from envsetup import compat
from envsetup.compat import rocm as rocm_compat
from envsetup.compat.assess import assess, driver_floor
from envsetup.compat.verdicts import Verdict, VerdictCode
from envsetup.model.capability import SOURCE as ARCH_RULE_SOURCE
from envsetup.model.compute_platform import PlatformKind
from envsetup.model.machine import Machine
from envsetup.model.versions import version_key
from envsetup.profiles.loader import Platform, Release, Variant
from envsetup.resolve.notes import Gathered, Refuser
from envsetup.resolve.reasons import Reason, ReasonCode, verdict_reason
from envsetup.resolve.request import InstallRequest, compute_flag, cuda_major
from envsetup.resolve.resolution import Alternative, AlternativeKind, RefusalCode

if TYPE_CHECKING:
    from packaging.version import Version

# The verdicts that tell CUDA builds apart (driver, GPU coverage); glibc and Python are judged
# once per release, before a build is picked.
_BUILD_CODES = frozenset(
    {
        VerdictCode.DRIVER_BELOW_FLOOR,
        VerdictCode.DRIVER_CUDA_TOO_LOW,
        VerdictCode.DRIVER_OK,
        VerdictCode.DRIVER_CUDA_OK,
        VerdictCode.NO_NVIDIA_DRIVER,
        VerdictCode.CUDA_BUILD_WITHOUT_NVIDIA,
        VerdictCode.ARCH_NOT_COVERED,
        VerdictCode.ARCH_COVERED,
        VerdictCode.ARCH_UNKNOWN,
    }
)
_PLATFORM_CODES = frozenset(
    {VerdictCode.CPU_BUILD_ON_NVIDIA_GPU, VerdictCode.ROCM_BUILD_WITHOUT_ROCM}
)


@dataclass(frozen=True)
class _Candidate:
    """One build of the release, judged on this machine (envsetup.compat.assess)."""

    variant: Variant
    verdicts: tuple[Verdict, ...]
    arch_known: bool

    @property
    def usable(self) -> bool:
        return not any(v.blocking for v in self.verdicts)

    @property
    def driver_blocked(self) -> bool:
        return any(
            v.code in (VerdictCode.DRIVER_BELOW_FLOOR, VerdictCode.DRIVER_CUDA_TOO_LOW)
            for v in self.verdicts
        )

    @property
    def uncovered(self) -> bool:
        return any(v.code is VerdictCode.ARCH_NOT_COVERED for v in self.verdicts)

    @property
    def native(self) -> Optional[bool]:
        """The driver supports the build's CUDA itself (no minor version compatibility needed)."""
        for verdict in self.verdicts:
            if "native" in verdict.params:
                return verdict.params["native"]
        return None

    @property
    def reasons(self) -> list[Reason]:
        return [verdict_reason(v) for v in self.verdicts]

    @property
    def blocking(self) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if v.blocking)


def _judge(release: Release, variant: Variant, machine: Machine) -> _Candidate:
    build = release.build(variant.name, machine.platform_key)
    verdicts = tuple(v for v in assess(build, machine) if v.code in _BUILD_CODES)
    return _Candidate(variant, verdicts, build.arch_list is not None)


def pick_variant(
    request: InstallRequest,
    machine: Machine,
    release: Release,
    platform: Platform,
    plan: Gathered,
    refuse: Refuser,
) -> Variant:
    compute = request.compute
    available = [release.variants[name] for name in platform.variants]
    if machine.platform_key.startswith("macos"):
        plan.add(ReasonCode.MACOS_BUILD, platform_key=machine.platform_key)
        return release.variants["cpu"]
    if compute == "cpu":
        plan.add(ReasonCode.CPU_AS_ASKED, gpus_present=bool(machine.gpus))
        _note_platform_verdicts(plan, release, release.variants["cpu"], machine)
        return release.variants["cpu"]
    if compute == "rocm":
        chosen = _pick_any_rocm(machine, release, available, plan, refuse)
    elif compute.startswith("rocm"):
        chosen = _pick_rocm(compute, machine, release, available, plan, refuse)
    elif compute == "auto" or (compute == "cuda" and machine.has_nvidia):
        chosen = _pick_auto(machine, release, available, plan, refuse)
    elif cuda_major(compute) is not None:
        return _pick_cuda_major(compute, machine, release, available, plan, refuse)
    elif compute == "cuda":  # no NVIDIA GPU seen: the newest CUDA build, judged as asked
        builds = _cuda_builds(available)
        newest = builds[-1].name if builds else "cuda"
        return _pick_cuda(newest, machine, release, available, plan, refuse)
    else:
        return _pick_cuda(compute, machine, release, available, plan, refuse)
    _note_platform_verdicts(plan, release, chosen, machine)
    return chosen


def _note_platform_verdicts(
    plan: Gathered, release: Release, variant: Variant, machine: Machine
) -> None:
    """The judgement's warnings about a CPU or ROCm build on this hardware (no reason: the plan's
    own reasons already say why that build was picked)."""
    if variant.platform.kind is PlatformKind.CUDA:
        return
    build = release.build(variant.name, machine.platform_key)
    plan.verdicts += [v for v in assess(build, machine) if v.code in _PLATFORM_CODES]


def _pick_rocm(
    compute: str,
    machine: Machine,
    release: Release,
    available: list[Variant],
    plan: Gathered,
    refuse: Refuser,
) -> Variant:
    rocm_builds = [v for v in available if v.platform.kind is PlatformKind.ROCM]
    chosen = next((v for v in rocm_builds if v.name == compute), None)
    if chosen is None:
        raise refuse(
            RefusalCode.NO_SUCH_BUILD,
            [Alternative.of("--cuda", v.name) for v in reversed(rocm_builds)],
            params={
                "release": release.release,
                "build": compute,
                "platform_key": machine.platform_key,
                "builds": [v.name for v in rocm_builds],
                "kind": PlatformKind.ROCM.value,
            },
        )
    plan.add(ReasonCode.ROCM_AS_ASKED, build=compute, rocm=machine.rocm)
    return chosen


def _pick_any_rocm(
    machine: Machine,
    release: Release,
    available: list[Variant],
    plan: Gathered,
    refuse: Refuser,
) -> Variant:
    """--backend rocm: the ROCm build for the AMD GPUs (as --cuda auto picks it on an AMD-only
    machine), else the newest ROCm build of the release."""
    rocm_builds = [v for v in available if v.platform.kind is PlatformKind.ROCM]
    if not rocm_builds:
        return _pick_rocm("rocm", machine, release, available, plan, refuse)  # refuses
    if machine.amd_gfx and _best_rocm(machine, release, rocm_builds) is not None:
        return _pick_auto_rocm(machine, release, rocm_builds, plan)
    plan.add(ReasonCode.ROCM_AS_ASKED, build=rocm_builds[-1].name, rocm=machine.rocm)
    return rocm_builds[-1]


def _cuda_builds(available: list[Variant]) -> list[Variant]:
    return sorted(
        (v for v in available if v.platform.kind is PlatformKind.CUDA),
        key=lambda v: version_key(v.cuda or "0"),
    )


def _pick_cuda(
    compute: str,
    machine: Machine,
    release: Release,
    available: list[Variant],
    plan: Gathered,
    refuse: Refuser,
) -> Variant:
    builds = _cuda_builds(available)
    chosen = next((v for v in builds if v.name == compute), None)
    if chosen is None:
        runnable = [v for v in reversed(builds) if _judge(release, v, machine).usable]
        asked = compute_flag(compute)
        raise refuse(
            RefusalCode.NO_SUCH_BUILD,
            [
                Alternative.of("--cuda", compute_flag(v.name))
                for v in by_distance(runnable or list(reversed(builds)), asked)
            ],
            params={
                "release": release.release,
                "build": compute,
                "platform_key": machine.platform_key,
                "builds": [v.name for v in builds],
                "kind": PlatformKind.CUDA.value,
            },
        )
    judged = _judge(release, chosen, machine)
    if not judged.usable:
        others = by_distance(
            [v for v in reversed(builds) if v is not chosen and _judge(release, v, machine).usable],
            chosen.cuda or "0",
        )
        alternatives = [Alternative.of("--cuda", compute_flag(v.name)) for v in others]
        if judged.driver_blocked:
            need = _floor(release, chosen, machine)
            alternatives.append(Alternative(AlternativeKind.UPGRADE_DRIVER, driver=need))
        alternatives.append(Alternative.of("--cuda", "cpu"))
        raise refuse(judged.blocking[0].code, alternatives, verdicts=judged.blocking)
    plan.reasons += judged.reasons
    plan.verdicts += judged.verdicts
    _note_driver_source(plan, judged, machine)
    return chosen


def _pick_cuda_major(
    compute: str,
    machine: Machine,
    release: Release,
    available: list[Variant],
    plan: Gathered,
    refuse: Refuser,
) -> Variant:
    """--cuda 12: of the release's 12.x builds, the one --cuda auto would pick among them (the
    highest the driver runs whose arch list holds every GPU); without an NVIDIA GPU seen, the
    newest 12.x, judged as asked. None runs: refused as that build asked by name would be."""
    major = cuda_major(compute)
    every = _cuda_builds(available)
    builds = [v for v in every if (v.cuda or "").split(".")[0] == major]
    if not builds:
        runnable = [v for v in every if _judge(release, v, machine).usable] or every
        raise refuse(
            RefusalCode.NO_SUCH_BUILD,
            [Alternative.of("--cuda", compute_flag(v.name)) for v in by_distance(runnable, major)],
            params={
                "release": release.release,
                "build": compute,
                "platform_key": machine.platform_key,
                "builds": [v.name for v in every],
                "kind": PlatformKind.CUDA.value,
            },
        )
    chosen = builds[-1]
    if machine.has_nvidia:
        usable = [c for c in (_judge(release, v, machine) for v in builds) if c.usable]
        if usable:
            chosen = max(
                usable,
                key=lambda c: (
                    c.arch_known,
                    c.native is not False,
                    version_key(c.variant.cuda or "0"),
                ),
            ).variant
    plan.add(
        ReasonCode.CUDA_MAJOR_CHOSEN,
        major=major,
        build=chosen.name,
        release=release.release,
        builds=[v.name for v in builds],
    )
    return _pick_cuda(chosen.name, machine, release, available, plan, refuse)


def by_distance(builds: list[Variant], wanted: str) -> list[Variant]:
    """`builds` nearest in CUDA version to `wanted` ('11.9', or a major '12') first; of two as
    near, the newer. What a user who asked for `wanted` most likely meant."""
    target = version_key(wanted)
    return sorted(builds, key=lambda v: cuda_distance(v.cuda or "0", target))


def cuda_distance(cuda: str, target: Version) -> tuple[int, int, int]:
    """(majors apart, minor versions apart, older) of CUDA `cuda` from `target`: the same major
    first (11.8 and 11.7 before 12.1 for 11.9), then by how far in value; of two as near, the
    newer. A major alone (12) is nearest its own newest minor."""
    have = version_key(cuda)
    majors = abs(have.major - target.major)
    if len(target.release) < 2:  # a major alone: any of its minors, the newest first
        return (majors, -have.minor if majors == 0 else abs(_linear(have) - _linear(target)), 0)
    return (majors, abs(_linear(have) - _linear(target)), 0 if have >= target else 1)


def _linear(version: Version) -> int:
    # CUDA minors are one digit (cu118, cu128), so 11.9 -> 119 and 12.1 -> 121 are 2 apart.
    return version.major * 10 + version.minor


def _floor(release: Release, variant: Variant, machine: Machine) -> Optional[str]:
    return driver_floor(release.build(variant.name, machine.platform_key), machine.system)


def _pick_auto(
    machine: Machine,
    release: Release,
    available: list[Variant],
    plan: Gathered,
    refuse: Refuser,
) -> Variant:
    if not machine.has_nvidia:
        rocm_builds = [v for v in available if v.platform.kind is PlatformKind.ROCM]
        if machine.amd_gfx and rocm_builds:
            return _pick_auto_rocm(machine, release, rocm_builds, plan)
        plan.add(ReasonCode.AUTO_NO_NVIDIA)
        if machine.rocm and rocm_builds:
            plan.add(ReasonCode.ROCM_AVAILABLE, rocm=machine.rocm, build=rocm_builds[-1].name)
        return release.variants["cpu"]
    builds = _cuda_builds(available)
    candidates = [_judge(release, v, machine) for v in builds]
    usable = [c for c in candidates if c.usable]
    if not usable:
        alternatives = [Alternative.of("--cuda", "cpu")]
        if any(c.driver_blocked for c in candidates) and not any(c.uncovered for c in candidates):
            floors = [_floor(release, v, machine) for v in builds]
            lowest = min((f for f in floors if f), key=version_key, default=None)
            if lowest:
                alternatives.insert(0, Alternative(AlternativeKind.UPGRADE_DRIVER, driver=lowest))
        raise refuse(
            RefusalCode.NO_CUDA_BUILD_RUNS,
            alternatives,
            tuple(v for c in candidates for v in c.blocking),
            params={
                "release": release.release,
                "platform_key": machine.platform_key,
                "builds": [c.variant.name for c in candidates],
            },
        )
    best = max(
        usable,
        key=lambda c: (c.arch_known, c.native is not False, version_key(c.variant.cuda or "0")),
    )
    plan.reasons += best.reasons
    plan.verdicts += best.verdicts
    plan.add(
        ReasonCode.AUTO_CHOSEN,
        build=best.variant.name,
        release=release.release,
        sms=[g.sm for g in machine.gpus],
        # False: the build's arch list is not in the profile, so GPU coverage was not checked.
        arch_known=best.arch_known,
        # Newer builds that run only through minor version compatibility, passed over for a
        # build the driver supports itself (cu121 beside cu118 on a CUDA 12.0 driver).
        minor_compat_only=[
            c.variant.name
            for c in usable
            if c.native is False
            and version_key(c.variant.cuda or "0") > version_key(best.variant.cuda or "0")
        ],
    )
    _note_driver_source(plan, best, machine)
    return best.variant


# How well a ROCm build runs the AMD GPUs, best first (see ReasonCode.AUTO_ROCM_CHOSEN).
_ROCM_COVERAGE = ("listed", "unconfirmed", "override", "hide")


def _rocm_coverage(
    machine: Machine, release: Release, variant: Variant
) -> tuple[str, Optional[str]]:
    """('listed' | 'unconfirmed' | 'override' | 'hide' | 'none', the override value to set or
    None); 'hide': it runs some GPUs, the others must be hidden from the process."""
    visible, igpus = _visible_amd(machine)
    if any(
        rocm_compat.judge_gfx(gfx, release.torch, variant.rocm).covered is False for gfx in igpus
    ):
        # An integrated GPU beside a discrete one that the build cannot run: hidden (doctor's
        # rocm-gfx-not-in-build says the same), with the discrete GPUs' own override if any.
        coverage, override = _rocm_coverage_of(visible, release, variant)
        return ("hide", override) if coverage != "none" else ("none", None)
    return _rocm_coverage_of(visible, release, variant)


def _visible_amd(machine: Machine) -> tuple[list[str], list[str]]:
    """(the AMD GPU targets a process should run on, the integrated ones to hide): an iGPU is
    hidden only beside a discrete GPU (rocm_gfx_targets.toml [apu])."""
    if not rocm_compat.igpu_beside_dgpu(machine.amd_gfx):
        return list(machine.amd_gfx), []
    igpus = [g for g in machine.amd_gfx if rocm_compat.is_integrated(g)]
    return [g for g in machine.amd_gfx if g not in igpus], igpus


def _rocm_coverage_of(
    targets: list[str], release: Release, variant: Variant
) -> tuple[str, Optional[str]]:
    verdicts = [rocm_compat.judge_gfx(gfx, release.torch, variant.rocm) for gfx in targets]
    if all(v.covered for v in verdicts):
        return "listed", None
    uncovered = [v for v in verdicts if v.covered is False]
    if not uncovered:
        return "unconfirmed", None
    overrides = {v.override.value for v in uncovered if v.override is not None}
    # One HSA_OVERRIDE_GFX_VERSION for the whole process: it helps only when one value serves all.
    serves_all = all(
        v.override is not None and rocm_compat.override_serves_all(v.override, targets)
        for v in uncovered
    )
    if len(overrides) == 1 and serves_all:
        return "override", overrides.pop()
    if len(uncovered) < len(verdicts):
        # Some GPUs run it: the others are hidden from the process (ROCR_VISIBLE_DEVICES), since
        # no process-wide override serves every GPU.
        return "hide", None
    return "none", None


def _best_rocm(
    machine: Machine, release: Release, rocm_builds: list[Variant]
) -> Optional[tuple[Variant, str, Optional[str]]]:
    """The newest ROCm build whose gfx targets run every AMD GPU (listed first, then an
    unconfirmed list, then through one override), with its coverage and override; None when
    none does."""
    judged = [(v, *_rocm_coverage(machine, release, v)) for v in reversed(rocm_builds)]
    for coverage in _ROCM_COVERAGE:
        for variant, found, override in judged:
            if found == coverage:
                return variant, found, override
    return None


def _pick_auto_rocm(
    machine: Machine, release: Release, rocm_builds: list[Variant], plan: Gathered
) -> Variant:
    """--cuda auto on a machine with AMD GPUs and no NVIDIA one: the best ROCm build for them
    (_best_rocm); the CPU build when none runs them."""
    best = _best_rocm(machine, release, rocm_builds)
    if best is None:
        plan.add(ReasonCode.AUTO_ROCM_NONE, gfx=list(machine.amd_gfx), release=release.release)
        return release.variants["cpu"]
    variant, coverage, override = best
    _, igpus = _visible_amd(machine)
    hidden = [
        v.gfx
        for v in (rocm_compat.judge_gfx(g, release.torch, variant.rocm) for g in machine.amd_gfx)
        if v.covered is False and (v.gfx in igpus or not override)
    ]
    plan.add(
        ReasonCode.AUTO_ROCM_CHOSEN,
        build=variant.name,
        release=release.release,
        gfx=list(machine.amd_gfx),
        coverage=coverage,
        override=override,
        hide=hidden if coverage == "hide" else None,
    )
    plan.extra_sources.append(rocm_compat.SOURCE)
    if coverage == "hide":
        plan.extra_sources.append(rocm_compat.ISOLATION_SOURCE)
    return variant


def _note_driver_source(plan: Gathered, judged: _Candidate, machine: Machine) -> None:
    plan.extra_sources.append(compat.SOURCE_MVC)
    if machine.gpus and judged.arch_known:
        plan.extra_sources.append(ARCH_RULE_SOURCE)
