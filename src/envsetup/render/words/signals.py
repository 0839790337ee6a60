"""Findings from error and log lines (diagnose/signal_rules.py) in words: what the line means, its fix.

Used by explain (pasted text), doctor --deep and verify (the stderr of their torch subprocesses)."""

from __future__ import annotations

from envsetup.render.finding_words import WordFn

WORDS: dict[str, WordFn] = {}
