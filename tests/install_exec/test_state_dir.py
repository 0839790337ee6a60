"""Where envsetup keeps its locks and claims: always one absolute directory, whatever the cwd."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from envsetup.errors import UsageError
from envsetup.install.state import state_dir, usable_state_dir

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG is Linux's")


@pytest.mark.parametrize("relative", ["state", "./state", "../state", "a/b"])
def test_a_relative_envsetup_state_dir_is_a_usage_error(relative: str) -> None:
    with pytest.raises(UsageError, match=f"ENVSETUP_STATE_DIR={relative}: a relative path"):
        state_dir({"ENVSETUP_STATE_DIR": relative})


def test_an_absolute_or_home_relative_envsetup_state_dir_is_taken(tmp_path: Path) -> None:
    assert state_dir({"ENVSETUP_STATE_DIR": str(tmp_path)}) == tmp_path
    assert state_dir({"ENVSETUP_STATE_DIR": "~/s"}) == Path("~/s").expanduser()


@linux_only
@pytest.mark.parametrize("relative", ["state", "./state", ""])
def test_a_relative_xdg_state_home_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, relative: str
) -> None:
    """The XDG spec: a relative XDG_STATE_HOME is invalid and ignored; ~/.local/state it is,
    from every working directory (also when platformdirs itself would read os.environ)."""
    monkeypatch.delenv("ENVSETUP_STATE_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_STATE_HOME", relative)
    expected = tmp_path / "home" / ".local" / "state" / "envsetup"
    for cwd in (tmp_path, tmp_path / "home"):
        cwd.mkdir(exist_ok=True)
        monkeypatch.chdir(cwd)
        assert state_dir(dict(os.environ)) == expected
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert state_dir(dict(os.environ)) == tmp_path / "xdg" / "envsetup"


@linux_only
def test_a_relative_home_never_gives_a_relative_state_directory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Either an absolute directory (platformdirs falls back to the password database's home)
    or a one-line usage error: never a path that means another place in every directory."""
    monkeypatch.delenv("ENVSETUP_STATE_DIR")
    monkeypatch.setenv("HOME", "home")
    for xdg in (None, "rel"):
        monkeypatch.delenv("XDG_STATE_HOME", raising=False)
        if xdg is not None:
            monkeypatch.setenv("XDG_STATE_HOME", xdg)
        try:
            assert state_dir(dict(os.environ)).is_absolute()
        except UsageError as exc:
            assert "set ENVSETUP_STATE_DIR to an absolute path" in str(exc)


@pytest.mark.skipif(os.name == "nt", reason="POSIX paths")
def test_a_file_where_the_state_directory_must_be_is_named(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    for state in (os.devnull, str(tmp_path / "afile"), str(tmp_path / "afile" / "state")):
        with pytest.raises(UsageError, match=f"ENVSETUP_STATE_DIR={state}: cannot use it"):
            usable_state_dir({"ENVSETUP_STATE_DIR": state})
    assert usable_state_dir({"ENVSETUP_STATE_DIR": str(tmp_path / "new")}) == tmp_path / "new"
