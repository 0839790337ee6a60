"""doctor's findings in words (diagnose/*_rules.py say what; this says it to people)."""

from __future__ import annotations

from envsetup.render.finding_words import WordFn

WORDS: dict[str, WordFn] = {}
