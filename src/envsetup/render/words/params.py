"""Small helpers the words modules share for a finding's params."""

from __future__ import annotations

from typing import Any, Mapping

from envsetup.render.finding_words import WordFn, Words


def or_unknown(p: Mapping[str, Any], key: str, default: str = "?") -> str:
    """p[key] as text, `default` when it is missing or empty."""
    value = p.get(key)
    return default if value is None or value == "" else str(value)


def known(*parts: Any, sep: str = ", ") -> str:
    """' (a, b)' from the parts that are known ('' when none is): an unknown value is left out,
    never shown as '?'."""
    shown = [str(part) for part in parts if part is not None and part != ""]
    return f" ({sep.join(shown)})" if shown else ""


def static(title: str, fix: str) -> WordFn:
    """Words for an id whose title and fix are fixed text; a {param} in them is filled in
    ("?" when the finding lacks it)."""
    return lambda p: Words(title.format_map(_Safe(p)), fix.format_map(_Safe(p)))


class _Safe(dict):
    def __missing__(self, key: str) -> str:
        return "?"
