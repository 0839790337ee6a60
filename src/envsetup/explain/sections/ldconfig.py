"""`ldconfig -p` (usually through `| grep`): where the loader finds libcuda, libcudart, libcudnn,
libnvJitLink, libcublas...

Facts: cudnn (each libcudnn.so.X.Y.Z with its version, source "library"). The other CUDA
libraries' entries are read (placed) but state no fact: the loader cache is not LD_LIBRARY_PATH,
and Facts has no field for it yet.
"""

from __future__ import annotations

from typing import Sequence

from envsetup.explain.sections._reading import Reader, ReadingBuilder, after_command, stripped
from envsetup.model.paste import Line, Reading
from envsetup.parsers.cudnn import cudnn_version_from_filename
from envsetup.parsers.ldconfig import parse_ldconfig

KIND = "ldconfig"
_COMMANDS = ("ldconfig -p", "ldconfig --print-cache", "/sbin/ldconfig -p", "ldconfig -v")
# The libraries whose place decides which CUDA / cuDNN a program loads.
_CUDA_LIBS = ("libcuda.", "libcudart.", "libcudnn", "libnvJitLink", "libcublas", "libnvrtc",
              "libnccl", "libnvidia-ml", "libcusparse", "libcufft")  # fmt: skip


def _is_entry(text: str) -> bool:
    return " => " in text and "(" in text and text[:1] != "("


def _body(lines: Sequence[Line], start: int) -> int:
    text = stripped(lines, start)
    if "libs found in cache" in text:
        end = start + 1
    elif _is_entry(text) and text.startswith("lib"):
        end = start
    else:
        return 0
    while end < len(lines) and _is_entry(stripped(lines, end)):
        end += 1
    return end - start if end - start > 1 or _is_entry(text) else 0


def _scan(lines: Sequence[Line], start: int) -> int:
    return after_command(lines, start, _COMMANDS, _body) or _body(lines, start)


def _read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(KIND, lines)
    for line in lines:
        text = line.text.strip()
        if text.startswith(_COMMANDS) or "libs found in cache" in text:
            builder.place(line.number)
            continue
        entries = parse_ldconfig(text + "\n") if _is_entry(text) else []
        for soname, path in entries:
            builder.place(line.number)
            if not soname.startswith(_CUDA_LIBS):
                continue
            name = path.rpartition("/")[2]
            version = cudnn_version_from_filename(path) if "cudnn" in name else None
            if version:
                builder.append("cudnn", {"version": version, "path": path, "source": "library"},
                               line.number)  # fmt: skip
    return builder.finish(lines)


_QUICK_STARTS = ("sudo ", *_COMMANDS)  # built once: _quick runs at every line no section claims


def _quick(text: str) -> bool:
    return " => " in text or "libs found in cache" in text or text.startswith(_QUICK_STARTS)


READER = Reader(KIND, _scan, _read, _quick)
READERS = [READER]
