"""Building CUDA extensions in words (diagnose/extension_rules.py says what; this says it to people).

One WordFn per finding id, made from the finding's params only (docs/findings.md, "## extension").
Every path put into a command is quoted for a POSIX shell: a fix must paste safely.
"""

from __future__ import annotations

import shlex
from typing import Any, Mapping

from envsetup.render.finding_words import WordFn, Words

P = Mapping[str, Any]


def _toolkit_fix(p: P, release: Any) -> str:
    """Install (or point at) the toolkit of `release`, then CUDA_HOME and PATH at it."""
    if release is None:
        return "Install a CUDA toolkit that fits, then point CUDA_HOME and PATH at it."
    installed = p.get("installed_match")  # found to fit `release` (diagnose/extension_rules)
    if installed:
        home = shlex.quote(str(installed))
        major = str(release).split(".")[0]
        return (
            f"A CUDA {major} toolkit torch can build with (CUDA {release} or a newer {major}.x: "
            f"torch.utils.cpp_extension accepts a newer minor) is installed at {installed}: build "
            f'with it: `export CUDA_HOME={home} PATH={home}/bin:"$PATH"`.'
        )
    home = shlex.quote(f"/usr/local/cuda-{release}")
    return (
        f"Install the CUDA {release} toolkit (NVIDIA's installer or its cuda-toolkit-"
        f"{str(release).replace('.', '-')} package; in a conda environment conda's cuda-nvcc "
        f"{release}), then point CUDA_HOME and PATH at it, e.g. "
        f'`export CUDA_HOME={home} PATH={home}/bin:"$PATH"`, and rebuild the extension.'
    )


def _where(p: P) -> str:
    """'at /usr/bin/nvcc (nvcc on PATH)'; 'on PATH' for a pasted bare `nvcc`."""
    if p.get("pasted"):  # torch.utils.cpp_extension's own message: its CUDA_HOME, else nvcc
        return "(the toolkit torch.utils.cpp_extension found: CUDA_HOME, else the nvcc on PATH)"
    path = str(p.get("nvcc_path") or "")
    if "/" not in path and "\\" not in path:
        return "on PATH"
    return f"at {path} ({p.get('cuda_home_from')})"


def _major_mismatch(p: P) -> Words:
    nvcc_release = ".".join(str(p["nvcc"]).split(".")[:2])
    if p.get("pasted"):
        title = (
            f"The CUDA extension build stopped: nvcc {p['nvcc']} {_where(p)} is CUDA "
            f"{str(p['nvcc']).split('.')[0]}, torch is built with CUDA {p['torch_cuda']} "
            "(torch.utils.cpp_extension raises 'The detected CUDA version mismatches the "
            "version that was used to compile PyTorch' for another major)"
        )
    else:
        title = (
            f"CUDA extensions will not build: nvcc {p['nvcc']} {_where(p)} is CUDA "
            f"{str(p['nvcc']).split('.')[0]}, torch is built with CUDA {p['torch_cuda']} "
            "(torch.utils.cpp_extension stops: 'The detected CUDA version mismatches the version "
            "that was used to compile PyTorch')"
        )
    other_torch = (
        ""
        if p.get("installed_match")
        else f" Or keep nvcc {p['nvcc']} and install a torch built for CUDA {nvcc_release} or "
        f"another {str(p['nvcc']).split('.')[0]}.x, if one exists for your torch release "
        "(https://pytorch.org/get-started/previous-versions/ lists them)."
    )
    return Words(title, _toolkit_fix(p, p.get("torch_release")) + other_torch)


def _minor_check_raised(p: P) -> Words:
    """torch.utils.cpp_extension raised on a same-major difference (extension_signals)."""
    nvcc, wanted = p["nvcc"], p["torch_cuda"]
    if p.get("copied_check"):
        why = (
            f"torch {p['torch']} only warns on a minor difference: this RuntimeError comes from "
            "a copy of torch's old check (the extension's own setup.py)"
        )
        fix = (
            f"Build with CUDA {wanted} (below), or relax the copied check in the extension's "
            "setup.py to compare majors only, as torch does."
        )
    else:
        why = (
            "torch before 2.1 raises this on any difference when the build's setuptools is "
            "older than 49.4-49.6, whose packaging has no .major for its check, pytorch/pytorch "
            "PR #97602; newer torch only warns"
        )
        fix = (
            'In the environment that builds, `pip install -U "setuptools>=49.6"` and build '
            "again (with pip, `pip install --no-build-isolation ...` so the build uses it)."
        )
    return Words(
        f"The CUDA extension build stopped: nvcc is CUDA {nvcc}, torch is built with CUDA "
        f"{wanted} (the same major; {why})",
        f"{fix} Or: {_toolkit_fix({**p, 'torch_release': wanted}, wanted)}",
    )


def _older(p: P) -> Words:
    return Words(
        f"nvcc {p['nvcc']} {_where(p)} is older than torch's CUDA {p['torch_cuda']}: "
        "CUDA extensions build against older CUDA headers than torch's and may fail",
        _toolkit_fix(p, p.get("torch_release")),
    )


