"""Building CUDA extensions (torch.utils.cpp_extension, setup.py builds of detectron2, apex...):
the nvcc torch would use against torch's CUDA, the GPUs and the host compiler.

Judged only where that nvcc exists (facts.extension_build, or the nvcc on PATH a paste states): a machine without one
runs pip's torch wheels as they are. The checks are torch's and nvcc's own:

- torch.utils.cpp_extension `_check_cuda_version` (pytorch/pytorch torch/utils/cpp_extension.py)
  raises "The detected CUDA version (X) mismatches the version that was used to compile PyTorch
  (Y)" when nvcc's major differs from torch.version.cuda's, and only warns on a minor mismatch;
  an older minor compiles against headers older than those torch was built with, so it is
  worth a warning here too; a newer minor is not (NVIDIA's minor version compatibility).
- nvcc stops with "Unsupported gpu architecture 'compute_XX'" for a capability its release does
  not know (compat.nvcc.arch_support: sourced per CUDA release).
- nvcc's host_config.h stops with "unsupported GNU version!" outside its compiler range
  (compat.nvcc.host_compiler_range).

Each finding says what and why (id, evidence, params); render/words/extension.py words it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Optional

from envsetup.compat import nvcc as nvcc_table
from envsetup.diagnose.finding import Finding
from envsetup.facts import Facts
from envsetup.model.capability import ComputeCapability
from envsetup.model.compute_platform import TorchFlavor
from envsetup.model.extension_build import ExtensionBuildFacts
from envsetup.model.toolkit import ToolkitKind
from envsetup.profiles.build_info import BuildLookup

# How torch found CUDA_HOME when a stated nvcc on PATH decides instead of what the host showed.
_PATH_DECIDES = ("", "nvcc on PATH", "default location")


def build_nvcc(facts: Facts) -> ExtensionBuildFacts:
    """The nvcc an extension build uses: the host's (facts.extension_build), unless the facts
    state another nvcc on PATH where PATH is what decides (explain: a pasted `nvcc --version` or
    collect_env's "CUDA runtime version" wins over the host's, as every pasted fact does; with
    --no-host it is the only one). A CUDA_HOME the host sets still wins, as in torch."""
    ext = facts.extension_build
    stated = facts.cuda.nvcc_on_path_version
    if not stated or stated == ext.nvcc_version or ext.cuda_home_from not in _PATH_DECIDES:
        return ext
    return replace(
        ext,
        cuda_home=None,
        cuda_home_from="nvcc on PATH",
        nvcc=facts.cuda.nvcc_on_path or "nvcc",
        nvcc_version=stated,
        source="the nvcc PATH selects, as stated (cuda.nvcc_on_path_version)",
    )


def _nvcc_evidence(ext: ExtensionBuildFacts) -> str:
    return (
        f"nvcc {ext.nvcc_version} at {ext.nvcc} (CUDA_HOME {ext.cuda_home}, from "
        f"{ext.cuda_home_from}; version: {ext.source})"
    )


def _torch_cuda(facts: Facts) -> Optional[tuple[int, int]]:
    torch = facts.torch
    if torch.flavor is not TorchFlavor.CUDA or not torch.cuda_version:
        return None
    return nvcc_table.release_of(torch.cuda_version)


def _release_key(text: str) -> tuple[int, int]:
    return nvcc_table.release_of(text) or (0, 0)


def installed_toolkit(
    facts: Facts,
    major: Optional[int] = None,
    minimum: Optional[str] = None,
    target: Optional[ComputeCapability] = None,
) -> Optional[str]:
    """An installed system toolkit (with its nvcc) to point CUDA_HOME at: of CUDA `major`, at
    least release `minimum`, and whose nvcc compiles for `target`, each where given. Of those
    that fit, `minimum`'s own release first, else the oldest newer one (torch.utils.cpp_extension
    only warns on a newer minor of torch's major; NVIDIA's minor version compatibility)."""
    low = nvcc_table.release_of(minimum) if minimum else None
    fits: list[tuple[tuple[int, int], str]] = []
    for toolkit in facts.cuda.toolkits:
        if ToolkitKind.of(toolkit) is not ToolkitKind.SYSTEM or not toolkit.nvcc:
            continue
        release = nvcc_table.release_of(toolkit.version or "")
        if release is None or (major is not None and release[0] != major):
            continue
        if low is not None and release < low:
            continue
        if target is not None:
            support = nvcc_table.arch_support(toolkit.version or "", target)
            if support is None or not support.supported:
                continue
        fits.append((release, toolkit.path))
    return min(fits)[1] if fits else None


def _common_params(facts: Facts, ext: ExtensionBuildFacts) -> dict[str, Any]:
    want = _torch_cuda(facts)
    return {
        "nvcc": ext.nvcc_version,
        "nvcc_path": ext.nvcc,
        "cuda_home": ext.cuda_home,
        "cuda_home_from": ext.cuda_home_from,
        "torch_cuda": facts.torch.cuda_version,
        "torch_release": f"{want[0]}.{want[1]}" if want else None,
        # an installed toolkit of torch's major, torch's minor or newer (attack12c M5: CUDA 12.5
        # installed beside apt's 11.5 for a cu121 torch is the one to build with)
        "installed_match": installed_toolkit(facts, major=want[0], minimum=f"{want[0]}.{want[1]}")
        if want
        else None,
    }


def nvcc_against_torch(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    ext = build_nvcc(facts)
    have = nvcc_table.release_of(ext.nvcc_version or "")
    want = _torch_cuda(facts)
    if have is None or want is None or (have >= want and have[0] == want[0]):
        return []
    evidence = [
        _nvcc_evidence(ext),
        f"torch {facts.torch.version} built with CUDA {facts.torch.cuda_version} "
        f"({facts.torch.source})",
    ]
    params = _common_params(facts, ext)
    if have[0] != want[0]:
        return [
            Finding(
                id="extension-nvcc-major-mismatch",
                severity="warning",
                evidence=evidence,
                params=params,
            )
        ]
    return [
        Finding(id="extension-nvcc-older", severity="warning", evidence=evidence, params=params)
    ]


def nvcc_against_gpus(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    ext = build_nvcc(facts)
    if not ext.nvcc_version:
        return []
    missing: list[str] = []
    first: list[str] = []
    removed: list[str] = []
    for gpu in facts.nvidia.gpus:
        capability = gpu.compute_capability
        support = nvcc_table.arch_support(ext.nvcc_version, capability) if capability else None
        if capability is None or support is None or support.supported:
            continue
        if capability.sm not in missing:
            missing.append(capability.sm)
            if support.reason == "too-new":
                first.append(support.first)
            else:
                removed.append(support.removed)
    if not missing:
        return []
    evidence = [_nvcc_evidence(ext)] + [
        f"GPU {g.index}: {g.name}, {g.compute_capability.sm} ({facts.nvidia.gpus_source})"
        for g in facts.nvidia.gpus
        if g.compute_capability is not None and g.compute_capability.sm in missing
    ]
    params = _common_params(facts, ext)
    needs = max(first, key=_release_key) if first else None
    torch_release = params["torch_release"]
    # the toolkit to build with: torch's own CUDA, unless even that cannot target the GPUs
    install = torch_release if not removed else None  # a dropped GPU needs an older toolkit
    if needs and (torch_release is None or _release_key(torch_release) < _release_key(needs)):
        install = needs
    want = _torch_cuda(facts)
    if install and want:
        # an installed toolkit of torch's major that compiles for every GPU listed
        fits = [
            installed_toolkit(facts, major=want[0], minimum=install, target=capability)
            for capability in {g.compute_capability for g in facts.nvidia.gpus}
            if capability is not None and capability.sm in missing
        ]
        params["installed_match"] = fits[0] if fits and len(set(fits)) == 1 else None
    params.update(
        {
            "archs": missing,
            "install": install,
            # the oldest CUDA release that compiles for every GPU listed (too new for this nvcc)
            "needs": needs,
            # the release that dropped a GPU listed (too old for this nvcc)
            "removed_in": min(removed, key=_release_key) if removed else None,
            "source": nvcc_table.SOURCE_ARCH,
        }
    )
    return [
        Finding(
            id="extension-nvcc-no-gpu-arch", severity="warning", evidence=evidence, params=params
        )
    ]


def host_compiler_range(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    ext = build_nvcc(facts)
    compiler = ext.host_compiler
    if not ext.nvcc_version or compiler is None or not compiler.version:
        return []
    accepted = nvcc_table.host_compiler_range(ext.nvcc_version, compiler.family)
    major = nvcc_table.release_of(compiler.version + ".0")
    if accepted is None or major is None:
        return []
    if accepted.lowest <= major[0] <= accepted.highest:
        return []
    params = _common_params(facts, ext)
    params.update(
        {
            "compiler": compiler.family,
            "compiler_version": compiler.version,
            "compiler_path": compiler.path,
            "chosen_by": compiler.chosen_by,
            "lowest": accepted.lowest,
            "highest": accepted.highest,
            "too": "new" if major[0] > accepted.highest else "old",
            "source": nvcc_table.SOURCE_HOST_COMPILER,
        }
    )
    evidence = [
        _nvcc_evidence(ext),
        f"host compiler {compiler.family} {compiler.version} at {compiler.path}, chosen by "
        f"{compiler.chosen_by} ({compiler.source})",
        f"nvcc {ext.nvcc_version} accepts {compiler.family} {accepted.lowest} to "
        f"{accepted.highest} ({nvcc_table.SOURCE_HOST_COMPILER})",
    ]
    return [
        Finding(
            id="extension-host-compiler-unsupported",
            severity="warning",
            evidence=evidence,
            params=params,
        )
    ]


# What the probe writes when CUDA_HOME/bin/nvcc is not there (probe/extension_build.py).
_NO_NVCC = "no bin/nvcc there"


def _home_problem(home: str) -> Optional[str]:
    """How a CUDA_HOME value is no toolkit root by its text alone: "list" (PATH-style,
    ':/usr/local/cuda:/usr/local/cuda-10.1'), "quoted" (quote characters inside), "bin" (the
    toolkit's bin directory); None when it reads as one directory."""
    rest = home[2:] if len(home) > 1 and home[1] == ":" and home[0].isalpha() else home
    if ":" in rest or ";" in rest:
        return "list"
    if any(q in home for q in "'\""):
        return "quoted"
    if home.replace("\\", "/").rstrip("/").endswith("/bin"):
        return "bin"
    return None


def _toolkit_roots(facts: Facts) -> list[str]:
    return [
        t.path.rstrip("/")
        for t in facts.cuda.toolkits
        if ToolkitKind.of(t) is ToolkitKind.SYSTEM and t.nvcc
    ]


def cuda_home_unusable(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    """CUDA_HOME (or CUDA_PATH) is set but names no toolkit root: torch.utils.cpp_extension and
    build scripts run CUDA_HOME + '/bin/nvcc' as it is (NVIDIA/apex #368: "No such file or
    directory: ':/usr/local/cuda:/usr/local/cuda-10.1/bin/nvcc'"), so every CUDA extension build
    fails. From the value's text (a ':'-list, quotes, its bin/), or from the probe having found
    no bin/nvcc under it. The fix names one toolkit root: the list's part that is an installed
    toolkit (the one PATH selects first), else an installed toolkit."""
    ext = facts.extension_build
    home = ext.cuda_home
    if not home or ext.cuda_home_from not in ("CUDA_HOME", "CUDA_PATH"):
        return []
    problem = _home_problem(home)
    if problem is None and not ext.source.endswith(_NO_NVCC):
        return []
    roots = _toolkit_roots(facts)
    suggest: Optional[str] = None
    if problem == "list":
        parts = [p.rstrip("/") for p in home.replace(";", ":").split(":") if p.strip()]
        known = [p for p in parts if p in roots]
        suggest = known[-1] if known else (roots[0] if roots else (parts[-1] if parts else None))
    elif problem == "quoted":
        suggest = home.replace("'", "").replace('"', "")
    elif problem == "bin":
        suggest = home.replace("\\", "/").rstrip("/")[: -len("/bin")] or None
    else:
        suggest = next((r for r in roots if r != home.rstrip("/")), None)
    evidence = [
        f"{ext.cuda_home_from}={home} (the environment); torch.utils.cpp_extension builds with "
        f"{home}/bin/nvcc ({ext.source or 'extension build facts'})"
    ]
    if roots:
        evidence.append("installed toolkits: " + ", ".join(roots))
    return [
        Finding(
            id="extension-cuda-home-unusable",
            severity="warning",
            evidence=evidence,
            params={
                k: v
                for k, v in {
                    "variable": ext.cuda_home_from,
                    "cuda_home": home,
                    "problem": problem or "no-nvcc",
                    "suggest": suggest,
                }.items()
                if v is not None
            },
        )
    ]


RULES = [nvcc_against_torch, nvcc_against_gpus, host_compiler_range, cuda_home_unusable]
