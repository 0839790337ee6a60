"""How old a node report is, and `fleet report --max-age DURATION`: reading the duration, and
saying an age in words ("3 h"). Pure: the merge passes the time it runs at.

A node report carries no time of its own (render/envelope.py has no such key): its age is its
file's modification time, which `--out` sets when it renames the finished report into place
(host/files.py write_atomically). A copy that does not keep times (`cp` without `-p`) makes a
report look new.
"""

from __future__ import annotations

import re

from envsetup.errors import UsageError

OPTION = "--max-age"
# Without --max-age, reports older than this in a folder without fleet.json (a health check's)
# bring one info line that suggests --max-age: an hour is six of the recipe's 600 s intervals.
OLD_REPORT_S = 3600
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd]?)")
EXAMPLE = f"{OPTION} 15m"


def parse_max_age(text: str) -> float:
    """`90s`, `15m`, `2h`, `1d` or a plain number of seconds, as seconds (more than 0).
    UsageError (exit 2), one line naming the option, the reason and an example, otherwise."""
    match = _DURATION.fullmatch(text.strip().lower())
    if match is None:
        raise UsageError(
            f"{OPTION} {text}: not a duration; fix: a number with a unit s, m, h or d "
            f"(a plain number is seconds), e.g. {EXAMPLE}"
        )
    seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if seconds <= 0:
        raise UsageError(
            f"{OPTION} {text}: a duration of 0 makes every report stale; fix: the longest a "
            f"healthy node's report may go unrenewed, e.g. {EXAMPLE}"
        )
    return seconds


def duration_option(seconds: float) -> str:
    """A duration as --max-age takes it, exactly: 7200 -> `2h`, 90 -> `90s`, 5400 -> `90m`."""
    for unit in ("d", "h", "m"):
        if seconds >= _UNITS[unit] and seconds % _UNITS[unit] == 0:
            return f"{int(seconds // _UNITS[unit])}{unit}"
    return f"{seconds:g}s"


def age_words(seconds: float) -> str:
    """An age for people, rounded to its unit: `40 s`, `12 min`, `3 h`, `5 days`."""
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{int(seconds)} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    if seconds < 48 * 3600:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86400)} days"
