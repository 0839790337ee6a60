"""doctor's rows for what collect_env reports beside torch and CUDA (model/system_info.py): the
CPU, the memory and the C compilers under "System", the relevant libraries under "PyTorch".

A fact a recording does not hold (one made before these reads, a paste without collect_env's
CPU block) is "not recorded": unknown, not absent.
"""

from __future__ import annotations

from typing import Callable

from envsetup.facts import Facts

# Shown one by one; the nvidia-* wheels (a dozen beside a CUDA torch) are counted, listed with -v.
_SHOWN_WITH_TORCH = ("torch", "torchvision", "torchaudio")  # rows of their own already


def system_info_rows(row: Callable[..., None], facts: Facts) -> None:
    """CPU, Memory and Compilers rows: `row(mark, label, value, source)` as doctor_text's."""
    info = facts.system_info
    if info.cpu_model or info.cpu_count or info.cpu_limit is not None:
        count = f"{info.cpu_count} logical CPUs" if info.cpu_count else "CPU count unknown"
        if info.cpu_limit is not None:
            count += f"; cgroup quota {info.cpu_limit:g} CPUs"
        row("ok", "CPU", f"{info.cpu_model or 'model unknown'}, {count}", info.cpu_source)
    else:
        row("none", "CPU", "not recorded")
    if info.memory_total_mib is not None:
        memory = f"{_gib(info.memory_total_mib)} total"
        if info.memory_available_mib is not None:
            memory += f", {_gib(info.memory_available_mib)} available"
        if info.memory_limit_mib is not None:
            memory += f"; cgroup limit {_gib(info.memory_limit_mib)}"
        row("ok", "Memory", memory, info.memory_source)
    else:
        row("none", "Memory", "not recorded")
    if info.compilers:
        shown = [
            f"{c.banner or (c.family + ' ' + (c.version or '?'))} at {c.path}"
            if c.path
            else c.banner or f"{c.family} {c.version or '?'}"
            for c in info.compilers
        ]
        sources = ", ".join(c.source for c in info.compilers if c.source)
        row("ok", "Compilers", "; ".join(shown), sources)
    elif info.compilers_not_recorded:
        row("none", "Compilers", "not recorded")
    else:
        row("none", "Compilers", "no gcc or clang found on PATH")


def library_row(row: Callable[..., None], facts: Facts, verbose: bool) -> None:
    """The relevant packages beside torch's own rows: numpy, triton, transformers... by name and
    version; the nvidia-* wheels counted (listed with -v)."""
    packages = {
        name: version
        for name, version in facts.system_info.packages.items()
        if name not in _SHOWN_WITH_TORCH
    }
    if not packages:
        return
    # nvidia-ml-py is NVML's Python binding (envsetup's own dependency), not a CUDA library wheel.
    nvidia = {n: v for n, v in packages.items() if n.startswith("nvidia-") and n != "nvidia-ml-py"}
    others = [f"{name} {version}" for name, version in packages.items() if name not in nvidia]
    if nvidia and verbose:
        others += [f"{name} {version}" for name, version in nvidia.items()]
    elif nvidia:
        others.append(f"{len(nvidia)} nvidia-* wheel{'s' if len(nvidia) > 1 else ''}")
    row("ok", "Libraries", ", ".join(others), facts.system_info.packages_source)


def _gib(mib: int) -> str:
    """24105 -> "23.5 GiB"; under 1 GiB in MiB."""
    return f"{mib / 1024:.1f} GiB" if mib >= 1024 else f"{mib} MiB"
