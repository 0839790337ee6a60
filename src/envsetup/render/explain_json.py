"""explain's --json document: the result envelope with data = {sections, unplaced, facts,
fact_sources, signals} (schema: docs/schema/explain.schema.json). No rich import on this path."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from envsetup.explain.run import ExplainResult
from envsetup.facts import Facts
from envsetup.model.paste import Signal
from envsetup.render.envelope import envelope, outcome_of
from envsetup.render.envelope import to_json as to_json
from envsetup.render.finding_words import words_for


@dataclass
class Section:
    """One recognised section of the paste: its kind (explain/sections KINDS) and its first and
    last line, numbered as pasted from 1."""

    kind: str
    first: int
    last: int


@dataclass
class SignalEntry:
    """One error kind recognised in the paste (envsetup.parsers.signals): its stable id (e.g.
    "cuda-error-802", "torch-driver-too-old"; docs/explain.md lists them), the kind of input whose
    lines say it ("cuda-error", "python-traceback", ...), the values read from those lines, and
    the lines, numbered as pasted from 1."""

    id: str
    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    lines: list[int] = field(default_factory=list)


@dataclass
class ExplainData:
    """explain's `data`: the sections recognised, the non-blank lines in no section and in no
    error (unplaced: [first, last] runs of consecutive line numbers as pasted, ascending), the
    host's facts with the pasted ones merged over them, and the source of each pasted fact
    (dotted path in `facts` -> "paste:LINE")."""

    sections: list[Section]
    unplaced: list[list[int]]
    facts: Facts
    fact_sources: dict[str, str] = field(default_factory=dict)
    # The error kinds recognised (the text's "Paste" section lists them too), in paste order.
    signals: list[SignalEntry] = field(default_factory=list)


def _signals(result: ExplainResult) -> list[Signal]:
    """The classifier's signals and the sections' own (a dangling CUDA link), in paste order."""
    detection = result.detection
    found = [*detection.signals, *(s for r in detection.readings for s in r.signals)]
    return sorted(found, key=lambda s: (s.lines[0] if s.lines else 0, s.id))


def explain_document(result: ExplainResult, exit_code: int) -> dict[str, Any]:
    findings = []
    for finding in result.findings:
        item = finding.to_dict()
        words = words_for(finding)
        item["title"], item["fix"] = words.title, words.fix
        findings.append(item)
    return envelope(
        "explain",
        exit_code=exit_code,
        outcome=outcome_of(exit_code),
        findings=findings,
        data={
            "sections": [
                {"kind": r.kind, "first": r.first, "last": r.last}
                for r in result.detection.readings
            ],
            "unplaced": line_ranges(result.detection.unplaced),
            "facts": result.facts.to_dict(),
            "fact_sources": dict(result.fact_sources),
            "signals": [
                {"id": s.id, "kind": s.kind, "params": dict(s.params), "lines": list(s.lines)}
                for s in _signals(result)
            ],
        },
    )


def line_ranges(numbers: list[int]) -> list[list[int]]:
    """Ascending line numbers as [first, last] runs of consecutive ones: [3, 4, 5, 9] ->
    [[3, 5], [9, 9]]. A long log leaves thousands of lines unplaced, most of them in runs: one
    number per line made the document large and slow to write."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return runs
