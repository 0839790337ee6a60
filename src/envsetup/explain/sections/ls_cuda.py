"""`ls -l` of CUDA directories (/usr/local, /usr/local/cuda): which toolkits are installed and
where the /usr/local/cuda link points.

Facts: cuda.toolkits (each cuda-X.Y directory, kind "system"); cudnn (each libcudnn*.so.X.Y.Z
file listed, source "library"). Signal "cuda-symlink": the link
and its target, with dangling=True when the listing is of the target's own directory and the
target is not in it (the link points at nothing), None when the listing cannot tell.
"""

from __future__ import annotations

from typing import Optional, Sequence

from envsetup.explain.sections._reading import Reader, ReadingBuilder, after_command, stripped
from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Reading, Signal
from envsetup.parsers.cudnn import cudnn_version_from_filename

KIND = "ls-cuda"
_COMMANDS = ("ls -l", "ls -la", "ls -al", "ls -lh", "ls -lah", "ll ", "ls -ld")
_MODE = lazy(r"[dlcbps-][rwxsStT-]{9}[.+@]?")
_TOOLKIT_DIR = lazy(r"cuda-(\d+\.\d+)")


def _entry(text: str) -> Optional[tuple[str, str, str]]:
    """(mode, name, link target or "") of an `ls -l` line."""
    parts = text.split(None, 8)
    if len(parts) < 9 or not _MODE.fullmatch(parts[0]):
        return None
    name, _, target = parts[8].partition(" -> ")
    return parts[0], name.strip(), target.strip()


def _is_cuda_name(name: str) -> bool:
    """A file of a CUDA install: the toolkit directories and the CUDA / cuDNN libraries."""
    base = name.rsplit("/", 1)[-1]
    return "cuda" in base or base.startswith(("libcu", "libnv", "libnpp", "nvcc"))


def _body(lines: Sequence[Line], start: int) -> int:
    text = stripped(lines, start)
    end = start + 1 if text.startswith("total ") and text[6:].strip()[:1].isdigit() else start
    first = _entry(stripped(lines, end))
    if first is None or (end == start and not _is_cuda_name(first[1])):
        return 0
    while end < len(lines) and _entry(stripped(lines, end)) is not None:
        end += 1
    return end - start


def _scan(lines: Sequence[Line], start: int) -> int:
    return after_command(lines, start, _COMMANDS, _body) or _body(lines, start)


def _read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(KIND, lines)
    listed = dir_of_listing = ""
    command = lines[0].text.strip()
    if command.startswith(_COMMANDS):
        dir_of_listing = command.split()[-1].rstrip("/") if len(command.split()) > 2 else ""
        builder.place(lines[0].number)
    names = set()
    links = []
    for line in lines:
        text = line.text.strip()
        if text.startswith("total "):
            builder.place(line.number)
        found = _entry(text)
        if found is None:
            continue
        builder.place(line.number)
        mode, name, target = found
        names.add(name.rstrip("/"))
        version = _TOOLKIT_DIR.fullmatch(name.rsplit("/", 1)[-1])
        if version and mode.startswith("d"):
            path = name if name.startswith("/") else f"{dir_of_listing or '/usr/local'}/{name}"
            toolkit = {"path": path, "version": version.group(1), "source": "ls -l",
                       "kind": "system"}  # fmt: skip
            builder.append("cuda.toolkits", toolkit, line.number)
        base = name.rsplit("/", 1)[-1]
        cudnn = cudnn_version_from_filename(base) if base.startswith("libcudnn") else None
        if cudnn and mode.startswith("-") and cudnn.count(".") == 2:
            path = f"{dir_of_listing}/{base}" if dir_of_listing else base
            library = {"version": cudnn, "path": path, "source": "library"}
            builder.append("cudnn", library, line.number)
        if mode.startswith("l") and name.rsplit("/", 1)[-1] == "cuda":
            links.append((line.number, name, target))
    listed = dir_of_listing
    for number, name, target in links:
        parent, _, leaf = target.rstrip("/").rpartition("/")
        dangling: Optional[bool] = None
        if (not parent or parent == listed) and not name.startswith("/"):
            dangling = leaf not in names
        builder.reading.signals.append(
            Signal(
                id="cuda-symlink",
                kind=KIND,
                params={"link": name, "target": target, "dangling": dangling},
                lines=[number],
            )
        )
    return builder.finish(lines)


def _quick(text: str) -> bool:
    return text.startswith(("total ", "sudo ", *_COMMANDS)) or _MODE.match(text) is not None


READER = Reader(KIND, _scan, _read, _quick)
# Where _quick can be true (every string it starts with), for the detector's one test
# of each line against all readers (explain/sections/__init__.py).
READER.start = lazy(r"(?:total |sudo |ls -l|ls -al|ll |[dlcbps-][rwxsStT-]{9})")
READERS = [READER]
