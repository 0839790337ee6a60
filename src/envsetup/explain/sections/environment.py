"""A CUDA-related environment variable as people show it: `echo $LD_LIBRARY_PATH` and the line it
printed (also `echo $CUDA_HOME`, `$CUDA_PATH`, `printenv NAME`).

Facts: cuda.ld_library_path (the directories, in order, empty entries dropped) and
cuda.cuda_home. An empty value (the variable unset) states nothing: echo prints the same blank
line for an unset and an empty variable.
"""

from __future__ import annotations

from typing import Sequence

from envsetup.explain.sections._reading import Reader, ReadingBuilder, stripped
from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Reading

KIND = "environment-variable"
# The variable -> its fact.
_FACTS = {"LD_LIBRARY_PATH": "cuda.ld_library_path", "CUDA_HOME": "cuda.cuda_home"}
_FACTS["CUDA_PATH"] = "cuda.cuda_home"
_COMMAND = lazy(
    r"(?:echo\s+(?:\$(?P<a>[A-Z_]{4,20})|\$\{(?P<b>[A-Z_]{4,20})\}|\"\$(?P<c>[A-Z_]{4,20})\")"
    r"|printenv\s+(?P<d>[A-Z_]{4,20}))"
)


def _variable(text: str) -> str:
    match = _COMMAND.fullmatch(text)
    if not match:
        return ""
    name = next((g for g in match.groups() if g), "")
    return name if name in _FACTS else ""


def _value(text: str) -> bool:
    """A line echo could have printed for a path variable: a POSIX or Windows path in it."""
    return len(text) < 4000 and ("/" in text or text[1:3] == ":\\")


def _scan(lines: Sequence[Line], start: int) -> int:
    if not _variable(stripped(lines, start)):
        return 0
    return 2 if _value(stripped(lines, start + 1)) else 0


def _read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(KIND, lines)
    name = _variable(lines[0].text.strip()) if lines else ""
    if name and len(lines) > 1:
        value, number = lines[1].text.strip(), lines[1].number
        builder.place(lines[0].number)
        if name == "LD_LIBRARY_PATH":
            builder.put(_FACTS[name], [path for path in value.split(":") if path], number)
        else:
            builder.put(_FACTS[name], value, number)
    return builder.finish(lines)


def _quick(text: str) -> bool:
    return text.startswith(("echo $", 'echo "$', "printenv "))


READER = Reader(KIND, _scan, _read, _quick)
# Where _quick can be true (every string it starts with), for the detector's one test
# of each line against all readers (explain/sections/__init__.py).
READER.start = lazy(r'(?:echo "?\$|printenv )')
READERS = [READER]
