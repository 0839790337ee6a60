"""Findings from the dynamic loader's errors in words: a shared library not found, a symbol
missing (another torch's C++ ABI), a dangling /usr/local/cuda, another cuDNN loaded, a Windows
DLL that does not load. Judged in diagnose/signal_rules.py (library_signals.py, dll_signals.py).
"""

from __future__ import annotations

import shlex
from typing import Any, Mapping

from envsetup.render.finding_words import WordFn, Words
from envsetup.render.words.params import known as _known
from envsetup.render.words.params import or_unknown as _or


def _library_not_found(p: Mapping[str, Any]) -> Words:
    library = _or(p, "library")
    needed = f" (needed by {p['needed_by']})" if p.get("needed_by") else ""
    if p.get("program") and not p.get("needed_by"):
        needed = f" (needed by {p['program']})"
    title = f"The dynamic loader cannot find {library}{needed}"
    if p.get("not_torch") and p.get("provider") != "driver":
        fix = _library_for_program(p, library)
    elif p.get("provider") == "driver":
        fix = (
            f"{library} comes with the NVIDIA driver, not with torch: install the driver (in "
            "WSL: put /usr/lib/wsl/lib on LD_LIBRARY_PATH; in a container: run it with `--gpus all`)."
        )
        if p.get("unversioned"):
            fix += f" If {library}.1 exists, the unversioned link is missing: run `sudo ldconfig`."
    elif p.get("wanted_cudnn"):
        fix = (
            f"{library} is cuDNN {p['wanted_cudnn']}, but this torch ships cuDNN {_or(p, 'pin')} "
            f"({p['provider']}): the program asking for it was built for cuDNN "
            f"{p['wanted_cudnn']}; install a version of that program built for this cuDNN, or "
            f"give it its own environment with `pip install '{p['provider']}=={p['wanted_cudnn']}.*'`."
        )
    elif p.get("provider"):
        pin = f"=={p['pin']}" if p.get("pin") else ""
        fix = (
            f"This torch build gets {library} from the {p['provider']} wheel: "
            f"`pip install {p['provider']}{pin}` into the same environment, and keep other CUDA "
            "directories off LD_LIBRARY_PATH"
        )
        fix += f"; or reinstall: `{_or(p, 'install')}`."
    else:
        # No nvidia-* wheel ships this soname for this torch (diagnose/library_signals.py):
        # a CUDA 10 library, or one whose wheel line the machine's CUDA does not decide.
        fix = (
            f"No nvidia-* pip wheel envsetup knows provides {library} for this torch: it comes "
            "from the CUDA toolkit torch was built for (on a Jetson from JetPack, which an l4t "
            "container gets from the host through the NVIDIA runtime): install that toolkit and "
            "put its lib directory on the loader's path (`ldconfig -p | grep "
            f"{library.split('.so', 1)[0]}` shows what is there), or reinstall torch with its "
            f"CUDA libraries: `{_or(p, 'install')}`."
        )
    return Words(title, fix)


def _library_for_program(p: Mapping[str, Any], library: str) -> str:
    """The fix when the program that failed is not torch: install the library it asks for."""
    program = p.get("program") or "The program"
    if p.get("family") == "cudnn":
        major = _or(p, "library_major", "")
        fix = (
            f"{program} needs cuDNN {major} ({library}), which this system does not provide: "
            f"install it, either NVIDIA's package (`libcudnn{major}` from NVIDIA's CUDA "
            "repository, or the distribution's)"
        )
    else:
        fix = (
            f"{program} needs {library}, which this system does not provide: install it "
            "(the CUDA toolkit's runtime libraries of that major version)"
        )
    if p.get("wheel"):
        fix += (
            f", or `pip install '{p['wheel']}'` and put the wheel's lib directory (under "
            "site-packages/nvidia/) on LD_LIBRARY_PATH"
        )
    return fix + "; then check with `ldconfig -p | grep " + library.split(".so", 1)[0] + "`."


def _cuda_symlink(p: Mapping[str, Any]) -> Words:
    link = _or(p, "link", "/usr/local/cuda")
    why = (
        "into a temporary directory"
        if p.get("reason") == "temporary-target"
        else "at a directory the listing does not show"
    )
    title = f"{link} points {why}{_known(p.get('target'))}: the link is dangling"
    if p.get("toolkit"):
        fix = f"Point it at the installed toolkit: `sudo ln -sfn {p['toolkit']} {link}`."
    else:
        fix = (
            "Point it at an installed toolkit: `ls -d /usr/local/cuda-*`, then "
            f"`sudo ln -sfn /usr/local/cuda-X.Y {link}` (or reinstall the CUDA toolkit)."
        )
    return Words(title, fix)


