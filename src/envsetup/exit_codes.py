"""Every exit code the tool uses, in one place (documented in README.md)."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1  # doctor: an error; verify: a failing check; install failed; check-command: an error or warning
    USAGE = 2  # bad flags, bad --replay directory, impossible request
    # fleet report: an expected node is missing, timed out, wrote no readable report or (with
    # --max-age) only a stale one (2 wins over 1). The same value as USAGE: an alias, so
    # ExitCode(2) stays USAGE.
    NODES_MISSING = 2
    TARGET_UNUSABLE = 3  # verify: no such interpreter, torch missing
    INTERNAL = 70  # a bug in envsetup (EX_SOFTWARE in sysexits.h): never "errors found"
    INTERRUPTED = 130
