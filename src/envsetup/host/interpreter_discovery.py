"""Which Python a command means when it is not told: uv's order, one rule for doctor and verify.

uv documents its search ("Discovery of virtual environments",
https://docs.astral.sh/uv/concepts/python-versions/#discovery-of-virtual-environments, added in
astral-sh/uv commit 44f94524, docs/concepts/python-versions.md; the same order for commands that
only need an interpreter in https://docs.astral.sh/uv/pip/environments/): the `VIRTUAL_ENV`
variable, then `CONDA_PREFIX`, then a `.venv` directory in the working directory, then in any
parent directory; after those, a Python installation (`python3` on PATH). `VIRTUAL_ENV` wins over
`CONDA_PREFIX` when both are set (a venv made on top of an active conda env; astral-sh/uv#2028).
uv treats conda's base environment as a system Python, not as an activated environment: it is
active in every shell `conda init` set up, so it says nothing about what the user chose
(astral-sh/uv#7137; astral-sh/uv#15682 takes `CONDA_DEFAULT_ENV` "base" or "root" as base). Here it
comes after every `.venv`, before PATH's python (on such a shell PATH's python3 is base's anyway).

A `.venv` counts when it holds `pyvenv.cfg` (uv's test, astral-sh/uv commit ef92c384); one without
it is not a virtual environment and the search goes on upwards. The environment envsetup itself
runs from counts like any other when these rules find it (a user's venv with torch in it is often
the one envsetup was installed into); what install may do with it is the caller's question.

Pure over the callables it is given: doctor passes its Host's (a recorded host answers), verify
the live machine's through `discover_here`.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import PurePosixPath, PureWindowsPath
from typing import Callable, Mapping, Optional

from envsetup.errors import UsageError
from envsetup.model import interpreter_choice as rules
from envsetup.model.interpreter_choice import InterpreterChoice

DOT_VENV = ".venv"
# Where `envsetup install` may make a new environment when the inspected one cannot be installed
# into (envsetup's own): the first of these that does not exist yet in the working directory.
NEW_ENV_NAMES = (".venv", ".venv-torch", *(f".venv-torch-{n}" for n in range(2, 10)))
CONDA_BASE_NAMES = ("base", "root")  # CONDA_DEFAULT_ENV of conda's base environment (uv#15682)


def env_interpreter(env_dir: str, exists: Callable[[str], bool], windows: bool) -> Optional[str]:
    """The interpreter of a venv or conda prefix, or None when it has none: bin/python on POSIX;
    Scripts\\python.exe (venv) or python.exe (conda) on Windows."""
    for candidate in _candidates(env_dir, windows):
        if exists(candidate):
            return candidate
    return None


def _candidates(env_dir: str, windows: bool) -> tuple[str, ...]:
    if windows:
        root = PureWindowsPath(env_dir)
        return (str(root / "Scripts" / "python.exe"), str(root / "python.exe"))
    return (str(PurePosixPath(env_dir) / "bin" / "python"),)


def _inside(directory: str, name: str, windows: bool) -> str:
    return directory.rstrip("\\/") + ("\\" if windows else "/") + name


def _env_python(env_dir: str, exists: Callable[[str], bool], windows: bool) -> str:
    # An activated environment names its interpreter even when it is gone: the probe then says
    # "not found" for that path, which is the truth the user needs.
    return env_interpreter(env_dir, exists, windows) or _candidates(env_dir, windows)[0]


def discover(
    requested: Optional[str],
    environ: Mapping[str, str],
    working_directory: str,
    exists: Callable[[str], bool],
    which: Callable[[str], Optional[str]],
    windows: bool,
    running: str,
) -> tuple[str, InterpreterChoice]:
    """(the interpreter to inspect, the rule that chose it). `requested` is --python: an
    interpreter's path or name, or an environment's directory (a venv or conda prefix)."""
    if requested:
        inside = env_interpreter(requested, exists, windows)
        if inside:
            return inside, InterpreterChoice(rules.REQUESTED_ENV, env_dir=requested)
        if exists(_inside(requested, ".", windows)):  # a directory, without an interpreter
            expected = " or ".join(_candidates(requested, windows))
            raise UsageError(
                f"--python {requested}: a directory with no Python in it (no {expected}); "
                "fix: give an interpreter, or the directory of a venv or conda environment"
            )
        return requested, InterpreterChoice(rules.REQUESTED)
    conda = environ.get("CONDA_PREFIX", "")
    conda_base = environ.get("CONDA_DEFAULT_ENV", "") in CONDA_BASE_NAMES
    set_aside = ""
    for variable, rule in (("VIRTUAL_ENV", rules.VIRTUAL_ENV), ("CONDA_PREFIX", rules.CONDA_ENV)):
        value = environ.get(variable, "")
        if value and not (variable == "CONDA_PREFIX" and conda_base):
            if env_interpreter(value, exists, windows) or _inside_env(value, which, running):
                return _env_python(value, exists, windows), InterpreterChoice(rule, env_dir=value)
            # Activated, then deleted or moved: uv too goes on to the next rule.
            set_aside = set_aside or f"${variable}={value}"
    conda_base_prefix = conda if conda_base else ""  # an active non-base one was tried above
    path, choice = _not_activated(
        working_directory, conda_base_prefix, exists, which, windows, running
    )
    choice.set_aside = set_aside
    return path, choice


def _inside_env(env_dir: str, which: Callable[[str], Optional[str]], running: str) -> bool:
    """Whether PATH's python3 (or python), or the interpreter running envsetup, lies inside
    `env_dir`: the environment is there even when its files were not listed (a recording)."""
    root = env_dir.rstrip("\\/")
    found = [which("python3"), which("python"), running]
    return any(path and path.startswith((root + "/", root + "\\")) for path in found)


def _not_activated(
    working_directory: str,
    conda: str,
    exists: Callable[[str], bool],
    which: Callable[[str], Optional[str]],
    windows: bool,
    running: str,
) -> tuple[str, InterpreterChoice]:
    found = find_dot_venv(working_directory, exists, windows)
    if found:
        choice = InterpreterChoice(
            rules.DOT_VENV, env_dir=found, working_directory=working_directory
        )
        return _env_python(found, exists, windows), choice
    if conda:
        return _env_python(conda, exists, windows), InterpreterChoice(
            rules.CONDA_BASE, env_dir=conda
        )
    for name in ("python3", "python"):
        on_path = which(name)
        if on_path:
            return on_path, InterpreterChoice(rules.PATH)
    return running, InterpreterChoice(rules.RUNNING)


def find_dot_venv(
    working_directory: str, exists: Callable[[str], bool], windows: bool
) -> Optional[str]:
    """The nearest `.venv` holding a pyvenv.cfg, from the working directory upwards; None if none
    (or the working directory is not known: a recording made before it was recorded)."""
    if not working_directory:
        return None
    start = PureWindowsPath(working_directory) if windows else PurePosixPath(working_directory)
    for directory in (start, *start.parents):
        candidate = directory / DOT_VENV
        if exists(str(candidate / "pyvenv.cfg")):
            return str(candidate)
    return None


def new_env_dir(working_directory: str, exists: Callable[[str], bool], windows: bool) -> str:
    """The first of NEW_ENV_NAMES with nothing at it in the working directory, spelled relative
    ("./.venv-torch"), so a printed `envsetup install --env` names a place install accepts."""
    if not working_directory:
        return ""
    root = PureWindowsPath(working_directory) if windows else PurePosixPath(working_directory)
    separator = "\\" if windows else "/"
    for name in NEW_ENV_NAMES:
        if not exists(str(root / name)):
            return f".{separator}{name}"
    return ""


def working_directory_here() -> str:
    """The live working directory; "" when it was deleted under the process."""
    try:
        return os.getcwd()
    except OSError:
        return ""


def new_env_dir_here(exists: Callable[[str], bool] = os.path.exists) -> str:
    """`new_env_dir` in this process's working directory, on this machine's OS."""
    return new_env_dir(working_directory_here(), exists, sys.platform == "win32")


def discover_here(
    requested: Optional[str], environ: Optional[Mapping[str, str]] = None
) -> tuple[str, InterpreterChoice]:
    """`discover` on this machine (verify, install): the live environment, working directory,
    file system and PATH."""
    env = os.environ if environ is None else environ
    return discover(
        requested,
        env,
        working_directory_here(),
        os.path.exists,
        lambda name: shutil.which(name, path=env.get("PATH")),
        sys.platform == "win32",
        sys.executable,
    )
