"""The real machine. Every subprocess has a hard wall-clock timeout, a cap on what is read of its
output, and never uses a shell; every file read is capped and of regular files only."""

from __future__ import annotations

import fnmatch
import glob as _glob
import os
import platform as _platform
import shutil
import sys
from typing import Callable, Mapping, Optional, Sequence

from envsetup.host.base import CommandResult, NvmlSnapshot, PlatformInfo
from envsetup.host.execution import MAX_TIMEOUT_S, Request
from envsetup.host.execution import run as run_request
from envsetup.host.interpreter import describe_running_python
from envsetup.host.interpreter_discovery import working_directory_here
from envsetup.host.nvml import (
    NVML_TIMEOUT_S,
    PROBE_TIMEOUT_VARIABLE,
    call_in_child,
    nvml_within,
)
from envsetup.safe_read import read_up_to

MAX_FILE_BYTES = 1 << 20  # headers and /proc files are small; never slurp a library


class LiveHost:
    """The machine itself. One instance serves one run: the environment and directory listings
    are read once."""

    def __init__(
        self,
        nvml_query: Optional[Callable[[], NvmlSnapshot]] = None,
        nvml_timeout_s: Optional[float] = None,
    ) -> None:
        """`nvml_query`: what nvml() asks in its child (default: nvml.query_nvml, asked only
        where NVML could answer); an importable function returning an NvmlSnapshot.
        `nvml_timeout_s`: its time limit (default: ENVSETUP_PROBE_TIMEOUT's, as for a probe
        command, else NVML_TIMEOUT_S)."""
        self._nvml_query, self._nvml_timeout_s = nvml_query, nvml_timeout_s
        self._platform: Optional[PlatformInfo] = None
        self._listings: dict[str, list[str]] = {}
        self._environ: Optional[dict[str, str]] = None

    def run(self, argv: Sequence[str], timeout: float) -> CommandResult:
        if not (0 < timeout <= MAX_TIMEOUT_S):  # also refuses NaN
            raise ValueError(f"timeout must be in (0, {MAX_TIMEOUT_S:g}] s, not {timeout!r}")
        try:
            done = run_request(Request(tuple(argv), timeout))
        except (FileNotFoundError, NotADirectoryError):
            return CommandResult(tuple(argv), None, not_found=True)
        except OSError as exc:
            return CommandResult(tuple(argv), None, stderr=str(exc))
        return CommandResult(
            tuple(argv),
            None if done.timed_out or done.truncated else done.returncode,
            _decode(done.stdout),
            _decode(done.stderr),
            timed_out=done.timed_out,
            truncated=done.truncated,
            duration_s=done.elapsed_s,
        )

    def read_text(self, path: str, max_bytes: int = MAX_FILE_BYTES) -> Optional[str]:
        cap = min(max_bytes, MAX_FILE_BYTES)
        try:
            data = read_up_to(path, cap)[:cap]
        except OSError:
            return None
        # A device-tree string (/proc/device-tree/model) ends in one NUL: text, not binary.
        data = data[:-1] if data.endswith(b"\0") else data
        return None if b"\0" in data else _decode(data)

    def exists(self, path: str) -> bool:
        return os.path.exists(path)

    def glob(self, pattern: str) -> list[str]:
        directory, _, name = pattern.replace("\\", "/").rpartition("/")
        if not directory or _glob.has_magic(directory):
            return sorted(_glob.glob(pattern))
        # Probes glob one directory (site-packages, /usr/lib64...) for many names: list it once.
        # Only names that start with the pattern's literal head can match: most patterns match
        # nothing there, and then fnmatch need not compile them (doctor's start-up budget).
        head = os.path.normcase(self._literal_head(name))
        entries = [e for e in self._listing(directory) if os.path.normcase(e).startswith(head)]
        return sorted(
            f"{directory}/{e}"
            for e in (fnmatch.filter(entries, name) if entries else [])
            if not e.startswith(".") or name.startswith(".")
        )

    def _listing(self, directory: str) -> list[str]:
        if directory not in self._listings:
            try:
                self._listings[directory] = os.listdir(directory)
            except OSError:
                self._listings[directory] = []
        return self._listings[directory]

    @staticmethod
    def _literal_head(pattern: str) -> str:
        """`pattern` up to its first wildcard character (what every name it matches starts with)."""
        for index, char in enumerate(pattern):
            if char in "*?[":
                return pattern[:index]
        return pattern

    def environ(self) -> Mapping[str, str]:
        if self._environ is None:
            self._environ = dict(os.environ)
        return self._environ

    def which(self, name: str) -> Optional[str]:
        return shutil.which(name)

    def realpath(self, path: str) -> str:
        return os.path.realpath(path)

    def platform(self) -> PlatformInfo:
        if self._platform is None:
            self._platform = self._read_platform()
        return self._platform

    def _read_platform(self) -> PlatformInfo:
        libc_name, libc_version = _platform.libc_ver()
        if not libc_name and sys.platform.startswith("linux"):
            libc_name, libc_version = _musl_of_this_interpreter()
        mac = _platform.mac_ver()[0]
        win = " ".join(x for x in _platform.win32_ver()[:2] if x)
        return PlatformInfo(
            system=_platform.system(),
            release=_platform.release(),
            version=_platform.version(),
            machine=_platform.machine(),
            libc=f"{libc_name} {libc_version}".strip(),
            mac_version=mac,
            windows_version=win,
            python_executable=sys.executable,
            working_directory=working_directory_here(),
            python=describe_running_python(),
        )

    def nvml(self) -> NvmlSnapshot:
        limit = self._nvml_time_limit()
        if self._nvml_query is None:
            return nvml_within(limit)
        return call_in_child(self._nvml_query, limit)

    def _nvml_time_limit(self) -> float:
        if self._nvml_timeout_s is not None:
            return self._nvml_timeout_s
        # doctor refuses a bad value before any probe runs (probe.common.probe_timeout).
        try:
            seconds = float(self.environ().get(PROBE_TIMEOUT_VARIABLE, ""))
        except ValueError:
            return NVML_TIMEOUT_S
        return seconds if 0 < seconds <= MAX_TIMEOUT_S else NVML_TIMEOUT_S


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _musl_of_this_interpreter() -> tuple[str, str]:
    """("musl", "1.2") when this interpreter runs on musl libc, else ("", "").

    platform.libc_ver() recognises glibc only; packaging reads the interpreter's ELF loader
    (PEP 656) and offers musllinux_X_Y tags exactly where musl X.Y runs it.
    """
    from packaging.tags import platform_tags

    for tag in platform_tags():
        name, _, rest = tag.partition("_")
        parts = rest.split("_")
        if name == "musllinux" and len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
            return "musl", f"{parts[0]}.{parts[1]}"
    return "", ""
