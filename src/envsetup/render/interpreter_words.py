"""Why doctor inspected the interpreter it did, in words (the rule: model/interpreter_choice.py)."""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath
from typing import Optional

from envsetup.model import interpreter_choice as rules
from envsetup.model.interpreter_choice import InterpreterChoice


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
