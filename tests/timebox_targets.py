"""Functions call_with_time_limit runs in its child in the tests: importable by name, as it needs.
Each writes its pid to $TIMEBOX_PID_FILE first, so that a test can look for it afterwards."""

from __future__ import annotations

import os
import signal
import time

from envsetup.host.base import NvmlSnapshot, NvmlUnavailable


def _note_pid() -> None:
    path = os.environ.get("TIMEBOX_PID_FILE")
    if path:
        with open(path, "a") as handle:
            handle.write(f"{os.getpid()}\n")


def hang() -> NvmlSnapshot:
    """As nvmlInit() on a wedged driver: never returns, and ignores SIGTERM."""
    _note_pid()
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    while True:
        time.sleep(3600)


def answer() -> NvmlSnapshot:
    _note_pid()
    print("noise on stdout")  # garbles nothing: the answer travels apart
    return NvmlSnapshot(driver_version="550.54.15", cuda_driver_version=12040)


def refuse() -> NvmlSnapshot:
    raise NvmlUnavailable("Driver/library version mismatch")


def die() -> NvmlSnapshot:
    _note_pid()
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")
