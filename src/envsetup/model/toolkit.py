"""Where a CUDA toolkit found on the machine comes from."""

from __future__ import annotations

from enum import Enum


class ToolkitKind(str, Enum):
    """A system install (/usr/local/cuda, CUDA_HOME, nvcc on PATH) or the libraries a pip wheel
    (nvidia-cuda-runtime-cu12...) put in site-packages: torch loads the latter itself, so only
    system toolkits can shadow it or clash with the driver."""

    SYSTEM = "system"
    PIP_WHEEL = "pip-wheel"

    def __str__(self) -> str:
        return self.value
