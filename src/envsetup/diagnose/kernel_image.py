"""Which torch builds run here: a GPU the torch build has no kernels for ("no kernel image", error
209, "sm_XX is not compatible") gets the builds whose arch lists cover it (profiles/torch-X.Y.toml
through `lookup`, coverage by envsetup.model.capability) and whose driver floor (envsetup.compat)
this driver meets; a driver too old for the build (error 35, "found version N") gets the newest
build whose floor the driver meets, known by its version or only by the CUDA it reports."""

from __future__ import annotations

from typing import Any, Iterator, Optional

from envsetup import compat
from envsetup.diagnose.jetson_rules import jetson_params
from envsetup.diagnose.signal_common import Evidence, finding_of, install_command
from envsetup.digits import small_int
from envsetup.facts import Facts
from envsetup.model.capability import ComputeCapability, Coverage, CoverageResult, coverage
from envsetup.model.jetson import l4t_driver_cuda, pytorch_wheels_run
from envsetup.model.paste import Signal
from envsetup.profiles.build_info import BuildLookup

# The releases a "no kernel image" fix may name, newest first (profiles/torch-X.Y.toml). A
# release without a profile is skipped by `lookup`.
_RELEASES = tuple(f"2.{minor}" for minor in range(30, -1, -1))


def driver_floor_for(cuda: Optional[str], facts: Facts) -> Optional[str]:
    need = compat.min_driver_for_torch_cuda(cuda, facts.os.system or "Linux") if cuda else None
    return need.driver if need else None


def _driver_ok(cuda: str, facts: Facts) -> bool:
    """Whether this machine's driver runs a CUDA `cuda` build (True when the driver is unknown)."""
    have, need = facts.nvidia.driver_version, driver_floor_for(cuda, facts)
    ok = (
        compat.meets_driver_floor(have, need, facts.os.system or "Linux") if have and need else None
    )
    return ok is not False


def _driver_cuda(facts: Facts) -> Optional[str]:
    """The CUDA this machine's driver supports: as the driver reports it, else its branch's
    (compat.max_cuda_for_driver), else an L4T driver's (Thor's JetPack 7: 13.0), as install's
    Machine reads it (compat/machine.py, resolve/jetson.py). None when nothing says."""
    if facts.nvidia.driver_cuda_version:
        return facts.nvidia.driver_cuda_version
    if facts.nvidia.driver_version:
        return compat.max_cuda_for_driver(facts.nvidia.driver_version, facts.os.system or "Linux")
    return l4t_driver_cuda(facts.jetson)


def _variants_best_first(variants: Any, facts: Facts) -> list[str]:
    """A release's CUDA variants in install's --cuda auto order: those this driver runs
    natively (compat.runs_natively) before those only minor version compatibility runs, then
    the newest CUDA first (resolve/build_choice.py _pick_auto's key), so explain's fix names the
    build install picks (attack13 M6: cu130, not cu132, on a CUDA 13.0 driver)."""
    have = _driver_cuda(facts)

    def key(variant: str) -> tuple[bool, int]:
        native = (
            compat.runs_natively(_variant_cuda(variant), have) if _variant_key(variant) else None
        )
        return native is not False, _variant_key(variant)

    return sorted(variants, key=key, reverse=True)


def _covering_builds(
    capability: ComputeCapability, facts: Facts, lookup: BuildLookup
) -> Iterator[tuple[str, str, str]]:
    """Every (release, variant, CUDA) whose arch list runs on `capability`, newest release
    first and, within a release, the newest CUDA variant first. Lazy: build_with_kernels stops
    at the first one this driver runs, before reading the older releases' profiles."""
    system, arch = facts.os.system or "Linux", facts.os.arch or "x86_64"
    for release in _RELEASES:
        info = lookup(f"{release}.0", system, arch)
        if info is None:
            continue
        for variant in _variants_best_first(info.cuda_variants, facts):
            built = lookup(f"{release}.0+{variant}", system, arch)
            if built is None or not built.arch_list:
                continue
            if coverage(built.arch_list, capability):
                yield release, variant, _variant_cuda(variant)


