"""Words for the Jetson findings (diagnose/jetson_rules.py, command_check/jetson.py).

Params as jetson_rules.jetson_params lists them: module, compute_capability, l4t, jetpack,
index_url, page, cuda, python, command, pytorch_wheels, env_python; plus torch, install (doctor) or
build, instead (check-command)."""

from __future__ import annotations

from typing import Any, Mapping

from envsetup.render.finding_words import Words

P = Mapping[str, Any]


def _board(p: P) -> str:
    module = f"Jetson {p['module']}" if p.get("module") else "Jetson"
    gpu = (
        f" (integrated GPU, compute capability {p['compute_capability']})"
        if p.get("compute_capability")
        else ""
    )
    release = f", L4T R{p['l4t']}" if p.get("l4t") else ""
    named = p.get("jetpack_release") or p.get("jetpack")
    jetpack = f" / JetPack {named}" if named else ""
    return f"{module}{gpu}{release}{jetpack}"


def builds_sentence(p: P) -> str:
    """Which torch builds use the GPU here, and the command or page that installs one."""
    jetpack = f"JetPack {p['jetpack']}" if p.get("jetpack") else "this JetPack release"
    if p.get("env_python") and p.get("pytorch_wheels") and p.get("command"):
        return (
            f"PyTorch's own aarch64 CUDA build, which uses this GPU: `{p['command']}` "
            f"(NVIDIA's builds for {jetpack} on {p['index_url']} are for Python {p['python']} "
            f"only, this environment's is {p['env_python']})"
        )
    if p.get("command"):
        how = f"NVIDIA's torch builds for {jetpack} (CUDA {p['cuda']}, Python {p['python']}): `{p['command']}`"
    elif p.get("env_python") and p.get("index_url"):
        how = (
            f"NVIDIA's torch builds for {jetpack} from {p['index_url']}: they are for Python "
            f"{p['python']} only, this environment's is {p['env_python']}, so make a Python "
            f"{p['python']} environment for them"
        )
    elif p.get("page"):
        how = f"NVIDIA's torch wheels for {jetpack}, listed at {p['page']} (no pip index to install from)"
        if p.get("python"):
            how += f"; they are built for Python {p['python']}"
    else:
        l4t = f" (L4T R{p['l4t']})" if p.get("l4t") else ""
        return (
            f"NVIDIA's torch build for this JetPack release{l4t}, which envsetup does not know: "
            "NVIDIA lists its Jetson wheels at https://github.com/pytorch/pytorch#nvidia-jetson-platforms "
            "and https://pypi.jetson-ai-lab.io; whether PyTorch's own aarch64 CUDA wheels use "
            "this GPU depends on that release"
        )
    pytorch = (
        "; PyTorch's own aarch64 CUDA wheels also cover this GPU"
        if p.get("pytorch_wheels")
        else "; PyTorch's own aarch64 CUDA wheels (PyPI, download.pytorch.org) are built for server ARM and the desktop driver and do not use this GPU"
    )
    return how + pytorch


def _install(p: P) -> str:
    usable = p.get("command") or (p.get("env_python") and p.get("index_url"))
    return f" Or `{p['install']}`." if p.get("install") and usable else ""


def _cpu_only(p: P) -> Words:
    return Words(
        f"torch {p.get('torch') or ''} is a CPU-only build: it does not use the GPU of this {_board(p)}",
        f"Install {builds_sentence(p)}.{_install(p)} Do not install a desktop NVIDIA driver: the "
        "Jetson's GPU driver is part of L4T.",
    )


def _not_for_igpu(p: P) -> Words:
    return Words(
        f"torch {p.get('torch') or ''} is PyTorch's generic aarch64 CUDA build: it does not run on "
        f"the integrated GPU of this {_board(p)}",
        f"Install {builds_sentence(p)}.{_install(p)} Do not install a desktop NVIDIA driver: the "
        "Jetson's GPU driver is part of L4T.",
    )


def _command_not_for_igpu(p: P) -> Words:
    build = p.get("build") or "PyPI's default build"
    replaces = (
        f", and it replaces the installed NVIDIA build torch {p['replaces']}, which does"
        if p.get("replaces")
        else ""
    )
    if p.get("unknown_release"):
        return Words(
            f"this installs {build} from PyPI/download.pytorch.org: whether it uses the integrated "
            f"GPU of this {_board(p)} is not known (envsetup knows no torch builds for this "
            "module on this release)",
            f"Prefer {builds_sentence(p)}.",
        )
    return Words(
        f"this installs {build} from PyPI/download.pytorch.org: on this {_board(p)} it will not use "
        f"the integrated GPU{replaces}",
        f"Install {builds_sentence(p)}.",
    )


WORDS = {
    "jetson-torch-cpu-only": _cpu_only,
    "jetson-torch-not-for-igpu": _not_for_igpu,
    "jetson-command-not-for-igpu": _command_not_for_igpu,
}
