"""/proc/driver/nvidia/version: the loaded kernel module's version and flavour (open or
proprietary), with the compiler line under it.

Facts: nvidia.kernel_module ("open" / "proprietary"), nvidia.kernel_module_version. The
module's version, not the user-space driver's: a difference between the two is the "version
mismatch" after an update without a reboot.
"""

from __future__ import annotations

from typing import Sequence

from envsetup.explain.sections._reading import Reader, ReadingBuilder, after_command, stripped
from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Reading
from envsetup.parsers.driver import parse_proc_driver_version

KIND = "proc-driver-version"
_COMMANDS = ("cat /proc/driver/nvidia/version", "more /proc/driver/nvidia/version")


def _body(lines: Sequence[Line], start: int) -> int:
    text = stripped(lines, start)
    if not (text.startswith("NVRM version:") and "NVIDIA UNIX" in text):
        return 0
    return 2 if stripped(lines, start + 1).startswith("GCC version:") else 1


def _scan(lines: Sequence[Line], start: int) -> int:
    return after_command(lines, start, _COMMANDS, _body) or _body(lines, start)


def _read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(KIND, lines)
    for line in lines:
        text = line.text.strip()
        if text.startswith("NVRM version:"):
            found = parse_proc_driver_version(text + " ")
            builder.put("nvidia.kernel_module", found.kernel_module, line.number)
            builder.put("nvidia.kernel_module_version", found.version, line.number)
            if found.arch:
                builder.put("os.arch", found.arch, line.number)
        elif text.startswith(("GCC version:", *_COMMANDS)):
            builder.place(line.number)
    return builder.finish(lines)


def _quick(text: str) -> bool:
    return text.startswith(("NVRM version", "sudo ", *_COMMANDS))


READER = Reader(KIND, _scan, _read, _quick)
# Where _quick can be true (every string it starts with), for the detector's one test
# of each line against all readers (explain/sections/__init__.py).
READER.start = lazy(
    r"(?:NVRM version|sudo |cat /proc/driver/nvidia/version|more /proc/driver/nvidia/version)"
)
READERS = [READER]
