"""`ldconfig -p`: the shared libraries the dynamic loader's cache knows."""

from __future__ import annotations

import re
from typing import List, Tuple

from envsetup.parsers import ParseError
from envsetup.parsers._text import complete_lines

# "\tlibcudnn.so.8 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcudnn.so.8"
_ENTRY = re.compile(r"(\S+)\s+\(([^)]*)\)\s+=>\s+(\S.*)")  # on the stripped line
_SUMMARY = re.compile(r"\s*\d+ libs found in cache")


def parse_ldconfig(text: str) -> List[Tuple[str, str]]:
    """(soname, path) for each cache entry, in ldconfig's order.

    A last line without its newline may have lost part of its path and is left out. Empty text
    (e.g. `ldconfig -p | grep` with no match) gives []; text with lines but no entry is an error.
    """
    entries: list[tuple[str, str]] = []
    other_lines = 0
    for line in complete_lines(text):
        match = _ENTRY.fullmatch(line.strip())
        if match:
            entries.append((match.group(1), match.group(3)))
        elif line.strip() and not _SUMMARY.match(line):
            other_lines += 1
    if not entries and other_lines:
        raise ParseError("no 'soname (arch) => path' lines: not ldconfig -p output")
    return entries


__all__ = ["parse_ldconfig"]
