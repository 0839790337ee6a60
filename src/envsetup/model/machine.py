"""The machine a build is judged against: the facts a compatibility judgement reads.

Built from doctor's facts by envsetup.compat.machine_from_facts (which applies the ENVSETUP_*
overrides and fills the driver's CUDA version from the driver table).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from envsetup.model.gpu import Gpu
from envsetup.model.jetson import JetsonFacts

# PyTorch's wheel platforms, as the profiles key them.
PLATFORM_KEYS = ("linux-x86_64", "linux-aarch64", "windows-x86_64", "macos-arm64", "macos-x86_64")


def platform_key_for(system: str, machine: str) -> Optional[str]:
    """('Linux', 'x86_64') -> 'linux-x86_64'; None when PyTorch has no such platform key."""
    system_name = system.lower()
    arch = machine.lower()
    if arch in ("x86_64", "amd64", "x64"):
        arch = "x86_64"
    elif arch in ("aarch64", "arm64", "armv8l"):
        arch = "arm64" if system_name == "darwin" else "aarch64"
    if system_name == "linux":
        key = f"linux-{arch}"
    elif system_name == "darwin":
        key = f"macos-{arch}"
    elif system_name.startswith("win"):
        key = f"windows-{arch}"
    else:
        return None
    return key if key in PLATFORM_KEYS else None


@dataclass(frozen=True)
class Machine:
    """The facts the judgement uses, with doctor's overrides already applied."""

    platform_key: str
    system: str  # Linux, Windows, Darwin
    glibc: Optional[str] = None
    musl: Optional[str] = None  # musl libc: its version, "" when unknown; None: not musl
    python: Optional[str] = None  # "3.11": the Python that will run the build
    driver: Optional[str] = None  # the NVIDIA driver version, "550.54.14"
    driver_cuda: Optional[str] = None  # the highest CUDA the driver supports, "12.4"
    # The GPUs to judge, each with a known compute capability (Gpu.label and Gpu.sm name them).
    gpus: tuple[Gpu, ...] = ()
    rocm: Optional[str] = None
    # The AMD GPUs' gfx targets ("gfx1031"), from rocminfo or the KFD topology.
    amd_gfx: tuple[str, ...] = ()
    apple_silicon: bool = False
    # The NVIDIA stack answers (nvidia-smi/NVML worked): a CPU build here wastes a GPU.
    working_nvidia_gpu: bool = False
    # A Jetson (model/jetson.py): its integrated GPU needs NVIDIA's JetPack builds. None elsewhere.
    # (compare=False: Machine stays hashable; JetsonFacts holds a list.)
    jetson: Optional[JetsonFacts] = field(default=None, compare=False)

    @property
    def has_nvidia(self) -> bool:
        return bool(self.gpus or self.driver or self.driver_cuda)

    @property
    def is_macos(self) -> bool:
        return self.platform_key.startswith("macos")
