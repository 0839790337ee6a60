"""ptxas refusing a GPU target ("ptxas fatal : Value 'sm_110a' is not defined for option
'gpu-name'"): the assembler's CUDA release does not know that compute capability, either older
than the first release that builds for it or one that dropped it (data/nvcc_support.toml through
envsetup.compat.nvcc). Triton bundles its own ptxas (triton/backends/nvidia/bin/ptxas, and from
3.5 ptxas-blackwell for sm_100 and up), so a Triton older than the GPU hits it: Thor's sm_110a
(triton-lang/triton #8096) and GB10's sm_121a (#8539), where the maintainer's fix is "using PTXAS
shipped with CUDA 13 ... setting TRITON_PTXAS_PATH to /usr/local/cuda/bin/ptxas" (confirmed on the
DGX Spark in the same thread). Called from signal_rules.judge_signals."""

from __future__ import annotations

from typing import Optional

from envsetup.compat import nvcc
from envsetup.compat.nvcc import release_of
from envsetup.diagnose.finding import Finding
from envsetup.diagnose.signal_common import Evidence, finding_of
from envsetup.facts import Facts
from envsetup.model.capability import ComputeCapability
from envsetup.model.paste import Signal


def judge_ptxas_arch(signals: list[Signal], facts: Facts, ev: Evidence) -> list[Finding]:
    """One finding per target ptxas refused, with the CUDA release that knows it and, where
    this machine has one, the ptxas of a toolkit that new."""
    found = []
    for arch in dict.fromkeys(str(s.params.get("arch")) for s in signals):
        group = [s for s in signals if str(s.params.get("arch")) == arch]
        capability = ComputeCapability.try_parse(arch)
        first = nvcc.first_cuda_for(capability) if capability else None
        support = nvcc.arch_support(first, capability) if first and capability else None
        removed = support.removed if support else ""
        # A target the table dropped is one this ptxas is too new for; else it predates `first`.
        reason = "removed" if removed else ("too-new" if first else None)
        found.append(
            finding_of(
                "ptxas-gpu-arch-unknown",
                "error",
                group,
                ev,
                arch=arch,
                capability=str(capability) if capability else None,
                program=next((str(s.params["program"]) for s in group), "ptxas"),
                triton=True if any(s.params.get("triton") for s in group) else None,
                first=first,
                removed=removed or None,
                reason=reason,
                ptxas=_ptxas_at_least(first, facts) if reason == "too-new" else None,
            )
        )
    return found


def _ptxas_at_least(first: Optional[str], facts: Facts) -> Optional[str]:
    """The ptxas of a CUDA toolkit on this machine at release `first` or newer, else None."""
    need = release_of(first or "")
    if need is None:
        return None
    for toolkit in facts.cuda.toolkits:
        have = release_of(toolkit.version or "")
        if have is not None and have >= need and toolkit.kind != "pip-wheel":
            return f"{toolkit.path.rstrip('/')}/bin/ptxas"
    return None
