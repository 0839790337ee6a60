"""Real executables and real processes for tests: envsetup itself, scripts written to disk, pids
they leave."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Mapping, Optional

import psutil


def run_envsetup(
    *args: str, env: Optional[Mapping[str, str]] = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`python -m envsetup ARGS` as a real process, its output captured; `env` is laid over this
    process's environment. A hang fails the test after `timeout` s instead of stalling the suite."""
    return subprocess.run(
        [sys.executable, "-m", "envsetup", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        check=False,
    )


def script(directory: Path, name: str, body: str, interpreter: str = "/bin/sh") -> str:
    """An executable `directory/name` running `body` (the directory is made if missing)."""
    directory.mkdir(exist_ok=True)
    path = directory / name
    path.write_text(f"#!{interpreter}\n{body}")
    path.chmod(0o755)
    return str(path)


def alive(pid: int) -> bool:
    """Running, not a zombie (a killed orphan waits for its new parent to reap it)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def read_pids(path: Path) -> list[int]:
    """The pids a script wrote to `path`, one per word (none if it wrote nothing)."""
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def this_python_active(environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` in which the interpreter running the tests is the active Python (no activated
    venv or conda environment, its directory first on PATH): a command that inspects "the active
    environment" sees this one, whatever python3 the machine puts first on PATH."""
    path = os.pathsep.join([str(Path(sys.executable).parent), environ.get("PATH", "")])
    # Empty rather than absent: laid over os.environ (run_envsetup's env) they still count as unset.
    return {**environ, "VIRTUAL_ENV": "", "CONDA_PREFIX": "", "PATH": path}
