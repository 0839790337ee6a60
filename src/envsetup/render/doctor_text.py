"""doctor for people: sections, a mark per check, the fix under each problem; -v adds evidence."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional

from envsetup.diagnose.finding import Finding
from envsetup.facts import Facts
from envsetup.model.compute_platform import TorchFlavor
from envsetup.render import style
from envsetup.render.finding_words import words_for
from envsetup.render.gpu_access_text import gpu_access_rows
from envsetup.render.interpreter_words import why_this_python
from envsetup.render.system_info_text import library_row, system_info_rows

if TYPE_CHECKING:
    from rich.console import Console

    from envsetup.model.capability import ComputeCapability


def render_doctor(console: Console, facts: Facts, findings: list[Finding], verbose: bool) -> None:
    # Every value below comes from the machine (a GPU name, a tool's output, an environment
    # variable) or a recording: style escapes it (control sequences, credentials, markup).
    def row(mark: str, label: str, value: str, source: str = "") -> None:
        style.row(console, mark, label, value, source if verbose else "")

    os_, py, nv, torch = facts.os, facts.python, facts.nvidia, facts.torch
    style.section(console, "System")
    # A recording may name no OS or CPU (explain --record of a paste): print "unknown", never
    # a blank between the punctuation.
    distro = " ".join(x for x in (os_.distro_name, os_.distro_version) if x) or os_.system
    distro = f"{distro or 'unknown'} ({os_.arch or 'architecture unknown'})"
    extras = [f"kernel {os_.kernel}"] if os_.system == "Linux" else []
    if os_.glibc:
        extras.append(f"glibc {os_.glibc}")
    if os_.wsl:
        extras.append(f"WSL{os_.wsl}")
    if os_.container:
        extras.append(f"container: {os_.container}")
    row("ok", "OS", "; ".join([distro, ", ".join(extras)]) if extras else distro, os_.source)
    py_mark = "ok" if py.version else "error"
    if py.externally_managed:
        py_mark = "warning"
    py_value = " ".join(x for x in (py.version or "?", py.implementation) if x)
    py_value += f" at {py.executable or 'an unknown path'}"
    why = why_this_python(py.chosen_by)
    py_value += f" ({why})" if why else ""
    py_value += f" [{py.environment}]" if py.environment else ""
    py_value += f", pip {py.pip_version}" if py.pip_version else ", no pip"
    if py.externally_managed:
        py_value += ", externally managed (PEP 668)"
    row(py_mark, "Python", py_value, py.source)
    system_info_rows(row, facts)

    style.section(console, "NVIDIA")
    simulated = _simulated_values(facts)
    if simulated:
        row("info", "Simulated", f"{simulated}; not read from this machine")
    if nv.driver_version:
        module = f", {nv.kernel_module} kernel module" if nv.kernel_module else ""
        value = f"{nv.driver_version}{module}{_simulated_by(nv.driver_source)}"
        row("ok", "Driver", value, nv.driver_source)
    elif nv.driver_source:  # NVML answered without a version (explain --record of a paste)
        row("ok", "Driver", "version unknown", nv.driver_source)
    elif facts.jetson.is_jetson:  # the integrated GPU's driver is part of L4T
        # JetPack 5 and older have no nvidia-smi; JetPack 6's answers with little
        # (ultralytics/ultralytics PR #20680).
        row("ok", "Driver", "the integrated GPU's, part of L4T (nvidia-smi did not answer)")
    else:
        why = nv.nvml_error or "no driver found"
        row("none", "Driver", f"not found ({why}; nvidia-smi: {nv.smi_state})")
    if facts.jetson.is_jetson:
        _jetson_row(row, facts)
    if nv.smi_state in ("failed", "timed-out"):
        row(
            "error",
            "nvidia-smi",
            f"{nv.smi_state}: {nv.smi_failure or ''}".rstrip(": "),
            nv.smi_path or "",
        )
    for gpu in nv.gpus:
        memory = f", {gpu.memory_total_mib} MiB" if gpu.memory_total_mib else ""
        mig = (
            f", MIG {gpu.mig_mode}"
            if gpu.mig_mode and gpu.mig_mode not in ("N/A", "Disabled")
            else ""
        )
        link = (
            f", PCIe gen{gpu.pcie_gen}/{gpu.pcie_gen_max} x{gpu.pcie_width}/{gpu.pcie_width_max}"
            if verbose and gpu.pcie_gen
            else ""
        )
        row(
            "ok",
            f"GPU {gpu.index}",
            f"{gpu.name}, {_sm_of(gpu.compute_capability)}{memory}{mig}{link}"
            + _simulated_by(nv.gpus_source),
            nv.gpus_source,
        )
    gpu_access_rows(row, facts)

    style.section(console, "CUDA")
    row(
        "ok" if nv.driver_cuda_version else "none",
        "CUDA",
        cuda_versions(facts),
        nv.driver_cuda_source,
    )
    for toolkit in facts.cuda.toolkits:
        selected = (
            " [PATH]"
            if facts.cuda.nvcc_on_path
            and toolkit.nvcc
            and facts.cuda.nvcc_on_path_version == toolkit.version
            else ""
        )
        row(
            "ok",
            "Toolkit",
            f"{toolkit.version or 'version unknown'} at {toolkit.path}{selected}",
            toolkit.source,
        )
    _extension_build_row(row, facts)
    for cudnn in facts.cudnn:
        row("ok", "cuDNN", f"{cudnn.version or 'version unknown'} ({cudnn.source}) at {cudnn.path}")
    from envsetup.render.cuda_layout_text import render_cuda_layout

    render_cuda_layout(row, facts.cuda_layout, verbose)
    if facts.rocm.version or facts.rocm.smi_path:
        row("ok", "ROCm", facts.rocm.version or "present", facts.rocm.source)
    for gpu in facts.rocm.gpus:
        name = f"{gpu.name} ({gpu.gfx})" if gpu.name else gpu.gfx
        row("ok", "AMD GPU", name, gpu.source)
    if facts.apple.apple_silicon:
        row(
            "ok" if facts.apple.mps_capable else "warning",
            "Apple MPS",
            "available" if facts.apple.mps_capable else "needs macOS 12.3+",
        )

    style.section(console, "PyTorch")
    if torch.version:
        built = []
        if torch.cuda_version:
            built.append(f"CUDA {torch.cuda_version}")
        if torch.hip_version:
            built.append(f"ROCm/HIP {torch.hip_version}")
        if torch.cudnn_version:
            built.append(f"cuDNN {torch.cudnn_version}")
        row("ok", "torch", f"{torch.version}, {_build_words(torch.flavor, built)}", torch.source)
        for name in ("torchvision", "torchaudio"):
            version = getattr(torch, name)
            if version:
                row("ok", name, version)
        if torch.deep.ran:
            deep = torch.deep
            if deep.error:
                row("error", "import torch", deep.error.splitlines()[-1])
            else:
                row(
                    "ok" if deep.cuda_available or not nv.gpus else "error",
                    "import torch",
                    f"cuda available: {deep.cuda_available}, devices: {deep.device_count}, arch list: {' '.join(deep.arch_list) or 'empty'}",
                )
    elif torch.deep.arch_list or torch.deep.cuda_available is not None:
        # torch imported (--deep answered) though no installed files name it (a recorded paste)
        arch_list = " ".join(torch.deep.arch_list) or "empty"
        row("ok", "torch", f"version unknown; arch list: {arch_list}")
    else:
        row("none", "torch", "not installed")
    library_row(row, facts, verbose)

    render_diagnosis(console, findings, verbose)


def cuda_versions(facts: Facts) -> str:
    """The three CUDA versions a newcomer mixes up, each named by what it means: the highest CUDA
    the driver runs, the toolkits (nvcc) installed, the CUDA torch was built for. A missing part
    says what is missing ("no NVIDIA driver", "no toolkit", "CPU build"), never "n/a"."""
    return " · ".join((_driver_cuda(facts), _toolkit_cuda(facts), _torch_cuda(facts)))


def _driver_cuda(facts: Facts) -> str:
    nv = facts.nvidia
    if nv.driver_cuda_version:
        return f"driver supports up to {nv.driver_cuda_version}"
    if nv.driver_version or nv.driver_source:
        return "driver's highest CUDA unknown"
    if facts.jetson.is_jetson:
        return "driver part of L4T"
    return "no NVIDIA driver"


def _toolkit_cuda(facts: Facts) -> str:
    versions = sorted({t.version or "of unknown version" for t in facts.cuda.toolkits})
    if not versions:
        return "no toolkit"
    return f"{'toolkit' if len(versions) == 1 else 'toolkits'} {', '.join(versions)}"


def _torch_cuda(facts: Facts) -> str:
    torch = facts.torch
    if torch.cuda_version:
        return f"torch built for {torch.cuda_version}"
    if torch.hip_version:
        return f"torch built for ROCm {torch.hip_version} (no CUDA)"
    if torch.flavor == TorchFlavor.NONE and not torch.version:
        return "no torch"
    return f"torch: {_build_words(torch.flavor, [])}"


def _build_words(flavor: TorchFlavor, built: list[str]) -> str:
    """What an installed torch was built for, in words (the JSON keeps the flavor's value)."""
    if built:
        return f"built with {', '.join(built)}"
    return {
        TorchFlavor.CPU: "CPU build (no CUDA)",
        TorchFlavor.MACOS: "macOS build (CPU and MPS, no CUDA)",
        TorchFlavor.XPU: "Intel XPU build (no CUDA)",
        TorchFlavor.CUDA: "CUDA build (CUDA version unknown)",
        TorchFlavor.ROCM: "ROCm build (ROCm version unknown)",
    }.get(flavor, "build unknown (its files name no CUDA, ROCm or CPU build)")


def _jetson_row(row: Callable[..., None], facts: Facts) -> None:
    jetson = facts.jetson
    parts = [f"Jetson {jetson.module}" if jetson.module else "Jetson", jetson.model]
    if jetson.l4t:
        parts.append(f"L4T R{jetson.l4t}")
    if jetson.jetpack:
        parts.append(f"JetPack {jetson.jetpack}")
    if jetson.compute_capability:
        parts.append(f"integrated GPU {_sm_of(jetson.compute_capability)}")
    value = ", ".join(p for p in parts if p)
    row(
        "ok",
        "Jetson",
        value,
        "; ".join(x for x in (jetson.l4t_source, jetson.compute_capability_source) if x),
    )


def render_diagnosis(console: Console, findings: list[Finding], verbose: bool) -> None:
    """The Diagnosis section doctor and explain end with: each finding worded (render/words/),
    its fix printed whole (soft-wrapped by the terminal: a command in it must paste as one line),
    its evidence with -v, then the count of errors and warnings."""
    style.section(console, "Diagnosis")
    if not findings:
        style.item(console, "ok", "No problems found.")
    for finding in findings:
        words = words_for(finding)
        style.finding(
            console,
            finding.severity,
            words.title,
            finding.id,
            evidence_lines=finding.evidence if verbose else None,
            fix=words.fix,
        )
    errors = sum(f.severity == "error" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    console.print(f"\n{errors} error(s), {warnings} warning(s).", highlight=False)
    if not verbose and any(f.evidence for f in findings):
        console.print("[dim]Run with -v for the evidence behind each finding.[/]")


def _extension_build_row(row: Callable[..., None], facts: Facts) -> None:
    """The nvcc torch.utils.cpp_extension would build with, and nvcc's host compiler."""
    ext = facts.extension_build
    if not ext.nvcc:
        return
    value = f"nvcc {ext.nvcc_version or '(version unknown)'} at {ext.nvcc} (CUDA_HOME from {ext.cuda_home_from})"
    compiler = ext.host_compiler
    if compiler is not None:
        version = compiler.version or "(version unknown)"
        value += f"; host compiler {compiler.family} {version} at {compiler.path}"
    row("ok", "Extensions", value, ext.source)


def _sm_of(capability: Optional[ComputeCapability]) -> str:
    """9.0 -> 'sm_90', as every other output names a compute capability."""
    return capability.sm if capability is not None else "compute capability unknown"


OVERRIDE_SOURCE = "override:"  # probe/overrides.py: a fact an ENVSETUP_* variable set


def _simulated_by(source: str) -> str:
    """ " (simulated by ENVSETUP_X)" for a fact an override set, else ""."""
    if source.startswith(OVERRIDE_SOURCE):
        return f" (simulated by {source[len(OVERRIDE_SOURCE) :]})"
    return ""


def _simulated_values(facts: Facts) -> str:
    """Every value an ENVSETUP_* override set, each with its variable: the default view says so
    without -v, since a simulated GPU reads like a real one."""
    nv = facts.nvidia
    parts = []
    if nv.driver_version and _simulated_by(nv.driver_source):
        parts.append(f"driver {nv.driver_version}{_simulated_by(nv.driver_source)}")
    if nv.driver_cuda_version and _simulated_by(nv.driver_cuda_source):
        parts.append(
            f"driver supports CUDA <= {nv.driver_cuda_version}"
            + _simulated_by(nv.driver_cuda_source)
        )
    if nv.gpus and _simulated_by(nv.gpus_source):
        arches = ", ".join(_sm_of(g.compute_capability) for g in nv.gpus)
        parts.append(f"GPU {arches}{_simulated_by(nv.gpus_source)}")
    return "; ".join(parts)
