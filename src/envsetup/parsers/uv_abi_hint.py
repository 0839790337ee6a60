"""uv's hint when a project has wheels, but none for the target's Python (its ABI tag).

Real lines (each joined back into one where uv wrapped it):

- "hint: You require CPython 3.14 (`cp314`), but we only found wheels for `torchcodec` (v0.8.1)
  with the following Python ABI tags: `cp310`, `cp311`, `cp312`, `cp313`"
  (https://github.com/meta-pytorch/torchcodec/issues/1022, uv pip install);
- "hint: You're using CPython 3.14 (`cp314`), but `torch` (v2.8.0) only has wheels with the
  following Python ABI tags: `cp312`, `cp313`, `cp313t`" (https://github.com/jaredpalmer/kev/issues/34,
  uv sync);
- "hint: You're using CPython 3.14 (`cp314`), but `torchvision` (v0.25.0) only has wheels with the
  following Python ABI tag: `cp314t`" (https://github.com/pytorch/pytorch/issues/172993);
- uv 0.13.9 here, on an index holding only cp39 wheels: "hint: You require CPython 3.11
  (`cp311`), but we only found wheels for `torch` (v2.0.1+cpu) with the following Python ABI tag:
  `cp39`".

A tag ending in "t" is a free-threaded build: another interpreter (python3.13t), not a version to
suggest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

_HINT = re.compile(
    r"(?:You require|You're using) CPython (?P<python>\d+\.\d+) \(`cp\d+`\), but "
    r"(?:we only found wheels for `(?P<found>[^`]+)`(?: \(v(?P<found_version>[^)]+)\))?"
    r"|`(?P<only>[^`]+)`(?: \(v(?P<only_version>[^)]+)\))? only has wheels)"
    r" with the following Python ABI tags?:(?P<tags>.*)"
)
_CPYTHON_TAG = re.compile(r"`cp(?P<major>\d)(?P<minor>\d+)`")


@dataclass(frozen=True)
class AbiMismatch:
    project: str
    version: str  # "" when uv does not name it
    python: str  # the target's, e.g. "3.12"
    pythons: tuple[str, ...]  # the CPython versions the project has wheels for, oldest first

    def nearest(self) -> Optional[str]:
        """The wheel's Python nearest to the target's; on a tie the older (longer supported)."""
        if not self.pythons:
            return None
        want = _minor(self.python)
        return min(self.pythons, key=lambda p: (abs(_minor(p) - want), _minor(p)))


def _minor(version: str) -> int:
    major, minor = version.split(".")
    return int(major) * 100 + int(minor)


def abi_mismatch(lines: list[str]) -> Optional[AbiMismatch]:
    """The first ABI hint among `lines` (uv's output, wrapped lines joined), or None."""
    for at, line in enumerate(lines):
        found = _HINT.search(line)
        if not found:
            continue
        tags_text = found.group("tags")
        if not tags_text.strip() and at + 1 < len(lines):
            # uv wrapped right after "tags:", the list on a line of its own at the same indent.
            tags_text = lines[at + 1]
        tags = list(_CPYTHON_TAG.finditer(tags_text))
        pythons = sorted({f"{m['major']}.{m['minor']}" for m in tags}, key=_minor)
        return AbiMismatch(
            project=found.group("found") or found.group("only") or "",
            version=found.group("found_version") or found.group("only_version") or "",
            python=found.group("python"),
            pythons=tuple(pythons),
        )
    return None
