"""What the judgement says: a stable code with parameters, never prose (render/verdict_words.py words it).

Codes are stable identifiers: tests, the resolver's refusals and --json output name them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Severity(str, Enum):
    BLOCKING = "blocking"  # the build cannot run here (or cannot be installed here)
    WARNING = "warning"  # it runs, but is the wrong choice for this machine
    NOTE = "note"  # how it runs, or what was not checked


class VerdictCode(str, Enum):
    """One fact about build B on machine M. Parameters per code are listed beside it."""

    # The platform and the interpreter
    NO_BUILD_FOR_PLATFORM = "no-build-for-platform"  # platform_key, build
    GLIBC_BELOW_FLOOR = "glibc-below-floor"  # have, need
    GLIBC_OK = "glibc-ok"  # have, need
    MUSL_LIBC = "musl-libc"  # have (musl's version, "" unknown), need (the glibc floor or None)
    PYTHON_OUTSIDE_RANGE = "python-outside-range"  # python, low, high
    # The NVIDIA driver, for a CUDA build
    DRIVER_BELOW_FLOOR = "driver-below-floor"  # build, cuda, have, need
    DRIVER_CUDA_TOO_LOW = "driver-cuda-too-low"  # build, cuda, driver_cuda, native (no driver v.)
    DRIVER_OK = "driver-ok"  # build, cuda, have, need, driver_cuda, native (bool)
    DRIVER_CUDA_OK = "driver-cuda-ok"  # build, cuda, driver_cuda, native (no driver version)
    NO_NVIDIA_DRIVER = "no-nvidia-driver"  # build, need (GPUs listed, no driver found)
    CUDA_BUILD_WITHOUT_NVIDIA = "cuda-build-without-nvidia"  # build, need (no GPU, no driver)
    # GPU architectures, for a CUDA build
    ARCH_NOT_COVERED = "arch-not-covered"  # build, gpu, index, sm, arch_list
    # build, gpu, index, sm, how (a model.capability.Coverage value), target ("sm_86")
    ARCH_COVERED = "arch-covered"
    ARCH_UNKNOWN = "arch-unknown"  # build, platform_key, sms (no arch list to check against)
    # The build's compute platform against the machine's hardware
    CPU_BUILD_ON_NVIDIA_GPU = "cpu-build-on-nvidia-gpu"  # sms
    ROCM_BUILD_WITHOUT_ROCM = "rocm-build-without-rocm"  # build


SEVERITY = {
    VerdictCode.NO_BUILD_FOR_PLATFORM: Severity.BLOCKING,
    VerdictCode.GLIBC_BELOW_FLOOR: Severity.BLOCKING,
    VerdictCode.GLIBC_OK: Severity.NOTE,
    VerdictCode.MUSL_LIBC: Severity.BLOCKING,
    VerdictCode.PYTHON_OUTSIDE_RANGE: Severity.BLOCKING,
    VerdictCode.DRIVER_BELOW_FLOOR: Severity.BLOCKING,
    VerdictCode.DRIVER_CUDA_TOO_LOW: Severity.BLOCKING,
    VerdictCode.DRIVER_OK: Severity.NOTE,
    VerdictCode.DRIVER_CUDA_OK: Severity.NOTE,
    VerdictCode.NO_NVIDIA_DRIVER: Severity.NOTE,
    VerdictCode.CUDA_BUILD_WITHOUT_NVIDIA: Severity.WARNING,
    VerdictCode.ARCH_NOT_COVERED: Severity.BLOCKING,
    VerdictCode.ARCH_COVERED: Severity.NOTE,
    VerdictCode.ARCH_UNKNOWN: Severity.NOTE,
    VerdictCode.CPU_BUILD_ON_NVIDIA_GPU: Severity.WARNING,
    VerdictCode.ROCM_BUILD_WITHOUT_ROCM: Severity.WARNING,
}


@dataclass(frozen=True)
class Verdict:
    """One code and its parameters (strings, bools, lists of strings: JSON-ready)."""

    code: VerdictCode
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def severity(self) -> Severity:
        return SEVERITY[self.code]

    @property
    def blocking(self) -> bool:
        return self.severity is Severity.BLOCKING

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code.value, "severity": self.severity.value, **self.params}


def blocking(verdicts: list[Verdict]) -> list[Verdict]:
    return [v for v in verdicts if v.blocking]


def codes(verdicts: list[Verdict]) -> list[VerdictCode]:
    return [v.code for v in verdicts]


def runs(verdicts: list[Verdict]) -> bool:
    """No blocking verdict: the build runs here (as far as the facts tell)."""
    return not any(v.blocking for v in verdicts)
