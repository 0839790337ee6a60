"""The real machine. Every subprocess has a hard wall-clock timeout, a cap on what is read of its
output, and never uses a shell; every file read is capped and of regular files only."""

from __future__ import annotations

import contextlib
import fnmatch
import glob as _glob
import os
import platform as _platform
import shutil
import sys
import time
from typing import Mapping, Optional, Sequence

from envsetup.host.base import (
    CommandResult,
    NvmlDevice,
    NvmlSnapshot,
    NvmlUnavailable,
    PlatformInfo,
)
from envsetup.host.interpreter import describe_running_python
from envsetup.host.processes import MAX_TIMEOUT_S, run_bounded
from envsetup.safe_read import read_up_to

MAX_FILE_BYTES = 1 << 20  # headers and /proc files are small; never slurp a library


class LiveHost:
    """The machine itself. One instance serves one run: the environment and directory listings
    are read once."""

    def __init__(self) -> None:
        self._platform: Optional[PlatformInfo] = None
        self._listings: dict[str, list[str]] = {}
        self._environ: Optional[dict[str, str]] = None

    def run(self, argv: Sequence[str], timeout: float) -> CommandResult:
        if not (0 < timeout <= MAX_TIMEOUT_S):  # also refuses NaN
            raise ValueError(f"timeout must be in (0, {MAX_TIMEOUT_S:g}] s, not {timeout!r}")
        started = time.monotonic()
        try:
            captured = run_bounded(argv, timeout)
        except (FileNotFoundError, NotADirectoryError):
            return CommandResult(tuple(argv), None, not_found=True)
        except OSError as exc:
            return CommandResult(tuple(argv), None, stderr=str(exc))
        return CommandResult(
            tuple(argv),
            None if captured.timed_out or captured.truncated else captured.returncode,
            _decode(captured.stdout),
            _decode(captured.stderr),
            timed_out=captured.timed_out,
            truncated=captured.truncated,
            duration_s=time.monotonic() - started,
        )

    def read_text(self, path: str, max_bytes: int = MAX_FILE_BYTES) -> Optional[str]:
        cap = min(max_bytes, MAX_FILE_BYTES)
        try:
            data = read_up_to(path, cap)[:cap]
        except OSError:
            return None
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
            python=describe_running_python(),
        )

    def nvml(self) -> NvmlSnapshot:
        return query_nvml()


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def query_nvml() -> NvmlSnapshot:
    """Read driver, CUDA driver version and every GPU through NVML (nvidia-ml-py)."""
    try:
        import pynvml
    except ImportError as exc:
        raise NvmlUnavailable(f"nvidia-ml-py is not installed ({exc})") from exc
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError as exc:
        raise NvmlUnavailable(str(exc)) from exc
    try:
        driver = _text(pynvml.nvmlSystemGetDriverVersion())
        try:
            cuda: Optional[int] = int(pynvml.nvmlSystemGetCudaDriverVersion())
        except pynvml.NVMLError:
            cuda = None
        devices = [_nvml_device(pynvml, i) for i in range(pynvml.nvmlDeviceGetCount())]
        return NvmlSnapshot(driver_version=driver, cuda_driver_version=cuda, devices=devices)
    except pynvml.NVMLError as exc:
        raise NvmlUnavailable(str(exc)) from exc
    finally:
        with contextlib.suppress(pynvml.NVMLError):
            pynvml.nvmlShutdown()


def _nvml_device(pynvml, index: int) -> NvmlDevice:  # type: ignore[no-untyped-def]
    handle = pynvml.nvmlDeviceGetHandleByIndex(index)
    device = NvmlDevice(index=index)

    def attempt(fn):  # type: ignore[no-untyped-def]
        # One unsupported query (vGPU, MIG, old boards) must not hide the rest.
        try:
            return fn()
        except pynvml.NVMLError:
            return None

    device.name = _text(attempt(lambda: pynvml.nvmlDeviceGetName(handle)) or "")
    device.uuid = _text(attempt(lambda: pynvml.nvmlDeviceGetUUID(handle)) or "")
    memory = attempt(lambda: pynvml.nvmlDeviceGetMemoryInfo(handle))
    device.memory_total_bytes = int(memory.total) if memory is not None else None
    cc = attempt(lambda: pynvml.nvmlDeviceGetCudaComputeCapability(handle))
    device.compute_capability = f"{cc[0]}.{cc[1]}" if cc else None
    mig = attempt(lambda: pynvml.nvmlDeviceGetMigMode(handle))
    if mig is not None:
        device.mig_mode = "Enabled" if mig[0] else "Disabled"
    device.pcie_gen = attempt(lambda: pynvml.nvmlDeviceGetCurrPcieLinkGeneration(handle))
    device.pcie_gen_max = attempt(lambda: pynvml.nvmlDeviceGetMaxPcieLinkGeneration(handle))
    device.pcie_width = attempt(lambda: pynvml.nvmlDeviceGetCurrPcieLinkWidth(handle))
    device.pcie_width_max = attempt(lambda: pynvml.nvmlDeviceGetMaxPcieLinkWidth(handle))
    return device


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