def _all_builds(
    facts: Facts, lookup: BuildLookup, capability: Optional[ComputeCapability]
) -> list[tuple[str, str, str]]:
    """(release, variant, CUDA) newest first, only those covering `capability` when it is known."""
    if capability is not None:
        return _covering_builds(capability, facts, lookup)
    system, arch = facts.os.system or "Linux", facts.os.arch or "x86_64"
    out = []
    for release in _RELEASES:
        info = lookup(f"{release}.0", system, arch)
        if info is None:
            continue
        for variant in _variants_best_first(info.cuda_variants, facts):
            if variant.startswith("cu") and _variant_key(variant):
                out.append((release, variant, _variant_cuda(variant)))
    return out


def _runs_on_driver_cuda(cuda: str, driver_cuda: str, facts: Facts) -> Optional[bool]:
    """Whether a driver known only by the CUDA it reports (`driver_cuda`, X.Y) runs a CUDA `cuda`
    build: True for every such driver, None for some (minor version compatibility needs a floor
    that only the newer drivers reporting X.Y meet), False for none."""
    build, have = compat.cuda_major_minor(cuda), compat.cuda_major_minor(driver_cuda)
    if build is None or have is None:
        return False
    if build <= have:
        return True  # the driver supports that CUDA itself
    floor = driver_floor_for(cuda, facts)
    if build[0] != have[0] or floor is None:
        return False
    system = facts.os.system or "Linux"
    lowest = compat.toolkit_driver(driver_cuda, system)  # the oldest driver reporting X.Y
    if lowest and compat.parse_version(lowest.driver) >= compat.parse_version(floor):
        return True
    at_floor = compat.max_cuda_for_driver(floor, system)  # what a driver at the floor reports
    reaches = at_floor is not None and compat.cuda_major_minor(at_floor) == have
    return None if reaches else False


def build_for_driver(
    facts: Facts, lookup: BuildLookup, driver: Optional[str], driver_cuda: Optional[str]
) -> Optional[tuple[str, str, bool]]:
    """The newest (release, variant) that runs on this driver (its version `driver`, else the CUDA
    it reports), covering the machine's GPU when the facts name its compute capability; the bool
    says it surely runs (False: only if the driver is at or above the build's floor). None when
    the driver is unknown or no build known to the profiles runs on it."""
    if not driver and not driver_cuda:
        return None
    maybe = None
    for release, variant, cuda in _all_builds(facts, lookup, _gpu_capability(facts, None)):
        if driver:
            need = driver_floor_for(cuda, facts)
            if need and compat.meets_driver_floor(driver, need, facts.os.system or "Linux"):
                return release, variant, True
            continue
        runs = _runs_on_driver_cuda(cuda, str(driver_cuda), facts)
        if runs:
            return release, variant, True
        if runs is None and maybe is None:
            maybe = (release, variant, False)
    return maybe


def failing_build_floor(
    facts: Facts, lookup: BuildLookup, driver_cuda: Optional[str]
) -> Optional[tuple[str, str]]:
    """When torch said the driver (known by the CUDA it reports) is too old but not which build
    failed: the builds the profiles know that do not run on it; where they are all of one CUDA
    major (a driver with CUDA 12.8 runs every 12.x build by minor version compatibility, so only
    a 13.x build fails there), (that major, the lowest driver floor among them: data/
    cuda_drivers.toml). None when they are of several majors or none."""
    if not driver_cuda:
        return None
    failing = [
        cuda
        for _, _, cuda in _all_builds(facts, lookup, None)
        if _runs_on_driver_cuda(cuda, driver_cuda, facts) is False
    ]
    majors = {cuda.split(".", 1)[0] for cuda in failing}
    if len(majors) != 1:
        return None
    floors = [compat.parse_version(driver_floor_for(cuda, facts)) for cuda in failing]
    known = [f for f in floors if f is not None]
    if not known:
        return None
    lowest = min(known)
    need = next(
        str(driver_floor_for(cuda, facts))
        for cuda, floor in zip(failing, floors)
        if floor == lowest
    )
    return majors.pop(), need


