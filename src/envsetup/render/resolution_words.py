"""The resolver's decision in words: its reasons (one line each), the profile facts it marks
unconfirmed, and a refusal's one-line reason and alternatives.

resolve/ says what, as codes with parameters (resolve/reasons.py, resolve/resolution.py); the
sentences live here. A verdict is worded by render/verdict_words.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional

from envsetup.compat.verdicts import Verdict, VerdictCode
from envsetup.profiles.release import STATUS_WORDS
from envsetup.render.verdict_words import describe, summarize_blocked
from envsetup.resolve.reasons import FactSubject, PythonOrigin, Reason, ReasonCode
from envsetup.resolve.request import compute_flag
from envsetup.resolve.resolution import AlternativeKind, RefusalCode

if TYPE_CHECKING:
    from envsetup.resolve.resolution import Alternative, Resolution, ResolutionRefused

Params = dict[str, Any]

# ----------------------------------------------------------------------------- reasons


def _release_chosen(p: Params) -> str:
    why = "as asked" if p["asked"] else "the newest release that fits"
    return (
        f"torch {p['torch']} (release {p['release']} of {p['release_date']}, {why}) "
        f"for {p['platform_key']} with {p['manager']}"
    )


def _python_chosen(p: Params) -> str:
    origin = PythonOrigin(p["origin"])
    if origin is PythonOrigin.ASKED:
        said = "as asked"
    elif origin is PythonOrigin.RUNNING:
        said = "the version of the Python doctor inspects here"
    elif origin is PythonOrigin.INSTALLED:
        said = f"the newest installed here that torch {p['release']} supports; nothing to download"
    else:
        provider = (
            f"{p['manager']} provides it"
            if p["manager"] != "pip"
            else "the running Python's version is unknown"
        )
        said = f"the newest torch {p['release']} supports; {provider}"
    return f"Python {p['python']} ({said}) is in {p['low']}–{p['high']}"


def _macos_build(p: Params) -> str:
    engine = "CPU and MPS (Apple silicon GPU)" if p["platform_key"] == "macos-arm64" else "CPU"
    return f"macOS: the PyPI wheel runs on {engine}"


def _rocm_as_asked(p: Params) -> str:
    found = f"ROCm {p['rocm']} found" if p["rocm"] else "no ROCm found on this machine"
    return f"{p['build']} build as asked; {found}"


def _auto_chosen(p: Params) -> str:
    gpus = ", ".join(dict.fromkeys(p["sms"])) or "no GPU listed"
    if not p.get("arch_known", True):
        return (
            f"auto: {p['build']} is the highest CUDA build of {p['release']} this driver runs "
            f"(GPU coverage of {gpus} unchecked)"
        )
    newer = p.get("minor_compat_only") or []
    if newer:
        # attack13 M1: cu118 over cu121 on a CUDA 12.0 driver; cu121 runs too, but only
        # through minor version compatibility, which a build the driver supports itself avoids.
        return (
            f"auto: {p['build']} is the highest CUDA build of {p['release']} this driver "
            f"supports itself whose arch list holds every GPU ({gpus}); {', '.join(newer)} "
            "would run only through CUDA minor version compatibility"
        )
    return (
        f"auto: {p['build']} is the highest CUDA build of {p['release']} this driver runs "
        f"whose arch list holds every GPU ({gpus})"
    )


def _cuda_major_chosen(p: Params) -> str:
    builds = ", ".join(p["builds"])
    return (
        f"--cuda {p['major']}: {p['build']}, the newest CUDA {p['major']}.x build of "
        f"{p['release']} this machine allows (of {builds})"
    )


def _auto_rocm_chosen(p: Params) -> str:
    gpus = ", ".join(p["gfx"])
    said = {
        "listed": f"whose gfx targets hold every AMD GPU ({gpus})",
        "unconfirmed": f"for the AMD GPUs ({gpus}; the build's gfx list is not confirmed)",
        "override": (
            f"for the AMD GPUs ({gpus}): set HSA_OVERRIDE_GFX_VERSION={p['override']} to run "
            "its code objects for their family's listed target"
        ),
        "hide": (
            f"for the AMD GPUs ({gpus}): it has no code for {', '.join(p.get('hide') or [])}, "
            "the processor's integrated GPU beside a discrete one or a GPU no one "
            "HSA_OVERRIDE_GFX_VERSION serves with the others (it applies to all of them): "
            "hide that GPU with ROCR_VISIBLE_DEVICES set to the other GPUs' indices"
            + (
                f", and set HSA_OVERRIDE_GFX_VERSION={p['override']} for the GPUs left"
                if p.get("override")
                else ""
            )
        ),
    }[p["coverage"]]
    return f"auto: no NVIDIA GPU; {p['build']} is the newest ROCm build of {p['release']} {said}"


_REASONS: dict[ReasonCode, Callable[[Params], str]] = {
    ReasonCode.RELEASE_CHOSEN: _release_chosen,
    ReasonCode.PYTHON_CHOSEN: _python_chosen,
    ReasonCode.MACOS_BUILD: _macos_build,
    ReasonCode.CPU_AS_ASKED: lambda p: (
        "CPU build as asked, although NVIDIA GPUs are present"
        if p["gpus_present"]
        else "CPU build as asked"
    ),
    ReasonCode.ROCM_AS_ASKED: _rocm_as_asked,
    ReasonCode.AUTO_NO_NVIDIA: lambda p: "no NVIDIA GPU or driver found: the CPU build",
    ReasonCode.ROCM_AVAILABLE: lambda p: (
        f"ROCm {p['rocm']} found: ask for a ROCm build with --cuda {p['build']}"
    ),
    ReasonCode.AUTO_CHOSEN: _auto_chosen,
    ReasonCode.CUDA_MAJOR_CHOSEN: _cuda_major_chosen,
    ReasonCode.AUTO_ROCM_CHOSEN: _auto_rocm_chosen,
    ReasonCode.AUTO_ROCM_NONE: lambda p: (
        f"auto: no ROCm build of {p['release']} has code for {', '.join(p['gfx'])} (and no "
        "override runs a listed sibling): the CPU build"
    ),
    ReasonCode.JETSON_BUILD: lambda p: (
        f"a Jetson {p['module'] or ''} (L4T R{p['l4t']}, JetPack {p['jetpack']}): NVIDIA's JetPack "
        f"build, torch {p['torch']} with CUDA {p['cuda']} for Python {p['python']}; PyTorch's own "
        "aarch64 wheels do not use its integrated GPU"
    ),
    ReasonCode.INDEX: lambda p: (
        f"from {p['index_url']}"
        if p["index_url"]
        else "from PyPI (the official command for this platform)"
    ),
    ReasonCode.CONDA_CHANNELS: lambda p: f"conda channels {', '.join(p['channels'])}: {p['why']}",
    ReasonCode.UNCONFIRMED_FACTS: lambda p: (
        "rests on unconfirmed facts: " + "; ".join(unconfirmed_line(f) for f in p["facts"])
    ),
}


def reason_line(reason: Reason) -> str:
    """One line for people (no trailing period)."""
    if reason.verdict is not None:
        return describe(reason.verdict)
    return _REASONS[reason.code](reason.params)


def explanation(resolution: Resolution, index_url: Optional[str] = None) -> list[str]:
    """Why this plan: one line per reason, in the resolver's order. `index_url`: the index the
    plan really uses (after --index-url-base), named in place of the profile's official one."""
    return [_reason_line_from(reason, index_url) for reason in resolution.reasons]


