"""/etc/os-release (os-release(5)): shell-style KEY=VALUE assignments."""

from __future__ import annotations

import re
from typing import Dict, Optional

from envsetup.parsers import ParseError

_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)")
_ESCAPABLE_IN_DOUBLE = '"\\$`'


def _unquote(raw: str, line_complete: bool) -> Optional[str]:
    """The value of a shell-quoted word; None when it is malformed or may have been cut."""
    # Most values: a bare word or one double-quoted string, nothing to unescape: _unquote_word's
    # answer without a Python step per character (explain reads every os-release pasted).
    if "\\" not in raw and "'" not in raw:
        if '"' not in raw:
            return raw if line_complete else None
        if len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"' and '"' not in raw[1:-1]:
            return raw[1:-1]
    return _unquote_word(raw, line_complete)


def _unquote_word(raw: str, line_complete: bool) -> Optional[str]:
    """_unquote, character by character (any quoting and escapes)."""
    out: list[str] = []
    quote: Optional[str] = None
    was_quoted = False
    i = 0
    while i < len(raw):
        char = raw[i]
        if quote == "'":
            if char == "'":
                quote = None
            else:
                out.append(char)
        elif char == "\\" and i + 1 < len(raw):
            following = raw[i + 1]
            if quote == '"' and following not in _ESCAPABLE_IN_DOUBLE:
                out.append(char)
            else:
                out.append(following)
            i += 1
        elif char == "\\":
            return None  # a trailing backslash: the text stops mid-escape
        elif char in "\"'" and quote is None:
            quote = char
            was_quoted = True
        elif char == quote:
            quote = None
        else:
            out.append(char)
        i += 1
    if quote is not None:
        return None
    # An unquoted value at the very end of the text may have lost its tail.
    if not line_complete and not (was_quoted and raw.rstrip().endswith(("'", '"'))):
        return None
    return "".join(out)


def parse_os_release(text: str) -> Dict[str, str]:
    """KEY -> value for every well-formed assignment; comments and blank lines are skipped."""
    result: dict[str, str] = {}
    raw_lines = text.splitlines(keepends=True)
    for raw_line in raw_lines:
        complete = raw_line.endswith(("\n", "\r"))
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        match = _ASSIGNMENT.fullmatch(line)
        if not match:
            continue
        value = _unquote(match.group(2), complete)
        if value is not None:
            result[match.group(1)] = value
    if not result:
        raise ParseError("no KEY=VALUE line: not an os-release file")
    return result


__all__ = ["parse_os_release"]
