"""Small helpers the section readers share."""

from __future__ import annotations

import re
from typing import Optional, Sequence

from envsetup.model.paste import Line, Reading

_BLANKS_AFTER_COMMAND = 2  # a post's code fence (now blank) between a command and its output


def command_at(lines: Sequence[Line], start: int, command: re.Pattern[str]) -> int:
    """How many lines from lines[start] to the command's output, when lines[start] is the
    command (its prompt already removed) that printed it: 1, or more over the blank lines a
    post puts between; 0 when it is not the command. A reader claims the command with its output."""
    if not command.fullmatch(lines[start].text.strip()):
        return 0
    at = start + 1
    while at < len(lines) and at - start <= _BLANKS_AFTER_COMMAND and not lines[at].text.strip():
        at += 1
    return at - start


def reading(kind: str, lines: Sequence[Line]) -> Reading:
    return (
        Reading(kind=kind, first=lines[0].number, last=lines[-1].number)
        if lines
        else Reading(kind=kind, first=0, last=0)
    )


def put(result: Reading, path: str, value: object, line: Optional[int]) -> None:
    """Set facts[path] (dotted, in Facts.to_dict() shape) and its source line."""
    *parents, leaf = path.split(".")
    target = result.facts
    for key in parents:
        target = target.setdefault(key, {})
    target[leaf] = value
    if line is not None:
        result.sources[path] = line
