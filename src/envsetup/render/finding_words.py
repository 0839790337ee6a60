"""Findings in words: a finding's id + params -> its title and fix, for people and for --json.

Logic below render/ says *what* it found (Finding: id, severity, evidence, params); the sentences
live here, one catalogue module per producer under render/words/, each exporting
`WORDS: dict[str, WordFn]` keyed by finding id (ids catalogued in docs/findings.md). A finding
whose id has no entry keeps the title and fix it was made with (the older way, being retired).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from typing import Any, Callable, Mapping, Protocol


@dataclass(frozen=True)
class Words:
    title: str  # one line: what is wrong
    fix: str = ""  # a command or a concrete step; "" when there is nothing to do


WordFn = Callable[[Mapping[str, Any]], Words]

# The catalogue modules, in lookup order; an id must appear in only one (a test checks).
CATALOGUES = ("envsetup.render.words.doctor", "envsetup.render.words.signals")


class Worded(Protocol):
    id: str
    title: str
    fix: str
    params: dict[str, Any]


@cache
def catalogue() -> dict[str, WordFn]:
    """Every id's words, merged from CATALOGUES. Raises ValueError when two modules word one id."""
    merged: dict[str, WordFn] = {}
    for name in CATALOGUES:
        words: dict[str, WordFn] = getattr(importlib.import_module(name), "WORDS", {})
        for finding_id, fn in words.items():
            if finding_id in merged:
                raise ValueError(f"finding id {finding_id!r} is worded twice (second in {name})")
            merged[finding_id] = fn
    return merged


def words_for(finding: Worded) -> Words:
    """The title and fix of `finding`: from its catalogue entry, else the ones it carries."""
    fn = catalogue().get(finding.id)
    if fn is None:
        return Words(finding.title, finding.fix)
    return fn(finding.params)
