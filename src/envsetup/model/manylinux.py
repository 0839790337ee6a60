"""The C library a Linux wheel asks for, read from its platform tags.

packaging parses the wheel's file name into tags (packaging.utils.parse_wheel_filename); what a
manylinux tag promises is fixed by the PEPs: manylinux_X_Y_ARCH needs glibc >= X.Y (PEP 600), and
the older names are aliases of it (PEP 600: manylinux1 = manylinux_2_5 (PEP 513), manylinux2010 =
manylinux_2_12 (PEP 571), manylinux2014 = manylinux_2_17 (PEP 599)). packaging keeps that alias
table private (packaging._manylinux), so it is restated here. musllinux_X_Y_ARCH (PEP 656) is for
musl libc only.
"""

from __future__ import annotations

from typing import Optional

_LEGACY = {"manylinux1": "2.5", "manylinux2010": "2.12", "manylinux2014": "2.17"}


def tag_glibc(platform: str) -> Optional[str]:
    """The glibc a platform tag needs: 'manylinux_2_28_x86_64' -> '2.28',
    'manylinux2014_aarch64' -> '2.17'; None for a tag that names none (linux_x86_64,
    musllinux_1_2_x86_64, win_amd64)."""
    parts = platform.split("_")
    if parts[0] in _LEGACY and len(parts) > 1:
        return _LEGACY[parts[0]]
    if parts[0] == "manylinux" and len(parts) > 3 and parts[1].isdigit() and parts[2].isdigit():
        return f"{int(parts[1])}.{int(parts[2])}"
    return None


def is_musllinux(platform: str) -> bool:
    """'musllinux_1_2_x86_64': a wheel for musl libc (PEP 656)."""
    return platform.startswith("musllinux_")


def wheel_glibc(filename: str) -> Optional[str]:
    """The lowest glibc on which pip takes the wheel `filename` (any one of its platform tags
    will do); None when none of its tags is a manylinux one.

    Raises packaging.utils.InvalidWheelFilename for a name that is no wheel's."""
    from packaging.utils import parse_wheel_filename

    from envsetup.model.versions import version_key

    _, _, _, tags = parse_wheel_filename(filename)
    floors = {floor for floor in (tag_glibc(tag.platform) for tag in tags) if floor}
    return min(floors, key=version_key) if floors else None
