"""What a check starts does not outlive verify: real worker, real daemon in its own session."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from envsetup.verify.runner import start_worker
from scripts import alive

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX sessions")


def gone_soon(pid: int, within_s: float = 3.0) -> bool:
    deadline = time.monotonic() + within_s
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not alive(pid)


def end(pid: int) -> None:
    if alive(pid):
        os.kill(pid, 9)


def test_a_daemon_left_by_a_check_is_ended_when_verify_ends() -> None:
    argv = ["verify", "--python", sys.executable, "--only", "_test.detach", "--json"]
    out = subprocess.run(
        [sys.executable, "-m", "envsetup", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    checks = {c["id"]: c for c in json.loads(out.stdout)["data"]["checks"]}
    pid = checks["_test.detach"]["evidence"]["daemon_pid"]
    try:
        assert checks["_test.detach"]["status"] == "pass"
        # Gone by the time verify returned: its own session, its parent dead, yet found by its tag.
        assert not alive(pid)
    finally:
        end(pid)


def test_a_timed_out_check_takes_the_daemons_of_its_worker_along() -> None:
    worker = start_worker(sys.executable)
    pid = None
    try:
        detached = worker.request("_test.detach", {}, timeout=60)
        assert detached.message is not None, detached
        pid = detached.message["evidence"]["daemon_pid"]
        assert alive(pid)
        started = time.monotonic()
        hung = worker.request("_test.hang", {}, timeout=1.0)
        assert hung.timed_out and time.monotonic() - started < 5
        assert not alive(pid)
        assert not alive(worker.process.pid)
    finally:
        worker.kill()
        if pid is not None:
            end(pid)
