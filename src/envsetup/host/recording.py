"""Record a live host into a directory (the writing side of docs/recorded-host.md).

RecordingHost wraps a Host, passes every call through, and saves what the probes saw: the files
they read, the commands they ran and their output, the environment names they looked at. Secrets
are redacted on the way out (envsetup.sanitize). Reading a recording back is host/recorded.py's.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from typing import Any, Optional, Sequence

from envsetup.host.base import CommandResult, Host, NvmlSnapshot, NvmlUnavailable, PlatformInfo
from envsetup.host.recorded import (
    DIR_MARKER,
    FORMAT_NAME,
    FORMAT_VERSION,
    _command_name,
    _file_key,
)
from envsetup.sanitize import redact_data, redact_text
from envsetup.secrets import redact


class _TrackedEnviron(Mapping[str, str]):
    """The live environment, remembering which names the probes looked at."""

    def __init__(self, values: Mapping[str, str], seen: set[str]) -> None:
        self._values = values
        self._seen = seen

    def __getitem__(self, key: str) -> str:
        self._seen.add(key)
        return self._values[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self._seen.add(key)
        return key in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


class RecordingHost:
    """Wraps a Host, passes every call through, and can save what it saw."""

    def __init__(self, inner: Host) -> None:
        self.inner = inner
        self._results: list[CommandResult] = []
        self._files: dict[str, Optional[str]] = {}
        self._globbed: set[str] = set()
        self._existing: set[str] = set()
        self._which: dict[str, Optional[str]] = {}
        self._realpaths: dict[str, str] = {}
        self._env_seen: set[str] = set()
        self._env: Optional[Mapping[str, str]] = None
        self._nvml: Optional[dict[str, Any]] = None

    def run(self, argv: Sequence[str], timeout: float) -> CommandResult:
        result = self.inner.run(argv, timeout)
        self._results.append(result)
        return result

    def read_text(self, path: str, max_bytes: int = 1 << 20) -> Optional[str]:
        text = self.inner.read_text(path, max_bytes)
        if text is not None or path not in self._files:
            self._files[path] = text
        return text

    def exists(self, path: str) -> bool:
        found = self.inner.exists(path)
        if found:
            self._existing.add(path)
        return found

    def glob(self, pattern: str) -> list[str]:
        hits = self.inner.glob(pattern)
        self._globbed.update(hits)
        return hits

    def environ(self) -> Mapping[str, str]:
        if self._env is None:
            self._env = self.inner.environ()
        return _TrackedEnviron(self._env, self._env_seen)

    def which(self, name: str) -> Optional[str]:
        found = self.inner.which(name)
        self._which[name] = found
        return found

    def realpath(self, path: str) -> str:
        resolved = self.inner.realpath(path)
        if resolved != path:
            self._realpaths[path] = resolved
        return resolved

    def platform(self) -> PlatformInfo:
        return self.inner.platform()

    def nvml(self) -> NvmlSnapshot:
        try:
            snapshot = self.inner.nvml()
        except NvmlUnavailable as exc:
            self._nvml = {"error": str(exc)}
            raise
        self._nvml = snapshot.to_dict()
        return snapshot

    def save(self, directory: str) -> None:
        """Write everything seen so far into `directory` (created if needed)."""
        os.makedirs(os.path.join(directory, "commands"), exist_ok=True)
        commands = []
        for number, result in enumerate(self._results, start=1):
            stem = f"{number:03d}-{_safe(_command_name(result.argv))}"
            entry: dict[str, Any] = {
                "argv": _portable_argv(result.argv),
                "returncode": result.returncode,
                "timed_out": result.timed_out,
                "not_found": result.not_found,
                "truncated": result.truncated,
            }
            for stream in ("stdout", "stderr"):
                text = getattr(result, stream)
                if text:
                    name = f"commands/{stem}.{'out' if stream == 'stdout' else 'err'}"
                    _write(os.path.join(directory, name), text)
                    entry[f"{stream}_file"] = name
            commands.append(entry)
        for path, text in self._files.items():
            if text is not None:
                _write(os.path.join(directory, "files", _file_key(path)), text)
        # Paths that exist but were never read (device nodes, directories) become markers.
        for path in sorted(self._existing | self._globbed):
            target = os.path.join(directory, "files", _file_key(path))
            if not os.path.exists(target):
                if os.path.isdir(path):
                    _write(os.path.join(target, DIR_MARKER), "")
                else:
                    _write(target, "")
        env = self._env or {}
        manifest = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "platform": self.inner.platform().to_dict(),
            "environ": {k: redact(k, env[k]) for k in sorted(self._env_seen) if k in env},
            "which": self._which,
            "realpath": self._realpaths,
            "nvml": self._nvml,
            "commands": commands,
        }
        _write(
            os.path.join(directory, "host.json"), json.dumps(redact_data(manifest), indent=2) + "\n"
        )


def _portable_argv(argv: Sequence[str]) -> list[str]:
    """Store envsetup's own probe scripts (`python -c SCRIPT envsetup-TAG`) as "*", so that a
    recording still replays after the script changes."""
    stored = list(argv)
    if len(stored) == 4 and stored[1] == "-c" and stored[3].startswith("envsetup-"):
        stored[2] = "*"
    return stored


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "cmd"


def _write(path: str, text: str) -> None:
    """Every file of a recording is written here, credentials redacted (a recording is shared)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(redact_text(text))


def write_recording(directory: str, recording: tuple[dict[str, Any], dict[str, str]]) -> None:
    """Write a recording made without a host (explain --record: built from facts) into
    `directory`: (host.json's manifest, {absolute path on the recorded host: its text}); a path
    ending in "/" is a directory that exists, an empty text a path that exists. Redacted as
    RecordingHost.save redacts."""
    manifest, files = recording
    os.makedirs(directory, exist_ok=True)
    for path, text in files.items():
        if path.endswith("/"):
            _write(os.path.join(directory, "files", _file_key(path), DIR_MARKER), "")
        else:
            _write(os.path.join(directory, "files", _file_key(path)), text)
    document = {"format": FORMAT_NAME, "version": FORMAT_VERSION, **manifest}
    _write(os.path.join(directory, "host.json"), json.dumps(redact_data(document), indent=2) + "\n")
