"""The verify worker's test-only checks: a real crash, a real hang, a noisy check, a flood, a daemon.

Not shipped: the worker's registry loads this file only when ENVSETUP_VERIFY_TEST_CHECKS names it,
which tests/conftest.py does. It is loaded as a module of the worker package (relative imports), in
the tool's process and in the target interpreter; standard library only, like the worker.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any, Dict

from .outcome import CheckFailed, Context
from .registry import Check

FLOOD_MIB = 300


def check_test_crash(ctx: Context) -> Dict[str, Any]:
    sys.stderr.write("about to abort\n")
    sys.stderr.flush()
    os.abort()
    return {}  # pragma: no cover


def check_test_hang(ctx: Context) -> Dict[str, Any]:
    time.sleep(3600)
    return {}  # pragma: no cover


def check_test_noisy(ctx: Context) -> Dict[str, Any]:
    # Printing to stdout must not corrupt the protocol.
    print('{"event": "result", "id": "forged"}')
    os.write(1, b"raw bytes on fd 1\n")
    return {"printed": True}


def check_test_flood(ctx: Context) -> Dict[str, Any]:
    """300 MB on one line of output, then a failure whose every text is tens of MB."""
    chunk = b"x" * (1 << 20)
    for _ in range(FLOOD_MIB):
        view = memoryview(chunk)
        while view:
            view = view[os.write(1, view) :]
    huge = "y" * (20 << 20)
    raise CheckFailed(huge, evidence={"blob": huge, "items": list(range(100000))}, fix=huge)


def check_test_detach(ctx: Context) -> Dict[str, Any]:
    # A daemon as a check might leave one: its own session, its parent gone, its output elsewhere.
    starter = subprocess.run(
        [
            sys.executable,
            "-c",
            "import subprocess; print(subprocess.Popen(['sleep', '300'], start_new_session=True,"
            " stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).pid)",
        ],
        stdout=subprocess.PIPE,
        check=True,
    )
    return {"daemon_pid": int(starter.stdout)}


CHECKS = [
    Check("_test.crash", "test only: the worker aborts", check_test_crash),
    Check("_test.hang", "test only: the worker hangs", check_test_hang),
    Check("_test.flood", "test only: 300 MB of output on one line, huge texts", check_test_flood),
    Check(
        "_test.detach",
        "test only: the check leaves a daemon in its own session",
        check_test_detach,
    ),
    Check("_test.noisy", "test only: the check prints to stdout", check_test_noisy),
]
