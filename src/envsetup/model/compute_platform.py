"""The compute platform a PyTorch build targets: cpu, cuXYZ, rocmX.Y, xpu, mps.

The field's words: PyTorch's install matrix calls it the "compute platform", uv the "torch
backend" (`uv pip install --torch-backend cu128`). The tag is also the wheel's local version label
("2.4.0+cu121") and the last path part of its index URL (download.pytorch.org/whl/cu121).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Optional


class PlatformKind(str, Enum):
    CPU = "cpu"
    CUDA = "cuda"
    ROCM = "rocm"
    XPU = "xpu"  # Intel GPUs
    MPS = "mps"  # Apple silicon GPUs (macOS wheels are CPU builds that also run on MPS)

    def __str__(self) -> str:
        return self.value


_CUDA_TAG = re.compile(r"^cu(\d{1,3})(\d)$")
_CUDA_DOTTED = re.compile(r"^(\d{1,3})\.(\d)(\.\d+)*$")
_ROCM_TAG = re.compile(r"^rocm(\d{1,3}(?:\.\d{1,3}){1,2})$")


class TorchFlavor(str, Enum):
    """What doctor read an installed torch to be built for (facts.torch.flavor; the values are
    the facts document's strings). MACOS: a macOS wheel, a CPU build that also runs on MPS."""

    CUDA = "cuda"
    CPU = "cpu"
    ROCM = "rocm"
    XPU = "xpu"
    MACOS = "macos"
    NONE = "none"  # no torch installed
    UNKNOWN = "unknown"  # installed, but its files name no build

    def __str__(self) -> str:
        return self.value

    @property
    def platform_kind(self) -> Optional[PlatformKind]:
        """The compute platform kind of the build; None for NONE and UNKNOWN."""
        return _FLAVOR_KIND.get(self)


_FLAVOR_KIND = {
    TorchFlavor.CPU: PlatformKind.CPU,
    TorchFlavor.CUDA: PlatformKind.CUDA,
    TorchFlavor.ROCM: PlatformKind.ROCM,
    TorchFlavor.XPU: PlatformKind.XPU,
    TorchFlavor.MACOS: PlatformKind.CPU,
}


@dataclass(frozen=True)
class ComputePlatform:
    """A kind and, for CUDA and ROCm, its version: ComputePlatform(CUDA, "12.8") is cu128."""

    kind: PlatformKind
    version: Optional[str] = None  # "12.8" (CUDA major.minor), "6.2" / "5.4.2" (ROCm)

    @classmethod
    def parse(cls, text: str) -> ComputePlatform:
        """'cu128' / 'cpu' / 'rocm6.2' / 'xpu' / 'mps' (any case) -> ComputePlatform; ValueError else."""
        found = cls.try_parse(text)
        if found is None:
            raise ValueError(
                f"not a compute platform: {text!r} (expected cpu, cuXYZ, rocmX.Y, xpu or mps)"
            )
        return found

    @classmethod
    def try_parse(cls, text: Optional[str]) -> Optional[ComputePlatform]:
        value = (text or "").strip().lower()
        if value in (PlatformKind.CPU.value, PlatformKind.XPU.value, PlatformKind.MPS.value):
            return cls(PlatformKind(value))
        cuda = _CUDA_TAG.match(value)
        if cuda:
            return cls(PlatformKind.CUDA, f"{int(cuda.group(1))}.{cuda.group(2)}")
        rocm = _ROCM_TAG.match(value)
        if rocm:
            return cls(PlatformKind.ROCM, rocm.group(1))
        return None

    @classmethod
    def for_cuda(cls, cuda: str) -> Optional[ComputePlatform]:
        """'12.8' / '12.8.93' (the CUDA a build was made with) -> cu128; None when no version."""
        match = _CUDA_DOTTED.match(cuda.strip())
        if not match:
            return None
        return cls(PlatformKind.CUDA, f"{int(match.group(1))}.{match.group(2)}")

    @classmethod
    def from_local_version(cls, version: str) -> Optional[ComputePlatform]:
        """The platform a wheel's local label names: '2.4.0+cu121' -> cu121; None without label.

        A wheel without a label came from PyPI: which platform that is depends on the release
        and the OS (the profiles' `pypi_default`), so it is not decided here.
        """
        _, _, label = version.strip().partition("+")
        return cls.try_parse(label) if label else None

    @classmethod
    def from_flavor(
        cls,
        flavor: TorchFlavor,
        cuda_version: Optional[str] = None,
        hip_version: Optional[str] = None,
    ) -> Optional[ComputePlatform]:
        """An installed torch as doctor describes it (facts.torch.flavor and versions).

        None for flavor "none" / "unknown"; a CUDA build whose CUDA version is unknown has
        version None (its driver floor is unknown, its arch list may still be judged).
        """
        kind = flavor.platform_kind
        if kind is PlatformKind.CUDA:
            return (cls.for_cuda(cuda_version) if cuda_version else None) or cls(kind)
        if kind is PlatformKind.ROCM:
            parts = (hip_version or "").split(".")[:2]
            return cls(kind, ".".join(parts)) if hip_version else cls(kind)
        return cls(kind) if kind else None

    @property
    def tag(self) -> str:
        """'cu128', 'rocm6.2', 'cpu': the local version label and index URL suffix."""
        if self.kind is PlatformKind.CUDA and self.version:
            return "cu" + self.version.replace(".", "")
        if self.kind is PlatformKind.ROCM and self.version:
            return f"rocm{self.version}"
        return self.kind.value

    @property
    def cuda(self) -> Optional[str]:
        """'12.8' for a CUDA platform, else None."""
        return self.version if self.kind is PlatformKind.CUDA else None

    @property
    def cuda_major(self) -> Optional[int]:
        return int(self.version.split(".")[0]) if self.cuda and self.version else None

    def __str__(self) -> str:
        return self.tag
