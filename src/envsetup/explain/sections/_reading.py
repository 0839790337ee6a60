"""What every section reader shares: putting a fact at a dotted path with the paste line that
states it, joining lines back into text for the parsers, and the never-raise guards.

Readers receive `Line`s already normalised (prompts, ANSI, CR and fences gone) but may still see
the indentation of a forum post, so every test here works on stripped text.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Reading


class ReadingBuilder:
    """A `Reading` being filled: facts at dotted paths, each with its paste line."""

    def __init__(self, kind: str, lines: Sequence[Line]) -> None:
        first = lines[0].number if lines else 0
        last = lines[-1].number if lines else 0
        self.reading = Reading(kind=kind, first=first, last=last)
        self.placed: set[int] = set()

    def _parent(self, path: str) -> tuple[dict[str, Any], str]:
        """The object holding `path`'s last key (made on the way) and that key."""
        node = self.reading.facts
        *parents, leaf = path.split(".")
        for key in parents:
            child = node.get(key)
            if not isinstance(child, dict):
                child = node[key] = {}
            node = child
        return node, leaf

    def put(self, path: str, value: Any, line: Optional[int]) -> None:
        """Set `value` at `path` ("nvidia.driver_version") unless it is None or empty."""
        if value is None or value == [] or value == {} or value == "":
            return
        node, leaf = self._parent(path)
        node[leaf] = value
        if line is not None:
            self.reading.sources[path] = line
            self.placed.add(line)

    def put_absent(self, path: str, line: int) -> None:
        """State that the fact at `path` is absent (an explicit null, with its source line):
        merged over the host's value, and a finding that concludes from absence may stand."""
        node, leaf = self._parent(path)
        node[leaf] = None
        self.reading.sources[path] = line
        self.placed.add(line)

    def get(self, path: str) -> Any:
        node: Any = self.reading.facts
        for key in path.split("."):
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return node

    def append(self, path: str, item: Any, line: Optional[int]) -> None:
        """Add `item` to the list at `path`; the source is the first line of the list."""
        current = self.get(path)
        if isinstance(current, list):
            current.append(item)
            if line is not None:
                self.placed.add(line)
        else:
            self.put(path, [item], line)

    def place(self, *numbers: int) -> None:
        """Mark paste lines as read although they state no fact (headers, borders, blanks)."""
        self.placed.update(numbers)

    def finish(self, lines: Sequence[Line]) -> Reading:
        self.reading.unread = [
            line.number for line in lines if line.number not in self.placed and line.text.strip()
        ]
        return self.reading


# Characters str.splitlines() breaks a line at (the parsers split with it), which the paste's
# normaliser keeps inside a line (it splits at "\n" only): a space keeps one Line one line.
_LINE_BREAKS = str.maketrans(dict.fromkeys("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029", " "))
_BREAK_IN_LINE = lazy("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_ASCII_BREAKS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e")


def _break_inside(joined: str) -> bool:
    # ASCII text (nearly every paste): six C-speed character searches; the regex's character
    # class, which holds non-ASCII characters, is tested at every position (2 ms per 36 KB).
    if joined.isascii():
        return any(mark in joined for mark in _ASCII_BREAKS)
    return _BREAK_IN_LINE.search(joined) is not None


def text_of(lines: Sequence[Line]) -> str:
    """The lines as the parsers want them: each whole, so each ends in a newline, and each one
    line to str.splitlines() (the parsers' line numbers are the Lines' indexes)."""
    texts = [line.text for line in lines]
    joined = "\n".join(texts)
    # Nearly every paste has no line break inside a line: one scan of the joined text says so
    # (str.translate maps character by character and cost a sixth of explain's time on 1 MB).
    if not _break_inside(joined) and joined.count("\n") == len(texts) - 1:
        return joined + "\n"  # (no lines: the count test fails, the join below is "")
    return "".join(text.translate(_LINE_BREAKS) + "\n" for text in texts)


