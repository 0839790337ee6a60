"""Machines for the install tests: doctor's Facts built directly (they are plain data)."""

from __future__ import annotations

from typing import Optional, Sequence

from envsetup.facts import (
    AppleFacts,
    Facts,
    Gpu,
    NvidiaFacts,
    OsFacts,
    Overrides,
    PythonFacts,
    RocmFacts,
)
from envsetup.model.capability import ComputeCapability


def make_facts(
    system: str = "Linux",
    arch: str = "x86_64",
    python: str = "3.11.7",
    driver: Optional[str] = None,
    driver_cuda: Optional[str] = None,
    gpus: Sequence[tuple[str, str]] = (),
    glibc: Optional[str] = "2.35",
    overrides: Optional[Overrides] = None,
    rocm: Optional[str] = None,
) -> Facts:
    """A machine as doctor would describe it. `gpus` are (name, compute capability) pairs."""
    return Facts(
        os=OsFacts(system=system, arch=arch, glibc=glibc if system == "Linux" else None),
        python=PythonFacts(executable="/usr/bin/python3", version=python),
        nvidia=NvidiaFacts(
            driver_version=driver,
            driver_cuda_version=driver_cuda,
            gpus=[
                Gpu(index=i, name=name, compute_capability=ComputeCapability.try_parse(cc))
                for i, (name, cc) in enumerate(gpus)
            ],
        ),
        rocm=RocmFacts(version=rocm),
        apple=AppleFacts(apple_silicon=system == "Darwin" and arch == "arm64"),
        overrides=overrides or Overrides(),
    )
