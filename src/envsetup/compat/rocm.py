"""AMD gfx targets against PyTorch's ROCm wheels: which targets a wheel carries code objects for,
and whether HSA_OVERRIDE_GFX_VERSION lets a GPU run a close sibling's.

The facts live in src/envsetup/data/rocm_gfx_targets.toml, each with its source (pytorch/builder's
manywheel/build_docker.sh per release branch, pytorch/pytorch's .ci/docker/manywheel/build.sh;
the override values from AUTOMATIC1111/stable-diffusion-webui #5067 and pytorch/pytorch #179653).
Pure apart from reading that shipped file once.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from envsetup.model.versions import parse_version, release_of

# Beside the package, found from this module's own path (see envsetup.compat.DATA).
DATA = Path(__file__).parent.parent / "data" / "rocm_gfx_targets.toml"
SOURCE = (
    "PyTorch's ROCm build scripts (PYTORCH_ROCM_ARCH; see src/envsetup/data/rocm_gfx_targets.toml)"
)

_GFX = re.compile(r"^gfx[0-9a-f]{3,4}$")
_OVERRIDE_VALUE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{1,2})\s*$")


@dataclass(frozen=True)
class WheelTargets:
    """The gfx targets one range of ROCm wheels was built for (PYTORCH_ROCM_ARCH)."""

    targets: tuple[str, ...]
    confirmed: bool  # status C in the data file; a U list is not judged against
    torch: tuple[str, str]  # first and last torch release of the range
    rocm: tuple[str, str]  # the wheel's ROCm version: from (inclusive), below ("" = unbounded)
    source: str
    # Targets confirmed missing from every wheel of the range (added by a PR merged after its
    # last release), judged not covered even when `targets` is unconfirmed.
    absent: tuple[str, ...] = ()


@dataclass(frozen=True)
class Override:
    """HSA_OVERRIDE_GFX_VERSION=value runs `runs_as`'s code objects on a member of `family`."""

    family: str  # "gfx103": every gfx103x target ("gfx1151": that target alone)
    runs_as: str  # "gfx1030"
    value: str  # "10.3.0"
    source: str
    # Members the override must not be advised for (it hangs or faults them: gfx1103), and why.
    exclude: tuple[str, ...] = ()
    exclude_source: str = ""


@dataclass(frozen=True)
class GfxVerdict:
    """One GPU's gfx target judged against one ROCm wheel.

    covered: True (the wheel lists the target, or the override already set makes it run a listed
    one), False (no code object for it), None (the wheel's list is not known for sure)."""

    gfx: str
    covered: Optional[bool]
    wheel: Optional[WheelTargets]
    override: Optional[Override]  # the override that would run a listed sibling, when one does
    # HSA_OVERRIDE_GFX_VERSION already set, as the target it makes the runtime report.
    overridden_as: Optional[str] = None


@functools.lru_cache(maxsize=1)
def _table() -> tuple[tuple[WheelTargets, ...], tuple[Override, ...]]:
    from envsetup.compat.shipped import load_table
    from envsetup.errors import EnvsetupError

    data = load_table(DATA, "ROCm gfx target table")
    # Shipped with envsetup, but a damaged install must still end in one line, not a traceback.
    try:
        builds = tuple(
            WheelTargets(
                targets=tuple(entry["targets"]),
                confirmed=entry["status"] == "C",
                torch=(entry["torch"][0], entry["torch"][1]),
                rocm=(entry["rocm"][0], entry["rocm"][1]),
                source=entry["source"],
                absent=tuple(entry.get("absent", ())),
            )
            for entry in data["build"]
        )
        overrides = tuple(
            Override(
                e["family"],
                e["runs_as"],
                e["value"],
                e["source"],
                tuple(e.get("exclude", ())),
                e.get("exclude_source", ""),
            )
            for e in data["override"]
        )
    except (KeyError, IndexError, TypeError) as exc:
        raise EnvsetupError(
            f"{DATA}: envsetup's ROCm gfx target table is unusable ({exc or type(exc).__name__}); "
            "fix: reinstall envsetup"
        ) from None
    return builds, overrides


@functools.lru_cache(maxsize=1)
def _integrated() -> frozenset[str]:
    from envsetup.compat.shipped import load_table
    from envsetup.errors import EnvsetupError

    data = load_table(DATA, "ROCm gfx target table")
    try:
        targets = frozenset(str(t) for t in data["apu"]["targets"])
    except (KeyError, TypeError) as exc:
        raise EnvsetupError(
            f"{DATA}: envsetup's ROCm gfx target table has no usable [apu] list "
            f"({exc or type(exc).__name__}); fix: reinstall envsetup"
        ) from None
    return targets


