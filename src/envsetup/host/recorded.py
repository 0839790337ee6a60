"""Record a live host into a directory, and replay such a directory as a Host.

The format is documented in docs/recorded-host.md. In short:

    DIR/host.json          platform, environment, which, NVML and the command list
    DIR/files/<abs path>   every file the probes read (a path's leading "/" dropped)
    DIR/commands/*.out     the output of each command, referenced from host.json
"""

from __future__ import annotations

import fnmatch
import json
import os
import posixpath
from collections.abc import Iterator, Mapping
from typing import Any, Optional, Sequence

from envsetup.errors import UsageError
from envsetup.host.base import CommandResult, Host, NvmlSnapshot, NvmlUnavailable, PlatformInfo
from envsetup.host.secrets import redact
from envsetup.sanitize import redact_data, redact_text

FORMAT_NAME = "envsetup-recorded-host"
# Keeps an otherwise empty directory in version control; not a file of the recorded host.
DIR_MARKER = ".envsetup-dir"
FORMAT_VERSION = 1


def _file_key(path: str) -> str:
    """'/etc/os-release' -> 'etc/os-release'; 'C:\\x\\y' -> 'C/x/y'."""
    path = path.replace("\\", "/")
    if len(path) > 1 and path[1] == ":":
        path = path[0] + path[2:]
    return path.lstrip("/")


def _command_name(argv: Sequence[str]) -> str:
    base = posixpath.basename(str(argv[0]).replace("\\", "/"))
    return base[:-4] if base.lower().endswith(".exe") else base


class RecordedHost:
    """A Host that answers from a recorded directory and nothing else."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        manifest = _load_manifest(directory)
        try:
            self._platform = PlatformInfo.from_dict(manifest["platform"])
        except (KeyError, TypeError) as exc:
            raise _bad(directory, f"its 'platform' entry is missing or malformed ({exc})") from exc
        self._environ = {str(k): str(v) for k, v in (manifest.get("environ") or {}).items()}
        self._which = {str(k): v for k, v in (manifest.get("which") or {}).items()}
        self._nvml = manifest.get("nvml")
        self._realpaths = {str(k): str(v) for k, v in (manifest.get("realpath") or {}).items()}
        self._commands = list(manifest.get("commands") or [])
        files_root = os.path.join(directory, "files")
        self._files: dict[str, str] = {}
        self._dirs: set[str] = set()
        for root, dirs, names in os.walk(files_root):
            rel_root = os.path.relpath(root, files_root).replace(os.sep, "/")
            rel_root = "" if rel_root == "." else rel_root
            for d in dirs:
                self._dirs.add(posixpath.join(rel_root, d))
            for name in names:
                if name != DIR_MARKER:
                    self._files[posixpath.join(rel_root, name)] = os.path.join(root, name)

    def run(self, argv: Sequence[str], timeout: float) -> CommandResult:
        entry = self._find_command(argv)
        if entry is None:
            return CommandResult(tuple(argv), None, not_found=True)
        return CommandResult(
            tuple(argv),
            entry.get("returncode"),
            self._payload(entry, "stdout"),
            self._payload(entry, "stderr"),
            timed_out=bool(entry.get("timed_out", False)),
            not_found=bool(entry.get("not_found", False)),
            truncated=bool(entry.get("truncated", False)),
        )

    def read_text(self, path: str, max_bytes: int = 1 << 20) -> Optional[str]:
        real = self._files.get(_file_key(path))
        if real is None:
            return None
        with open(real, "rb") as handle:
            return handle.read(max_bytes).decode("utf-8", errors="replace")

    def exists(self, path: str) -> bool:
        key = _file_key(path).rstrip("/")
        return key in self._files or key in self._dirs

    def glob(self, pattern: str) -> list[str]:
        key_pattern = _file_key(pattern)
        depth = key_pattern.count("/")
        hits = [
            key
            for key in [*self._files, *self._dirs]
            if key.count("/") == depth and fnmatch.fnmatchcase(key, key_pattern)
        ]
        prefix = "" if pattern[1:2] == ":" else "/"
        return sorted(prefix + hit for hit in hits)

    def environ(self) -> Mapping[str, str]:
        return dict(self._environ)

    def which(self, name: str) -> Optional[str]:
        if name in self._which:
            return self._which[name]
        # A hand-made recording may list a command without a which entry.
        if any(_command_name(c.get("argv", ["?"])) == name for c in self._commands):
            return f"/usr/bin/{name}"
        return None

    def realpath(self, path: str) -> str:
        return self._realpaths.get(path, path)

    def platform(self) -> PlatformInfo:
        return self._platform

    def nvml(self) -> NvmlSnapshot:
        if not isinstance(self._nvml, dict):
            raise NvmlUnavailable("NVML was not recorded on this host")
        if "error" in self._nvml:
            raise NvmlUnavailable(str(self._nvml["error"]))
        try:
            return NvmlSnapshot.from_dict(self._nvml)
        except (KeyError, TypeError) as exc:
            raise NvmlUnavailable(f"recorded NVML entry is malformed ({exc})") from exc

    def _find_command(self, argv: Sequence[str]) -> Optional[dict[str, Any]]:
        wanted = [str(a) for a in argv]
        by_name = [_command_name(wanted), *wanted[1:]]
        for exact in (True, False):
            for entry in self._commands:
                recorded = [str(a) for a in entry.get("argv", [])]
                if not recorded:
                    continue
                if not exact:
                    recorded = [_command_name(recorded), *recorded[1:]]
                if _argv_matches(recorded, wanted if exact else by_name):
                    return entry
        return None

    def _payload(self, entry: Mapping[str, Any], stream: str) -> str:
        if f"{stream}_file" in entry:
            path = os.path.join(self.directory, str(entry[f"{stream}_file"]))
            try:
                with open(path, "rb") as handle:
                    return handle.read().decode("utf-8", errors="replace")
            except OSError as exc:
                raise _bad(
                    self.directory,
                    f"{stream}_file {entry[f'{stream}_file']!r} cannot be read ({exc.strerror})",
                ) from exc
        return str(entry.get(stream, ""))


def _argv_matches(recorded: list[str], wanted: list[str]) -> bool:
    """Element by element; a recorded "*" stands for any one argument (e.g. a probe script)."""
    return len(recorded) == len(wanted) and all(r in ("*", w) for r, w in zip(recorded, wanted))


def _bad(directory: str, reason: str) -> UsageError:
    return UsageError(
        f"--replay {directory}: {reason}; fix: pass a directory written by "
        "'envsetup doctor --record DIR' or built as docs/recorded-host.md describes"
    )


def _load_manifest(directory: str) -> dict[str, Any]:
    if not os.path.isdir(directory):
        raise _bad(directory, "no such directory")
    manifest_path = os.path.join(directory, "host.json")
    try:
        with open(manifest_path, encoding="utf-8") as handle:
            manifest = json.load(handle)
    except FileNotFoundError as exc:
        raise _bad(directory, "it has no host.json") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _bad(directory, f"host.json is not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise _bad(directory, f'host.json does not say "format": "{FORMAT_NAME}"')
    if manifest.get("version") != FORMAT_VERSION:
        raise _bad(
            directory,
            f"host.json has format version {manifest.get('version')!r}, this envsetup reads {FORMAT_VERSION}",
        )
    return manifest


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