def _symbol(p: Mapping[str, Any]) -> Words:
    if p.get("torch_abi"):
        # A compiled extension (or libtorch's user) linked against another torch's C++ API.
        ext = _or(p, "library", "A compiled extension")
        return Words(
            f"{ext} was built against another torch: torch's C++ symbol "
            f"{_or(p, 'symbol', '?')} is not in the torch installed",
            "Rebuild or reinstall that extension against the torch installed (`pip install "
            "--no-build-isolation --force-reinstall <package>`, or its wheel made for this "
            "torch and CUDA version), or install the torch it was built for.",
        )
    lib = _or(p, "symbol_library", "CUDA library")
    title = (
        f"{_or(p, 'library', 'A library')} needs {_or(p, 'symbol', 'a symbol')} from "
        f"{lib if p.get('symbol_library') else 'a ' + lib}, but the {lib} the loader found is older"
    )
    if p.get("shadowing"):
        dirs = ", ".join(p["shadowing"])
        fix = (
            f"LD_LIBRARY_PATH puts {dirs} ahead of torch's own {lib}: remove it when running torch "
            "(`env -u LD_LIBRARY_PATH python ...`, or drop that entry from the export)."
        )
    elif p.get("conda_package"):
        # diagnose/library_signals.judge_undefined_symbol: the library is conda's, not a wheel's
        package, prefix = p["conda_package"], p["conda_prefix"]
        spec = f"{package}>={p['api_version']}" if p.get("api_version") else package
        fix = (
            f"{_or(p, 'library', 'The library')} is the conda environment's ({prefix}/lib) and "
            f"takes {lib} from beside it first: conda's {package}, older than it needs. Update "
            f"it: `conda install -p {shlex.quote(str(prefix))} {shlex.quote(spec)}`, keeping the "
            "environment's CUDA packages at one CUDA version (its `cuda-version` package); a "
            "pip wheel would not be the one loaded."
        )
    elif p.get("wheel"):
        pin = f"=={p['pin']}" if p.get("pin") else ""
        fix = (
            f"Another {lib} shadows the {p['wheel']} wheel's (check LD_LIBRARY_PATH and "
            f"/etc/ld.so.conf.d); or reinstall it: `pip install {p['wheel']}{pin}`."
        )
    else:
        fix = (
            f"An older {lib} shadows the one torch was built with: check LD_LIBRARY_PATH and "
            "conda's cudatoolkit; reinstall torch in a fresh environment."
        )
    return Words(title, fix)


def _dll_load(p: Mapping[str, Any]) -> Words:
    """windows-dll-load-failed (diagnose/dll_signals.py has the facts and their sources)."""
    library = p.get("library") or (f"a DLL of {p['module']}" if p.get("module") else "a DLL")
    code = f" (WinError {p['winerror']})" if p.get("winerror") is not None else ""
    whose = "torch's own " if p.get("torch_lib") else ""
    title = f"Windows could not load {whose}{library} or a DLL it depends on{code}"
    vc = (
        "install the latest Microsoft Visual C++ Redistributable (x64): "
        "https://aka.ms/vs/17/release/vc_redist.x64.exe"
    )
    fixes = {
        "fbgemm-libomp": (
            "torch 2.4.0's Windows fbgemm.dll needs libomp140.x86_64.dll, which that wheel does "
            "not ship (pytorch/pytorch#131662): install torch 2.4.1 or newer "
            "(`pip install --upgrade torch`, from the same index), or go back to 2.3.1; "
            f"if it persists, {vc}"
        ),
        "wrong-architecture": (
            f"{library} is built for another architecture (32-bit vs 64-bit): use a 64-bit "
            "Python and reinstall the package in a fresh environment"
        ),
        "procedure-not-found": (
            f"Another version of a DLL {library} needs is found first (on PATH or next to the "
            "program): remove that folder from PATH, then reinstall torch in a fresh environment"
        ),
    }
    fix = fixes.get(
        str(p.get("reason")),
        f"The DLL or one it depends on is missing: {vc}, restart, and if it persists reinstall "
        "torch in a fresh environment",
    )
    return Words(title, fix + ".")


def _glibc_too_old(p: Mapping[str, Any]) -> Words:
    need = p["need"]
    name = p.get("required_by_name") or "a library"
    have = f" (glibc {p['have']})" if p.get("have") else ""
    title = f"{name} needs glibc {need} or newer, but this system's C library is older{have}"
    newer_system = (
        "or run it on a newer distribution or in a container of one (Ubuntu 22.04 has glibc 2.35)"
    )
    owner = p.get("owner")
    if owner == "other":
        fix = (
            f"{name} is not torch's: that package's build needs glibc {need}. Install a build of "
            f"it made for this system's glibc (an older release of it, or built from source), "
            f"{newer_system}; reinstalling torch does not change it."
        )
    elif owner == "cuda-library":
        fix = (
            f"{name}, a CUDA library torch loads, needs glibc {need}: install a torch build whose "
            f"CUDA libraries run on this glibc (`{p['install']}` checks the glibc floor of each "
            f"release), {newer_system}. The glibc itself cannot be upgraded in place."
        )
    else:
        torch = f"torch {p['torch']}" if p.get("torch") else "This torch"
        fix = (
            f"{torch} is built for glibc {need} or newer: `{p['install']}` picks the newest "
            f"release whose wheels run on this glibc (a wheel's manylinux tag names its floor), "
            f"{newer_system}. The glibc itself cannot be upgraded in place."
        )
    return Words(title, fix)


WORDS: dict[str, WordFn] = {
    "glibc-too-old": _glibc_too_old,
    "cuda-library-not-found": _library_not_found,
    "cuda-library-symbol-missing": _symbol,
    "windows-dll-load-failed": _dll_load,
    "cuda-symlink-dangling": _cuda_symlink,
    "cudnn-version-mismatch": lambda p: Words(
        "cuDNN mismatch: torch was built with "
        + (f"cuDNN {p['compiled']}" if p.get("compiled") else "another cuDNN")
        + (f" but loaded {p['found']}" if p.get("found") else " than the one it loaded"),
        "Another cuDNN shadows torch's own (LD_LIBRARY_PATH, conda's cudnn): remove it from the "
        f"path, or reinstall torch: `{_or(p, 'install')}`.",
    ),
}
