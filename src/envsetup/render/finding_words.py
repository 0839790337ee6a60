"""Findings in words: a finding's id + params -> its title and fix, for people and for --json.

Logic below render/ says *what* it found (Finding: id, severity, evidence, params); the sentences
live here, one catalogue module per producer under render/words/, each exporting
`WORDS: dict[str, WordFn]` keyed by finding id (ids catalogued in docs/findings.md and
docs/check-command.md). Every id a producer makes has an entry (tests/test_finding_words.py walks
the real rules over the recorded hosts); an id without one is a bug, raised as LookupError.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING, Any, Callable, Mapping, NamedTuple


class Words(NamedTuple):
    """A finding's title and fix. (A NamedTuple: doctor loads this module on its start-up
    budget, and a frozen dataclass costs several times as much to define.)"""

    title: str  # one line: what is wrong
    fix: str = ""  # a command or a concrete step; "" when there is nothing to do


WordFn = Callable[[Mapping[str, Any]], Words]

# The catalogue modules, in lookup order; an id must appear in only one (a test checks).
CATALOGUES = (
    "envsetup.render.words.doctor",
    "envsetup.render.words.check_command",
    "envsetup.render.words.install",
    "envsetup.render.words.cuda_errors",  # split21: signals by kind (was words.signals)
    "envsetup.render.words.loader_signals",
    "envsetup.render.words.kernel_log_signals",
    "envsetup.render.words.python_signals",
    "envsetup.render.words.installer_signals",
    "envsetup.render.words.shadow",
    "envsetup.render.words.fabric",
    "envsetup.render.words.rocm",
    "envsetup.render.words.extension",
    "envsetup.render.words.jetson",
    "envsetup.render.words.container_runtime",  # explain11: docker / toolkit errors pasted
    "envsetup.render.words.budget",  # fleetnode: --budget cut the run short
    "envsetup.render.words.fleet",  # fleetreport: what `fleet report` says of the fleet
    "envsetup.render.words.wsl",  # explain11: WSL 1 gives Linux no GPU
)


if TYPE_CHECKING:  # (a Protocol class costs start-up time; only the type checker needs it)
    from typing import Protocol

    class Worded(Protocol):
        id: str
        severity: str
        evidence: list[str]
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
    """The title and fix of `finding`, from its id's catalogue entry and its params.

    LookupError when no catalogue words the id (a producer's bug: each new id needs an entry)."""
    fn = catalogue().get(finding.id)
    if fn is None:
        raise LookupError(
            f"finding id {finding.id!r} has no words: add it to a catalogue in render/words/"
        )
    return fn(finding.params)


def finding_entry(finding: Worded) -> dict[str, Any]:
    """The finding as every --json document carries it: id, severity, title, evidence, fix,
    params (render/envelope.py `finding`; schema: render/schema.py FindingEntry)."""
    from envsetup.render.envelope import finding as entry

    words = words_for(finding)
    return entry(
        finding.id, finding.severity, words.title, finding.evidence, words.fix, finding.params
    )