def _reason_line_from(reason: Reason, index_url: Optional[str]) -> str:
    if reason.code is ReasonCode.INDEX and index_url and reason.params.get("index_url") != index_url:  # fmt: skip
        return f"from {index_url} (the mirror of {reason.params['index_url'] or 'PyPI'})"
    return reason_line(reason)


# ----------------------------------------------------------------------------- unconfirmed facts

_SUBJECTS: dict[FactSubject, Callable[[Params], str]] = {
    FactSubject.RELEASE: lambda p: f"torch {p['release']}",
    FactSubject.PATCH: lambda p: f"torch {p['torch']}",
    FactSubject.BUILD: lambda p: f"{p['build']} on {p['platform_key']}",
    FactSubject.GLIBC_FLOOR: lambda p: f"glibc floor of torch {p['release']}",
    FactSubject.PYTHON_RANGE: lambda p: f"Python range of torch {p['release']}",
    FactSubject.CONDA_RECIPE: lambda p: f"conda recipe of torch {p['release']}",
}


def unconfirmed_line(fact: Any) -> str:
    """An UnconfirmedFact (or its to_dict()) in words: "torch 2.8.0: torchvision is unconfirmed
    in the profile"."""
    data = fact if isinstance(fact, dict) else fact.to_dict()
    what = _SUBJECTS[FactSubject(data["subject"])](data)
    return f"{what}: {data['key']} is {STATUS_WORDS['U']} in the profile"


def unconfirmed_lines(resolution: Resolution) -> list[str]:
    return [unconfirmed_line(fact) for fact in resolution.unconfirmed]


