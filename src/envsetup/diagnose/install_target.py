"""The `envsetup install` a fix prints, aimed at a target install accepts on this host.

Into the inspected environment (`--env PREFIX --upgrade`) when it is one (venv, uv, conda:
docs/install.md) and not the environment envsetup itself runs from: install would replace the
packages envsetup runs on, and refuses to remove that environment. Otherwise a new environment
where nothing is yet in the working directory (probe/python_env.py names it: ./.venv, else
./.venv-torch...), since install refuses an existing directory without --upgrade or --force.
"""

from __future__ import annotations

import shlex
from typing import Any, Sequence

from envsetup.facts import Facts

ENVIRONMENTS = ("venv", "conda", "uv")
DEFAULT_NEW_ENV = (
    "./.venv",
    ".\\.venv",
)  # install's default --env, spelled as new_env_dir spells it


def into_inspected(facts: Facts) -> bool:
    """Whether a fix may install into the inspected environment itself (with --upgrade)."""
    python, choice = facts.python, facts.python.chosen_by
    own = bool(choice and choice.envsetup_environment)
    return python.environment in ENVIRONMENTS and bool(python.prefix) and not own


def install_command(facts: Facts, flags: Sequence[str]) -> str:
    """`envsetup install` with `flags`, quoted for a POSIX shell (a prefix may hold spaces or
    `$(...)`): `--env PREFIX FLAGS --upgrade` into the inspected environment, else a new one."""
    if into_inspected(facts):
        return shlex.join(
            ["envsetup", "install", "--env", facts.python.prefix, *flags, "--upgrade"]
        )
    return new_env_command(facts, flags)


def new_env_command(facts: Facts, flags: Sequence[str]) -> str:
    """`envsetup install FLAGS` into a new environment: install's default ./.venv when nothing is
    there (or the working directory is not known), else the free directory the probe found."""
    new = _new_env_dir(facts)
    if not new or new in DEFAULT_NEW_ENV:
        return shlex.join(["envsetup", "install", *flags])
    return shlex.join(["envsetup", "install", "--env", new, *flags])


def install_params(facts: Facts, flags: Sequence[str]) -> dict[str, Any]:
    """A finding's params for its install fix: the command, where it installs, whether that is a
    new environment, and whether the inspected one is envsetup's own (render words say why)."""
    choice = facts.python.chosen_by
    inspected = into_inspected(facts)
    return {
        "install": install_command(facts, flags),
        "install_into": facts.python.prefix if inspected else (_new_env_dir(facts) or "./.venv"),
        "install_new_env": not inspected,
        "envsetup_environment": bool(choice and choice.envsetup_environment),
    }


def _new_env_dir(facts: Facts) -> str:
    choice = facts.python.chosen_by
    return choice.new_env_dir if choice else ""
