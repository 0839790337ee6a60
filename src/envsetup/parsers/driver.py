"""The loaded NVIDIA kernel module's version: /proc/driver/nvidia/version, /sys/module/nvidia/version."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from envsetup.digits import small_int
from envsetup.parsers import ParseError
from envsetup.parsers._text import is_version


@dataclass
class ProcDriverVersion:
    version: str
    kernel_module: str  # "open" | "proprietary"
    arch: Optional[str]  # "x86_64", "aarch64", ...
    # Jetson (L4T): the number is an L4T release such as 35.3.1, not a desktop driver version.
    tegra: bool = False


# "NVIDIA UNIX x86_64 Kernel Module  384.98  Thu Oct 26 ..." (proprietary) and
# "NVIDIA UNIX Open Kernel Module for x86_64  565.57.01  Release Build ..." (open). The same
# words follow "NVRM version:" in /proc and "NVRM: loading" in dmesg.
_PROPRIETARY = re.compile(r"NVIDIA UNIX\s+(?:(\S+)\s+)?Kernel Module\s+(\d+(?:\.\d+)+)(?=\s)")
_OPEN = re.compile(r"NVIDIA UNIX\s+Open Kernel Module(?:\s+for\s+(\S+))?\s+(\d+(?:\.\d+)+)(?=\s)")
# Desktop/datacenter drivers have been numbered from 1.0-xxxx and 96.xx up to the 500s and 600s;
# L4T releases are R32..R38. An aarch64 module numbered below 100 is therefore a Jetson one.
_L4T_MAJOR_LIMIT = 100


def _is_tegra(arch: Optional[str], version: str) -> bool:
    major = small_int(version.split(".")[0])
    return arch == "aarch64" and major is not None and major < _L4T_MAJOR_LIMIT


def parse_proc_driver_version(text: str) -> ProcDriverVersion:
    """Read /proc/driver/nvidia/version (or the kernel's "NVRM: loading ..." line in dmesg)."""
    open_match = _OPEN.search(text)
    if open_match:
        arch, version, kernel_module = open_match.group(1), open_match.group(2), "open"
    else:
        proprietary = _PROPRIETARY.search(text)
        if not proprietary:
            raise ParseError(
                "no 'NVIDIA UNIX ... Kernel Module <version>' line: not /proc/driver/nvidia/version"
            )
        arch, version, kernel_module = proprietary.group(1), proprietary.group(2), "proprietary"
    return ProcDriverVersion(
        version=version,
        kernel_module=kernel_module,
        arch=arch,
        tegra=_is_tegra(arch, version),
    )


def parse_sys_module_version(text: str) -> str:
    """Read /sys/module/nvidia/version: a single version such as "535.129.03".

    sysfs gives an attribute whole in one read, so the value is trusted without its newline.
    """
    value = text.strip()
    if not is_version(value):
        raise ParseError(f"{value[:40]!r} is not a driver version: not /sys/module/nvidia/version")
    return value


__all__ = ["ProcDriverVersion", "parse_proc_driver_version", "parse_sys_module_version"]
