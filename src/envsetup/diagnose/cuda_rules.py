"""CUDA toolkits and libraries: no driver, newer than the driver, shadowed on PATH or LD_LIBRARY_PATH.

Each finding says what and why (id, evidence, params); render/words/doctor.py words it."""

from __future__ import annotations

from typing import Optional

from envsetup.compat import toolkit_driver
from envsetup.diagnose.finding import Finding
from envsetup.diagnose.library_shadow_rules import shadow_findings
from envsetup.facts import CudaToolkit, Facts
from envsetup.model.compute_platform import TorchFlavor
from envsetup.model.cuda_layout import VIA_LD_LIBRARY_PATH
from envsetup.model.toolkit import ToolkitKind
from envsetup.model.versions import release_key, release_of, version_key
from envsetup.profiles.build_info import BuildLookup


def _system_toolkits(facts: Facts) -> list[CudaToolkit]:
    return [t for t in facts.cuda.toolkits if ToolkitKind.of(t) is ToolkitKind.SYSTEM]


def _driver_present(facts: Facts) -> bool:
    nv = facts.nvidia
    # NVML or nvidia-smi answering proves a loaded driver, even one whose version a recording
    # (or a paste cut to the processes box) leaves unknown
    return bool(
        nv.driver_version
        or nv.gpus
        or nv.kernel_module_version
        or nv.driver_source == "nvml"
        or nv.smi_state == "ok"
    )


def toolkit_without_driver(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    toolkits = _system_toolkits(facts)
    if not toolkits or _driver_present(facts) or facts.os.system == "Darwin":
        return []
    if facts.jetson.is_jetson:  # the integrated GPU's driver is part of L4T: none to install
        return []
    newest = max(toolkits, key=lambda t: version_key(t.version or ""))
    need = toolkit_driver(newest.version or "", facts.os.system)
    simulated = simulated_driver(facts)
    return [
        Finding(
            id="toolkit-without-driver",
            # A simulated driver says the user knows this machine has none (a build or CI box).
            severity="info" if simulated else "warning",
            evidence=[f"CUDA {t.version or '?'} at {t.path} ({t.source})" for t in toolkits]
            + [
                f"no driver: NVML says {facts.nvidia.nvml_error or 'nothing'}; nvidia-smi {facts.nvidia.smi_state}"
            ],
            params={
                "toolkit": newest.version,
                "cuda": need.cuda if need else None,
                "need": need.driver if need else None,
                # Inside a container the driver belongs to the host (render words the fix so).
                "container": facts.os.container,
                # "ENVSETUP_CUDA_DRIVER_VERSION=12.4" when the driver's CUDA is simulated.
                "simulated": simulated,
                "driver_cuda": facts.nvidia.driver_cuda_version,
            },
        )
    ]


def toolkit_newer_than_driver(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    driver_cuda = release_of(facts.nvidia.driver_cuda_version)
    if driver_cuda is None:
        return []
    findings = []
    for toolkit in _system_toolkits(facts):
        have = release_of(toolkit.version)
        if have is None or have <= driver_cuda:
            continue
        need = toolkit_driver(toolkit.version or "", facts.os.system)
        findings.append(
            Finding(
                id="toolkit-newer-than-driver",
                severity="warning",
                evidence=[
                    f"toolkit {toolkit.version} at {toolkit.path} ({toolkit.source})",
                    f"driver {facts.nvidia.driver_version} supports CUDA <= {facts.nvidia.driver_cuda_version} ({facts.nvidia.driver_cuda_source})",
                ],
                # same_major: binaries built with it still run (minor-version compatibility).
                params={
                    "toolkit": toolkit.version,
                    "driver_cuda": facts.nvidia.driver_cuda_version,
                    "same_major": have.major == driver_cuda.major,
                    "cuda": need.cuda if need else None,
                    "need": need.driver if need else None,
                    "simulated": simulated_driver(facts),
                },
            )
        )
    return findings


def simulated_driver(facts: Facts) -> Optional[str]:
    """`VARIABLE=value` when the driver's CUDA comes from an ENVSETUP_* override (probe/overrides.py
    marks its source "override:VARIABLE"), else None."""
    source = facts.nvidia.driver_cuda_source or ""
    if not source.startswith("override:") or not facts.nvidia.driver_cuda_version:
        return None
    return f"{source[len('override:') :]}={facts.nvidia.driver_cuda_version}"


def nvcc_shadowed(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    cuda = facts.cuda
    selected = release_of(cuda.nvcc_on_path_version)
    if selected is None:
        return []
    # Newer by release (major.minor): 12.4.131 beside an nvcc 12.4.99 is the same toolkit line.
    others = [t for t in _system_toolkits(facts) if release_key(t.version) > selected and t.nvcc]
    if not others:
        return []
    newest = max(others, key=lambda t: release_key(t.version))
    return [
        Finding(
            id="nvcc-path-shadowed",
            severity="warning",
            evidence=[
                f"nvcc on PATH: {cuda.nvcc_on_path} ({cuda.nvcc_on_path_version})",
                f"also installed: {newest.path} ({newest.version})",
            ],
            params={
                "selected": cuda.nvcc_on_path_version,
                "newest": newest.version,
                "path": newest.path + "/bin",
                "cuda_home": newest.path,
            },
        )
    ]


def _lib_major(name: str) -> Optional[str]:
    # libcudart.so.11.0 -> "11"; libcudnn.so.8 -> "8"
    parts = name.split(".so.")
    return parts[1].split(".")[0] if len(parts) == 2 and parts[1] else None


def ld_library_path_shadows_torch(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    """Per library: an older copy on LD_LIBRARY_PATH that the loader takes before torch's wheel
    (diagnose/library_shadow_rules.py); and, as before, a CUDA runtime or cuDNN of another major
    than torch's there (params empty)."""
    findings = shadow_findings(facts, VIA_LD_LIBRARY_PATH)
    torch = facts.torch
    if torch.flavor is not TorchFlavor.CUDA or not facts.cuda.ld_library_path_cuda_libs:
        return findings
    torch_cuda_major = (torch.cuda_version or "").split(".")[0]
    torch_cudnn_major = (torch.cudnn_version or "").split(".")[0]
    clashes = []
    for directory, libs in facts.cuda.ld_library_path_cuda_libs.items():
        for lib in libs:
            major = _lib_major(lib)
            if major is None:
                continue
            if lib.startswith("libcudart") and torch_cuda_major and major != torch_cuda_major:
                clashes.append(f"{directory}/{lib} (torch is built with CUDA {torch.cuda_version})")
            elif lib.startswith("libcudnn") and torch_cudnn_major and major != torch_cudnn_major:
                clashes.append(f"{directory}/{lib} (torch uses cuDNN {torch.cudnn_version})")
    if clashes:
        findings.append(
            Finding(
                id="ld-library-path-shadows-torch",
                severity="warning",
                evidence=sorted(set(clashes)),
            )
        )
    return findings


def several_cudnns(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    system = [c for c in facts.cudnn if c.source in ("header", "library")]
    majors = sorted({(c.version or "?").split(".")[0] for c in system})
    if len(majors) < 2:
        return []
    return [
        Finding(
            id="several-cudnn-versions",
            severity="info",
            evidence=[f"cuDNN {c.version} at {c.path} ({c.source})" for c in system],
            params={"majors": majors},
        )
    ]


RULES = [
    toolkit_without_driver,
    toolkit_newer_than_driver,
    nvcc_shadowed,
    ld_library_path_shadows_torch,
    several_cudnns,
]
