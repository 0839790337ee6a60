"""Shared helpers of the signal readers: cheap line gates, bounded captures, merging.

Every reader walks the lines once; a line reaches a regular expression only after a plain
substring test (`str.__contains__`, C speed) says it may match, and every expression here is
anchored or linear (no nested quantifiers), so a megabyte of log costs milliseconds.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional, Sequence

from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Signal

# A captured value longer than this is cut: it is evidence, not a document.
MAX_VALUE = 300
# A value captured at the very end of a line may have been cut by the paste (a forum post
# truncated mid-word); readers anchor numbers on a delimiter after them for that reason.
_INT = lazy(r"\d{1,9}")


def bounded(text: str, limit: int = MAX_VALUE) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."


def int_or_none(text: Optional[str]) -> Optional[int]:
    if text is None or not _INT.fullmatch(text):
        return None
    return int(text)


def merge(signals: Iterable[Signal]) -> list[Signal]:
    """One signal per (id, params): repeated lines (a Xid logged 40 times) add their line
    numbers (and the lines they own) to the first, in paste order."""
    merged: dict[tuple[str, str], tuple[Signal, set[int], set[int]]] = {}
    for signal in signals:
        key = (signal.id, repr(sorted(signal.params.items())))
        if key in merged:
            merged[key][1].update(signal.lines)
            merged[key][2].update(signal.owned)
        else:
            kept = Signal(signal.id, signal.kind, dict(signal.params))
            merged[key] = (kept, set(signal.lines), set(signal.owned))
    out = []
    for kept, numbers, owned in merged.values():
        kept.lines = sorted(numbers)
        kept.owned = sorted(owned - numbers)
        out.append(kept)
    return sorted(out, key=lambda s: (s.lines[0] if s.lines else 0, s.id))


def indices(lines: Sequence[Line], hits: Optional[Sequence[int]]) -> Sequence[int]:
    """The line indices a reader looks at: those classify's gate let through, else all."""
    return range(len(lines)) if hits is None else hits


def signal(id_: str, kind: str, lines: Sequence[int], **params: Any) -> Signal:
    return Signal(id_, kind, {k: v for k, v in params.items() if v is not None}, list(lines))


def following(lines: Sequence[Line], index: int, count: int) -> str:
    """The text of lines[index] and the `count` lines after it, joined by spaces (a message
    a terminal or a forum wrapped)."""
    return " ".join(line.text.strip() for line in lines[index : index + 1 + count])


def runs_to_cut(lines: Sequence[Line], line: Line, end: int) -> bool:
    """Whether a value ending at `end` of `line` may have been cut: it runs to the end of the
    paste's last line (a paste may stop mid-line; the lines before it were complete)."""
    return line is lines[-1] and end >= len(line.text.rstrip())
