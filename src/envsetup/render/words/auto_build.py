"""Words for a fix that installs a CUDA build where `envsetup install --cuda auto` would pick
none (diagnose/install_target.py, auto_not_cuda): why, and what would give one."""

from __future__ import annotations

from typing import Any, Mapping

from envsetup.render.finding_words import Words

NOT_COMPILED_TITLE = "The torch in use is a CPU-only build ('Torch not compiled with CUDA enabled')"


def torch_not_compiled_with_cuda(p: Mapping[str, Any]) -> Words:
    install = p.get("install") or "envsetup install --cuda auto"
    why = p.get("auto_not_cuda")
    if why == "macos":
        return Words(
            NOT_COMPILED_TITLE,
            "macOS has no CUDA build of torch: its builds use the Apple GPU through MPS; use "
            "`torch.device('mps')` (check `torch.backends.mps.is_available()`) instead of 'cuda'.",
        )
    if why == "amd":
        gfx = ", ".join(p.get("gfx") or []) or "an AMD GPU"
        return Words(
            NOT_COMPILED_TITLE,
            f"This machine's GPU is AMD ({gfx}): no CUDA build runs on it; a ROCm build does, and "
            f"`--cuda auto` picks it: `{install}`. Code that asks for 'cuda' runs on ROCm builds "
            "unchanged.",
        )
    if why == "no-nvidia":
        seen = f" ({p['nvidia_seen']})" if p.get("nvidia_seen") else ""
        return Words(
            NOT_COMPILED_TITLE,
            f"No NVIDIA GPU or driver is visible here{seen}, so no CUDA build fits this machine "
            "and `--cuda auto` would install the CPU build again. On a machine with an NVIDIA "
            f"GPU, install its driver first (`nvidia-smi` must list the GPU), then `{install}`; "
            "to install for another machine, pass its CUDA with --cuda (the CUDA Version "
            "`nvidia-smi` prints there) instead of auto.",
        )
    return Words(NOT_COMPILED_TITLE, f"Install a CUDA build: `{install}`.")
