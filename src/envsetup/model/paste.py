"""What explain reads out of a paste: the shared types between the section detector, the
section readers (one per kind of input) and the error classifier.

Flow: paste text -> normalised `Line`s (numbered as pasted, 1-based) -> sections, each claimed by
one `SectionReader` -> a `Reading` per section (partial facts, each with the paste line it came
from, plus `Signal`s) -> facts merged over the host's, findings from diagnose + signals.
Pure data, standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol, Sequence


class Line(NamedTuple):
    """One pasted line. A named tuple, not a frozen dataclass: a 1 MB paste makes 18,000 of
    them, and a frozen dataclass's __init__ costs three times as much (bench/bench_explain.py)."""

    number: int  # 1-based line number in the paste as given (before any unwrapping)
    text: str  # the line with prompts, quote marks, log prefixes, ANSI and CR removed


@dataclass
class Signal:
    """Something a pasted error, warning or log line says, before it is judged against facts.

    id: stable, e.g. "cuda-error-802" (the finding id it becomes may differ); kind: as Reading.kind,
    the kind of input whose lines say it; params: JSON-safe
    values read from the lines (error number, library name, found driver version...); lines: the
    paste line numbers it rests on (the evidence); owned: the other paste lines that belong to
    what it says without being evidence (a traceback's frames and source lines, a message's
    continuation lines, pip's explanation block, conda's progress lines): placed, not cited."""

    id: str
    kind: str = ""  # the kind of input: "python-traceback", "pip-error", "kernel-log"...
    params: dict[str, Any] = field(default_factory=dict)
    lines: list[int] = field(default_factory=list)
    owned: list[int] = field(default_factory=list)


@dataclass
class Reading:
    """One recognised section of the paste.

    kind: the kind of input (KINDS in explain/sections/__init__.py, e.g. "collect-env", "nvidia-smi-table");
    first, last: its paste line numbers (inclusive); facts: a partial document in the shape of
    Facts.to_dict() (only the keys this section states); sources: dotted path in that document ->
    the paste line that states it (e.g. {"nvidia.driver_version": 12}); signals: what its lines
    say that is not a fact; unread: paste line numbers inside the section it could not place."""

    kind: str
    first: int
    last: int
    facts: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)
    signals: list[Signal] = field(default_factory=list)
    unread: list[int] = field(default_factory=list)


class SectionReader(Protocol):
    """Reads one kind of input. `extent` is tried at each line not yet claimed, in a fixed order
    of readers; the first reader that claims lines gets them."""

    kind: str

    def extent(self, lines: Sequence[Line], start: int) -> int:
        """How many lines from lines[start] this kind's section spans; 0 when it does not start
        there. Never raises."""
        ...

    def read(self, lines: Sequence[Line]) -> Reading:
        """The section's facts and signals. Never raises on malformed or truncated input: what
        cannot be placed goes to Reading.unread."""
        ...
