"""The note `envsetup install` prints in the checkout right after the README's first command
(./.venv is the environment envsetup runs from, so it installs into ./.venv-torch): wrapped
between words at the terminal's width like every other line (issue 12: readable at 60 columns),
seen in bench/capture_widths.py's 60-column capture as "insta|lling"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import envsetup

SRC = str(Path(envsetup.__file__).resolve().parents[1])
NOTE = (
    "envsetup: .venv is the environment envsetup runs from; installing into ./.venv-torch "
    "instead (--env DIR chooses another)"
)


@pytest.mark.skipif(sys.platform == "win32", reason="a symlinked venv needs privileges there")
@pytest.mark.parametrize("columns", [60, 100])
def test_the_own_environment_note_fits_the_terminal(tmp_path: Path, columns: int) -> None:
    # ./.venv is this interpreter's own environment, as in a checkout after the README's first
    # command (a symlink and its target are one target: install/target.py).
    (tmp_path / ".venv").symlink_to(sys.prefix, target_is_directory=True)
    out = subprocess.run(
        [sys.executable, "-m", "envsetup", "install", "--dry-run"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": SRC, "COLUMNS": str(columns)},
        timeout=300,
        check=False,
    )
    assert out.returncode != 2, out.stderr
    note_lines = out.stderr.split("\nPlan:")[0].splitlines()
    assert NOTE in " ".join(" ".join(note_lines).split())
    assert all(len(line) <= columns for line in note_lines), note_lines
    assert not (tmp_path / ".venv-torch").exists()
