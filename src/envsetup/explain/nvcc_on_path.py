"""Several `nvcc --version` outputs in one paste (people paste `which -a nvcc; nvcc -V;
/usr/local/cuda/bin/nvcc -V; echo $PATH`): which of them is the nvcc PATH gives.

Each nvcc section states "the nvcc on PATH" (sections/nvcc.py), and a later section would win
over an earlier one: two different nvcc would be merged into one, silently, the last pasted.
Here, before the merge, only the section of the nvcc PATH gives keeps that fact: a bare `nvcc`
(run through PATH), else the first line of `which -a nvcc`, else the nvcc whose directory
comes first in a pasted `echo $PATH`. Every section keeps its toolkit (cuda.toolkits), so the
others stay known as installed toolkits and doctor's rules say that PATH selects one while
another exists (nvcc-path-shadowed). Where the paste does not say which, no section states
the nvcc on PATH. Real paste: mmartial/ComfyUI-Nvidia-Docker #36
(tests/fixtures/paste/nvcc-version/two-nvcc-by-path-12.0-usr-bin-12.8-cuda-echo-path-comfyui-docker36.txt).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional, Sequence

from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Reading

_ON_PATH = ("cuda.nvcc_on_path", "cuda.nvcc_on_path_version")
# "$ echo $PATH" (any prompt before it), and its output: absolute directories joined by ':'.
_ECHO_PATH = lazy(r"(?:^|.*[$#>]\s?)echo \$\{?PATH\}?\s*")
_PATH_VALUE = lazy(r"/[^\s:]{0,300}(?::[^\s:]{0,300}){1,100}:?")
_WHICH_A = lazy(r"(?:^|.*[$#>]\s?)which -a nvcc\s*")
_NVCC_PATH = lazy(r"/\S{0,300}/nvcc")


def _stated(reading: Reading) -> tuple[Optional[str], Optional[str]]:
    cuda = reading.facts.get("cuda") or {}
    return cuda.get("nvcc_on_path"), cuda.get("nvcc_on_path_version")


def _after(lines: Sequence[Line], command: Any) -> list[str]:
    """The output lines of the last `command` line in the paste (up to a blank or a prompt)."""
    found: list[str] = []
    for index, line in enumerate(lines):
        if command.fullmatch(line.text.rstrip()):
            found = []
            for after in lines[index + 1 :]:
                text = after.text.strip()
                if not text or "$ " in text or text.endswith("$"):
                    break
                found.append(text)
    return found


def _path_dirs(lines: Sequence[Line]) -> list[str]:
    for text in _after(lines, _ECHO_PATH)[:1]:
        if _PATH_VALUE.fullmatch(text):
            return [d.rstrip("/") for d in text.split(":") if d]
    return []


def _first_on_path(named: list[str], lines: Sequence[Line]) -> Optional[str]:
    """Which of the nvcc paths `named` PATH gives, by `which -a nvcc` or `echo $PATH`."""
    which = [t for t in _after(lines, _WHICH_A) if _NVCC_PATH.fullmatch(t)]
    if which:
        return which[0] if which[0] in named else None
    dirs = _path_dirs(lines)
    ranked = [(dirs.index(p.rsplit("/", 1)[0]), p) for p in named if p.rsplit("/", 1)[0] in dirs]
    return min(ranked)[1] if ranked else None


def one_nvcc_on_path(readings: Sequence[Reading], lines: Sequence[Line]) -> list[Reading]:
    """`readings` where at most one nvcc section states the nvcc on PATH (see the module)."""
    sections = [r for r in readings if r.kind == "nvcc-version" and _stated(r)[1]]
    if len({_stated(r)[1] for r in sections}) < 2:
        return list(readings)
    bare = [r for r in sections if _stated(r)[0] == "nvcc"]
    if bare:
        keep: Optional[Reading] = bare[-1]
    else:
        first = _first_on_path([str(_stated(r)[0]) for r in sections], lines)
        keep = next((r for r in sections if _stated(r)[0] == first), None) if first else None
    out = []
    for reading in readings:
        if reading in sections and reading is not keep:
            cuda = {k: v for k, v in reading.facts.get("cuda", {}).items()}
            for path in _ON_PATH:
                cuda.pop(path.split(".", 1)[1], None)
            facts = {**reading.facts, "cuda": cuda}
            sources = {k: v for k, v in reading.sources.items() if k not in _ON_PATH}
            reading = dataclasses.replace(reading, facts=facts, sources=sources)
        out.append(reading)
    return out
