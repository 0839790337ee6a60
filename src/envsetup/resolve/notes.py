"""What resolving one release gathers on the way (lines for people, verdicts, the profile facts
used, unconfirmed facts), and the refusal builder it passes along."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from envsetup.compat.verdicts import Verdict
from envsetup.profiles.release import STATUS_WORDS
from envsetup.resolve.resolution import ResolutionRefused

# Builds a refusal for the release being resolved: (reason, alternatives, codes, verdicts=...).
Refuser = Callable[..., ResolutionRefused]


@dataclass
class Gathered:
    """What one release's resolution gathered on the way: lines for people, facts used."""

    lines: list[str] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)
    unconfirmed: list[str] = field(default_factory=list)
    extra_sources: list[str] = field(default_factory=list)


def note_status(plan: Gathered, what: str, status: dict[str, str], keys: tuple[str, ...]) -> None:
    for key in keys:
        if status.get(key) == "U":
            plan.unconfirmed.append(f"{what}: {key} is {STATUS_WORDS['U']} in the profile")
