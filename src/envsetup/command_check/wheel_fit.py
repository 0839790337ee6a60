"""Does a torch wheel named in a command (a URL or a path) fit this machine? Its tags against the
machine's Python (packaging.tags) and platform (OS, arch, glibc or musl): pip refuses a wheel that
does not ("... is not a supported wheel on this platform"). Pure."""

from __future__ import annotations

import re

from packaging.tags import Tag, compatible_tags, cpython_tags

from envsetup.command_check.judge import command_finding
from envsetup.command_check.parse import ParsedCommand
from envsetup.command_check.simulate import Pick
from envsetup.diagnose.finding import Finding
from envsetup.model.machine import Machine
from envsetup.model.manylinux import is_musllinux, tag_glibc
from envsetup.model.versions import version_key

# Linux platform tags (PEP 425, 600, 656): the tag's arch; its glibc is envsetup.model.manylinux's.
_LINUX_TAG = re.compile(
    r"^(manylinux_(\d+)_(\d+)|musllinux_(\d+)_(\d+)|manylinux1|manylinux2010|manylinux2014|linux)_(\w+)$"
)
_MAC_TAG = re.compile(r"^macosx_\d+_\d+_(\w+)$")
_MAC_ARCHES = {"intel": ("x86_64",), "universal": ("x86_64",), "universal2": ("arm64", "x86_64")}
_WINDOWS_ARCHES = {"win_amd64": "x86_64", "win_arm64": "arm64", "win32": "x86"}


def wheel_findings(command: ParsedCommand, pick: Pick, machine: Machine) -> list[Finding]:
    """A torch wheel (URL or path) whose tags this machine's Python or platform does not take:
    pip refuses it ("... is not a supported wheel on this platform")."""
    python = pick.python or machine.python
    out = []
    for filename, tags in command.wheel_tags.items():
        python_fits = python is None or any(_python_fits(tag, python) for tag in tags)
        platform_fits = any(_platform_fits(tag.platform, machine) for tag in tags)
        if python_fits and platform_fits:
            continue
        interpreter = f"cp{python.replace('.', '')}" if python else None
        out.append(
            command_finding(
                "wheel-not-supported",
                [f"{filename}: pip says it is not a supported wheel on this platform"],
                {
                    "wheel": filename,
                    "wheel_tags": sorted(str(tag) for tag in tags),
                    "python_fits": python_fits,
                    "platform_fits": platform_fits,
                    "python": python,
                    "interpreter": interpreter,
                    "platform_key": machine.platform_key,
                    "glibc": machine.glibc,
                },
            )
        )
    return out


def _python_fits(tag: Tag, python: str) -> bool:
    """The tag's interpreter and ABI are ones CPython `python` ("3.11") takes (packaging.tags)."""
    try:
        version = tuple(int(part) for part in python.split(".")[:2])
    except ValueError:
        return True  # an unreadable version: not judged
    interpreter = f"cp{version[0]}{version[1]}"
    # CPython before 3.8 is built with pymalloc by default: its ABI tag is cp36m (PEP 3149)
    abis = [f"{interpreter}m", interpreter] if version < (3, 8) else [interpreter]
    bare = Tag(tag.interpreter, tag.abi, "any")
    taken = set(cpython_tags(version, abis=abis, platforms=["any"]))
    taken |= set(compatible_tags(version, interpreter, platforms=["any"]))
    return bare in taken


def _platform_fits(platform: str, machine: Machine) -> bool:
    """The platform tag names this machine's OS and arch (and, for manylinux, a glibc it has)."""
    if platform == "any":
        return True
    system, _, arch = machine.platform_key.partition("-")
    linux = _LINUX_TAG.match(platform)
    if linux:
        if system != "linux" or linux.group(6) != arch:
            return False
        # pip takes musllinux wheels on musl only and manylinux ones on glibc only (PEP 656);
        # a bare linux_ARCH tag it takes anywhere (whether it loads is the musl-libc verdict's).
        if is_musllinux(platform):
            return machine.musl is not None
        if machine.musl is not None and platform.startswith("manylinux"):
            return False
        needs = tag_glibc(platform)
        return needs is None or machine.glibc is None or version_key(machine.glibc) >= version_key(needs)  # fmt: skip
    mac = _MAC_TAG.match(platform)
    if mac:
        return system == "macos" and arch in _MAC_ARCHES.get(mac.group(1), (mac.group(1),))
    if platform in _WINDOWS_ARCHES:
        return system == "windows" and _WINDOWS_ARCHES[platform] == arch
    return True  # a platform tag envsetup does not know: not judged
