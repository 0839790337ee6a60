"""Whole numbers read from untrusted text (tool output, recorded files, versions).

`str.isdigit()` is true for "²" and "١", which `int()` refuses or reads as 2 and 1, and `int()` refuses
a run of over 4,300 digits. No count, index, size or version part these tools print is longer than
18 digits, so anything else is "not a number" here, never an exception.
"""

from __future__ import annotations

from typing import Optional

MAX_DIGITS = 18


def is_small_int(text: str) -> bool:
    """True for 1 to 18 ASCII digits."""
    return 0 < len(text) <= MAX_DIGITS and text.isascii() and text.isdigit()


def small_int(text: str) -> Optional[int]:
    """int(text) for 1 to 18 ASCII digits; None for anything else."""
    return int(text) if is_small_int(text) else None
