"""Libraries that shadow torch's own: an older copy of a library torch's nvidia-* wheels bring,
found by the loader before the wheel's.

Which copies really shadow follows the loader's search order for whoever asks for the library
(model/torch_libraries.py says why, with sources): torch's own libraries and cuDNN's dispatcher
find theirs through DT_RPATH first, so only a library that wheel libraries with DT_RUNPATH ask for
(nvJitLink) can be taken from LD_LIBRARY_PATH, or from ld.so.cache where the asking libraries'
own directory does not hold it. Same soname only (a different
major is a different soname and never answers the request); older only (a newer copy keeps the
symbols an older one has). Render words the findings in render/words/shadow.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from envsetup.diagnose.finding import Finding
from envsetup.facts import Facts
from envsetup.model.cuda_layout import VIA_LD_CACHE, VIA_LD_LIBRARY_PATH, LibraryCopy, WheelLibrary
from envsetup.model.torch_libraries import BY_RPATH, LibraryFamily, family_of_soname
from envsetup.model.versions import parse_version
from envsetup.profiles.build_info import BuildLookup

FINDING_IDS = {
    VIA_LD_LIBRARY_PATH: "ld-library-path-shadows-torch",
    VIA_LD_CACHE: "ld-cache-shadows-torch",
}


@dataclass(frozen=True)
class Shadow:
    """A copy the loader takes instead of torch's wheel library."""

    family: LibraryFamily
    copy: LibraryCopy
    wheel: WheelLibrary


def loader_picks(facts: Facts) -> dict[str, LibraryCopy]:
    """For each wheel soname, the first copy the loader meets outside the asking library's own
    paths: LD_LIBRARY_PATH's entries in order, else ld.so.cache's first entry."""
    picked: dict[str, LibraryCopy] = {}
    for via in (VIA_LD_LIBRARY_PATH, VIA_LD_CACHE):
        for copy in facts.cuda_layout.library_copies:
            if copy.via == via and copy.soname not in picked:
                picked[copy.soname] = copy
    return picked


def shadows(facts: Facts) -> list[Shadow]:
    """Every wheel library whose loader-picked copy is another, older file that really wins."""
    wheels = {lib.soname: lib for lib in facts.cuda_layout.torch_libraries}
    found = []
    for soname, copy in loader_picks(facts).items():
        family = family_of_soname(soname)
        wheel = wheels.get(soname)
        if family is None or wheel is None or copy.wheel_own or family.loaded == BY_RPATH:
            continue
        if _preloaded(facts, family):
            continue
        if copy.via == VIA_LD_CACHE and _beside_its_askers(facts, family, wheel):
            continue
        if is_older(copy.version, wheel.version, family.compare_parts):
            found.append(Shadow(family, copy, wheel))
    return found


def _preloaded(facts: Facts, family: LibraryFamily) -> bool:
    """torch loads the wheel's copy itself before anything asks (nvJitLink from 2.6) when its
    CUDA runtime comes from a wheel (pytorch/pytorch#141063 checks that): true of every pip torch
    whose CUDA libraries are nvidia-* wheels, the only torch this judgement is made for."""
    if family.preloaded_from is None:
        return False
    torch, since = parse_version(facts.torch.version), parse_version(family.preloaded_from)
    return bool(torch and since and torch.release >= since.release)


def _beside_its_askers(facts: Facts, family: LibraryFamily, wheel: WheelLibrary) -> bool:
    """The wheel's copy sits in the directory of a wheel library that asks for it, whose
    DT_RUNPATH $ORIGIN the loader searches before ld.so.cache (CUDA 13 wheels: nvidia/cu13/lib);
    also True when no wheel library asks for it at all (nothing loads it)."""
    here = _directory(wheel.path)
    askers = [
        lib
        for lib in facts.cuda_layout.torch_libraries
        if (f := family_of_soname(lib.soname)) is not None and f.name in family.asked_by
    ]
    return not askers or any(_directory(lib.path) == here for lib in askers)


def _directory(path: str) -> str:
    return path.rsplit("/", 1)[0]


def is_older(have: Optional[str], wheel: Optional[str], parts: int) -> bool:
    """`have` is older than `wheel` in its first `parts` release numbers; False when unknown."""
    a, b = parse_version(have), parse_version(wheel)
    if a is None or b is None:
        return False
    width = max(parts, 1)
    return _padded(a.release, width) < _padded(b.release, width)


def _padded(release: tuple[int, ...], width: int) -> tuple[int, ...]:
    return (release + (0,) * width)[:width]


def shadow_findings(facts: Facts, via: str) -> list[Finding]:
    """One finding per shadowed library met through `via` (LD_LIBRARY_PATH or ld.so.cache)."""
    return [
        Finding(
            id=FINDING_IDS[via],
            severity="warning",
            evidence=[
                f"{s.copy.path}: {s.family.name} {s.copy.version} ({s.copy.version_source}), "
                f"found through {via} before torch's {s.wheel.project} {s.wheel.version} at "
                f"{s.wheel.path}"
            ],
            params={
                "library": s.family.name,
                "soname": s.copy.soname,
                "directory": s.copy.directory,
                "path": s.copy.path,
                "version": s.copy.version,
                "version_source": s.copy.version_source,
                "wheel_project": s.wheel.project,
                "wheel_version": s.wheel.version,
                "wheel_directory": _directory(s.wheel.path),
                "via": via,
                "preloaded_from": s.family.preloaded_from,
            },
        )
        for s in shadows(facts)
        if s.copy.via == via
    ]


def ld_cache_shadows_torch(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    return shadow_findings(facts, VIA_LD_CACHE)


RULES = [ld_cache_shadows_torch]
