"""install's own findings in words (its warning verdicts are worded in words/check_command.py).

Catalogue of ids: docs/output.md (Finding ids of install)."""

from __future__ import annotations

from typing import Any, Mapping

from envsetup.render.finding_words import WordFn, Words


def _unconfirmed_profile_facts(p: Mapping[str, Any]) -> Words:
    return Words("the choice rests on facts the profile marks unconfirmed")


def _install_would_stop(p: Mapping[str, Any]) -> Words:
    # `problem`: the one-line error install itself would stop with (it names its own fix).
    return Words(p["problem"])


WORDS: dict[str, WordFn] = {
    "unconfirmed-profile-facts": _unconfirmed_profile_facts,
    "install-would-stop": _install_would_stop,
}
