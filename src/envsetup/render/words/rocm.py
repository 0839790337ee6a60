"""Words for the ROCm findings: a ROCm wheel against the AMD GPUs' gfx targets
(diagnose/rocm_rules.py), and the ROCm runtime's errors a program prints (hipErrorNoBinaryForGpu,
no HIP GPUs, a memory access fault; judged in diagnose/cuda_error_signals.py)."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from envsetup.render.finding_words import Words
from envsetup.render.words.params import or_unknown as _or

P = Mapping[str, Any]


def _from_release(p: P) -> str:
    """Where official wheels that list the target start: 'torch 2.1 and later', with the ROCm
    floor when the list depended on it."""
    torch, rocm = p.get("listed_torch"), p.get("listed_rocm")
    if not torch:
        return ""
    floor = f" built with ROCm ≥ {rocm[0]}" if rocm and rocm[0] else ""
    return f"the ROCm wheels of torch {torch[0]} and later{floor}"


# An integrated GPU beside a discrete one: AMD's advice is to keep ROCm to the discrete card
# (oobabooga/textgen #7319: "Setting ROCR_VISIBLE_DEVICES=0 before launching tells the ROCm
# runtime to only use your discrete card"; HIP_VISIBLE_DEVICES counts the same devices, ROCm's
# GPU isolation page, https://rocm.docs.amd.com/en/latest/conceptual/gpu-isolation.html) or to
# disable the integrated GPU in the BIOS (ROCm/ROCm #675).
def _hide_igpu(p: P) -> str:
    keep = ",".join(str(i) for i in p.get("keep_visible") or [])
    hide = (
        f"hide it from the process with `export ROCR_VISIBLE_DEVICES={keep}` (or "
        f"HIP_VISIBLE_DEVICES={keep}: the discrete GPUs, numbered as rocminfo lists its GPU "
        "agents)"
        if keep
        else "hide it from the process with ROCR_VISIBLE_DEVICES (or HIP_VISIBLE_DEVICES) set "
        "to the discrete GPUs' indices, as rocminfo numbers its GPU agents"
    )
    return (
        f"the {p['gfx']} is the processor's integrated GPU, which ROCm enumerates beside the "
        f"discrete one and torch may pick or crash on: {hide}, or disable the integrated "
        "graphics in the BIOS/UEFI setup"
    )


def _gfx_not_in_build(p: P) -> Words:
    gpu = f"{p['gpu']} ({p['gfx']})" if p.get("gpu") else p["gfx"]
    if p.get("integrated"):
        gpu = f"integrated GPU {gpu}"
    has = p.get("build_targets")
    has_text = f" (it has {', '.join(has)})" if has else ""
    title = (
        f"torch {p['torch']} has no code object for the {gpu}{has_text}: it aborts with "
        'hipErrorNoBinaryForGpu (or "HIP error: invalid device function")'
    )
    if p.get("override_set"):
        title += f" even with HSA_OVERRIDE_GFX_VERSION={p['override_set']}"
    if p.get("integrated"):
        fix = _hide_igpu(p)
    elif p.get("override") and p["runs_as"][:-1] != p["gfx"][:-1]:
        fix = (
            f"`export HSA_OVERRIDE_GFX_VERSION={p['override']}` before starting the program: "
            f"the runtime then loads the {p['runs_as']} code objects, reported to work on "
            f"{p['gfx']} ({p.get('override_source') or 'community reports'}; a setting AMD does "
            "not support)"
        )
    elif p.get("override"):
        fix = (
            f"`export HSA_OVERRIDE_GFX_VERSION={p['override']}` before starting the program: "
            f"the runtime then loads the {p['runs_as']} code objects, whose instruction set the "
            f"{p['gfx'][:-1]}x GPUs share (a community-used setting AMD does not support)"
        )
    elif p.get("override_unsafe"):
        unsafe = p["override_unsafe"]
        fix = (
            f"not HSA_OVERRIDE_GFX_VERSION={unsafe['value']}: on {p['gfx']} it hangs or faults "
            f"the GPU ({unsafe['source']})"
        )
    elif p.get("keep_visible"):
        fix = (
            f"HSA_OVERRIDE_GFX_VERSION would apply to every GPU of the process, also the "
            f"{', '.join(p.get('other_gfx') or [])} of another family, and break it: hide the "
            f"{p['gfx']} instead with `export ROCR_VISIBLE_DEVICES="
            f"{','.join(str(i) for i in p['keep_visible'])}` (ROCm GPU isolation), or disable it "
            "in the firmware settings"
        )
    else:
        fix = f"no listed gfx target of {p['gfx']}'s family runs its code, so no override helps"
    release = _from_release(p)
    if p.get("integrated"):
        pass  # the discrete GPU is the one to run on: no wheel for the iGPU is worth seeking
    elif release:
        fix += f"; or install {release} (they list {p['gfx']}"
        if p.get("listed_confirmed") is False:
            fix += " per PyTorch CI, not confirmed per release"
        fix += "): `envsetup install --cuda auto` picks one"
    elif not p.get("override") and not p.get("keep_visible"):
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


def _override_other_family(p: P) -> Words:
    gpu = f"{p['gpu']} ({p['gfx']})" if p.get("gpu") else p["gfx"]
    if p.get("override"):
        fix = f"set `HSA_OVERRIDE_GFX_VERSION={p['override']}`, the value of {p['gfx']}'s family"
    elif p.get("listed"):
        fix = "`unset HSA_OVERRIDE_GFX_VERSION`: the installed build runs this GPU's own target"
    else:
        fix = (
            "`unset HSA_OVERRIDE_GFX_VERSION` and install a build that lists "
            f"{p['gfx']} (`envsetup install --cuda auto`)"
        )
    return Words(
        f"HSA_OVERRIDE_GFX_VERSION={p['override_set']} makes the {gpu} load {p['runs_as']} "
        "code objects, of another GPU family: its kernels fail",
        fix,
    )


def _override_unsafe(p: P) -> Words:
    gpu = f"{p['gpu']} ({p['gfx']})" if p.get("gpu") else p["gfx"]
    fix = "`unset HSA_OVERRIDE_GFX_VERSION`, then install a ROCm torch whose list has " + p["gfx"]
    if p.get("listed_torch"):
        fix += f" (PyTorch's ROCm wheels of torch {p['listed_torch'][0]} and later"
        if p.get("listed_confirmed") is False:
            fix += ", per PyTorch CI, not confirmed per release"
        fix += "; `envsetup install --cuda auto` picks one)"
    fix += ", or use the CPU build (`envsetup install --cuda cpu`)"
    return Words(
        f"HSA_OVERRIDE_GFX_VERSION={p['override_set']} makes the {gpu} run {p['runs_as']} "
        f"kernels it cannot run: torch hangs or faults ({p['source']})",
        fix,
    )


def _gfx_list_unconfirmed(p: P) -> Words:
    gpu = f"{p['gpu']} ({p['gfx']})" if p.get("gpu") else p["gfx"]
    listed = (
        f"PyTorch CI's list names {p['gfx']}, but this release's wheel was not checked"
        if p.get("listed")
        else "envsetup has no confirmed gfx list for this wheel"
    )
    return Words(
        f"Whether torch {p['torch']} has code objects for the {gpu} is not confirmed: {listed}",
        "after installing, `envsetup doctor --deep` reads the wheel's own list "
        "(torch.cuda.get_arch_list()) and says whether the GPU's target is in it.",
    )


_PASS_AMD = "--device=/dev/kfd --device=/dev/dri --group-add video --group-add render"


def _kfd_permission(p: P) -> Words:
    if p.get("runtime"):
        fix = (
            f"start the {p['runtime']} container with `--group-add video --group-add render` "
            "(the groups that own /dev/kfd and /dev/dri on the host; a numeric id works too: "
            "`--group-add $(getent group render | cut -d: -f3)`)"
        )
    else:
        fix = (
            "`sudo usermod -aG video,render $USER`, then log in again (`ls -l /dev/kfd` names "
            "the group); on a shared cluster node, where users are not put in that group, the "
            "administrators open /dev/kfd and /dev/dri to the job's user (a udev rule on the "
            "device files: ROCm/rocminfo #25), or run the job on a node that has the GPU"
        )
    return Words(
        "the ROCm runtime cannot open /dev/kfd (Permission denied): no AMD GPU is usable",
        fix,
    )


# How each runtime gives a container the AMD GPU (OsFacts.container's values). Docker and Podman:
# the device nodes and groups of ROCm's container guide
# (https://rocm.docs.amd.com/projects/install-on-linux/en/latest/how-to/docker.html). Kubernetes:
# the `amd.com/gpu` resource that AMD's device plugin exposes
# (https://instinct.docs.amd.com/projects/k8s-device-plugin/en/latest/: "Exposes AMD GPUs as
# amd.com/gpu resources"; requested under limits as
# https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/ shows). Never NVIDIA's `--gpus all`.
PASS_AMD_GPU = {
    "docker": f"start the container with `docker run {_PASS_AMD} ...` (ROCm's container guide)",
    "podman": f"start the container with `podman run {_PASS_AMD} ...` (ROCm's container guide)",
    "kubernetes": "request the GPU in the pod spec, `resources: limits: amd.com/gpu: 1`, on a "
    "node running AMD's GPU device plugin (rocm/k8s-device-plugin, or the AMD GPU Operator)",
}


def pass_amd_gpu(runtime: str) -> str:
    """How to start a container of this runtime with the AMD GPU (the device nodes elsewhere)."""
    return PASS_AMD_GPU.get(
        runtime,
        f"pass /dev/kfd and /dev/dri into the container (Docker: `docker run {_PASS_AMD} ...`; "
        "Kubernetes: `resources: limits: amd.com/gpu: 1`)",
    )


def _container_no_kfd(p: P) -> Words:
    return Words(
        f"Inside a {p['runtime']} container without the AMD GPU passed through: no /dev/kfd, so "
        "ROCm sees no GPU",
        pass_amd_gpu(str(p.get("runtime") or "")),
    )


def _rocm_no_binary(p: P) -> Words:
    said = (
        "HIP error: invalid device function"
        if p.get("form") == "invalid-device-function"
        else "hipErrorNoBinaryForGpu"
    )
    if p.get("nvidia"):
        return Words(
            f"{said}: a ROCm (AMD) torch build runs on a machine with NVIDIA GPUs",
            f"Install a CUDA build: `{_or(p, 'install')}`.",
        )
    gfx = p.get("gfx")
    gpu = f"the {p['gpu']} ({gfx})" if p.get("gpu") and gfx else gfx
    title = f"{said}: the ROCm build has no code object for {gpu or 'this GPU'}"
    if p.get("library"):
        title = (
            f"{p['library']} has no kernels for {gfx} (no Tensile library file for it): "
            "the ROCm build's libraries do not cover this GPU"
        )
    unsure = ", per PyTorch CI, not confirmed per release" if p.get("listed_unsure") else ""
    release = (
        f"a ROCm torch whose list has {gfx} (PyTorch's ROCm wheels of torch {p['listed_torch']} "
        f"and later list it{unsure}; `envsetup install --cuda auto` picks one)"
        if p.get("listed_torch")
        else f"a ROCm torch release that lists {gfx}"
    )
    if p.get("override"):
        fix = (
            f"{gfx} is not in this build's list, but a listed target runs on it: "
            f"`export HSA_OVERRIDE_GFX_VERSION={p['override']}` before starting the program "
            f"(a community-used setting AMD does not support); or install {release}."
        )
    elif gfx and p.get("in_no_wheel"):
        fix = (
            f"No PyTorch ROCm wheel envsetup knows (torch 1.11 and later) lists {gfx}, and no "
            "supported target of its "
            "family runs in its place (HSA_OVERRIDE_GFX_VERSION cannot help): use the CPU build "
            f"(`envsetup install --cuda cpu`), or a ROCm and PyTorch built from source for {gfx}."
        )
    elif gfx and p.get("override_unsafe"):
        unsafe = p["override_unsafe"]
        fix = (
            f"Do not set HSA_OVERRIDE_GFX_VERSION={unsafe['value']}: on {gfx} it hangs or faults "
            f"the GPU ({unsafe['source']}). Install {release}, or use the CPU build "
            "(`envsetup install --cuda cpu`)."
        )
    elif gfx and p.get("own_target"):
        torch = f" (torch {p['torch']})" if p.get("torch") else ""
        fix = (
            f"{gfx} is itself the target HSA_OVERRIDE_GFX_VERSION would make other GPUs run as, "
            f"so setting it changes nothing: this build{torch} has no {gfx} code objects. "
            f"Install {release}."
        )
    elif gfx:
        fix = (
            f"Install {release} (ROCm's GPU support matrix); HSA_OVERRIDE_GFX_VERSION helps only "
            "when a supported target of the same family exists."
        )
    else:
        fix = (
            "Find the GPU's gfx target with `rocminfo | grep gfx`; if ROCm's list lacks it, set "
            "HSA_OVERRIDE_GFX_VERSION to its family's supported target (10.3.0 for gfx103x, "
            "11.0.0 for gfx1100-gfx1102; not for a gfx1103 Radeon 780M, where it hangs: "
            "ROCm/TheRock #1184), or install a ROCm release that supports it."
        )
    return Words(title, fix)


# ROCm on WSL: the GPU is reached through the Windows driver and WSL's own HSA runtime, not
# /dev/kfd; a PyTorch ROCm wheel's bundled libhsa-runtime64.so cannot see it. AMD's WSL guide
# (https://rocm.docs.amd.com/projects/radeon/en/docs-6.3/docs/install/wsl/install-pytorch.html)
# installs AMD's wheels from repo.radeon.com and replaces that library with ROCm's:
# `cp /opt/rocm/lib/libhsa-runtime64.so.1.2 libhsa-runtime64.so` in torch/lib (quoted in
# ROCm/legacy-rocm-build #3571; later pages only remove the bundled copy).
_WSL_HSA = (
    "`cd $(python -c 'import torch, os; print(os.path.dirname(torch.__file__))')/lib && "
    "rm libhsa-runtime64.so* && cp /opt/rocm/lib/libhsa-runtime64.so.1.2 libhsa-runtime64.so`"
)


def _rocm_no_gpus(p: P) -> Words:
    if p.get("wsl"):
        return Words(
            "The ROCm runtime found no AMD GPU under WSL (hipErrorNoDevice / 'No HIP GPUs are "
            "available')",
            "Under WSL a ROCm torch reaches the GPU only through WSL's HSA runtime: install AMD's "
            "WSL wheels (repo.radeon.com, AMD's 'Install PyTorch for ROCm' WSL page), then replace "
            f"the wheel's bundled runtime with ROCm's: {_WSL_HSA}; check the Windows Adrenalin "
            "driver is one AMD's WSL compatibility matrix lists.",
        )
    return Words(
        "The ROCm torch build found no usable AMD GPU ('No HIP GPUs are available')",
        "Check `rocminfo` lists the GPU and that this user can open /dev/kfd and /dev/dri "
        "(groups render and video).",
    )


def _rocm_memory_fault(p: P) -> Words:
    node = f" node-{p['node']}" if p.get("node") is not None else ""
    reason = {
        "page-not-present": " (page not present or supervisor privilege)",
        "unknown": " (reason unknown)",
    }.get(p.get("reason") or "", "")
    title = f"Memory access fault by GPU{node}{reason}: a GPU kernel touched memory it may not"
    if p.get("wrong_override"):
        wrong = p["wrong_override"]
        return Words(
            title,
            f"HSA_OVERRIDE_GFX_VERSION={p['override_set']} makes the {wrong['gfx']} GPU run "
            f"{wrong.get('runs_as') or 'another target'}'s code, which faults it (AMD in "
            "ROCm/legacy-rocm-build #5238): `unset HSA_OVERRIDE_GFX_VERSION`, or set the GPU's "
            "own family value; `envsetup doctor` names the right one.",
        )
    causes = [
        "code of another gfx target running on this GPU: an HSA_OVERRIDE_GFX_VERSION meant for "
        "another GPU (`echo $HSA_OVERRIDE_GFX_VERSION`; an MI210 left at 10.3.0 faults this "
        "way: ROCm/legacy-rocm-build #5238), or a program or extension built for another target "
        "(compare `rocminfo | grep gfx` with the targets it was built for)"
    ]
    if p.get("override_set"):
        causes[0] = (
            f"HSA_OVERRIDE_GFX_VERSION={p['override_set']} is set: it makes every GPU run that "
            "target's code; try without it"
        )
    if p.get("mixed"):
        causes.append(
            f"GPUs of more than one target ({', '.join(p.get('gfx_targets') or [])}): code built "
            "for one ran on the other (ROCm/rocm-systems #11549); `envsetup doctor` says which "
            "GPU the program should see"
        )
    causes.append(
        "a bug in the kernel itself (an index out of bounds): rerun with AMD_SERIALIZE_KERNEL=3 "
        "so that the failing kernel is the one reported"
    )
    return Words(title, "Usual causes: " + "; ".join(causes) + ".")


WORDS: dict[str, Callable[[P], Words]] = {
    "rocm-kfd-permission": _kfd_permission,
    "rocm-container-no-kfd": _container_no_kfd,
    "rocm-override-other-family": _override_other_family,
    "rocm-override-unsafe": _override_unsafe,
    "rocm-gfx-list-unconfirmed": _gfx_list_unconfirmed,
    "rocm-gfx-not-in-build": _gfx_not_in_build,
    "torch-not-rocm-on-amd-gpu": _not_rocm_on_amd_gpu,
    "rocm-no-gpus": _rocm_no_gpus,
    "rocm-no-binary-for-gpu": _rocm_no_binary,
    "rocm-memory-access-fault": _rocm_memory_fault,
}