# ----------------------------------------------------------------------------- refusals


def _no_such_build(p: Params) -> str:
    kind = "CUDA" if p["kind"] == "cuda" else "ROCm"
    if p["release"] is None:
        listed = ", ".join(compute_flag(name) for name in p["builds"]) or "none"
        return (
            f"--cuda {compute_flag(p['build'])}: no torch release envsetup knows "
            f"({p['oldest']}–{p['newest']}) has that build for {p['platform_key']} "
            f"({kind} builds: {listed})"
        )
    if kind == "ROCm":
        listed = ", ".join(p["builds"]) or "none"
        return (
            f"torch {p['release']} has no {p['build']} build for {p['platform_key']} "
            f"(ROCm builds: {listed})"
        )
    listed = ", ".join(compute_flag(name) for name in p["builds"]) or "none"
    return (
        f"torch {p['release']} has no CUDA {compute_flag(p['build'])} build for "
        f"{p['platform_key']} (CUDA builds: {listed})"
    )


def _no_cuda_build_runs(p: Params, verdicts: tuple[Verdict, ...]) -> str:
    """Each CUDA build of the release and why it cannot run, in the release's order."""
    problems = []
    for build in p["builds"]:
        blocking = [v for v in verdicts if v.params.get("build") == build]
        if blocking:
            problems.append(summarize_blocked(build, blocking))
    reason = "; ".join(problems) if problems else f"it has no CUDA build for {p['platform_key']}"
    return f"no CUDA build of torch {p['release']} runs here: {reason}"


_REFUSALS: dict[RefusalCode, Callable[[Params], str]] = {
    RefusalCode.NO_PROFILES: lambda p: "no release profiles are loaded",
    RefusalCode.NO_PLATFORM: lambda p: (
        f"PyTorch publishes no wheels for {p['system'] or 'an unknown OS'} on "
        f"{p['arch'] or 'an unknown CPU architecture'}"
    ),
    RefusalCode.UNKNOWN_RELEASE: lambda p: (
        f"torch {p['torch']} is not a release envsetup has a profile for "
        f"({p['oldest']}–{p['newest']})"
    ),
    RefusalCode.UNKNOWN_PATCH: lambda p: (
        f"torch {p['torch']} is not a known patch of {p['release']} ({', '.join(p['known'])})"
    ),
    RefusalCode.NO_SUCH_BUILD: _no_such_build,
    RefusalCode.PIP_PYTHON_MISMATCH: lambda p: (
        f"pip builds the environment with the version of the Python doctor inspects here "
        f"({p['running']}), "
        f"not Python {p['python']}"
    ),
    RefusalCode.NO_GPU_BUILDS_ON_MACOS: lambda p: (
        f"--cuda {compute_flag(p['build'])}: there are no CUDA or ROCm builds for macOS; "
        "PyTorch on a Mac runs on the CPU and, on Apple silicon, on the GPU through MPS"
    ),
    RefusalCode.NO_CONDA_PACKAGE: lambda p: (
        f"torch {p['release']} has no conda package: {p['why']}"
    ),
    RefusalCode.JETSON_BUILD_ONLY: lambda p: (
        f"{_jetson(p)}: PyTorch's {p['build']} build does not use its integrated GPU; "
        "--cuda auto picks NVIDIA's JetPack build"
    ),
    RefusalCode.JETSON_NO_INDEX: lambda p: (
        f"{_jetson(p)}: envsetup knows no pip index of NVIDIA's torch builds for this JetPack "
        f"release; its wheels are listed at {p['page'] or 'https://github.com/pytorch/pytorch#nvidia-jetson-platforms'}"
        if p.get("jetpack")
        else f"{_jetson(p)}: envsetup does not know this JetPack release nor NVIDIA's torch "
        "builds for it; NVIDIA lists its Jetson wheels at "
        "https://github.com/pytorch/pytorch#nvidia-jetson-platforms and https://pypi.jetson-ai-lab.io"
    ),
    RefusalCode.JETSON_NO_SUCH_RELEASE: lambda p: (
        f"{_jetson(p)}: NVIDIA's index {p['index_url']} has torch {p['known']}, not {p['torch']}"
    ),
    RefusalCode.JETSON_NO_CONDA: lambda p: (
        f"{_jetson(p)}: NVIDIA's JetPack builds of torch are pip wheels ({p['index_url']}), not conda packages"
    ),
    RefusalCode.JETSON_PYTHON: lambda p: (
        f"{_jetson(p)}: NVIDIA's JetPack builds on {p['index_url']} are for Python "
        f"{p['wheels_python']} only, not {p['python']}"
    ),
    RefusalCode.NO_CONDA_RECIPE: lambda p: (
        f"torch {p['release']} has no conda recipe for the {p['build']} build on "
        f"{p['platform_key']}"
    ),
}