def _no_gpu_arch(p: P) -> Words:
    archs = ", ".join(p.get("archs") or [])
    if p.get("needs"):
        why = f"nvcc compiles for {archs} from CUDA {p['needs']} on"
    else:
        why = f"CUDA {p.get('removed_in')} dropped {archs} from nvcc"
    return Words(
        f"nvcc {p['nvcc']} {_where(p)} cannot compile for {archs} ({why}; 'nvcc fatal: "
        "Unsupported gpu architecture'): CUDA extensions will not build for this GPU",
        _toolkit_fix(p, p.get("install"))
        if p.get("install") or not p.get("removed_in")
        else f"Build with a CUDA toolkit older than {p['removed_in']} (and a torch built with "
        "one that still lists this GPU), pointing CUDA_HOME and PATH at it.",
    )


def _host_compiler(p: P) -> Words:
    family, version = p["compiler"], p["compiler_version"]
    accepted = f"{family} {p['lowest']} to {p['highest']}"
    if p.get("too") == "new":
        title = (
            f"{family} {version} is newer than nvcc {p['nvcc']} accepts ({accepted}): nvcc stops "
            "with 'unsupported GNU version' and CUDA extensions will not build"
            if family == "gcc"
            else f"{family} {version} is newer than nvcc {p['nvcc']} accepts ({accepted}): "
            "CUDA extensions will not build"
        )
        cc, cxx = (
            (f"gcc-{p['highest']}", f"g++-{p['highest']}")
            if family == "gcc"
            else (f"clang-{p['highest']}", f"clang++-{p['highest']}")
        )
        fix = (
            f"Install {family} {p['highest']} (e.g. `sudo apt install {cc} {cxx}`) and build "
            f"with `CC={cc} CXX={cxx}` (torch passes CC to nvcc as -ccbin; or nvcc's "
            f"`-ccbin {cc}`), or use a CUDA toolkit whose nvcc supports {family} {version}."
        )
        chosen_by = str(p.get("chosen_by", "PATH"))
        if chosen_by.startswith("-ccbin in "):
            # a -ccbin in nvcc's own flag variables comes before torch's CC: change it there
            fix += f" The compiler is chosen by {chosen_by}: change or unset it there."
    else:
        title = (
            f"{family} {version} is older than nvcc {p['nvcc']} accepts ({accepted}): CUDA "
            "extensions will not build"
        )
        fix = f"Install {family} {p['lowest']} or newer and build with it (`CC=... CXX=...`)."
    return Words(title, fix)


def _export(home: Any) -> str:
    quoted = shlex.quote(str(home))
    return f'`export CUDA_HOME={quoted} PATH={quoted}/bin:"$PATH"`'


def _arch_unsupported(p: P) -> Words:
    """nvcc's pasted 'Unsupported gpu architecture' (diagnose/extension_signals.judge_nvcc_arch)."""
    sm, arch = p["sm"], p.get("arch") or p["sm"]
    nvcc = f"nvcc {p['nvcc']}" if p.get("nvcc") else "This nvcc"
    said = f'"nvcc fatal: {p.get("said") or f"Unsupported gpu architecture {arch}"}"'
    first, removed = p.get("first"), p.get("removed_in")
    span = (
        f"nvcc compiles for {sm} from CUDA {first} on"
        + (f", until CUDA {removed} dropped it" if removed else "")
        if first
        else f"envsetup's nvcc table does not list {sm}"
    )
    gpus = ", ".join(p.get("gpus") or [])
    if p.get("reason") == "removed":
        title = (
            f"{nvcc} no longer compiles for {sm} ({said}; {span}): the build's arch list asks "
            f"for {sm}, so it stopped"
        )
        if p.get("gpu_has"):
            fix = (
                f"This GPU is {sm}: build with a CUDA toolkit older than {removed} (and a torch "
                f"built with one that still lists {sm}), pointing CUDA_HOME and PATH at it."
            )
        else:
            keep = ";".join(p.get("keep") or [])
            fix = (
                f"Take {p['capability']} out of the build's arch list: the -gencode/-arch flags "
                "in its setup.py, CMakeLists.txt or Makefile, or TORCH_CUDA_ARCH_LIST"
                + (
                    f' (e.g. `export TORCH_CUDA_ARCH_LIST="{keep}"`, the rest of its list)'
                    if keep
                    else ""
                )
                + ", then rebuild."
                + (f" The GPU ({gpus}) does not need {sm}." if p.get("gpu_has") is False else "")
                + (
                    f" Only if the GPU itself is {sm}: build with a CUDA toolkit older than {removed}."
                    if p.get("gpu_has") is None
                    else ""
                )
            )
        return Words(title, fix)
    if p.get("reason") == "too-new":
        title = (
            f"{nvcc} cannot compile for {sm} ({said}; {span}): the CUDA build stopped"
            if p.get("nvcc")
            else f"This nvcc is older than CUDA {first}, the first whose nvcc compiles for {sm} "
            f"({said}): the CUDA build stopped"
        )
        if p.get("gpu_has") is False:
            return Words(
                title,
                f"The GPU ({gpus}) is not {sm}: take {p['capability']} out of the build's arch list "
                "(TORCH_CUDA_ARCH_LIST, or the -gencode/-arch flags of its setup.py, CMakeLists.txt "
                f"or Makefile), or build with CUDA {first} or newer.",
            )
        if p.get("installed"):
            fix = (
                f"A toolkit that knows {sm} is installed at {p['installed']}: build with it: "
                f"{_export(p['installed'])}, and rebuild."
            )
        else:
            fix = _toolkit_fix(p, p.get("install"))
        if p.get("stand_in"):
            runs = "runs on" if "+PTX" not in str(p["stand_in"]) else "is JIT-compiled for"
            fix += (
                f' Or keep {nvcc}: `export TORCH_CUDA_ARCH_LIST="{p["stand_in"]}"` before '
                f"rebuilding (that code {runs} {sm})."
            )
        return Words(title, fix)
    return Words(
        f"{nvcc} does not know {arch} ({said}): the CUDA build stopped",
        "Use a CUDA toolkit whose nvcc lists it (`nvcc --list-gpu-arch`), or take it out of the "
        "build's arch list (TORCH_CUDA_ARCH_LIST, -gencode/-arch flags).",
    )


