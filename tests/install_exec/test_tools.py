"""Host-facing helpers of the install: conda's envs directories, log paths, finding uv."""

from __future__ import annotations

import os
import time
from pathlib import Path

import psutil
import pytest

from envsetup.errors import UsageError
from envsetup.install.tools import (
    backend_for,
    conda_prefix_for_name,
    envs_dirs_from_conda_info,
    find_base_python,
    new_log_path,
)

FIXTURES = Path(__file__).parent.parent / "fixtures"


def test_envs_directories_from_a_real_conda_info() -> None:
    text = (FIXTURES / "conda-pip" / "conda-info-cuda-11.2-ubuntu18.04-gpfs.txt").read_text()
    assert envs_dirs_from_conda_info(text) == [
        "/gpfs/fs1/mpapadakis/miniconda3/envs",
        "/home/mpapadakis/.conda/envs",
    ]


def test_conda_info_without_envs_directories_gives_none() -> None:
    text = (FIXTURES / "conda-pip" / "conda-info-cuda-11.2-ubuntu18.04-gpfs.txt").read_text()
    cut = text.split("       envs directories")[0]
    assert envs_dirs_from_conda_info(cut) == []


def test_logs_go_to_the_given_directory_or_envsetup_log_dir(tmp_path: Path) -> None:
    given = new_log_path(str(tmp_path / "given"), {}, Path("/srv/my-env"))
    assert given.parent == tmp_path / "given" and given.name.startswith("install-my-env-")
    from_env = new_log_path(None, {"ENVSETUP_LOG_DIR": str(tmp_path / "env")}, Path("/x/e"))
    assert from_env.parent == tmp_path / "env"
    state = new_log_path(None, {"XDG_STATE_HOME": str(tmp_path / "state")}, Path("/x/e"))
    assert state.parent == tmp_path / "state" / "envsetup" / "logs"


def test_an_unwritable_log_directory_is_a_usage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(UsageError, match=r"log directory .* cannot create it"):
        new_log_path(str(blocker / "logs"), {}, Path("/x/e"))


def test_a_python_version_nobody_has_is_a_usage_error_naming_the_fixes() -> None:
    with pytest.raises(UsageError, match=r"Python 2\.5: no python2\.5 on PATH.*--manager uv"):
        find_base_python("2.5", {"PATH": ""})


def test_an_unknown_manager_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown manager"):
        backend_for("poetry", "3.11", {})


def test_uv_is_found_beside_the_running_python() -> None:
    # The test extras install uv into this environment, as `pip install envsetup uv` would.
    assert Path(backend_for("uv", "3.11", {"PATH": ""}).uv).name.startswith("uv")  # type: ignore[attr-defined]


@pytest.mark.skipif(os.name == "nt", reason="a POSIX shell script stands in for conda")
def test_conda_info_is_read_at_its_exit_even_when_its_child_keeps_the_pipe(tmp_path: Path) -> None:
    """A real `conda info` from an issue, printed by a script that leaves a setsid child holding
    stdout: the answer comes at the script's exit, and the child is ended."""
    info = FIXTURES / "conda-pip" / "conda-info-cuda-11.2-ubuntu18.04-gpfs.txt"
    pid_file = tmp_path / "child.pid"
    conda = tmp_path / "conda"
    conda.write_text(f"#!/bin/sh\ncat {info}\nsetsid sleep 300 &\necho $! > {pid_file}\n")
    conda.chmod(0o755)
    started = time.monotonic()
    prefix = conda_prefix_for_name(str(conda), "torch", dict(os.environ))
    child = int(pid_file.read_text())
    try:
        assert prefix == "/gpfs/fs1/mpapadakis/miniconda3/envs/torch"
        assert time.monotonic() - started < 10
        assert not psutil.pid_exists(child) or psutil.Process(child).status() == "zombie"
    finally:
        if psutil.pid_exists(child) and psutil.Process(child).status() != "zombie":
            os.kill(child, 9)
