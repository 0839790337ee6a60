"""host.machine.Machine and the path questions of host.files.Files: which machine this is, its
working and home directories, asked in one place; install's callers take another Machine."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from envsetup.host.files import LOCAL
from envsetup.host.machine import THIS_MACHINE, Machine
from envsetup.install.state import state_dir
from envsetup.install.tools import find_uv, log_path_for


class _Windows(Machine):
    """Another OS, without running on one: the interpreter lives in `where`."""

    def __init__(self, where: Path, state: Path) -> None:
        self._where, self._state = where, state

    @property
    def os_name(self) -> str:
        return "nt"

    @property
    def linux(self) -> bool:
        return False

    @property
    def executable(self) -> str:
        return str(self._where / "python.exe")

    def pid(self) -> int:
        return 4242

    def user_state_dir(self, app: str) -> str:
        return str(self._state / app)


def test_this_machine_answers_as_the_os_does() -> None:
    assert THIS_MACHINE.os_name == os.name
    assert THIS_MACHINE.windows is (os.name == "nt")
    assert THIS_MACHINE.linux is sys.platform.startswith("linux")
    assert THIS_MACHINE.executable == sys.executable
    assert THIS_MACHINE.python_version == f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert THIS_MACHINE.pid() == os.getpid()


def test_install_asks_the_machine_it_is_given(tmp_path: Path) -> None:
    # uv beside the interpreter is uv.exe on Windows; the log is named by that machine's pid;
    # XDG_STATE_HOME is Linux's, elsewhere the platform's state directory (platformdirs) wins.
    machine = _Windows(tmp_path, tmp_path / "state")
    (tmp_path / "uv.exe").write_text("", "utf-8")
    assert find_uv({"PATH": ""}, LOCAL, machine) == str(tmp_path / "uv.exe")
    log = log_path_for(str(tmp_path), {}, Path("/x/env"), machine)
    assert log.name.endswith("-4242.log") and log.parent == tmp_path
    environ = {"XDG_STATE_HOME": str(tmp_path / "xdg")}
    assert state_dir(environ, LOCAL, machine) == tmp_path / "state" / "envsetup"


def test_files_answers_the_working_and_home_directories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert LOCAL.cwd() == tmp_path
    assert LOCAL.absolute("env") == tmp_path / "env"
    assert LOCAL.absolute("/abs/../x") == Path("/abs/../x")  # nothing resolved
    if os.name != "nt":
        assert LOCAL.home() == tmp_path / "home"
        assert LOCAL.expand_user("~/env") == tmp_path / "home" / "env"
    assert LOCAL.expand_user("no/tilde") == Path("no/tilde")