def lowest_floor(facts: Facts, lookup: BuildLookup) -> Optional[str]:
    """The lowest driver floor of any build the profiles know (covering the GPU when known)."""
    floors = {
        driver_floor_for(cuda, facts)
        for _, _, cuda in _all_builds(facts, lookup, _gpu_capability(facts, None))
    }
    known = [(v, f) for v, f in ((compat.parse_version(f), f) for f in floors if f) if v]
    return min(known)[1] if known else None


def _variant_cuda(variant: str) -> str:
    """'cu128' -> '12.8'."""
    return f"{variant[2:-1]}.{variant[-1]}"


def build_with_kernels(
    capability: ComputeCapability, facts: Facts, lookup: BuildLookup
) -> Optional[tuple[str, str]]:
    """The newest (release, variant) whose arch list runs on `capability` and whose driver
    floor this machine's driver meets (the newest CUDA variant of that release first); None
    when the profiles know none."""
    for release, variant, cuda in _covering_builds(capability, facts, lookup):
        if _driver_ok(cuda, facts):
            return release, variant
    return None


def builds_with_kernels(
    capability: ComputeCapability, facts: Facts, lookup: BuildLookup
) -> Iterator[tuple[str, str]]:
    """Every (release, variant) whose arch list runs on `capability` and whose driver floor this
    machine's driver meets, newest first (lazy, like _covering_builds)."""
    for release, variant, cuda in _covering_builds(capability, facts, lookup):
        if _driver_ok(cuda, facts):
            yield release, variant


def _build_after_driver_upgrade(
    capability: ComputeCapability, facts: Facts, lookup: BuildLookup
) -> Optional[tuple[str, str]]:
    """When no covering build runs on this driver: the covering build with the lowest driver
    floor (the smallest upgrade), the newest such; None when no build covers `capability`."""
    covering = list(_covering_builds(capability, facts, lookup))
    if not covering:
        return None
    floors = [compat.parse_version(driver_floor_for(cuda, facts)) for _, _, cuda in covering]
    known = [f for f in floors if f is not None]
    lowest = min(known) if known else None
    for (release, variant, _), floor in zip(covering, floors):
        if floor == lowest:
            return release, variant
    return covering[0][0], covering[0][1]


def _variant_key(variant: str) -> int:
    digits = variant[2:]
    return small_int(digits) or 0


def _gpu_capability(facts: Facts, sm: Optional[str]) -> Optional[ComputeCapability]:
    found = ComputeCapability.try_parse(sm)
    if found is not None:
        return found
    for gpu in facts.nvidia.gpus:
        if gpu.compute_capability is not None:
            return gpu.compute_capability
    # A Jetson's integrated GPU is no nvidia-smi row: its capability is the module's (model/jetson).
    if facts.jetson.is_jetson and facts.jetson.compute_capability is not None:
        return facts.jetson.compute_capability
    return None


# ---- one judge per family of signals; each takes all signals of its ids ----


def _arch_params(arch: list[Signal]) -> dict[str, Any]:
    """The params of torch's arch warnings, merged: each key from the first that has it (torch
    2.13 prints its new warning and the older "is not compatible" one together)."""
    merged: dict[str, Any] = {}
    for s in arch:
        for key, value in s.params.items():
            merged.setdefault(key, value)
    return merged


