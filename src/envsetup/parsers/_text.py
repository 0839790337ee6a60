"""Small helpers the parsers share for reading text that may have been cut short."""

from __future__ import annotations

import re

_VERSION = re.compile(r"\d+(?:\.\d+)+")


def complete_lines(text: str) -> list[str]:
    """The lines of `text` that end in a newline: a final line without one may have been cut."""
    lines = text.splitlines(keepends=True)
    return [line.rstrip("\r\n") for line in lines if line.endswith(("\n", "\r"))]


def all_lines(text: str) -> tuple[list[str], bool]:
    """Every line, and whether the last one is complete (newline-terminated)."""
    lines = text.splitlines(keepends=True)
    last_complete = not lines or lines[-1].endswith(("\n", "\r"))
    return [line.rstrip("\r\n") for line in lines], last_complete


def is_version(value: str) -> bool:
    """True for dotted numeric versions such as "535.129.03" or "12.2"."""
    return _VERSION.fullmatch(value) is not None


def version_or_none(value: str | None) -> str | None:
    """The value when it is a dotted numeric version; None for "N/A", "ERR!", "" and the like."""
    if value is None:
        return None
    value = value.strip()
    return value if is_version(value) else None
