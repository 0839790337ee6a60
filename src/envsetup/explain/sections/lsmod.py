"""`lsmod` (or `lsmod | grep nvidia`, `cat /proc/modules`): the kernel modules loaded.

An lsmod row is "Module Size Used-by" (kmod's tools/lsmod.c): "nvidia_drm  57344  0",
"nvidia  34086912  1 nvidia_modeset"; /proc/modules rows add the state and address
("nvidia 34086912 1 nvidia_modeset, Live 0x0000000000000000"). Facts: nvidia.modules_loaded (the
NVIDIA modules listed: the driver's kernel side is loaded), nvidia.nouveau_loaded.
"""

from __future__ import annotations

from typing import Sequence

from envsetup.explain.sections._reading import Reader, ReadingBuilder, after_command, stripped
from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Reading

KIND = "lsmod"
_COMMANDS = ("lsmod", "cat /proc/modules", "/sbin/lsmod")
_HEADER = lazy(r"Module\s+Size\s+Used by")
_ROW = lazy(
    r"(?P<module>[A-Za-z0-9_]{1,60})\s+\d+\s+(?:\d+|-)(?:\s+[\w,\[\]-]+)?"
    r"(?:,?\s+(?:Live|Loading|Unloading)\s+0x[0-9a-f]+(?:\s+\([A-Z]+\))?)?"
)
_NVIDIA = lazy(r"nvidia(?:_[a-z]+)?")


def _rows(lines: Sequence[Line], start: int) -> int:
    at = start + (1 if _HEADER.fullmatch(stripped(lines, start)) else 0)
    first = at
    while at < len(lines) and _ROW.fullmatch(stripped(lines, at)):
        at += 1
    rows = [_ROW.fullmatch(stripped(lines, i)) for i in range(first, at)]
    # Rows naming a GPU driver's module: a run of "name int int" alone proves too little.
    named = any(m and (_NVIDIA.fullmatch(m["module"]) or m["module"] == "nouveau") for m in rows)
    return at - start if named else 0


def _scan(lines: Sequence[Line], start: int) -> int:
    return after_command(lines, start, _COMMANDS, _rows) or _rows(lines, start)


def _read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(KIND, lines)
    for line in lines:
        text = line.text.strip()
        match = _ROW.fullmatch(text)
        if match is None:
            if _HEADER.fullmatch(text) or text.startswith(_COMMANDS):
                builder.place(line.number)
            continue
        module = match["module"]
        if _NVIDIA.fullmatch(module):
            builder.append("nvidia.modules_loaded", module, line.number)
        elif module == "nouveau":
            builder.put("nvidia.nouveau_loaded", True, line.number)
        builder.place(line.number)
    return builder.finish(lines)


def _quick(text: str) -> bool:
    # The section starts at its command, its header or its first GPU driver row.
    return text.startswith(("nvidia", "nouveau", "Module", *_COMMANDS))


READER = Reader(KIND, _scan, _read, _quick)
# Where _quick can be true (every string it starts with), for the detector's one test
# of each line against all readers (explain/sections/__init__.py).
READER.start = lazy(r"(?:nvidia|nouveau|Module|lsmod|cat /proc/modules|/sbin/lsmod)")
READERS = [READER]