def judge_no_kernel_image(signals: list[Signal], facts: Facts, lookup: BuildLookup, ev: Evidence):
    arch = [s for s in signals if s.id == "torch-gpu-arch-not-supported"]
    stated = _arch_params(arch)
    sm = stated.get("sm")
    capability = _gpu_capability(facts, sm)
    gpu = stated.get("gpu")
    if gpu is None and facts.nvidia.gpus:
        gpu = facts.nvidia.gpus[0].name or None
    params: dict[str, Any] = {
        "gpu": gpu,
        "sm": capability.sm if capability else sm,
        "supported": stated.get("supported"),
        "torch": facts.torch.version,
    }
    if capability is None:
        params["capability_unknown"] = True
        return [finding_of("cuda-no-kernel-image", "error", signals, ev, **params)]
    covered = _running_torch_covers(capability, facts, lookup, stated if arch else None)
    if arch and covered and covered[1].how is Coverage.PTX_JIT:
        # Only PTX against torch's own warning (cu118's compute_37 on an RTX 50): not trusted;
        # the libraries torch bundles carry no code for the GPU (the attack10 RTX 5070 Ti paste).
        covered = None
    if covered and arch and not any(s.id == "cuda-error-209" for s in signals):
        # torch warned, but by NVIDIA's binary compatibility rule its code runs on this GPU:
        # torch 2.8 .. 2.12 compares the capability with its arch list's highest entry as a
        # number (12.1 > 12.0, though sm_120 cubins run on 12.1: pytorch/pytorch #164596, PR
        # #164590, #172629), and 2.13's new warning still fires on GB10 (#172629).
        source, result = covered
        params.update(arch_source=source, runs_as=result.how.value, target=str(result.target))
        return [finding_of("torch-arch-warning-harmless", "info", signals, ev, **params)]
    if covered:
        # torch itself has the kernels: the error came from an extension built without them.
        params["arch_source"] = covered[0]
        return [finding_of("cuda-no-kernel-image-in-extension", "error", signals, ev, **params)]
    if facts.jetson.is_jetson and not pytorch_wheels_run(facts.jetson):
        # PyTorch's own aarch64 CUDA builds are for server ARM (SBSA) and carry no code for
        # Orin's 8.7 and older (pytorch/pytorch #145560): NVIDIA's JetPack build is the way.
        python = ".".join((facts.python.version or "").split(".")[:2]) or None
        jetson = jetson_params(facts.jetson, python)
        if params["gpu"] is None and jetson["module"]:
            params["gpu"] = f"Jetson {jetson['module']}"
        params.update({f"jetson_{key}": value for key, value in jetson.items()}, jetson=True)
        return [finding_of("cuda-no-kernel-image", "error", signals, ev, **params)]
    found = _same_release_build(capability, facts, lookup) or build_with_kernels(
        capability, facts, lookup
    )
    upgrade = None
    if found is None and facts.nvidia.driver_version:
        last = last_driver_branch(capability)
        have = compat.parse_version(facts.nvidia.driver_version)
        if last is not None and have is not None and have.major >= last:
            params["last_branch"] = str(last)  # no newer driver supports this GPU
        else:
            found = _build_after_driver_upgrade(capability, facts, lookup)
            upgrade = True if found else None
    if found:
        release, variant = found
        cuda = _variant_cuda(variant)
        params.update(
            release=release,
            variant=variant,
            install=install_command(facts, ["--torch", release, "--cuda", cuda]),
            need=driver_floor_for(cuda, facts),
            driver=facts.nvidia.driver_version or None,
            upgrade_driver=upgrade,
            same_release=True if release == _release_of(facts.torch.version) else None,
        )
    else:
        params["driver"] = facts.nvidia.driver_version or None
        if capability.major < _OLDEST_MAJOR:
            # Fermi and older: no toolkit torch builds with compiles for it, so no source build
            # helps either; the CPU build is what runs.
            params["too_old_for_torch"] = True
            params["install"] = install_command(facts, ["--cuda", "cpu"])
    return [finding_of("cuda-no-kernel-image", "error", signals, ev, **params)]


def _release_of(version: Optional[str]) -> Optional[str]:
    """'2.13.0+cu126' -> '2.13'; None for None or no X.Y."""
    parts = (version or "").partition("+")[0].split(".")
    if len(parts) < 2 or not all(small_int(p) is not None for p in parts[:2]):
        return None
    return f"{small_int(parts[0])}.{small_int(parts[1])}"


