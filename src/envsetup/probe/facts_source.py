"""Where a command's facts come from: this machine, a recorded host (--replay DIR), or a Facts JSON
file (--facts FILE, what `envsetup doctor --json` writes).

install and check-command both take these flags; they share this one reading of them.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from envsetup.errors import UsageError
from envsetup.facts import Facts

MAX_FACTS_BYTES = 16 << 20  # doctor's --json of a large machine is tens of KB


def load_facts(replay: Optional[str], facts_file: Optional[str]) -> Facts:
    """Facts from --facts FILE, else probed from --replay DIR or this machine.
    UsageError (one line) when both are given or the file is no Facts document."""
    if replay and facts_file:
        raise UsageError("--replay and --facts both given; fix: pass one of them")
    if facts_file:
        return facts_from_file(facts_file)
    from envsetup.probe import probe_all

    if replay:
        from envsetup.host.recorded import RecordedHost
        from envsetup.sanitize import register_environ

        host: Any = RecordedHost(replay)
        register_environ(host.environ())
    else:
        from envsetup.host.live import LiveHost

        host = LiveHost()
    return probe_all(host)


def _facts_in_doctor_document(document: dict[str, Any]) -> Any:
    """The Facts object inside doctor's --json (data.facts; `facts` before schema 2), else the
    document itself (a bare Facts file)."""
    inner = document.get("data")
    if isinstance(inner, dict) and isinstance(inner.get("facts"), dict):
        return inner["facts"]
    if isinstance(document.get("facts"), dict):
        return document["facts"]
    return document


def facts_from_file(path: str) -> Facts:
    """Read at most MAX_FACTS_BYTES of a regular file at `path` (doctor's whole --json envelope, or
    its "facts" object alone) into Facts; UsageError naming the file, the reason and the fix."""
    from envsetup.safe_read import Unreadable, read_regular

    fix = "fix: pass a Facts JSON file (what `envsetup doctor --json` writes)"
    try:
        raw = read_regular(path, MAX_FACTS_BYTES)
    except FileNotFoundError:
        raise UsageError(f"--facts {path}: no such file; {fix}") from None
    except Unreadable as exc:
        raise UsageError(f"--facts {path}: {exc}; {fix}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        reason = "nests too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise UsageError(f"--facts {path}: not readable JSON ({reason}); {fix}") from None
    if isinstance(data, dict):
        data = _facts_in_doctor_document(data)
    try:
        return Facts.from_dict(data)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"--facts {path}: not a Facts object ({exc}); {fix}") from None
