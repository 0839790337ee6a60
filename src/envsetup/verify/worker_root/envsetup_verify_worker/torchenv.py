"""torch as this interpreter has it: the build, the GPUs it sees, its installed files."""

from __future__ import annotations

import os
import re
import warnings
from typing import Any, Dict, List, Optional

from .outcome import CheckFailed, CheckSkipped, Context


def torch_module() -> Any:
    import torch

    return torch


def build_of(torch: Any) -> str:
    if getattr(torch.version, "hip", None):
        return "rocm"
    if getattr(torch.version, "cuda", None):
        return "cuda"
    return "cpu"


def build_from_files(version_py: Dict[str, Optional[str]]) -> Optional[str]:
    if not version_py:
        return None
    if version_py.get("hip"):
        return "rocm"
    return "cuda" if version_py.get("cuda") else "cpu"


def why_no_gpu(torch: Any) -> str:
    build = build_of(torch)
    if build == "cpu":
        return f"torch {torch.__version__} is a CPU-only build (no CUDA or ROCm)"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        available = torch.cuda.is_available()
    if available and torch.cuda.device_count() > 0:
        return ""
    said = "; ".join(str(w.message).strip().splitlines()[0] for w in caught if str(w.message))
    reason = f"torch {torch.__version__} ({build}) sees no GPU: torch.cuda.is_available() is False"
    return f"{reason} ({said})" if said else reason


def gpu_devices(ctx: Context) -> List[int]:
    """The CUDA/ROCm device indices, or skip (fail under --require-gpu) with the reason."""
    torch = torch_module()
    reason = why_no_gpu(torch)
    if reason:
        if ctx.require_gpu:
            raise CheckFailed(
                f"--require-gpu: {reason}",
                fix=ctx.gpu_fix,
            )
        raise CheckSkipped(f"no GPU: {reason}")
    return list(range(torch.cuda.device_count()))


def compute_devices() -> List[str]:
    """Where the device checks run: every GPU when there is one, else the CPU."""
    torch = torch_module()
    if not why_no_gpu(torch):
        return [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    return ["cpu"]


def relative_error(result: Any, reference: Any) -> float:
    diff = (result.double().cpu() - reference.double().cpu()).abs().max().item()
    scale = reference.double().abs().max().item() or 1.0
    return diff / scale


class StrictFloat:
    """Turn TF32 off while comparing against a CPU reference (restored afterwards)."""

    def __enter__(self) -> None:
        torch = torch_module()
        self.matmul = torch.backends.cuda.matmul.allow_tf32
        self.cudnn = torch.backends.cudnn.allow_tf32
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False

    def __exit__(self, *exc: object) -> None:
        torch = torch_module()
        torch.backends.cuda.matmul.allow_tf32 = self.matmul
        torch.backends.cudnn.allow_tf32 = self.cudnn


_VERSION_PY_FIELD = re.compile(r"^(\w+)\s*(?::[^=]*)?=\s*(?:'([^']*)'|\"([^\"]*)\"|None)\s*$")


def read_version_py(path: str) -> Dict[str, Optional[str]]:
    """torch/version.py as text (what doctor reads), without importing it."""
    fields: Dict[str, Optional[str]] = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return fields
    for line in lines:
        match = _VERSION_PY_FIELD.match(line.strip())
        if match:
            value = match.group(2) if match.group(2) is not None else match.group(3)
            fields[match.group(1)] = value
    return fields


def files_view() -> Dict[str, Any]:
    """What torch's installed files say, read the way doctor reads them (no import)."""
    import importlib.util

    view: Dict[str, Any] = {}
    try:
        from importlib import metadata

        view["dist_version"] = metadata.version("torch")
    except Exception:  # no dist-info: a source tree or a path hack; nothing to compare
        view["dist_version"] = None
    spec = importlib.util.find_spec("torch")
    origin = spec.origin if spec else None
    if origin:
        view["location"] = os.path.dirname(origin)
        view["version_py"] = read_version_py(os.path.join(view["location"], "version.py"))
    return view
