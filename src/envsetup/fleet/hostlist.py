"""Slurm's hostlist expressions: many node names in one short string, "n[1-4,7],gpu[01-16]".

The syntax is libslurm's (Slurm::Hostlist(3pm), https://manpages.ubuntu.com/manpages/noble/man3/Slurm::Hostlist.3pm.html):
a common prefix followed by numeric ranges in brackets, "tux[0-5,12,20-25]", several such
expressions joined by commas. Zero padding is kept: "node[001-010]" is node001 ... node010.

Written here rather than taken from python-hostlist (https://pypi.org/project/python-hostlist/),
which is GPL-2.0-or-later (https://anaconda.org/cf-post-staging/python-hostlist) while envsetup is
MIT; `fleet run` asks Slurm itself (`scontrol show hostnames`) where Slurm is there.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any, Iterable, Optional

_NUMBERED = re.compile(r"^(.*?)(\d+)$")
_RUNS = re.compile(r"(\d+)")
_BRACKETED = re.compile(r"([^,\[\]]*)\[([^\[\]]*)\]([^,\[\]]*)|([^,\[\]]+)")


def natural_key(name: str) -> tuple[Any, ...]:
    """Sort key that puts n2 before n10: the name's runs of digits compared as numbers."""
    # (kind, number, text): a number and a word at one position compare without a TypeError
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in _RUNS.split(name) if part
    )


def _split(name: str) -> tuple[str, Optional[str]]:
    """'n037' -> ('n', '037'); a name not ending in digits -> (name, None)."""
    match = _NUMBERED.match(name)
    return (match.group(1), match.group(2)) if match else (name, None)


def _ranges(values: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for value in sorted(set(values)):
        if runs and value == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], value)
        else:
            runs.append((value, value))
    return runs


def compress(names: Iterable[str]) -> str:
    """Node names as one hostlist expression: ['n1', 'n2', 'n3', 'n7'] -> 'n[1-3,7]'.

    Names are grouped by their prefix before the trailing digits; a zero-padded number
    ('n007') keeps its width, and an unpadded one of that width ('n100') joins it. Names
    without trailing digits are listed as they are. The expansion of the result (`expand`)
    is the sorted set of the names given."""
    plain: list[str] = []
    # (prefix, width) -> numbers; width 0: unpadded numbers of any width
    numbered: dict[tuple[str, int], list[int]] = defaultdict(list)
    digits_of: dict[str, list[str]] = defaultdict(list)
    for name in set(names):
        prefix, digits = _split(name)
        if digits is None:
            plain.append(name)
        else:
            digits_of[prefix].append(digits)
    for prefix, all_digits in digits_of.items():
        padded = {len(d) for d in all_digits if len(d) > 1 and d.startswith("0")}
        for digits in all_digits:
            width = len(digits) if len(digits) in padded else 0
            numbered[(prefix, width)].append(int(digits))
    parts = [(name, "") for name in plain]
    for (prefix, width), values in numbered.items():
        runs = _ranges(values)
        words = [
            f"{low:0{width}d}" if low == high else f"{low:0{width}d}-{high:0{width}d}"
            for low, high in runs
        ]
        if len(words) == 1 and runs[0][0] == runs[0][1]:
            parts.append((f"{prefix}{words[0]}", prefix))
        else:
            parts.append((f"{prefix}[{','.join(words)}]", prefix))
    return ",".join(text for text, _ in sorted(parts, key=lambda p: (p[1] or p[0], p[0])))


def expand(expression: str) -> list[str]:
    """A hostlist expression's names, in order: 'n[1-3,7],login' -> n1, n2, n3, n7, login.

    ValueError naming the part that is not a hostlist ("n[3-1]", "n[a]", unbalanced brackets)."""
    names: list[str] = []
    position = 0
    text = expression.strip()
    while position < len(text):
        match = _BRACKETED.match(text, position)
        if match is None or match.end() == position:
            raise ValueError(f"not a hostlist expression at {text[position:]!r}")
        if match.group(4) is not None:
            names.append(match.group(4))
        else:
            prefix, body, suffix = match.group(1), match.group(2), match.group(3)
            for piece in body.split(","):
                low, _, high = piece.partition("-")
                high = high or low
                if not (low.isdigit() and high.isdigit()) or int(high) < int(low):
                    raise ValueError(f"not a hostlist range: {piece!r} in {match.group(0)!r}")
                width = len(low) if low.startswith("0") and len(low) > 1 else 0
                names.extend(
                    f"{prefix}{value:0{width}d}{suffix}" for value in range(int(low), int(high) + 1)
                )
        position = match.end()
        if position < len(text):
            if text[position] != ",":
                raise ValueError(f"not a hostlist expression at {text[position:]!r}")
            position += 1
    return names