def guarded_extent(
    scan: Callable[[Sequence[Line], int], int],
) -> Callable[[Sequence[Line], int], int]:
    """`scan` made safe for the detector: any error or out-of-range answer reads as 0."""

    def extent(lines: Sequence[Line], start: int) -> int:
        try:
            if start < 0 or start >= len(lines):
                return 0
            found = scan(lines, start)
        except Exception:
            return 0
        return found if 0 <= found <= len(lines) - start else 0

    return extent


def guarded_read(
    kind: str, read: Callable[[Sequence[Line]], Reading]
) -> Callable[[Sequence[Line]], Reading]:
    """`read` made safe: on any error the section is returned with every line unread."""

    def safe(lines: Sequence[Line]) -> Reading:
        try:
            return read(lines)
        except Exception:
            return ReadingBuilder(kind, lines).finish(lines)

    return safe


def stripped(lines: Sequence[Line], index: int) -> str:
    return lines[index].text.strip() if 0 <= index < len(lines) else ""


# The detector asks every reader about the same line in turn: strip it once for all of them.
# One (line, text) tuple, replaced whole, so a reader never sees another line's text.
_last_start: tuple[Optional[Line], str] = (None, "")


def _start_text(line: Line) -> str:
    global _last_start
    cached_line, text = _last_start
    if cached_line is not line:
        text = line.text.strip()
        _last_start = (line, text)
    return text


class Reader:
    """A SectionReader from plain functions, with the never-raise guards around them.

    kind: the kind of input it claims (Reading.kind may name a narrower form, e.g. the
    nvidia-smi reader's "nvidia-smi-xml"); scan(lines, start) -> line count, 0 when the kind
    does not start there; read(lines) -> Reading; quick(stripped start line) -> falsy when the
    kind cannot start there (must be cheap: it runs on every line of the paste); forms: the
    narrower kinds its Readings name (default: just `kind`)."""

    def __init__(
        self,
        kind: str,
        scan: Callable[[Sequence[Line], int], int],
        read: Callable[[Sequence[Line]], Reading],
        quick: Callable[[str], Any],
        forms: Sequence[str] = (),
    ) -> None:
        self.kind = kind
        self.forms = tuple(forms) or (kind,)  # the Reading kinds it gives
        # Public for the detector, which tests each line once for all readers before calling
        # any extent (explain/detect.py); extent tests it again for other callers.
        self.quick = quick
        self._extent = guarded_extent(scan)
        self._read = guarded_read(kind, read)

    def extent(self, lines: Sequence[Line], start: int) -> int:
        # The detector asks at every line of the paste: a cheap test of the start line's
        # text (C-level string methods or one anchored regex) turns nearly all of them away.
        if not 0 <= start < len(lines) or not self.quick(_start_text(lines[start])):
            return 0
        return self._extent(lines, start)

    def measure(self, lines: Sequence[Line], start: int) -> int:
        """extent, for a caller that has had `quick` pass the start line's stripped text (the
        detector): without testing it again."""
        return self._extent(lines, start)

    def read(self, lines: Sequence[Line]) -> Reading:
        return self._read(lines)


def after_command(
    lines: Sequence[Line],
    start: int,
    commands: tuple[str, ...],
    body: Callable[[Sequence[Line], int], int],
) -> int:
    """The command line a person pasted above its output ("nvidia-smi -L", "ldconfig -p | grep
    cudnn", "sudo cat /proc/driver/nvidia/version"), with the output `body` claims after it (one
    blank line may sit between); 0 when the line is no such command or no output follows."""
    text = stripped(lines, start)
    if text.startswith("sudo "):
        text = text[5:].lstrip()
    if not text.startswith(commands) or len(text) > 300:
        return 0
    body_start = start + 1
    if body_start < len(lines) and not lines[body_start].text.strip():
        body_start += 1
    found = body(lines, body_start) if body_start < len(lines) else 0
    return body_start - start + found if found else 0


def without_trailing_blanks(lines: Sequence[Line], start: int, end: int) -> int:
    """The count of lines from `start` to `end` (exclusive), trailing blank lines left out."""
    while end > start and not lines[end - 1].text.strip():
        end -= 1
    return end - start
