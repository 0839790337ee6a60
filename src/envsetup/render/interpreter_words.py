"""Why doctor inspected the interpreter it did, in words (the rule: model/interpreter_choice.py)."""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath
from typing import Optional

from envsetup.model import interpreter_choice as rules
from envsetup.model.interpreter_choice import InterpreterChoice
from envsetup.parsers.interpreter_failure import InterpreterFailure


def why_this_python(choice: Optional[InterpreterChoice]) -> str:
    """The rule that chose the interpreter, e.g. "the .venv in /work/x, found from the working
    directory"; "" when not known (facts from a paste or an older document)."""
    if choice is None:
        return ""
    reason = _rule_words(choice)
    if choice.envsetup_environment:
        reason += "; envsetup itself runs from this environment"
    if choice.set_aside:
        reason += f"; {choice.set_aside} set aside: it holds no Python"
    return reason


def _rule_words(choice: InterpreterChoice) -> str:
    rule, env = choice.rule, choice.env_dir
    if rule == rules.REQUESTED:
        return "named by --python"
    if rule == rules.REQUESTED_ENV:
        return f"the environment {env}, named by --python"
    if rule == rules.VIRTUAL_ENV:
        return "the active venv: $VIRTUAL_ENV"
    if rule == rules.CONDA_ENV:
        return "the active conda environment: $CONDA_PREFIX"
    if rule == rules.DOT_VENV:
        return f"the .venv in {_parent(env)}, found from the working directory"
    if rule == rules.CONDA_BASE:
        return "conda's base environment ($CONDA_PREFIX): no other environment is active"
    if rule == rules.PATH:
        return "first on PATH: no venv or conda environment is active, no .venv found from here"
    return "the interpreter running envsetup: no environment is active, no python3 on PATH"


def _parent(env_dir: str) -> str:
    path = PureWindowsPath(env_dir) if "\\" in env_dir else PurePosixPath(env_dir)
    return str(path.parent)


def failed_interpreter_words(requested: str, reason: str, failure: InterpreterFailure) -> str:
    """The usage error for a --python that ran but exited before describing itself: its own
    telling line quoted, then the fix (for a pyenv shim, pyenv's own commands)."""
    said = f': "{failure.telling_line}"' if failure.telling_line else " and printed nothing"
    head = (
        f"--python {requested}: the interpreter stopped ({reason}) before describing itself{said}"
    )
    if failure.pyenv_command:
        return f"{head}; fix: {_pyenv_fix(failure)}, or pass an existing interpreter with --python PATH"
    return f"{head}; fix: repair that interpreter, or pass another with --python PATH"


def _pyenv_fix(failure: InterpreterFailure) -> str:
    if failure.pyenv_versions:
        version = failure.pyenv_versions[0]
        return (
            f"select a pyenv version that has {failure.pyenv_command}: `pyenv shell {version}` "
            f"(this shell) or `pyenv local {version}` (this directory)"
        )
    wanted = (
        failure.pyenv_command[len("python") :] if failure.pyenv_command.startswith("python") else ""
    )
    if wanted.count(".") == 1 and wanted.replace(".", "").isdigit():
        return (
            f"no pyenv version has {failure.pyenv_command}: `pyenv install {wanted}` then "
            f"`pyenv shell {wanted}`"
        )
    return (
        f"no selected pyenv version has {failure.pyenv_command}: `pyenv versions` lists the "
        "installed ones, `pyenv shell VERSION` selects one"
    )