def _same_release_build(
    capability: ComputeCapability, facts: Facts, lookup: BuildLookup
) -> Optional[tuple[str, str]]:
    """A build of the installed torch's own release whose arch list covers `capability` and
    whose driver floor this driver meets: torch 2.13's own advice ("Reinstall the same version
    against a CUDA build that does"); the release's PyPI default build where it is one of them
    (the CUDA build `pip install torch` gets), else its newest. None when the release is not
    known or has none."""
    release = _release_of(facts.torch.version)
    if release is None or release not in _RELEASES:
        return None
    system, arch = facts.os.system or "Linux", facts.os.arch or "x86_64"
    info = lookup(f"{release}.0", system, arch)
    if info is None:
        return None
    fits = []
    for variant in _variants_best_first(info.cuda_variants, facts):
        built = lookup(f"{release}.0+{variant}", system, arch)
        if built is None or not built.arch_list or not coverage(built.arch_list, capability):
            continue
        if _driver_ok(_variant_cuda(variant), facts):
            fits.append(variant)
    if not fits:
        return None
    return release, info.pypi_build if info.pypi_build in fits else fits[0]


def _running_torch_covers(
    capability: ComputeCapability,
    facts: Facts,
    lookup: BuildLookup,
    stated: Optional[dict[str, Any]],
) -> Optional[tuple[str, CoverageResult]]:
    """Whether the running torch's code runs on `capability` (model.capability's rule), and
    where its arch list was read: "torch" (torch.cuda.get_arch_list(): the list torch's warning
    prints, else doctor --deep's), "range" (torch 2.8 .. 2.12's "Minimum and Maximum ... (8.0) -
    (12.0)": its highest entry, same major and a minor at or below the GPU's, is code that runs
    there), "profile" (profiles/torch-X.Y.toml for the installed +cuXXX build). None when it
    does not cover it or nothing says."""
    stated = stated or {}
    listed = stated.get("supported") or facts.torch.deep.arch_list
    if listed:  # the warning's own list is that of the torch that warned
        result = coverage([str(a) for a in listed], capability)
        return ("torch", result) if result else None
    low = ComputeCapability.try_parse(stated.get("minimum"))
    high = ComputeCapability.try_parse(stated.get("maximum"))
    if high is not None:
        if (low is not None and capability < low) or high.major != capability.major:
            return None
        result = coverage([high.sm], capability)
        return ("range", result) if result else None
    if low is not None and capability < low:
        return None  # torch < 1.8's "too old": below the lowest entry, nothing runs
    version = facts.torch.version or ""
    if "+cu" not in version:
        return None
    system, arch = facts.os.system or "Linux", facts.os.arch or "x86_64"
    built = lookup(version, system, arch)
    if built is None or not built.arch_list:
        return None
    result = coverage(built.arch_list, capability)
    return ("profile", result) if result else None


# The oldest compute capability major any PyTorch runs on: torch 0.3 and 0.4 warn "Found GPU0
# GeForce 820M which is of cuda capability 2.1. PyTorch no longer supports this GPU because it is
# too old" (torch/cuda/__init__.py), and CUDA 9.0 removed Fermi (sm_2x) from nvcc (CUDA 9.0
# release notes), so no toolkit a later torch builds with compiles for it.
_OLDEST_MAJOR = 3


# The last driver branch that supports a GPU, by compute capability: R470 is the last branch for
# Kepler (NVIDIA, "Support plan for Kepler GPUs", support article 5202: Tesla K80/K40/K20/K10,
# Quadro K, GeForce 600/700). Other architectures are left out until a source says it: unknown
# is never claimed. Jetson TK1 (3.2) uses L4T, not this branch.
_LAST_BRANCH = {(3, 0): 470, (3, 5): 470, (3, 7): 470}


def last_driver_branch(capability: ComputeCapability) -> Optional[int]:
    """The last NVIDIA driver branch (major version) supporting a GPU of `capability`; None
    when newer branches support it or it is not known."""
    return _LAST_BRANCH.get((capability.major, capability.minor))
