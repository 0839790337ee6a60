"""What resolving one release gathers on the way (the reasons, verdicts, the profile facts used,
unconfirmed facts), and the refusal builder it passes along."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from envsetup.compat.verdicts import Verdict
from envsetup.resolve.reasons import FactSubject, Reason, ReasonCode, UnconfirmedFact
from envsetup.resolve.resolution import ResolutionRefused

# Builds a refusal for the release being resolved: (code, alternatives, verdicts=..., params=...).
Refuser = Callable[..., ResolutionRefused]


@dataclass
class Gathered:
    """What one release's resolution gathered on the way: its reasons, the facts used."""

    reasons: list[Reason] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)
    unconfirmed: list[UnconfirmedFact] = field(default_factory=list)
    extra_sources: list[str] = field(default_factory=list)

    def add(self, code: ReasonCode, **params: Any) -> None:
        """One reason: its code and parameters (JSON-ready)."""
        self.reasons.append(Reason(code, params))


def note_status(
    plan: Gathered,
    subject: FactSubject,
    params: dict[str, Any],
    status: dict[str, str],
    keys: tuple[str, ...],
) -> None:
    """The keys of one profile entry (`subject`, named by `params`) the profile marks unconfirmed."""
    for key in keys:
        if status.get(key) == "U":
            plan.unconfirmed.append(UnconfirmedFact(subject, key, dict(params)))
