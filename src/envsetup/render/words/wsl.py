"""Words for diagnose/wsl_rules.py (WSL 1 gives Linux no GPU).

Sources: NVIDIA's CUDA on WSL User Guide (CUDA is supported on WSL 2 only,
https://docs.nvidia.com/cuda/wsl-user-guide); `wsl --set-version <distro> 2` converts a
distribution (microsoft/WSL discussion #6186, https://github.com/microsoft/WSL/discussions/6186).
"""

from __future__ import annotations

from typing import Any, Mapping

from envsetup.render.finding_words import WordFn, Words

P = Mapping[str, Any]


def _wsl1_no_gpu(p: P) -> Words:
    torch = f"torch {p['torch']} is a CUDA build, but " if p.get("torch") else ""
    kernel = f" (kernel {p['kernel']})" if p.get("kernel") else ""
    return Words(
        f"{torch}this Linux runs under WSL 1{kernel}, which gives Linux no GPU: CUDA works "
        "only under WSL 2",
        "In Windows PowerShell: `wsl -l -v` names the distribution, `wsl --set-version <distro> 2` "
        "converts it (keep the NVIDIA driver on Windows only; install none inside Linux), then "
        "check `nvidia-smi` inside it.",
    )


WORDS: dict[str, WordFn] = {"wsl1-no-gpu": _wsl1_no_gpu}
