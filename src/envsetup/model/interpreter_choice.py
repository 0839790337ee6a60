"""Which interpreter doctor inspected, and the rule that chose it (host/interpreter_discovery.py).

Published in doctor's JSON as `python.chosen_by`; render/ words the rule ("the .venv in /work/x,
found from the working directory").
"""

from __future__ import annotations

from dataclasses import dataclass

# The rules, in the order they are tried when nothing is named (uv's order; see
# envsetup.host.interpreter_discovery for the sources).
REQUESTED = "requested"  # --python PATH or NAME
REQUESTED_ENV = "requested-env"  # --python DIR, a venv's or conda prefix's directory
VIRTUAL_ENV = "virtual-env"  # $VIRTUAL_ENV, an activated venv
CONDA_ENV = "conda-env"  # $CONDA_PREFIX, an activated conda environment other than base
DOT_VENV = "dot-venv"  # a .venv in the working directory or one of its parents
CONDA_BASE = "conda-base"  # $CONDA_PREFIX of conda's base environment
PATH = "path"  # python3 (then python) on PATH
RUNNING = "running"  # the interpreter running envsetup: nothing else was found
RULES = (REQUESTED, REQUESTED_ENV, VIRTUAL_ENV, CONDA_ENV, DOT_VENV, CONDA_BASE, PATH, RUNNING)


@dataclass
class InterpreterChoice:
    """The rule that chose the inspected interpreter (one of RULES), and what it found."""

    rule: str = RUNNING
    # The environment directory the rule found (VIRTUAL_ENV, CONDA_PREFIX, the .venv, --python
    # DIR); "" for an interpreter named or found on PATH.
    env_dir: str = ""
    # dot-venv: the working directory the .venv was found from (the .venv may be in a parent).
    working_directory: str = ""
    # The inspected environment is the one envsetup itself runs from: install never installs
    # into it (it would replace the packages envsetup runs on), so fixes name another target.
    envsetup_environment: bool = False
    # A directory in the working directory where nothing is yet, so `envsetup install --env` can
    # make a new environment there ("./.venv", else "./.venv-torch", ...); "" when not known.
    new_env_dir: str = ""
    # "$VIRTUAL_ENV=/old/venv": an activated environment whose directory holds no interpreter
    # (deleted or moved since it was activated), set aside as uv does; "" when none was.
    set_aside: str = ""
