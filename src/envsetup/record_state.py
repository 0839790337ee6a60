"""envsetup-install.json's name and states: what install writes and doctor reads back.

The record itself is written and read by envsetup.install.record; doctor's probe reads only its
state, through `reported_state`. Standard library only, no I/O: the probe layer imports this
module, and the probe layer sits below install.
"""

from __future__ import annotations

from typing import Any, Optional

RECORD_NAME = "envsetup-install.json"
STATE_INCOMPLETE = "incomplete"
STATE_COMPLETE = "complete"
STATE_UNREADABLE = "unreadable"
# What doctor reports for an interrupted --upgrade of an existing environment (the record says
# "incomplete" with "mode": "upgrade"): that environment is the user's, never envsetup's to remove.
STATE_INCOMPLETE_UPGRADE = "incomplete-upgrade"
MODE_UPGRADE = "upgrade"


def is_incomplete(record: Optional[dict[str, Any]]) -> bool:
    return record is not None and record.get("state") == STATE_INCOMPLETE


def reported_state(record: Any) -> str:
    """What doctor says about a parsed record: its state, told apart for an interrupted upgrade."""
    if not isinstance(record, dict) or not isinstance(record.get("state"), str):
        return STATE_UNREADABLE
    if record["state"] == STATE_INCOMPLETE and record.get("mode") == MODE_UPGRADE:
        return STATE_INCOMPLETE_UPGRADE
    return str(record["state"])
