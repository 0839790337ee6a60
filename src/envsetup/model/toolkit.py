"""Where a CUDA toolkit found on the machine comes from."""

from __future__ import annotations

from enum import Enum
from typing import Optional, Protocol


class _Toolkit(Protocol):
    kind: Optional[str]
    source: str


class ToolkitKind(str, Enum):
    """A system install (/usr/local/cuda, CUDA_HOME, nvcc on PATH) or the libraries a pip wheel
    (nvidia-cuda-runtime-cu12...) put in site-packages: torch loads the latter itself, so only
    system toolkits can shadow it or clash with the driver."""

    SYSTEM = "system"
    PIP_WHEEL = "pip-wheel"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def of(cls, toolkit: _Toolkit) -> ToolkitKind:
        """A facts.CudaToolkit's kind; facts written before `kind` existed name pip wheels in
        `source` ("pip wheel nvidia-cuda-runtime-cu12")."""
        if toolkit.kind:
            try:
                return cls(toolkit.kind)
            except ValueError:
                pass
        return cls.PIP_WHEEL if toolkit.source.startswith("pip wheel") else cls.SYSTEM
