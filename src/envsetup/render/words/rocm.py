"""Words for the ROCm findings (diagnose/rocm_rules.py): a ROCm wheel against the AMD GPUs'
gfx targets."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from envsetup.render.finding_words import Words

P = Mapping[str, Any]


def _from_release(p: P) -> str:
    """Where official wheels that list the target start: 'torch 2.1 and later', with the ROCm
    floor when the list depended on it."""
    torch, rocm = p.get("listed_torch"), p.get("listed_rocm")
    if not torch:
        return ""
    floor = f" built with ROCm ≥ {rocm[0]}" if rocm and rocm[0] else ""
    return f"the ROCm wheels of torch {torch[0]} and later{floor}"


def _gfx_not_in_build(p: P) -> Words:
    gpu = f"{p['gpu']} ({p['gfx']})" if p.get("gpu") else p["gfx"]
    has = p.get("build_targets")
    has_text = f" (it has {', '.join(has)})" if has else ""
    title = (
        f"torch {p['torch']} has no code object for the {gpu}{has_text}: it aborts with "
        "hipErrorNoBinaryForGpu"
    )
    if p.get("override_set"):
        title += f" even with HSA_OVERRIDE_GFX_VERSION={p['override_set']}"
    if p.get("override"):
        fix = (
            f"`export HSA_OVERRIDE_GFX_VERSION={p['override']}` before starting the program: "
            f"the runtime then loads the {p['runs_as']} code objects, whose instruction set the "
            f"{p['gfx'][:-1]}x GPUs share (a community-used setting AMD does not support)"
        )
    else:
        fix = f"no listed gfx target of {p['gfx']}'s family runs its code, so no override helps"
    release = _from_release(p)
    if release:
        fix += f"; or install {release} (they list {p['gfx']})"
    elif not p.get("override"):
        fix += (
            f"; no official PyTorch ROCm wheel lists {p['gfx']}: build PyTorch from source with "
            f"PYTORCH_ROCM_ARCH={p['gfx']}, or use the CPU build (envsetup install --cuda cpu)"
        )
    return Words(title, fix + ".")


def _not_rocm_on_amd_gpu(p: P) -> Words:
    build = "a CUDA build" if p["flavor"] == "cuda" else "the CPU build"
    return Words(
        f"torch {p['torch']} is {build}, but this machine's GPUs are AMD ones "
        f"({', '.join(p['gpus'])}): it runs on the CPU only",
        f"install the ROCm build, whose gfx targets run these GPUs: `{p['install']}`",
    )


WORDS: dict[str, Callable[[P], Words]] = {
    "rocm-gfx-not-in-build": _gfx_not_in_build,
    "torch-not-rocm-on-amd-gpu": _not_rocm_on_amd_gpu,
}
