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
    installed = p.get("installed_match")
    if installed and release == p.get("torch_release"):
        home = shlex.quote(str(installed))
        return (
            f"CUDA {release} is installed at {installed}: build with it: "
            f'`export CUDA_HOME={home} PATH={home}/bin:"$PATH"`.'
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
    return Words(
        f"CUDA extensions will not build: nvcc {p['nvcc']} {_where(p)} is CUDA "
        f"{str(p['nvcc']).split('.')[0]}, torch is built with CUDA {p['torch_cuda']} "
        "(torch.utils.cpp_extension stops: 'The detected CUDA version mismatches the version "
        "that was used to compile PyTorch')",
        _toolkit_fix(p, p.get("torch_release")),
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


WORDS: dict[str, WordFn] = {
    "extension-nvcc-major-mismatch": _major_mismatch,
    "extension-nvcc-older": _older,
    "extension-nvcc-no-gpu-arch": _no_gpu_arch,
    "extension-host-compiler-unsupported": _host_compiler,
}
