"""Package lists as pasted: `pip list`, `pip freeze`, `conda list` excerpts (often through
`| grep torch`) and collect_env's "[pip3] ..." / "[conda] ..." lines on their own.

Facts: torch version and build, torchvision/torchaudio, nvidia-* wheels, cudatoolkit,
pytorch-cuda (see _package_facts).
"""

from __future__ import annotations

import re
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
        # A rule ("------ ------") or a bare "#" only follows a header row: never a start.
        return text.strip("- #") != ""
    package = parse_package_line(text)
    return package is not None and is_relevant(package.name)


def _titles(text: str) -> bool:
    """A header row that opens a list (not a rule, "#" or conda's "# Name" row under it)."""
    return text.strip("- #") != "" and not text.startswith("# Name")


def _conda_run(lines: Sequence[Line], start: int) -> bool:
    """conda list rows ("name version build [channel]") on this line and the next: a list,
    whatever the first package is."""
    first = parse_package_line(stripped(lines, start))
    if first is None or not first.build:
        return False
    second = parse_package_line(stripped(lines, start + 1))
    return second is not None and bool(second.build)


def _body(lines: Sequence[Line], start: int) -> int:
    if not (_starts(stripped(lines, start)) or _conda_run(lines, start)):
        return 0
    end = start
    packages = 0
    while end < len(lines):
        text = stripped(lines, end)
        if not text or len(text) > 400:
            break
        if parse_package_line(text) is not None:
            packages += 1
        elif not is_header(text) or (packages == 0 and end > start and _titles(text)):
            break  # one title row ("Package Version", "# packages in ...") heads a list
        end += 1
    # A header alone ("Package Version" then nothing) is no list.
    return without_trailing_blanks(lines, start, end) if packages else 0


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


_QUICK = re.compile(
    r"\[(?:pip3?|conda)\]|Package\s|# packages|# Name|Versions of relevant|(?:uv )?pip|"
    r"python3? -m pip|conda |"
    r"mamba |micromamba |sudo |torch|pytorch|nvidia|cuda|cudnn|jax|tensorflow|triton|xformers|"
    r"vllm|cupy|[a-z0-9][a-z0-9._-]* +\d[^ ]* +[a-z0-9_<]",
    re.IGNORECASE,
)


def _quick(text: str) -> bool:
    return _QUICK.match(text) is not None


READER = Reader(KIND, _scan, _read, _quick)
