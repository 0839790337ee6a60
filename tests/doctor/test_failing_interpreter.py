"""`doctor --python X` where X runs but exits before describing itself: a usage error (exit 2)
quoting the interpreter's own telling line and naming the fix, not a "could not read ... report
it" finding. pyenv's shim messages are real (tests/fixtures/interpreter-failures/SOURCES.tsv); a
shim script replays them on stderr with pyenv's exit status 127. The broken interpreter is real:
this venv's python started with a PYTHONHOME that holds no standard library."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from envsetup.parsers.interpreter_failure import parse_interpreter_failure, telling_part
from scripts import run_envsetup, script

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "interpreter-failures"
PYENV_311 = (FIXTURES / "pyenv-python3.11-exists-in-versions.txt").read_text()
PYENV_34 = (FIXTURES / "pyenv-python3.4-exists-in-versions.txt").read_text()
PYENV_ALONE = (FIXTURES / "pyenv-python-command-not-found-alone.txt").read_text()


def pyenv_shim(directory: Path, name: str, message: str) -> str:
    quoted = shlex.quote(message)
    return script(directory, name, f"printf '%s' {quoted} >&2\nexit 127\n")


@pytest.mark.parametrize(
    ("text", "command", "versions"),
    [(PYENV_311, "python3.11", ["3.11.0", "3.11.0b3"]), (PYENV_34, "python3.4", ["3.4.5"])],
)
def test_pyenv_message_is_read(text: str, command: str, versions: list[str]) -> None:
    failure = parse_interpreter_failure(text)
    assert failure.telling_line == f"pyenv: {command}: command not found"
    assert (failure.pyenv_command, failure.pyenv_versions) == (command, versions)


def test_traceback_tells_its_last_line() -> None:
    text = 'Traceback (most recent call last):\n  File "<string>", line 1\nSyntaxError: bad\n'
    assert parse_interpreter_failure(text).telling_line == "SyntaxError: bad"
    # A compile-time SyntaxError has no "Traceback" header (Python 2 reading Python 3 code).
    compile_time = (
        '  File "<string>", line 1\n    print "x"\n            ^\nSyntaxError: invalid syntax\n'
    )
    assert parse_interpreter_failure(compile_time).telling_line == "SyntaxError: invalid syntax"
    assert parse_interpreter_failure("env: python3.12: No such file\n").telling_line == (
        "env: python3.12: No such file"
    )
    assert telling_part("Python path configuration:\n  x\nFatal Python error: y\nz\n").startswith(
        "Fatal Python error: y"
    )


def test_pyenv_shim_of_an_unselected_version_is_a_usage_error(tmp_path: Path) -> None:
    shim = pyenv_shim(tmp_path / "shims", "python3.11", PYENV_311)
    out = run_envsetup("doctor", "--python", shim)
    assert out.returncode == 2, out.stdout
    assert out.stderr.count("\n") == 1 and "report it" not in out.stderr
    assert '"pyenv: python3.11: command not found"' in out.stderr
    assert "`pyenv shell 3.11.0`" in out.stderr and "--python PATH" in out.stderr


def test_pyenv_shim_with_no_version_names_pyenv_versions(tmp_path: Path) -> None:
    shim = pyenv_shim(tmp_path / "shims", "python", PYENV_ALONE)
    out = run_envsetup("doctor", "--python", shim)
    assert out.returncode == 2
    assert '"pyenv: python: command not found"' in out.stderr and "`pyenv versions`" in out.stderr


def test_pyenv_shim_of_a_versioned_command_names_pyenv_install(tmp_path: Path) -> None:
    # Built by hand: pyenv's first line alone (as in PYENV_ALONE) for python3.12.
    shim = pyenv_shim(tmp_path / "shims", "python3.12", "pyenv: python3.12: command not found\n")
    out = run_envsetup("doctor", "--python", shim)
    assert out.returncode == 2
    assert "`pyenv install 3.12` then `pyenv shell 3.12`" in out.stderr


def test_interpreter_that_cannot_start_is_quoted(tmp_path: Path) -> None:
    broken = script(
        tmp_path / "bin",
        "python3",
        f'PYTHONHOME=/nonexistent exec {shlex.quote(sys.executable)} "$@"\n',
    )
    out = run_envsetup("doctor", "--python", broken)
    assert out.returncode == 2, out.stdout
    assert '"Fatal Python error: ' in out.stderr and "repair that interpreter" in out.stderr
