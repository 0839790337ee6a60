"""verify's "create a new environment" fix names a place `envsetup install` accepts (issue 12:
every printed fix is accepted). A plain `envsetup install --cuda auto` makes ./.venv and refuses
one that exists: a user's venv, or envsetup's own in its checkout (where the README's first
command leaves it). There the fix must name the free directory doctor's fixes name."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import envsetup
from envsetup.verify.target import install_fix
from venvs import bare_venv

SRC = str(Path(envsetup.__file__).resolve().parents[1])


def envsetup_in(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m envsetup ARGS` as a real process whose working directory is `cwd`."""
    return subprocess.run(
        [sys.executable, "-m", "envsetup", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": SRC},
        timeout=300,
        check=False,
    )


def printed_fix(stderr: str) -> list[str]:
    line = stderr.strip()
    assert len(line.splitlines()) == 1, line
    return shlex.split(line.rsplit(": envsetup ", 1)[1])


@pytest.mark.parametrize("existing_venv", [False, True])
def test_the_new_environment_fix_of_a_missing_interpreter_is_accepted_by_install(
    tmp_path: Path, existing_venv: bool
) -> None:
    if existing_venv:
        bare_venv(tmp_path / ".venv")  # a user's venv: `install --cuda auto` refuses it
    out = envsetup_in(tmp_path, "verify", "--python", "/nonexistent/bin/python")
    assert out.returncode == 3
    fix = printed_fix(out.stderr)
    expected = ["install", "--env", "./.venv-torch"] if existing_venv else ["install"]
    assert fix == [*expected, "--cuda", "auto"]
    # The fix as printed, as a dry run in the same directory: not a usage error (exit 2).
    accepted = envsetup_in(tmp_path, *fix, "--dry-run")
    said = accepted.stdout + accepted.stderr
    assert accepted.returncode != 2, said
    # A dry run reports a refused target as "install would stop here: ... already exists".
    assert "would stop here" not in said and "already exists" not in said, said
    assert not (tmp_path / ".venv-torch").exists()  # a dry run makes nothing


def test_a_foreign_prefix_gets_the_free_directory_beside_an_existing_venv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A prefix that is no environment (/usr, say) gets a new one; with ./.venv and
    ./.venv-torch taken, the next free name."""
    foreign = tmp_path / "usr"
    (foreign / "bin").mkdir(parents=True)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert install_fix(str(foreign)) == "envsetup install --cuda auto"
    bare_venv(work / ".venv")
    assert install_fix(str(foreign)) == "envsetup install --env ./.venv-torch --cuda auto"
    (work / ".venv-torch").mkdir()
    assert install_fix(str(foreign)) == "envsetup install --env ./.venv-torch-2 --cuda auto"