# The machine's refusals of one release, whose reason is a verdict said for that release.
_MACHINE_REFUSALS: dict[VerdictCode, Callable[[Params, Verdict], str]] = {
    VerdictCode.NO_BUILD_FOR_PLATFORM: lambda p, v: (
        f"torch {p['release']} has no wheels for {p['platform_key']}"
    ),
    VerdictCode.GLIBC_BELOW_FLOOR: lambda p, v: (
        f"torch {p['release']} wheels for {p['platform_key']} need glibc ≥ {v['need']}; "
        f"this system has glibc {v['have']}"
    ),
    VerdictCode.MUSL_LIBC: lambda p, v: (
        f"torch {p['release']} wheels for {p['platform_key']} need glibc"
        f"{' ≥ ' + v['need'] if v.params.get('need') else ''} (manylinux); this system runs musl libc "
        "(Alpine), which cannot load them; use a glibc-based system or image (Debian, Ubuntu; "
        "python:3.X-slim rather than -alpine)"
    ),
    VerdictCode.PYTHON_OUTSIDE_RANGE: lambda p, v: (
        f"Python {p['python']} is not supported by torch {p['release']} "
        f"(wheels for {p['low']}–{p['high']})"
    ),
}


def _jetson(p: Params) -> str:
    """'a Jetson Orin (L4T R36.4.3, JetPack 6)'; the parts not known are left out."""
    name = " ".join(x for x in ("a Jetson", p.get("module")) if x)
    release = ", ".join(
        x
        for x in (
            f"L4T R{p['l4t']}" if p.get("l4t") else "",
            f"JetPack {p['jetpack']}" if p.get("jetpack") else "",
        )
        if x
    )
    return f"{name} ({release})" if release else name


def refusal_reason(refusal: ResolutionRefused) -> str:
    """The reason of a refusal in one clause (no trailing period)."""
    code, p = refusal.code, refusal.params
    if code is RefusalCode.NO_RELEASE_FITS:
        assert refusal.cause is not None
        detail = refusal_reason(refusal.cause)
        said = f"no release fits this machine; for the newest, torch {p['release']}: {detail}"
        nearer = refusal.nearer
        if nearer is not None and nearer.params.get("release"):
            # The next constraint that binds: what stops the newest release the first block
            # lets through (Python 3.6 for torch 2.5 on glibc 2.27).
            said += (
                f"; the newest release without that block, torch {nearer.params['release']}: "
                f"{refusal_reason(nearer)}"
            )
        return said
    if code is RefusalCode.NO_CUDA_BUILD_RUNS:
        return _no_cuda_build_runs(p, refusal.verdicts)
    if isinstance(code, RefusalCode):
        return _REFUSALS[code](p)
    if code in _MACHINE_REFUSALS:
        verdict = next((v for v in refusal.verdicts if v.code is code), Verdict(code))
        return _MACHINE_REFUSALS[code](p, verdict)
    # A build the driver or the GPUs cannot run: every blocking verdict, said.
    return "; ".join(describe(v) for v in refusal.verdicts)


def alternative_words(alternative: Alternative) -> str:
    """ "--cuda 11.8", "--torch 2.10 (cu128)", "upgrade the NVIDIA driver to ≥ 450.80.02"..."""
    kind = alternative.kind
    if kind is AlternativeKind.UPGRADE_DRIVER:
        return f"upgrade the NVIDIA driver to ≥ {alternative.driver}"
    if kind is AlternativeKind.REINSTALL:
        return "reinstall envsetup"
    if kind is AlternativeKind.SUPPORTED_MACHINE:
        return "a Linux x86_64/aarch64, Windows x86_64 or macOS machine"
    build = f" ({alternative.build})" if alternative.build else ""
    return " ".join(alternative.flags) + build


def alternatives_words(refusal: ResolutionRefused) -> list[str]:
    return [alternative_words(a) for a in refusal.alternatives]


def refusal_note(refusal: ResolutionRefused) -> str:
    """The reason with its alternatives in brackets: check-command's note under no *Instead*."""
    alternatives = alternatives_words(refusal)
    tried = f" (try: {', '.join(alternatives)})" if alternatives else ""
    return f"{refusal_reason(refusal)}{tried}"
