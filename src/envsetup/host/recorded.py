"""Replay a recorded directory as a Host (untrusted input: checked, confined, bounded).

Writing a recording is host/recording.py's (RecordingHost).

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
import re
import stat
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Optional, Sequence

from envsetup.errors import UsageError
from envsetup.host.base import CommandResult, NvmlSnapshot, NvmlUnavailable, PlatformInfo
from envsetup.host.recording_schema import PYTHON_KEYS, RecordingError, check_manifest
from envsetup.safe_read import read_up_to

FORMAT_NAME = "envsetup-recorded-host"
# Keeps an otherwise empty directory in version control; not a file of the recorded host.
DIR_MARKER = ".envsetup-dir"
FORMAT_VERSION = 1
# Caps on what a replay reads (docs/recorded-host.md): a file under files/ is read as a live host
# reads one, its first MiB; a command's output file or host.json over its cap is a bad recording.
MAX_FILE_BYTES = 1 << 20
MAX_OUTPUT_BYTES = 16 << 20
# All the commands' outputs together: a small host.json can name one big file a million times.
MAX_OUTPUTS_BYTES = 64 << 20
MAX_MANIFEST_BYTES = 64 << 20
MAX_FILE_ENTRIES = 200_000
# Links cost work that the entry cap does not see: one link can stand for a chain of links, each
# padded with "x/../" steps, and a tree of links reaches the same ones again and again. A recording
# written by --record holds no link at all, a hand-made one a few; these bound a hostile one.
MAX_LINKS = 10_000  # links met while indexing files/, each time one is reached
MAX_LINK_STEPS = 100_000  # path steps taken resolving links, for the whole recording
MAX_LINK_DEPTH = 40  # links within links, as the kernel allows (ELOOP)
_MAGIC = re.compile(r"[*?[]")


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
    """A Host that answers from a recorded directory and nothing else.

    A recording is untrusted input (docs/recorded-host.md says how it is treated): host.json is
    checked against its schema on load, and nothing outside the directory is ever read.
    Everything wrong with it is a UsageError raised here, before any probe runs.
    """

    def __init__(self, directory: str) -> None:
        self.directory = directory
        if not os.path.isdir(directory):
            reason = (
                "a file, not a recording directory"
                if os.path.exists(directory)
                else "no such directory"
            )
            raise _bad(directory, reason)
        self._root = os.path.realpath(directory)
        # One budget for every link in the recording: host.json, the commands' files, files/.
        self._resolver = _Resolver(self._root, directory)
        manifest = _load_manifest(directory, self._resolver)
        try:
            check_manifest(manifest)
        except RecordingError as exc:
            raise _bad(directory, f"host.json {exc.key}: {exc.problem}") from exc
        platform = dict(manifest["platform"])
        python = platform.get("python") or {}
        # Only the keys the schema checked reach the probes.
        platform["python"] = {k: python[k] for k in PYTHON_KEYS if k in python}
        self._platform = PlatformInfo.from_dict(platform)
        self._environ = dict(manifest.get("environ") or {})
        self._which = dict(manifest.get("which") or {})
        self._nvml = manifest.get("nvml")
        self._realpaths = dict(manifest.get("realpath") or {})
        self._outputs: dict[str, str] = {}  # an output file's real path -> its text, read once
        self._outputs_bytes = 0
        self._commands = [
            self._command(entry, f"commands[{number}]")
            for number, entry in enumerate(manifest.get("commands") or [])
        ]
        self._files: dict[str, str] = {}  # key -> the real path of a regular file
        # Directory key ("" for "/") -> the names in it: glob and exists look here, so a pattern
        # costs the size of the directories it names, not of the whole recording.
        self._children: dict[str, set[str]] = {"": set()}
        _index_files(self._resolver, self._files, self._children)

    def run(self, argv: Sequence[str], timeout: float) -> CommandResult:
        entry = self._find_command(argv)
        if entry is None:
            return CommandResult(tuple(argv), None, not_found=True)
        return replace(entry, argv=tuple(argv))

    def read_text(self, path: str, max_bytes: int = MAX_FILE_BYTES) -> Optional[str]:
        real = self._files.get(_file_key(path))
        if real is None:
            return None
        try:
            data = read_up_to(real, min(max_bytes, MAX_FILE_BYTES), follow_symlinks=False)
        except OSError:
            return None
        # As on a live host: the first max_bytes of a longer file, and a binary file is unreadable.
        data = data[: min(max_bytes, MAX_FILE_BYTES)]
        data = data[:-1] if data.endswith(b"\0") else data  # a device-tree string (as live.py)
        return None if b"\0" in data else data.decode("utf-8", errors="replace")

    def exists(self, path: str) -> bool:
        key = _file_key(path).rstrip("/")
        return bool(key) and (key in self._files or key in self._children)

    def glob(self, pattern: str) -> list[str]:
        key = _file_key(pattern)
        head, _, tail = key.rpartition("/")
        if not _MAGIC.search(head):
            # The usual pattern (a fixed directory, a wildcard name): one look-up.
            found = [head] if head in self._children else []
            parts = [tail]
        else:
            found, parts = [""], key.split("/")
        for part in parts:
            matched = []
            for parent in found:
                names = self._children.get(parent)
                if not names:
                    continue
                if _MAGIC.search(part):
                    hits = [n for n in names if fnmatch.fnmatchcase(n, part)]
                else:
                    hits = [part] if part in names else []
                matched += [f"{parent}/{n}" if parent else n for n in hits]
            found = matched
            if not found:
                return []
        prefix = "" if pattern[1:2] == ":" else "/"
        return sorted(prefix + hit for hit in found)

    def environ(self) -> Mapping[str, str]:
        return dict(self._environ)

    def which(self, name: str) -> Optional[str]:
        if name in self._which:
            return self._which[name]
        # A hand-made recording may list a command without a which entry.
        if any(_command_name(c.argv) == name for c in self._commands):
            return f"/usr/bin/{name}"
        return None

    def looked_up(self, name: str) -> bool:
        """Whether the recording holds an answer for `name`: a which entry (a path or "not on
        PATH"), or a command it ran. A recording made before envsetup asked for a command has
        neither: its which() says None, which is "not recorded", not "not there"."""
        return name in self._which or any(_command_name(c.argv) == name for c in self._commands)

    def realpath(self, path: str) -> str:
        return self._realpaths.get(path, path)

    def platform(self) -> PlatformInfo:
        return self._platform

    def nvml(self) -> NvmlSnapshot:
        if not isinstance(self._nvml, dict):
            raise NvmlUnavailable("NVML was not recorded on this host")
        if "error" in self._nvml:
            raise NvmlUnavailable(str(self._nvml["error"]))
        return NvmlSnapshot.from_dict(self._nvml)  # checked on load

    def recorded_tag(self, tag: str) -> bool:
        """Whether a recorded command ends with `tag`, the way envsetup's own probe scripts name
        themselves (`python -c * envsetup-deep`)."""
        return any(c.argv and c.argv[-1] == tag for c in self._commands)

    def _find_command(self, argv: Sequence[str]) -> Optional[CommandResult]:
        wanted = [str(a) for a in argv]
        by_name = [_command_name(wanted), *wanted[1:]] if wanted else []
        for exact in (True, False):
            for entry in self._commands:
                recorded = list(entry.argv)
                if not exact:
                    recorded = [_command_name(recorded), *recorded[1:]]
                if _argv_matches(recorded, wanted if exact else by_name):
                    return entry
        return None

    def _command(self, entry: Mapping[str, Any], key: str) -> CommandResult:
        """One commands[] entry (schema-checked), its output files read now: a bad file is a bad
        recording, said on load, not an error inside a probe."""
        streams = {}
        for stream in ("stdout", "stderr"):
            name = entry.get(f"{stream}_file")
            if name is None:
                streams[stream] = entry.get(stream, "")
                continue
            where = f"{key}.{stream}_file {name!r}"
            real = self._resolver.inside(os.path.join(self._root, name.replace("\\", "/")))
            if real is None or os.path.isabs(name):
                raise _bad(self.directory, f"{where} is outside the recording")
            if real in self._outputs:
                streams[stream] = self._outputs[real]
                continue
            try:
                data = read_up_to(real, MAX_OUTPUT_BYTES, follow_symlinks=False)
            except OSError as exc:
                raise _bad(self.directory, f"{where} cannot be read ({_reason(exc)})") from exc
            if len(data) > MAX_OUTPUT_BYTES:
                raise _bad(
                    self.directory,
                    f"{where} is larger than the {MAX_OUTPUT_BYTES >> 20} MiB a recorded output may be",
                )
            self._outputs_bytes += len(data)
            if self._outputs_bytes > MAX_OUTPUTS_BYTES:
                raise _bad(
                    self.directory,
                    f"its commands' outputs add up to more than {MAX_OUTPUTS_BYTES >> 20} MiB",
                )
            streams[stream] = self._outputs[real] = data.decode("utf-8", errors="replace")
        return CommandResult(
            tuple(entry["argv"]),
            entry.get("returncode"),
            streams["stdout"],
            streams["stderr"],
            timed_out=entry.get("timed_out", False),
            not_found=entry.get("not_found", False),
            truncated=entry.get("truncated", False),
        )


def _argv_matches(recorded: list[str], wanted: list[str]) -> bool:
    """Element by element; a recorded "*" stands for any one argument (e.g. a probe script)."""
    return len(recorded) == len(wanted) and all(r in ("*", w) for r, w in zip(recorded, wanted))


def _bad(directory: str, reason: str) -> UsageError:
    return UsageError(
        f"--replay {_one_line(directory)}: {_one_line(reason)}; fix: pass a directory written by "
        "'envsetup doctor --record DIR' or built as docs/recorded-host.md describes"
    )


def _one_line(text: str) -> str:
    """Control characters (a newline in a file name or a JSON key) shown escaped."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


class _Loop(Exception):
    """A link that leads back into itself, or deeper than MAX_LINK_DEPTH."""


class _Resolver:
    """Resolves paths inside a recording without ever leaving it, under a budget of steps.

    os.path.realpath would do, but it costs each call the whole length of every link it meets, and
    nothing bounds how often it is called. Here each link is resolved once (its result is kept), a
    path that climbs above the recording is outside at once (nothing outside is even looked at),
    and every step taken counts against MAX_LINK_STEPS: past it, the recording is refused.
    """

    def __init__(self, root: str, directory: str) -> None:
        self.root = root
        self.directory = directory
        self._given = os.path.abspath(directory)
        self.steps = 0
        # A link's key (its path under root, "/"-separated) -> the key it resolves to; None:
        # outside the recording; _Loop: being resolved (met again: a loop).
        self._links: dict[str, Any] = {}

    def inside(self, path: str) -> Optional[str]:
        """`path` (absolute) with every link resolved, if that lies inside root; else None."""
        if os.name == "nt":  # links there are rare and need privileges; realpath is bounded
            self._spend(1)
            real = _real_or_none(path)
            within = real is not None and (
                real == self.root or real.startswith(self.root.rstrip(os.sep) + os.sep)
            )
            return real if within else None
        key = self._relative(path)
        if key is None:
            return None
        try:
            found = self._walk("", key, 0)
        except _Loop:
            # As realpath leaves it: the path itself, which lstat then finds to be a link.
            return os.path.join(self.root, key) if key else self.root
        return None if found is None else (os.path.join(self.root, found) if found else self.root)

    def link_inside(self, real_dir: str, name: str) -> Optional[str]:
        """inside(real_dir/name) for a `real_dir` already resolved: only the link itself costs."""
        if os.name == "nt":
            return self.inside(os.path.join(real_dir, name))
        key = self._relative(real_dir)
        if key is None:
            return None
        try:
            found = self._walk(key, name, 0)
        except _Loop:
            return os.path.join(real_dir, name)
        return None if found is None else (os.path.join(self.root, found) if found else self.root)

    def _relative(self, path: str) -> Optional[str]:
        """`path` as a key under root; an absolute link may also name the recording as the user
        did (`/tmp/rec` where /tmp is a link), without anything outside being looked at."""
        for top in (self.root, self._given):
            if path == top:
                return ""
            prefix = top.rstrip(os.sep) + os.sep
            if path.startswith(prefix):
                return path[len(prefix) :]
        return None

    def _spend(self, steps: int) -> None:
        self.steps += steps
        if self.steps > MAX_LINK_STEPS:
            raise _bad(
                self.directory,
                f"its symbolic links take more than {MAX_LINK_STEPS} steps to resolve",
            )

    def _walk(self, done: str, rest: str, depth: int) -> Optional[str]:
        """Append `rest` to `done` (resolved keys), resolving links; None: it leaves root."""
        parts = rest.split("/")
        self._spend(len(parts))
        for name in parts:
            if name in ("", "."):
                continue
            if name == "..":
                if not done:
                    return None  # above the recording
                done = done.rpartition("/")[0]
                continue
            here = f"{done}/{name}" if done else name
            if here in self._links:
                known = self._links[here]
                if known is _Loop:
                    raise _Loop()
                if known is None:
                    return None
                done = known
                continue
            try:
                target = os.readlink(os.path.join(self.root, here))
            except OSError:  # not a link (or not there: realpath goes on, lstat says later)
                self._links[here] = done = here
                continue
            if depth >= MAX_LINK_DEPTH:
                raise _Loop()
            self._links[here] = _Loop
            if os.path.isabs(target):
                start, target = None, self._relative(target)
            else:
                start = done
            found = None if target is None else self._walk(start or "", target, depth + 1)
            self._links[here] = found
            if found is None:
                return None
            done = found
        return done


def _real_or_none(path: str) -> Optional[str]:
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return None


def _load_manifest(directory: str, resolver: _Resolver) -> dict[str, Any]:
    manifest_path = os.path.join(resolver.root, "host.json")
    if not os.path.lexists(manifest_path):
        raise _bad(directory, "it has no host.json")
    real = resolver.inside(manifest_path)
    if real is None:
        raise _bad(directory, "host.json links outside the recording")
    try:
        raw = read_up_to(real, MAX_MANIFEST_BYTES, follow_symlinks=False)
    except OSError as exc:
        raise _bad(directory, f"host.json cannot be read ({_reason(exc)})") from exc
    if len(raw) > MAX_MANIFEST_BYTES:
        raise _bad(directory, f"host.json is larger than {MAX_MANIFEST_BYTES >> 20} MiB")
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except RecursionError as exc:
        raise _bad(directory, "host.json nests too deeply to be a recording") from exc
    except (UnicodeDecodeError, ValueError) as exc:
        # ValueError: JSONDecodeError, and an integer too long to convert.
        raise _bad(directory, f"host.json is not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise _bad(directory, f'host.json does not say "format": "{FORMAT_NAME}"')
    version = manifest.get("version")
    if type(version) is not int or version != FORMAT_VERSION:
        shown = (
            version if isinstance(version, (int, float, str)) and len(str(version)) < 20 else "?"
        )
        raise _bad(
            directory,
            f"host.json has format version {shown!r}, this envsetup reads {FORMAT_VERSION}",
        )
    return manifest


def _index_files(resolver: _Resolver, files: dict[str, str], children: dict[str, set[str]]) -> None:
    """Fill `files` and `children` from DIR/files/.

    Links are followed only to places inside the recording; a link out, a dangling link or a link
    loop, and anything neither a regular file nor a directory, make the recording bad. A link to a
    directory above it (files/usr/loop -> ..) is listed but not entered again. Each directory is
    listed once and each link resolved once, however many paths reach them; the entries, the links
    met and the steps resolving them are capped (MAX_FILE_ENTRIES, MAX_LINKS, MAX_LINK_STEPS).
    """
    directory = resolver.directory
    top = os.path.join(resolver.root, "files")
    if not os.path.lexists(top):
        return
    top_real = resolver.inside(top)
    if top_real is None:
        raise _bad(directory, "files/ links outside the recording")
    if not os.path.isdir(top_real):
        raise _bad(directory, "files is not a directory")
    listings: dict[str, list[tuple[str, str, Optional[int]]]] = {}
    kinds: dict[str, int] = {}  # a real path -> its mode
    targets: dict[str, Optional[str]] = {}  # a link's path -> its resolved path
    stack: list[tuple[str, str, tuple[str, ...]]] = [("", top_real, (top_real,))]
    count = links = 0
    while stack:
        key, real_dir, above = stack.pop()
        entries = listings.get(real_dir)
        if entries is None:
            try:
                with os.scandir(real_dir) as listing:
                    entries = [(e.name, e.path, _kind(e)) for e in listing]
            except OSError as exc:
                raise _bad(directory, f"files/{key} cannot be listed ({_reason(exc)})") from exc
            listings[real_dir] = entries
        for name, path, mode in entries:
            if name == DIR_MARKER:
                continue
            count += 1
            if count > MAX_FILE_ENTRIES:
                raise _bad(directory, f"files/ holds more than {MAX_FILE_ENTRIES} entries")
            child = f"{key}/{name}" if key else name
            where = f"files/{child}"
            target: Optional[str] = path
            if mode == stat.S_IFLNK:
                links += 1
                if links > MAX_LINKS:
                    raise _bad(
                        directory,
                        f"files/ reaches symbolic links more than {MAX_LINKS} times",
                    )
                if path not in targets:
                    targets[path] = resolver.link_inside(real_dir, name)
                target = targets[path]
                if target is None:
                    raise _bad(directory, f"{where} links outside the recording")
                mode = kinds.get(target)
            if mode is None or mode == stat.S_IFLNK:
                try:
                    mode = kinds[target] = stat.S_IFMT(
                        os.stat(target, follow_symlinks=False).st_mode
                    )
                except OSError as exc:
                    raise _bad(directory, f"{where} cannot be read ({_reason(exc)})") from exc
            if stat.S_ISLNK(mode):  # the resolver stopped inside a loop
                raise _bad(directory, f"{where} is a symbolic link loop")
            if stat.S_ISDIR(mode):
                children[key].add(name)
                children.setdefault(child, set())
                if target not in above:
                    stack.append((child, target, (*above, target)))
            elif stat.S_ISREG(mode):
                children[key].add(name)
                files[child] = target
            else:
                raise _bad(directory, f"{where} is not a regular file or a directory")


def _kind(entry: os.DirEntry) -> Optional[int]:  # type: ignore[type-arg]
    """The file type as the listing tells it (no system call on most file systems); None: ask."""
    if entry.is_symlink():
        return stat.S_IFLNK
    if entry.is_dir(follow_symlinks=False):
        return stat.S_IFDIR
    if entry.is_file(follow_symlinks=False):
        return stat.S_IFREG
    return None
