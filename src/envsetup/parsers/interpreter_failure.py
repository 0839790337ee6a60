"""What an interpreter said when it exited non-zero before printing the probe's output.

Two shapes matter:

- a pyenv shim for a command no selected version provides. pyenv's real message
  (https://github.com/cnpryer/huak/issues/684, https://github.com/pyenv/pyenv/issues/760)::

      pyenv: python3.11: command not found

      The `python3.11' command exists in these Python versions:
        3.11.0
        3.11.0b3

      Note: See 'pyenv help global' for tips on allowing both
            python2 and python3 to be found.

  When no installed version has the command, pyenv prints the first line alone.
- anything else: its first line; for a Python traceback its last line (the exception; the
  first is "Traceback (most recent call last):", or for a SyntaxError '  File "<string>"...'); for an interpreter that cannot start, the
  "Fatal Python error:" line (CPython prints its path configuration first, e.g. with a wrong
  PYTHONHOME: "Fatal Python error: init_fs_encoding: failed to get the Python codec of the
  filesystem encoding", as python3.11 prints it here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_PYENV_NOT_FOUND = re.compile(r"^pyenv: (?P<command>\S+): command not found\s*$")
_PYENV_EXISTS_IN = re.compile(r"^The `(?P<command>[^']+)' command exists in these Python versions:")
_VERSION_LINE = re.compile(r"^\s+(?P<version>\S+)\s*$")
# The last line of an uncaught Python exception, also without a "Traceback" header (a SyntaxError
# at compile time: Python 2 reading Python 3 code prints '  File "<string>", line 1' first).
_EXCEPTION = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception|Interrupt|Exit)\b(?::|$)")


@dataclass
class InterpreterFailure:
    telling_line: str  # the line to quote: names what went wrong in the interpreter's own words
    pyenv_command: str = ""  # set when a pyenv shim refused: the command it could not run
    pyenv_versions: list[str] = field(default_factory=list)  # installed versions that have it


def telling_part(text: str) -> str:
    """`text` from its telling line on: what a short excerpt of the failure must keep."""
    lines = text.splitlines()
    kept = [line for line in lines if line.strip()]
    for index, line in enumerate(lines):
        if line.startswith("Fatal Python error:"):
            return "\n".join(lines[index:])
    if kept and (
        kept[0].startswith("Traceback (most recent call last)") or _EXCEPTION.match(kept[-1])
    ):
        return kept[-1]
    return text


def parse_interpreter_failure(text: str) -> InterpreterFailure:
    lines = [line.rstrip() for line in telling_part(text).splitlines()]
    kept = [line for line in lines if line.strip()]
    if not kept:
        return InterpreterFailure(telling_line="")
    shim = _PYENV_NOT_FOUND.match(kept[0].strip())
    if shim:
        return InterpreterFailure(
            telling_line=kept[0].strip(),
            pyenv_command=shim.group("command"),
            pyenv_versions=_pyenv_versions(lines),
        )
    return InterpreterFailure(telling_line=kept[0].strip())


def _pyenv_versions(lines: list[str]) -> list[str]:
    versions: list[str] = []
    listing = False
    for line in lines:
        if _PYENV_EXISTS_IN.match(line.strip()):
            listing = True
            continue
        if listing:
            found = _VERSION_LINE.match(line)
            if not found:
                break
            versions.append(found.group("version"))
    return versions
