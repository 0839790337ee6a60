"""envsetup-install.json, written into the environment: what was planned and what actually landed.

The record is written with "state": "incomplete" before any work starts and flipped to "complete"
at the end, so an environment left behind by kill -9 (or a power cut) says so, and its "mode" says
whether the install was making a new environment or upgrading an existing one. doctor reports it.
The record alone never licenses a deletion: anyone can write this file (see ownership.py).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Optional

from envsetup.errors import EnvsetupError
from envsetup.host.files import LOCAL, Files
from envsetup.record_state import (  # the names doctor reads, defined below the probe layer
    RECORD_NAME,
    STATE_COMPLETE,
    STATE_INCOMPLETE,
    STATE_UNREADABLE,
)
from envsetup.safe_read import Unreadable

RECORD_SCHEMA_VERSION = 1
# envsetup's own record is a few KiB (the plan, the resolution, a package list) nested 5 deep.
MAX_RECORD_BYTES = 1 << 20
MAX_RECORD_DEPTH = 32


class RecordWriteError(EnvsetupError):
    """A state file (record, claim) could not be written: a full disk, a read-only file system."""


def record_path(env_path: Path) -> Path:
    return env_path / RECORD_NAME


def read_install_record(
    env_path: str | os.PathLike[str], host_files: Files = LOCAL
) -> Optional[dict[str, Any]]:
    """The record, None when there is none; anything else that is no record envsetup wrote — a
    FIFO, a symlink (to /dev/zero, say), a huge or deeply nested file, invalid UTF-8, not a JSON
    object — reads as state "unreadable" with the reason. Never blocks, never reads more than
    MAX_RECORD_BYTES: the file is in a directory anyone may have written to."""
    path = record_path(Path(env_path))
    try:
        # A record envsetup wrote is a regular file; a link is not followed (it could lead to a
        # device, or to another environment's record and so to its proof of ownership).
        data = host_files.read_up_to(path, MAX_RECORD_BYTES, follow_symlinks=False)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return _unreadable(path, _why_not_read(path, exc, host_files))
    if len(data) > MAX_RECORD_BYTES:
        return _unreadable(path, f"is larger than the {MAX_RECORD_BYTES >> 20} MiB a record takes")
    try:
        parsed = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        return _unreadable(path, "is not UTF-8 text")
    except RecursionError:
        return _unreadable(path, "is nested too deep to be a record")
    except ValueError as exc:  # JSONDecodeError, and an integer of too many digits
        return _unreadable(path, f"is not JSON: {exc}")
    if not isinstance(parsed, dict):
        return _unreadable(path, "does not hold a JSON object")
    if _depth(parsed) > MAX_RECORD_DEPTH:
        # json.loads stops only at the interpreter's recursion limit; writing such a record back
        # (an upgrade that fails restores the previous record) would then hit it.
        return _unreadable(path, "is nested too deep to be a record")
    return parsed


def _unreadable(path: Path, why: str) -> dict[str, Any]:
    return {"state": STATE_UNREADABLE, "reason": f"{path} {why}"}


def _why_not_read(path: Path, exc: OSError, host_files: Files) -> str:
    if host_files.is_symlink(path):
        return "is a symbolic link, not the regular file envsetup writes"
    if isinstance(exc, Unreadable):  # "a FIFO, not a regular file", "cannot be opened (…)"
        return str(exc) if str(exc).startswith("cannot") else f"is {exc}"
    return f"cannot be read ({exc.strerror or exc})"


def _depth(value: Any) -> int:
    """How deeply `value` nests lists and objects, counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            if depth <= MAX_RECORD_DEPTH:
                stack.extend((child, depth + 1) for child in item)
    return deepest


def write_json_atomically(
    path: Path, data: dict[str, Any], *, what: str, fix: str, host_files: Files = LOCAL
) -> Path:
    """Write `data` to `path` so that a reader, a kill -9 or a full disk never leaves half a file
    (Files.write_atomically: a temporary file beside it, flushed to disk, renamed over it). On
    failure the error is one line naming `what`, the path, the reason and `fix`."""
    try:
        host_files.write_atomically(path, json.dumps(data, indent=2, sort_keys=True) + "\n")
    except OSError as exc:
        # Not envsetup's file; never removed for it.
        if host_files.is_dir(path) and not host_files.is_symlink(path):
            fix = "a directory stands where that file goes: move it away, then run again"
        raise RecordWriteError(
            f"{what} {path}: cannot write it ({exc.strerror or exc}); {fix}"
        ) from None
    return path


def write_install_record(env_path: Path, record: dict[str, Any], host_files: Files = LOCAL) -> Path:
    """Atomically (see write_json_atomically); RecordWriteError when the disk refuses.
    Credentials (the index URL's user-info, in the plan's command lines) are redacted: the record
    is for reading, not replaying."""
    return write_json_atomically(
        record_path(env_path),
        _redacted(record),
        what="install record",
        fix="free space on that file system (or make it writable), then run the install again",
        host_files=host_files,
    )


def started_record(
    *,
    envsetup_version: str,
    started_at: str,
    resolution: dict[str, Any],
    plan: dict[str, Any],
    mode: str,
    owner: Optional[dict[str, str]] = None,
) -> dict[str, Any]:
    """`owner` ({"token", "path"}) is set by an install that creates the environment; with the
    claim in envsetup's state directory it proves, after a kill, which run made the directory."""
    return {
        "schema_version": RECORD_SCHEMA_VERSION,
        "state": STATE_INCOMPLETE,
        "envsetup_version": envsetup_version,
        "mode": mode,  # new, force (recreated), upgrade (installed into an existing env)
        "started_at": started_at,
        "finished_at": None,
        "resolution": resolution,
        "plan": plan,
        "installed": {},
        "hashes": {},
        "verify": None,
        "owner": owner,
    }


def completed_record(
    started: dict[str, Any],
    *,
    finished_at: str,
    installed: dict[str, str],
    hashes: dict[str, str],
    verify: str,
) -> dict[str, Any]:
    return {
        **started,
        "state": STATE_COMPLETE,
        "finished_at": finished_at,
        "installed": dict(sorted(installed.items())),
        "hashes": dict(sorted(hashes.items())),
        "verify": verify,
    }


def hashes_from_pip_report(report: dict[str, Any]) -> dict[str, str]:
    """{"torch==2.0.1+cu118": "sha256:…"} from pip's `install --report` JSON (format version 1)."""
    hashes: dict[str, str] = {}
    for item in report.get("install", []) or []:
        if not isinstance(item, dict):
            continue
        metadata = item.get("metadata") or {}
        name, version = metadata.get("name"), metadata.get("version")
        archive = (item.get("download_info") or {}).get("archive_info") or {}
        known = archive.get("hashes") or {}
        if not (name and version):
            continue
        if "sha256" in known:
            hashes[f"{name}=={version}"] = f"sha256:{known['sha256']}"
        elif archive.get("hash"):
            # Older reports carry only "hash": "sha256=…".
            algorithm, _, digest = str(archive["hash"]).partition("=")
            hashes[f"{name}=={version}"] = f"{algorithm}:{digest}"
    return hashes


def _redacted(record: dict[str, Any]) -> dict[str, Any]:
    from envsetup.sanitize import redact_data  # only when writing (see write_json_atomically)

    return redact_data(record)