# LLVM's AMDGPU processor table marks each target dGPU or APU (rocm_gfx_targets.toml [apu]).
APU_SOURCE = "https://llvm.org/docs/AMDGPUUsage.html#processors (the dGPU/APU column)"


def is_integrated(gfx: str) -> bool:
    """Whether `gfx` is an integrated GPU's target (an APU's: gfx1036 in a Ryzen 7000/9000,
    gfx1103 in a Ryzen 7040), per LLVM's AMDGPU processor table."""
    return gfx in _integrated()


def igpu_beside_dgpu(gfx_targets: list[str] | tuple[str, ...]) -> bool:
    """An integrated GPU next to a discrete one: the ROCm runtime enumerates both, so a program
    should be kept to the discrete GPUs (the integrated one hidden)."""
    return any(map(is_integrated, gfx_targets)) and not all(map(is_integrated, gfx_targets))


def is_gfx_target(text: str) -> bool:
    """'gfx1031', 'gfx90a' -> True; anything else (a CPU agent's name) -> False."""
    return bool(_GFX.match(text))


def gfx_from_override(value: str) -> Optional[str]:
    """HSA_OVERRIDE_GFX_VERSION's value -> the target the runtime then reports: '10.3.0' ->
    'gfx1030', '9.0.10' -> 'gfx90a' (minor and stepping written in hex, as in the target's name);
    None for a value of no such shape."""
    found = _OVERRIDE_VALUE.match(value)
    if not found:
        return None
    major, minor, stepping = (int(part) for part in found.groups())
    if minor > 15 or stepping > 15:
        return None
    return f"gfx{major}{minor:x}{stepping:x}"


def _in_rocm_range(rocm: Optional[str], low: str, below: str) -> bool:
    version = parse_version(rocm)
    if version is None:
        return not low and not below  # an unknown ROCm fits only a list that does not depend on it
    low_v, below_v = parse_version(low), parse_version(below)
    return (low_v is None or version >= low_v) and (below_v is None or version < below_v)


def wheel_targets(torch_version: Optional[str], rocm: Optional[str]) -> Optional[WheelTargets]:
    """The gfx targets of the ROCm wheel of `torch_version` ('1.12.1+rocm5.1.1' or '1.12.1')
    built with ROCm `rocm` ('5.1.1'); None when the table has no list for that wheel."""
    release = release_of(torch_version)
    if release is None:
        return None
    for entry in _table()[0]:
        first, last = parse_version(entry.torch[0]), parse_version(entry.torch[1])
        if first is None or last is None or not first <= release <= last:
            continue
        if _in_rocm_range(rocm, *entry.rocm):
            return entry
    return None


def in_any_wheel(gfx: str) -> bool:
    """Whether any PyTorch ROCm wheel in the table (confirmed or not) lists `gfx`: a target in
    none has no official wheel at all."""
    return gfx in _all_targets()


def all_targets() -> tuple[str, ...]:
    """Every gfx target any PyTorch ROCm wheel in the table lists, in table order."""
    return tuple(dict.fromkeys(t for entry in _table()[0] for t in entry.targets))


_all_targets = all_targets


def override_for(gfx: str, targets: tuple[str, ...]) -> Optional[Override]:
    """The override that runs a sibling of `gfx` listed in `targets` (not `gfx` itself, nor a
    member the override is known to hang or fault: gfx1103 under 11.0.0)."""
    for override in _table()[1]:
        sibling = gfx.startswith(override.family) and gfx != override.runs_as
        if sibling and gfx not in override.exclude and override.runs_as in targets:
            return override
    return None


def unsafe_override(gfx: str, value: str) -> Optional[Override]:
    """The table's override row when HSA_OVERRIDE_GFX_VERSION=`value` is one known to hang or
    fault a `gfx` GPU (11.0.0 on a gfx1103 Radeon 780M: ROCm/TheRock #1184); None otherwise."""
    runs_as = gfx_from_override(value)
    for override in _table()[1]:
        excluded = gfx.startswith(override.family) and gfx in override.exclude
        if excluded and override.runs_as == runs_as:
            return override
    return None


def family_values(gfx: str) -> tuple[str, ...]:
    """The HSA_OVERRIDE_GFX_VERSION values the table has for `gfx`'s family (excluded or not)."""
    return tuple(o.value for o in _table()[1] if gfx.startswith(o.family) and gfx != o.runs_as)


