"""cuDNN's version defines as pasted: cudnn_version.h (cuDNN >= 8) or cudnn.h (cuDNN 7), whole or
as `grep CUDNN_MAJOR -A 2` excerpts.

Facts: cudnn (a list of one install: version "9.6.0", source "header").
"""

from __future__ import annotations

from typing import Sequence

from envsetup.explain.sections._reading import (
    Reader,
    ReadingBuilder,
    after_command,
    stripped,
    without_trailing_blanks,
)
from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Reading
from envsetup.parsers import ParseError
from envsetup.parsers.cudnn import parse_cudnn_header

KIND = "cudnn-header"
_OPENERS = ("#ifndef CUDNN_VERSION_H", "#if !defined(CUDNN_H_)", "#define CUDNN_MAJOR",
            "/*   cudnn :", "/* cudnn :")  # fmt: skip
_COMMANDS = ("cat ", "grep ", "more ", "head ", "less ")


def _is_c_line(text: str) -> bool:
    return text.startswith(("#", "/*", "*", "//", "}", "typedef", "extern")) or text.endswith(
        ("*/", ";", "{")
    )


def _body(lines: Sequence[Line], start: int) -> int:
    if not stripped(lines, start).startswith(_OPENERS):
        return 0
    end = start
    seen_major = False
    i = start
    while i < len(lines):
        text = stripped(lines, i)
        # A comment's inner lines ("   cudnn : ..." then "*/") are C too.
        if text and not _is_c_line(text) and not stripped(lines, i + 1).startswith("*/"):
            break
        if not text:
            following = stripped(lines, i + 1)
            if not following or not _is_c_line(following):
                break
        seen_major = seen_major or text.startswith("#define CUDNN_MAJOR")
        i += 1
        end = i
    if not seen_major:
        return 0
    return without_trailing_blanks(lines, start, end)


def _scan(lines: Sequence[Line], start: int) -> int:
    text = stripped(lines, start)
    if text.startswith(_COMMANDS) and "cudnn" in text:
        return after_command(lines, start, _COMMANDS, _body)
    return _body(lines, start)


def _read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(KIND, lines)
    major = next((ln.number for ln in lines if "CUDNN_MAJOR" in ln.text), lines[0].number)
    try:
        version = parse_cudnn_header("".join(ln.text.strip() + "\n" for ln in lines))
    except ParseError:
        return builder.finish(lines)
    path = "cudnn_version.h" if any("CUDNN_VERSION_H" in ln.text for ln in lines) else ""
    path = path or ("cudnn.h" if any("CUDNN_H_" in ln.text for ln in lines) else "")
    builder.put("cudnn", [{"version": version, "path": path, "source": "header"}], major)
    builder.place(*(ln.number for ln in lines))
    return builder.finish(lines)


def _quick(text: str) -> bool:
    return text.startswith(("#", "/*", *_COMMANDS))


READER = Reader(KIND, _scan, _read, _quick)
# Where _quick can be true (every string it starts with), for the detector's one test
# of each line against all readers (explain/sections/__init__.py).
READER.start = lazy(r"(?:#|/\*|cat |grep |more |head |less )")
READERS = [READER]
