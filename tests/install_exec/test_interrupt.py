"""Ctrl-C, kill -9 and a second install at once: what each leaves behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from envsetup.errors import EnvsetupError, UsageError
from envsetup.exit_codes import ExitCode
from envsetup.install.lock import lock_path_for, target_lock
from envsetup.install.record import read_install_record
from envsetup.verified_install import provision

from .helpers import (
    landed,
    lock_held_elsewhere,
    resolution_for,
    snapshot,
    wait_for_lock_release,
)

CHILD = Path(__file__).with_name("provision_child.py")
posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX signals")


def _start_paused_child(
    tmp_path: Path, pytorch_index: Path, manager: str
) -> tuple[subprocess.Popen[str], Path, Path]:
    env, marker = tmp_path / "env", tmp_path / "paused"
    resolution = resolution_for("cu118", env, manager=manager)
    child = subprocess.Popen(
        [
            sys.executable,
            str(CHILD),
            json.dumps(resolution.to_dict()),
            str(pytorch_index),
            str(tmp_path / "logs"),
            str(marker),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not marker.exists():
        if child.poll() is not None or time.monotonic() > deadline:
            child.kill()
            out, err = child.communicate()
            pytest.fail(f"the child never reached the install step: {out}{err}")
        time.sleep(0.05)
    return child, env, marker


def test_keyboard_interrupt_during_a_step_removes_the_new_environment(
    tmp_path: Path, pytorch_index: Path
) -> None:
    env = tmp_path / "env"
    seen: list[str] = []

    def interrupt_during_install(line: str) -> None:
        seen.append(line)
        if line.startswith("==> install"):
            raise KeyboardInterrupt

    with pytest.raises(EnvsetupError) as stopped:
        provision(
            resolution_for("cu118", env),
            index_url_base=str(pytorch_index),
            log_dir=str(tmp_path / "logs"),
            on_output=interrupt_during_install,
        )
    assert stopped.value.exit_code == ExitCode.INTERRUPTED
    assert f"removed the new environment {env}" in str(stopped.value)
    assert any(line.startswith("==> check") for line in seen)
    assert not env.exists()


@posix_only
def test_sigint_to_a_running_install_removes_the_new_environment(
    tmp_path: Path, pytorch_index: Path
) -> None:
    child, env, _ = _start_paused_child(tmp_path, pytorch_index, "pip")
    assert read_install_record(env)["state"] == "incomplete"  # type: ignore[index]
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert child.returncode == ExitCode.INTERRUPTED
    assert "install interrupted; removed the new environment" in err
    assert not env.exists()
    log = next((tmp_path / "logs").glob("*.log")).read_text()
    assert "step install interrupted" in log


@posix_only
def test_kill_9_leaves_an_incomplete_record_the_next_install_refuses_and_force_rebuilds(
    tmp_path: Path, pytorch_index: Path
) -> None:
    child, env, _ = _start_paused_child(tmp_path, pytorch_index, "uv")
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=60)
    # The installer the child was running outlives it and holds the target's lock until it ends.
    wait_for_lock_release(env)
    record = read_install_record(env)
    assert record is not None
    assert record["state"] == "incomplete"
    assert record["resolution"]["variant"] == "cu118"

    before = snapshot(env)
    with pytest.raises(UsageError, match="interrupted and left it half-made; pass --force"):
        provision(
            resolution_for("cpu", env, projects=("torch",)),
            index_url_base=str(pytorch_index),
            log_dir=str(tmp_path / "logs"),
        )
    assert snapshot(env) == before
    result = provision(
        resolution_for("cpu", env, projects=("torch",)),
        index_url_base=str(pytorch_index),
        log_dir=str(tmp_path / "logs"),
        force=True,
    )
    assert result.mode == "force"
    assert read_install_record(env)["state"] == "complete"  # type: ignore[index]
    assert landed(env)["cuda"] is None


def test_a_second_install_into_the_same_target_is_refused(
    tmp_path: Path, pytorch_index: Path
) -> None:
    env = tmp_path / "env"
    with lock_held_elsewhere(env):
        with pytest.raises(UsageError) as refused:
            provision(
                resolution_for("cpu", env),
                index_url_base=str(pytorch_index),
                log_dir=str(tmp_path / "logs"),
            )
        assert "another envsetup install into this environment is running" in str(refused.value)
        assert str(lock_path_for(env)) in str(refused.value)
        assert not env.exists()
    # Once the first install is gone, the lock is free again.
    provision(
        resolution_for("cpu", env, projects=("torch",)),
        index_url_base=str(pytorch_index),
        log_dir=str(tmp_path / "logs"),
    )
    assert landed(env)["cuda"] is None


_STEP_UNDER_LOCK = """
import io, os, sys
from pathlib import Path
from envsetup.install.lock import target_lock
from envsetup.install.plan import Step
from envsetup.install.runner import run_step
code = "import os, time; print(os.getpid(), flush=True); time.sleep(60)"
with target_lock(Path(sys.argv[1])) as lock:
    run_step(
        Step("install", "an installer that takes a while", (sys.executable, "-c", code)),
        log=io.StringIO(),
        environ=os.environ,
        on_output=lambda line: print(line, flush=True),
        pass_fds=(lock.fileno,),
    )
"""


@posix_only
def test_an_installer_orphaned_by_kill_9_keeps_the_target_locked(tmp_path: Path) -> None:
    env = tmp_path / "env"
    parent = subprocess.Popen(
        [sys.executable, "-c", _STEP_UNDER_LOCK, str(env)], stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    installer = int(parent.stdout.readline())
    try:
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=30)
        with pytest.raises(UsageError, match="another envsetup install"), target_lock(env):
            pass
    finally:
        os.kill(installer, signal.SIGKILL)
    wait_for_lock_release(env)
