"""`--python 2.7`: not "not a Python version" but too old for any torch the profiles know, with
the real floor read from the oldest profile (torch 2.0: Python >= 3.8)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from envsetup.errors import UsageError
from envsetup.profiles.loader import profiles_dir
from envsetup.resolve.request import parse_request, too_old_python
from scripts import run_envsetup


@pytest.mark.parametrize("python", ["2.7", "1.6"])
def test_python_2_is_too_old_with_the_profiles_floor(python: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse_request(python=python)
    assert str(raised.value) == (
        f"--python {python}: Python {python} is too old for any torch this tool knows (the "
        "oldest, torch 2.0, needs Python >= 3.8); fix: pass --python 3.8 or newer, e.g. --python 3.11"
    )


def test_the_floor_follows_the_oldest_profile(tmp_path: Path) -> None:
    shutil.copy(Path(profiles_dir()) / "torch-2.5.toml", tmp_path)
    assert "(the oldest, torch 2.5, needs Python >= 3.9)" in too_old_python("2.7", str(tmp_path))


def test_not_a_version_stays_so() -> None:
    for python in ("4.0", "banana", "3"):
        with pytest.raises(UsageError, match="not a Python version"):
            parse_request(python=python)


def test_the_cli_says_so_in_one_line() -> None:
    out = run_envsetup("install", "--dry-run", "--python", "2.7")
    assert out.returncode == 2 and out.stderr.count("\n") == 1
    assert "too old for any torch this tool knows" in out.stderr