def _nvcc_not_found(p: P) -> Words:
    """A build ran CUDA_HOME/bin/nvcc and there is none (diagnose/extension_signals)."""
    path, home = p["path"], p.get("cuda_home")
    if p.get("listed"):
        parts = p.get("parts") or []
        one = p.get("installed") or (parts[-1] if parts else "/usr/local/cuda")
        return Words(
            f"The build ran {path}, which cannot exist: CUDA_HOME is a ':'-separated list "
            f"({home}), but torch.utils.cpp_extension and build scripts take CUDA_HOME as one "
            "directory and append bin/nvcc",
            f"Set CUDA_HOME to one toolkit root, without ':' or /bin: {_export(one)} (and fix the "
            "line in ~/.bashrc that appends to CUDA_HOME), then rebuild.",
        )
    if p.get("quoted"):
        bare = str(home).replace("'", "").replace('"', "")
        return Words(
            f"The build ran {path}, which cannot exist: CUDA_HOME ({home}) holds quote "
            "characters, which become part of the path (a value quoted twice where it was set)",
            f"Set CUDA_HOME without quotes inside it: {_export(bare)} (check the line in "
            "~/.bashrc or the build script that sets it), then rebuild.",
        )
    installed = p.get("installed")
    fix = (
        f"Point CUDA_HOME at the toolkit that is installed: {_export(installed)}, then rebuild."
        if installed
        else "Run `ls -d /usr/local/cuda*` and `which nvcc` to find the installed toolkit, then "
        "point CUDA_HOME at its root (one directory, the folder holding bin/nvcc; no ':' list, no "
        "/bin), e.g. `export CUDA_HOME=/usr/local/cuda-X.Y`, or install the CUDA toolkit there."
    )
    return Words(
        f"The build ran {path}, which does not exist: no CUDA toolkit is installed at "
        f"{home or 'the root it names'} (CUDA_HOME, else torch's default /usr/local/cuda, or the "
        "build script's own path)",
        fix,
    )


def _cuda_home_unusable(p: P) -> Words:
    """doctor: CUDA_HOME set to something that is no toolkit root (extension_rules)."""
    variable, home = p.get("variable", "CUDA_HOME"), p["cuda_home"]
    why = {
        "list": "a ':'-separated list, not one directory",
        "quoted": "a path with quote characters in it",
        "bin": "the toolkit's bin directory, not its root",
        "no-nvcc": "a directory without bin/nvcc: no CUDA toolkit is installed there",
    }.get(str(p.get("problem")), "no toolkit root")
    target = p.get("suggest")
    fix = (
        f"Set {variable} to one toolkit root: {_export(target).replace('CUDA_HOME', variable, 1)}"
        if target
        else f"Set {variable} to one toolkit root (the folder holding bin/nvcc; `ls -d "
        "/usr/local/cuda*`), or unset it"
    )
    return Words(
        f"{variable} is {home!r}, {why}: CUDA extension builds (torch.utils.cpp_extension, "
        f"setup.py) run {variable}/bin/nvcc and fail",
        fix + " and fix the line that sets it (e.g. `export CUDA_HOME=$CUDA_HOME:...` in "
        "~/.bashrc); then rebuild.",
    )


WORDS: dict[str, WordFn] = {
    "extension-cuda-minor-check-raised": _minor_check_raised,
    "extension-cuda-home-unusable": _cuda_home_unusable,
    "nvcc-gpu-arch-unsupported": _arch_unsupported,
    "nvcc-not-found": _nvcc_not_found,
    "extension-nvcc-major-mismatch": _major_mismatch,
    "extension-nvcc-older": _older,
    "extension-nvcc-no-gpu-arch": _no_gpu_arch,
    "extension-host-compiler-unsupported": _host_compiler,
}
