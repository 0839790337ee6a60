"""The one result envelope every `--json` prints (docs/output.md, docs/schema/<command>.schema.json).

    {
      "schema_version": 2,             # this command's document; bumped on incompatible change
      "command": "doctor",             # doctor, install, check-command, verify, explain, fleet-report
      "tool": {"name": "envsetup", "version": "0.1.0"},
      "exit_code": 0,                  # the process's exit status, repeated
      "outcome": "ok",                 # how the run ended, in one word (OUTCOMES)
      "error": null,                   # {kind, message} when the run did not succeed
      "findings": [                    # what is wrong or worth knowing, the same shape everywhere
        {"id": "...", "severity": "error", "title": "...", "evidence": ["..."], "fix": "...",
         "params": {...}}             # the values the words are made of (docs/findings.md)
      ],
      "data": {...}                    # the command's own result; null when outcome is "error"
    }

The top-level keys are the same for every command; only `data` differs. Standard library only and
cheap to import: failure.py builds the error envelope from here while the process is failing.
"""

from __future__ import annotations

from typing import Any, Optional

from envsetup import __version__

TOOL_NAME = "envsetup"

# Per command: bump on any incompatible change of its document (docs/output.md has the history).
SCHEMA_VERSIONS = {
    "doctor": 2,
    "install": 3,
    "check-command": 2,
    "verify": 2,
    "explain": 1,
    "fleet-report": 1,
}
COMMANDS = tuple(SCHEMA_VERSIONS)

# How a run ended. `error` whenever the `error` object is set and `data` is null.
OK = "ok"  # the result, and no finding that fails the run (exit 0)
PROBLEMS = "problems"  # the result, with a finding that fails the run (exit 1; install: a dry run that would stop)
PLANNED = "planned"  # install --dry-run: the plan (exit 0)
INSTALLED = "installed"  # install: the environment is provisioned (exit 0)
REFUSED = "refused"  # install: no build fits the request; data.refusal says why (exit 2)
UNUSABLE = "unusable"  # verify: the target cannot run checks; data.unusable says why (exit 3)
INCOMPLETE = "incomplete"  # fleet report: some expected node did not answer (exit 2)
ERROR = "error"  # the run stopped before its result (see error.kind); data is null
OUTCOMES = {
    "doctor": (OK, PROBLEMS, ERROR),
    "install": (PLANNED, PROBLEMS, INSTALLED, REFUSED, ERROR),
    "check-command": (OK, PROBLEMS, ERROR),
    "verify": (OK, PROBLEMS, UNUSABLE, ERROR),
    "explain": (OK, PROBLEMS, ERROR),
    "fleet-report": (OK, PROBLEMS, INCOMPLETE, ERROR),
}
# The outcomes that come with an `error` object (and a `data` that says more, except ERROR's).
FAILED_OUTCOMES = (REFUSED, UNUSABLE, ERROR)

# error.kind: usage (exit 2), failed (a step or the target failed), internal (70), interrupted.
ERROR_KINDS = ("usage", "failed", "internal", "interrupted")
SEVERITIES = ("error", "warning", "info")

# Exit codes each command may end with (documented in README.md, exit_codes.py).
EXIT_CODES = {
    "doctor": (0, 1, 2, 70, 130),
    "install": (0, 1, 2, 70, 130),
    "check-command": (0, 1, 2, 70, 130),
    "verify": (0, 1, 2, 3, 70, 130),
    "explain": (0, 1, 2, 70, 130),
    "fleet-report": (0, 1, 2, 70, 130),
}


def finding(
    finding_id: str,
    severity: str,
    title: str,
    evidence: Optional[list[str]] = None,
    fix: str = "",
    params: Optional[dict[str, Any]] = None,
) -> dict[str, Any]:
    """One finding in the envelope's shape (render/schema.py FindingEntry, the type its schema is
    generated from); a diagnose Finding is worded into it by render/finding_words.py
    `finding_entry`."""
    if severity not in SEVERITIES:
        raise ValueError(f"no severity {severity!r}")
    return {
        "id": finding_id,
        "severity": severity,
        "title": title,
        "evidence": list(evidence or []),
        "fix": fix,
        "params": dict(params or {}),
    }


def envelope(
    command: str,
    *,
    exit_code: int,
    outcome: str,
    findings: Optional[list[dict[str, Any]]] = None,
    data: Optional[dict[str, Any]] = None,
    error: Optional[dict[str, str]] = None,
) -> dict[str, Any]:
    """The document for `command`; findings in the shape `finding` makes (id, severity, title,
    evidence, fix, params). Raises ValueError for an unknown command or outcome (a bug, never the user's input)."""
    if outcome not in OUTCOMES.get(command, ()):
        raise ValueError(f"{command!r} has no outcome {outcome!r}")
    return {
        "schema_version": SCHEMA_VERSIONS[command],
        "command": command,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "exit_code": int(exit_code),
        "outcome": outcome,
        "error": error,
        "findings": list(findings or []),
        "data": data,
    }


def error_document(command: str, kind: str, message: str, exit_code: int) -> dict[str, Any]:
    """The envelope of a run that stopped before its result: no findings, data null."""
    return envelope(
        command,
        exit_code=exit_code,
        outcome=ERROR,
        error={"kind": kind, "message": message},
    )


def outcome_of(exit_code: int) -> str:
    """ok or problems, for the commands whose result ends in 0 (nothing wrong) or 1."""
    return OK if int(exit_code) == 0 else PROBLEMS


def to_json(document: dict[str, Any]) -> str:
    """The document as printed: redacted, keys in envelope order, ASCII (safe on any console)."""
    from envsetup.sanitize import dumps

    return dumps(document, indent=2, sort_keys=False)
