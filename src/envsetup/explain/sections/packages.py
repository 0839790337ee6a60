"""Package lists as pasted: `pip list`, `pip freeze`, `conda list` excerpts (often through
`| grep torch`) and collect_env's "[pip3] ..." / "[conda] ..." lines on their own.

Facts: torch version and build, torchvision/torchaudio, nvidia-* wheels, cudatoolkit,
pytorch-cuda (see _package_facts).
"""

from __future__ import annotations

from typing import Sequence

from envsetup.explain.sections._package_facts import add_package, is_relevant
from envsetup.explain.sections._reading import (
    Reader,
    ReadingBuilder,
    after_command,
    stripped,
    without_trailing_blanks,
)
from envsetup.model.paste import Line, Reading
from envsetup.parsers.packages import is_header, parse_package_line

KIND = "packages"
_COMMANDS = ("pip list", "pip3 list", "pip freeze", "pip3 freeze", "conda list", "mamba list",
             "micromamba list", "uv pip list", "uv pip freeze", "python -m pip list",
             "python3 -m pip list", "python -m pip freeze", "python3 -m pip freeze")  # fmt: skip


def _starts(text: str) -> bool:
    if not text or len(text) > 400:
        return False
    if is_header(text):
        return True
    package = parse_package_line(text)
    return package is not None and is_relevant(package.name)


def _body(lines: Sequence[Line], start: int) -> int:
    if not _starts(stripped(lines, start)):
        return 0
    end = start
    while end < len(lines):
        text = stripped(lines, end)
        if not text or len(text) > 400:
            break
        if not (is_header(text) or parse_package_line(text) is not None):
            break
        end += 1
    # A header alone ("Package Version" then nothing) is no list.
    if all(is_header(stripped(lines, i)) for i in range(start, end)):
        return 0
    return without_trailing_blanks(lines, start, end)


def _scan(lines: Sequence[Line], start: int) -> int:
    return after_command(lines, start, _COMMANDS, _body) or _body(lines, start)


def _read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(KIND, lines)
    for index, line in enumerate(lines):
        text = line.text.strip()
        if index == 0 and text.startswith((*_COMMANDS, "sudo ")):
            builder.place(line.number)
            continue
        if is_header(text):
            builder.place(line.number)
            continue
        package = parse_package_line(text)
        if package is not None:
            add_package(builder, package, line.number)
            builder.place(line.number)
    return builder.finish(lines)


READER = Reader(KIND, _scan, _read)
