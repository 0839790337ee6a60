"""WSL 1: a Linux distribution under WSL 1 has no GPU at all, whatever the Windows driver.

CUDA on WSL is WSL 2's only: NVIDIA's CUDA on WSL User Guide ("CUDA support in this user guide is
specifically for WSL 2", https://docs.nvidia.com/cuda/wsl-user-guide); a WSL 1 kernel reports
itself as "4.4.0-NNNNN-Microsoft" (parsers/kernel.py). A distribution converts with
`wsl --set-version <distro> 2` (microsoft/WSL discussion #6186,
https://github.com/microsoft/WSL/discussions/6186). A CUDA torch there sees no GPU: the cause is
WSL 1, not a missing Linux driver (torch-cuda-unavailable's advice), so this finding replaces it.
"""

from __future__ import annotations

from envsetup.diagnose.finding import Finding
from envsetup.facts import Facts, TorchFlavor
from envsetup.profiles.build_info import BuildLookup

WSL1_NO_GPU = "wsl1-no-gpu"
# What wsl1-no-gpu replaces (diagnose() drops it beside one): its fix (install the Linux driver,
# start a container with --gpus all) cannot work under WSL 1.
SUPERSEDES = frozenset(("torch-cuda-unavailable",))


def wsl1_no_gpu(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    os_facts, torch = facts.os, facts.torch
    if os_facts.wsl != 1 or torch.flavor is not TorchFlavor.CUDA:
        return []
    where = f" ({os_facts.source})" if os_facts.source else ""
    return [
        Finding(
            id="wsl1-no-gpu",
            severity="error",
            evidence=[
                f"kernel {os_facts.kernel or 'unknown'}{where}: WSL 1",
                f"torch {torch.version or 'unknown'} (CUDA {torch.cuda_version or '?'})",
            ],
            params={"kernel": os_facts.kernel, "torch": torch.version},
        )
    ]


def drop_superseded(findings: list[Finding]) -> list[Finding]:
    """`findings` without SUPERSEDES when wsl1-no-gpu is among them."""
    if not any(f.id == WSL1_NO_GPU for f in findings):
        return findings
    return [f for f in findings if f.id not in SUPERSEDES]


RULES = [wsl1_no_gpu]
