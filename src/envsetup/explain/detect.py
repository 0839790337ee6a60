"""Split a paste's lines into sections, one reader per section, and say which lines are left.

Readers are tried in order (explain/sections READER_MODULES) at each line that no section claims
yet; the first whose `extent` is positive claims that many lines, so every line belongs to at most
one section. The error classifier runs over all the lines apart from this: a line one of its
signals rests on or owns (a traceback's frames, a message's continuation) counts as placed too. A non-blank line in no section and in no signal is
unplaced; blank lines are neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

from envsetup.model.paste import Line, Reading, SectionReader, Signal

Classifier = Callable[[Sequence[Line]], "list[Signal]"]


@dataclass
class Detection:
    """readings: the recognised sections, in paste order; signals: what the classifier found
    (each Reading's own signals are in the Reading); unplaced: paste line numbers, ascending."""

    readings: list[Reading] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    unplaced: list[int] = field(default_factory=list)


def _start_hints(
    readers: Sequence[SectionReader],
) -> tuple[list[Optional[re.Pattern[str]]], Optional[re.Pattern[str]]]:
    """Each reader's optional `start` pattern (explain/sections/__init__.py), and one pattern
    that matches where any hinted reader may start (None when none is hinted). Patterns that
    begin with a literal or a character set make the joined one reject most lines at their
    first character."""
    hints = [getattr(reader, "start", None) for reader in readers]
    patterns = [h.pattern for h in hints if h is not None]
    any_start = re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None
    return hints, any_start


def detect(
    lines: Sequence[Line],
    readers: Sequence[SectionReader],
    classify: Optional[Classifier] = None,
) -> Detection:
    """The sections of `lines` (as normalise() returns them). Raises only what a reader or the
    classifier raises against their contract (never on any input)."""
    readings: list[Reading] = []
    placed: set[int] = set()
    hinted, any_start = _start_hints(readers)
    # A reader's optional `quick(text)` (the line's text stripped; falsy: its kind cannot start
    # there), called here directly: most lines of a long log start nothing, and asking each
    # reader's extent only to hear that cost a tenth of explain's time (bench/bench_explain.py).
    # Where quick said yes, a reader's optional `measure` is its extent without asking quick
    # again (explain/sections/_reading.py Reader).
    tests = [
        (
            reader,
            start,
            getattr(reader, "quick", None),
            getattr(reader, "measure", None) or reader.extent,
        )
        for reader, start in zip(readers, hinted)
    ]
    # Where no hinted reader may start (most lines), only the unhinted ones are asked, in order.
    unhinted = [test for test in tests if test[1] is None]
    index = 0
    while index < len(lines):
        text = lines[index].text.lstrip()
        if not text:
            index += 1
            continue
        could_start = any_start is None or any_start.match(text) is not None
        whole = text.rstrip()
        claimed = 0
        reader: Optional[SectionReader] = None
        for reader, start, quick, measure in tests if could_start else unhinted:
            if start is not None and not start.match(text):
                continue
            if quick is None:
                claimed = reader.extent(lines, index)
            elif not quick(whole):
                continue
            else:
                claimed = measure(lines, index)
            claimed = min(claimed, len(lines) - index)
            if claimed > 0:
                break
        if claimed <= 0 or reader is None:
            index += 1
            continue
        section = lines[index : index + claimed]
        reading = reader.read(section)
        # The detector decides where a section lies; the reader says what it holds (a form of
        # its kind, e.g. the nvidia-smi reader's "nvidia-smi-table").
        if reading.kind not in getattr(reader, "forms", (reader.kind,)):
            reading.kind = reader.kind
        reading.first, reading.last = section[0].number, section[-1].number
        readings.append(reading)
        placed.update(line.number for line in section)
        index += claimed
    signals = list(classify(lines)) if classify is not None else []
    placed.update(number for signal in signals for number in (*signal.lines, *signal.owned))
    unplaced = [line.number for line in lines if line.text.strip() and line.number not in placed]
    return Detection(readings=readings, signals=signals, unplaced=unplaced)
