"""The data nvidia-smi parsers return, whichever output form they read: a report of the model's
GPUs (envsetup.model.gpu.Gpu, with the details only nvidia-smi prints: bus id, driver model,
persistence mode, MIG devices, a shortened name)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional

from envsetup.model.gpu import Gpu


@dataclass
class SmiReport:
    driver_version: Optional[str]
    cuda_version: Optional[str]  # None when the output says "N/A" / "ERR!"
    cuda_version_raw: Optional[str]  # the literal text, e.g. "ERR!"
    gpus: List[Gpu] = field(default_factory=list)
    # True when the text stops before its end, so GPUs or fields may be missing.
    partial: bool = False
    # The nvidia-smi tool's own version. Under WSL it differs from driver_version, which is then
    # the Windows host driver.
    smi_version: Optional[str] = None
    nvml_version: Optional[str] = None
