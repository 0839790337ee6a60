"""Package lists as pasted: `pip list`, `pip freeze`, `conda list` excerpts (often through
`| grep torch`), collect_env's "[pip3] ..." / "[conda] ..." lines on their own, and `pip show`.

Facts: torch version and build, torchvision/torchaudio, nvidia-* wheels, cudatoolkit,
pytorch-cuda (see _package_facts).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional, Sequence

from envsetup.explain.sections._package_facts import add_package, is_relevant
from envsetup.explain.sections._reading import (
    Reader,
    ReadingBuilder,
    after_command,
    stripped,
    without_trailing_blanks,
)
from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Reading
from envsetup.parsers.packages import Package, is_header, normalise, parse_package_line

KIND = "packages"
_COMMANDS = ("pip list", "pip3 list", "pip freeze", "pip3 freeze", "conda list", "mamba list",
             "micromamba list", "uv pip list", "uv pip freeze", "python -m pip list",
             "python3 -m pip list", "python -m pip freeze", "python3 -m pip freeze")  # fmt: skip


# An `lsmod` row: "nvidia_drm   57344  0" / "nvidia_modeset 1224704  1 nvidia_drm" (module,
# size in bytes, use count, the modules using it) -- name and two integers, never a package.
_LSMOD_ROW = lazy(r"[A-Za-z0-9_]+\s+\d+\s+\d+(?:\s+[\w,\[\]-]+)?")


# The same row is asked about again and again: as a possible start (three rows ahead for pip's
# columns), then while the section is measured, then read. Package is frozen: shared safely.
@lru_cache(maxsize=4096)
def _package_line(text: str) -> Optional[Package]:
    """parse_package_line, refusing lsmod's rows (their size and use count read as a version
    and a build)."""
    return None if _LSMOD_ROW.fullmatch(text.strip()) else parse_package_line(text)


def _starts(text: str) -> bool:
    if not text or len(text) > 400:
        return False
    if is_header(text):
        # A rule ("------ ------") or a bare "#" only follows a header row: never a start.
        return text.strip("- #") != ""
    package = _package_line(text)
    return package is not None and is_relevant(package.name)


def _titles(text: str) -> bool:
    """A header row that opens a list (not a rule, "#" or conda's "# Name" row under it)."""
    return text.strip("- #") != "" and not text.startswith("# Name")


def _conda_run(lines: Sequence[Line], start: int) -> bool:
    """conda list rows ("name version build [channel]") on this line and the next: a list,
    whatever the first package is."""
    first = _package_line(stripped(lines, start))
    if first is None or not first.build:
        return False
    second = _package_line(stripped(lines, start + 1))
    return second is not None and bool(second.build)


def _version_column(text: str) -> int:
    """Where the second column starts in a "name    version" row; -1 when it is no such row."""
    package = _package_line(text)
    if package is None or package.build:
        return -1
    name_end = text.find(" ")
    return len(text) - len(text[name_end:].lstrip())


def _pip_run(lines: Sequence[Line], start: int) -> bool:
    """Three rows of `pip list` (no header: an excerpt): pip pads names to one column, so the
    versions line up, and the padding shows as a run of blanks."""
    rows = [stripped(lines, start + k) for k in range(3)]
    columns = {_version_column(row) for row in rows}
    return len(columns) == 1 and -1 not in columns and any("  " in row for row in rows)


def _body(lines: Sequence[Line], start: int) -> int:
    text = stripped(lines, start)
    if not (_starts(text) or _conda_run(lines, start) or _pip_run(lines, start)):
        return 0
    end = start
    packages = 0
    while end < len(lines):
        text = stripped(lines, end)
        if not text or len(text) > 400:
            break
        if _package_line(text) is not None:
            packages += 1
        elif not is_header(text) or (packages == 0 and end > start and _titles(text)):
            break  # one title row ("Package Version", "# packages in ...") heads a list
        end += 1
    # A header alone ("Package Version" then nothing) is no list.
    return without_trailing_blanks(lines, start, end) if packages else 0


# `pip show torch`: "Name: torch" / "Version: 2.4.0+cu121" / ... / "Required-by: ...".
_SHOW_KEYS = ("Name", "Version", "Summary", "Home-page", "Author", "Author-email", "License",
              "Location", "Requires", "Required-by", "Editable project location",
              "License-Expression", "Metadata-Version", "Files")  # fmt: skip


# rocminfo's agent names ("gfx1102", "amdgcn-amd-amdhsa--gfx1102"), which `grep Name` shows
# one after another as pip show's "Name:" lines would start.
_AGENT_NAME = lazy(r"(?:gfx[0-9a-f]{3,5}\b|amdgcn-amd-amdhsa--)")


def _show_key(text: str) -> str:
    key, colon, _ = text.partition(":")
    return key if colon and key in _SHOW_KEYS else ""


def _show(lines: Sequence[Line], start: int) -> int:
    """`pip show` records (one or more, "---" between them)."""
    first = stripped(lines, start)
    if not (first.startswith("Name: ") and _show_key(stripped(lines, start + 1))):
        return 0
    if _AGENT_NAME.match(first[len("Name: ") :].lstrip()):
        return 0  # `rocminfo | grep Name`: an agent's gfx target, not a package (rocm.py)
    end = start
    while end < len(lines):
        text = stripped(lines, end)
        if not (_show_key(text) or text == "---"):
            break
        end += 1
    return end - start


def _scan(lines: Sequence[Line], start: int) -> int:
    commands = (*_COMMANDS, "pip show", "pip3 show", "python -m pip show", "python3 -m pip show")
    return (
        after_command(lines, start, commands, _show)
        or _show(lines, start)
        or after_command(lines, start, _COMMANDS, _body)
        or _body(lines, start)
    )


def _read_show(builder: ReadingBuilder, lines: Sequence[Line]) -> None:
    name = ""
    name_line = 0
    for line in lines:
        text = line.text.strip()
        key, _, value = text.partition(":")
        value = value.strip()
        if key == "Name":
            name, name_line = normalise(value), line.number
        elif key == "Version" and name:
            add_package(builder, Package(name, value), name_line)
            builder.place(name_line)
        builder.place(line.number)


def _read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(KIND, lines)
    if any(line.text.strip().startswith("Name: ") for line in lines[:2]):
        _read_show(builder, lines)
        return builder.finish(lines)
    for index, line in enumerate(lines):
        text = line.text.strip()
        if index == 0 and text.startswith((*_COMMANDS, "sudo ")):
            builder.place(line.number)
            continue
        if is_header(text):
            builder.place(line.number)
            continue
        package = _package_line(text)
        if package is not None:
            add_package(builder, package, line.number)
            builder.place(line.number)
    return builder.finish(lines)


_QUICK = lazy(
    r"\[(?:pip3?|conda)\]|Package\s|# packages|# Name|Versions of relevant|(?:uv )?pip|Name: |"
    r"python3? -m pip|conda |"
    r"mamba |micromamba |sudo |torch|pytorch|nvidia|cuda|cudnn|jax|tensorflow|triton|xformers|"
    # conda list rows ("name version build ...") and pip list rows padded to a column
    r"vllm|cupy|[a-z0-9][a-z0-9._-]* +\d[0-9a-z.+!_-]* +[a-z0-9_<]|[a-z0-9][a-z0-9._-]*  +\d"
    r"[0-9a-z.+!_-]*$",
    re.IGNORECASE,
)


def _quick(text: str) -> bool:
    return _QUICK.match(text) is not None


READER = Reader(KIND, _scan, _read, _quick)
READERS = [READER]
