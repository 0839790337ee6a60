"""What a plain `pip install torch==X.Y.*` takes from PyPI on one platform: the one answer that
doctor (an installed wheel without a local label), check-command (a command without an index URL)
and install (a release's build for the release-level checks) all use.

PyPI carries one build of each release per platform, and which one differs per platform and
release (profiles' `pypi_default`, profiles/README.md):
- Linux x86_64: a CUDA build in every release 2.0-2.14 (compat.md §1 [TI-M]; 2.14.1: its wheel's
  torch/version.py says +cu130, [PYPI-WHL]);
- Linux aarch64: the CPU build through 2.10, a CUDA 13.0 build from 2.11. Read from the aarch64
  wheels' own metadata on files.pythonhosted.org (torch-2.10.0-cp310-cp310-manylinux_2_28_aarch64.whl
  pins every nvidia-* package behind `platform_machine == "x86_64"`; torch-2.11.0-...-aarch64.whl
  to 2.14.1 require cuda-toolkit==13.0.x and nvidia-cudnn-cu13 on Linux alone; the rows are in
  tests/fixtures/pypi/SOURCES.tsv), and pytorch/pytorch #160162 ("until pytorch 2.8, the pypi wheel
  only has CPU version pytorch on aarch64") and #168065 (2.9 on a GB200: CPU; the maintainers'
  answer is the cu128 index);
- Windows: the CPU build in every release (every CUDA requirement of the win_amd64 wheels is
  behind `platform_system == "Linux"`, same fixtures);
- macOS: the CPU/MPS build; Intel Macs have wheels up to 2.2.2 only ([I-mac]; PyPI has no
  macosx x86_64 wheel of 2.3.0).
A release with no platform table, or whose Python range leaves this Python out, has no PyPI wheel
here: pip then takes an older release, or finds none.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from envsetup.model.versions import in_release_range

STATUS_KEY = "pypi_default"  # the key of the fact in a platform's `status` table


class NoWheel(str, enum.Enum):
    """Why PyPI has no wheel of a release for this machine."""

    PLATFORM = "no-platform"  # no wheels for this OS/CPU (Intel macOS after 2.2)
    PYTHON = "python-outside-range"  # none for this Python (3.13 on Windows for 2.5)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class PypiWheel:
    """PyPI's torch wheel of one release on one platform (and Python, when one is given)."""

    release: str  # "2.9"
    platform_key: str  # "linux-aarch64"
    build: Optional[str]  # the variant PyPI's wheel is: "cpu", "cu130"; None when there is none
    status: str = "C"  # of the fact: C confirmed, D derived, U unconfirmed (profiles/README.md)
    missing: Optional[NoWheel] = None  # why there is no wheel (build is None)
    python_range: Optional[tuple[str, str]] = None  # the platform's wheels' Pythons

    @property
    def is_cpu(self) -> bool:
        return self.build == "cpu"

    @property
    def confirmed(self) -> bool:
        return self.status != "U"


def pypi_wheel(
    release: str,
    platform_key: str,
    platform: Optional[Mapping[str, Any]],
    python: Optional[str] = None,
) -> PypiWheel:
    """PyPI's wheel of `release` on `platform_key` for `python` ("3.12"; None: any).

    `platform` is the profile's `[platforms.<key>]` table as read from TOML (or as
    Release.pypi_wheel rebuilds it): `pypi_default`, `python = [min, max]`, optional `status`.
    None or a table without `pypi_default`: the release publishes nothing there. Raises nothing.
    """
    if not platform or not platform.get("pypi_default"):
        return PypiWheel(release, platform_key, None, missing=NoWheel.PLATFORM)
    low, high = (str(v) for v in platform["python"][:2])
    status = str((platform.get("status") or {}).get(STATUS_KEY, "C"))
    if python and in_release_range(python, low, high) is False:
        return PypiWheel(
            release, platform_key, None, status, missing=NoWheel.PYTHON, python_range=(low, high)
        )
    return PypiWheel(
        release, platform_key, str(platform["pypi_default"]), status, python_range=(low, high)
    )
