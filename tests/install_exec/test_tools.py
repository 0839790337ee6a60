"""Host-facing helpers of the install: conda's envs directories, log paths, finding uv."""

from __future__ import annotations

import json
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


REAL_TEXT_INFO = FIXTURES / "conda-pip" / "conda-info-cuda-11.2-ubuntu18.04-gpfs.txt"
# No captured `conda info --json` exists in the fixtures and no real conda is installable here:
# this document has the keys conda's cli/main_info.py writes (conda/conda), with the values of
# the real `conda info` above.
INFO_JSON = {
    "platform": "linux-64",
    "root_prefix": "/gpfs/fs1/mpapadakis/miniconda3",
    "envs_dirs": ["/gpfs/fs1/mpapadakis/miniconda3/envs", "/home/mpapadakis/.conda/envs"],
    "pkgs_dirs": ["/gpfs/fs1/mpapadakis/miniconda3/pkgs"],
}


def fake_conda(tmp_path: Path, body: str) -> str:
    conda = tmp_path / "conda"
    conda.write_text(f"#!/bin/sh\n{body}")
    conda.chmod(0o755)
    return str(conda)


def test_envs_directories_from_conda_info_json() -> None:
    assert envs_dirs_from_conda_info(json.dumps(INFO_JSON)) == INFO_JSON["envs_dirs"]


def test_conda_info_without_envs_directories_gives_none() -> None:
    without = {k: v for k, v in INFO_JSON.items() if k != "envs_dirs"}
    assert envs_dirs_from_conda_info(json.dumps(without)) == []


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (REAL_TEXT_INFO.read_text(), "not JSON"),
        ("[1, 2]", "not an object"),
        ('{"envs_dirs": "/opt/envs"}', "not a list of paths"),
    ],
    ids=["conda-info-text", "list", "envs-dirs-not-a-list"],
)
def test_what_is_not_conda_info_json_is_named(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        envs_dirs_from_conda_info(text)


@pytest.mark.skipif(os.name == "nt", reason="a POSIX shell script stands in for conda")
def test_a_conda_that_prints_no_json_is_one_line_naming_the_command_and_the_fix(
    tmp_path: Path,
) -> None:
    # The real text of `conda info`, where `conda info --json` should have printed JSON.
    conda = fake_conda(tmp_path, f"cat {REAL_TEXT_INFO}\n")
    with pytest.raises(UsageError) as raised:
        conda_prefix_for_name(conda, "torch", dict(os.environ))
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("--name torch: `conda info --json` printed something unreadable")
    assert "'active environment : base'" in message and "pass --env PATH" in message


@pytest.mark.skipif(os.name == "nt", reason="a POSIX shell script stands in for conda")
def test_a_failing_conda_is_one_line_with_its_last_words(tmp_path: Path) -> None:
    conda = fake_conda(tmp_path, "echo 'CondaError: cannot read condarc' >&2\nexit 1\n")
    with pytest.raises(UsageError, match=r"failed \(exit status 1: CondaError: cannot read"):
        conda_prefix_for_name(conda, "torch", dict(os.environ))


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
    """`conda info --json` printed by a script that leaves a setsid child holding stdout: the
    answer comes at the script's exit, and the child is ended."""
    info = tmp_path / "info.json"
    info.write_text(json.dumps(INFO_JSON, indent=2))
    pid_file = tmp_path / "child.pid"
    conda = fake_conda(tmp_path, f"cat {info}\nsetsid sleep 300 &\necho $! > {pid_file}\n")
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
