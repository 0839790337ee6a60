"""envsetup-install.json, written into the environment: what was planned and what actually landed.

The record is written with "state": "incomplete" before any work starts and flipped to "complete"
at the end, so an environment left behind by kill -9 (or a power cut) says so: doctor reports it,
and the next install into that target removes it and starts again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Optional

from envsetup.sanitize import dumps

RECORD_NAME = "envsetup-install.json"
RECORD_SCHEMA_VERSION = 1
STATE_INCOMPLETE = "incomplete"
STATE_COMPLETE = "complete"
STATE_UNREADABLE = "unreadable"


def record_path(env_path: Path) -> Path:
    return env_path / RECORD_NAME


def read_install_record(env_path: str | os.PathLike[str]) -> Optional[dict[str, Any]]:
    """The record, None when there is none; an unparsable one reads as state "unreadable"."""
    path = record_path(Path(env_path))
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        return {"state": STATE_UNREADABLE, "reason": f"cannot read {path}: {exc.strerror or exc}"}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return {"state": STATE_UNREADABLE, "reason": f"{path} is not JSON: {exc}"}
    if not isinstance(data, dict):
        return {"state": STATE_UNREADABLE, "reason": f"{path} does not hold a JSON object"}
    return data


def is_incomplete(record: Optional[dict[str, Any]]) -> bool:
    return record is not None and record.get("state") == STATE_INCOMPLETE


def write_install_record(env_path: Path, record: dict[str, Any]) -> Path:
    """Atomically: a reader (or a kill -9) never sees half a file. Credentials (the index URL's
    user-info, in the plan's command lines) are redacted: the record is for reading, not replaying."""
    path = record_path(env_path)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return path


def started_record(
    *,
    envsetup_version: str,
    started_at: str,
    resolution: dict[str, Any],
    plan: dict[str, Any],
    mode: str,
) -> dict[str, Any]:
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