def is_listed_target_of_override(gfx: str) -> bool:
    """Whether `gfx` is itself a target an override runs as (gfx1030, gfx1100): for such a GPU
    HSA_OVERRIDE_GFX_VERSION changes nothing; only a build that lists it helps."""
    return any(override.runs_as == gfx for override in _table()[1])


# GPU isolation: the ROCm runtime exposes only the listed device indices to the process; AMD
# recommends ROCR_VISIBLE_DEVICES on Linux
# (https://rocm.docs.amd.com/projects/HIP/en/latest/reference/env_variables.html).
ISOLATION_SOURCE = "https://rocm.docs.amd.com/projects/HIP/en/latest/reference/env_variables.html"


def override_serves_all(override: Override, gfx_targets: list[str] | tuple[str, ...]) -> bool:
    """HSA_OVERRIDE_GFX_VERSION applies to every GPU of the process: it helps only when each
    GPU is of the override's family (else it makes the others load code of another family,
    e.g. 10.3.0 on an RDNA3 gfx1102, InvokeAI #3967)."""
    return all(gfx.startswith(override.family) for gfx in gfx_targets)


def override_of_other_family(gfx: str, value: str) -> Optional[str]:
    """The target HSA_OVERRIDE_GFX_VERSION=`value` makes a `gfx` GPU report, when that target is
    of another family (its name differs beyond the last digit: 10.3.0 -> gfx1030 on a gfx1101);
    an RDNA3 card forced to gfx1030 code fails (InvokeAI #3967,
    https://github.com/invoke-ai/InvokeAI/issues/3967). None when it is of the same family or
    the value is malformed (another check says so)."""
    runs_as = gfx_from_override(value)
    if runs_as is None or runs_as == gfx or runs_as[:-1] == gfx[:-1]:
        return None
    if any(gfx.startswith(o.family) and o.runs_as == runs_as for o in _table()[1]):
        return None  # a cross-family override the table lists as working (gfx1151 -> 11.0.0)
    return runs_as


def first_wheels_listing(gfx: str) -> Optional[WheelTargets]:
    """The oldest range of wheels whose list holds `gfx` (where its wheels start): a confirmed
    list first, else an unconfirmed one (entry.confirmed says which), so that doctor's "where
    wheels start" reads the table as install's choice does; None only when no list holds it."""
    entries = _table()[0]  # the file lists ranges oldest first
    confirmed = next((e for e in entries if e.confirmed and gfx in e.targets), None)
    return confirmed or next((e for e in entries if gfx in e.targets), None)


# Where an installed wheel's own list comes from: torch.cuda.get_arch_list() run in it.
INSTALLED_SOURCE = "torch.cuda.get_arch_list() of the installed torch (doctor --deep)"


def judge_gfx(
    gfx: str,
    torch_version: Optional[str],
    rocm: Optional[str],
    override_set: Optional[str] = None,
    installed: Optional[tuple[str, ...]] = None,
) -> GfxVerdict:
    """Can the ROCm wheel `torch_version` (+rocm`rocm`) run code on a GPU of target `gfx`?

    `override_set`: HSA_OVERRIDE_GFX_VERSION's value in the environment, if any (the runtime then
    loads that target's code objects instead). `installed`: the gfx targets the installed torch
    itself reports (torch.cuda.get_arch_list()), which decide over any table list. A confirmed
    list decides; a list that is not confirmed, or no list, decides only that a target in no
    wheel at all is not covered."""
    wheel = wheel_targets(torch_version, rocm)
    if installed:
        first = release_of(torch_version)
        shown = str(first) if first is not None else (torch_version or "")
        wheel = WheelTargets(tuple(installed), True, (shown, shown), ("", ""), INSTALLED_SOURCE)
    overridden = gfx_from_override(override_set) if override_set else None
    effective = overridden or gfx
    if wheel is not None and wheel.confirmed:
        covered: Optional[bool] = effective in wheel.targets
    elif not in_any_wheel(effective) or (wheel is not None and effective in wheel.absent):
        covered = False
    else:
        covered = None
    override = None
    if covered is False:
        # An unconfirmed list still names the sibling; with no list, any wheel's targets.
        listed = wheel.targets if wheel is not None else _all_targets()
        override = override_for(gfx, listed)
    return GfxVerdict(gfx, covered, wheel, override, overridden)
