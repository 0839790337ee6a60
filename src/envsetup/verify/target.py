"""Which interpreter verify runs in, and the fix to offer when it cannot be used."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Mapping, Optional

from envsetup.errors import UsageError
from envsetup.host import environment
from envsetup.host.files import LOCAL as host_files
from envsetup.host.interpreter import env_python as env_python
from envsetup.host.interpreter_discovery import DOT_VENV, discover_here, new_env_dir_here
from envsetup.install.target import is_environment


def resolve_python(
    python: Optional[str], env: Optional[str], environ: Optional[Mapping[str, str]] = None
) -> str:
    if python and env:
        raise UsageError("--python and --env both name a target; give one of them")
    live = environment() if environ is None else environ
    if python:
        _check_inspectable("--python", python)
        return discover_here(python, live)[0]  # an interpreter, or an environment's directory
    if env:
        _check_inspectable("--env", env)
        found = env_python(env)
        _check_inspectable("--env", found)
        return found
    # The rule doctor uses (uv's order): an active venv, conda, a .venv from here upwards, PATH.
    found, choice = discover_here(None, live)
    if choice.set_aside:  # doctor says so and goes on; verify must not test another Python
        raise UsageError(
            f"{choice.set_aside}: the activated environment holds no Python (deleted or moved "
            "since it was activated); fix: deactivate it, or name the target with --env or --python"
        )
    return found


def _check_inspectable(flag: str, path: str) -> None:
    """A path that is not there is verify's to report (no interpreter, exit 3); one that cannot
    even be looked at (no search permission on the way, a file where a directory should be) is a
    one-line usage error naming it and the reason."""
    try:
        host_files.stat(path)
    except FileNotFoundError:
        return
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        fix = (
            "a file stands where a directory should be on the way to it: check the path"
            if isinstance(exc, NotADirectoryError)
            else "name a path you can read, or fix the permissions on the way to it"
        )
        reason = getattr(exc, "strerror", None) or exc
        raise UsageError(f"{flag} {path}: cannot look at it ({reason}); {fix}") from None


def env_dir_of(python: str) -> str:
    """The environment directory an interpreter path belongs to: .../ENV/bin/python -> .../ENV."""
    path = Path(python)
    if path.parent.name in ("bin", "Scripts"):
        return str(path.parent.parent)
    return str(path.parent)


NEW_ENV_FIX = "envsetup install --cuda auto"  # a new environment in ./.venv


def new_env_dir() -> str:
    """Where a new environment goes: install's default ./.venv when nothing is there, else the
    first free name doctor's fixes use (./.venv-torch...): a plain `install --cuda auto` refuses a
    ./.venv that exists (a user's venv, or envsetup's own in its checkout)."""
    return new_env_dir_here(lambda p: host_files.exists(p)) or f"./{DOT_VENV}"


def new_env_fix() -> str:
    """`envsetup install --cuda auto` into `new_env_dir()`, `--env` only where it is not ./.venv."""
    new = new_env_dir()
    if Path(new).name == DOT_VENV:
        return NEW_ENV_FIX
    return f"envsetup install --env {shlex.quote(new)} --cuda auto"


def install_fix(env_dir: str) -> str:
    """The install command that works for what is at `env_dir`: an existing environment is
    installed into (--upgrade: a plain install refuses it), an empty or missing directory is made
    one; anything else (a system prefix such as /usr) gets a new environment of its own."""
    path = Path(env_dir)
    try:
        if is_environment(path, host_files):
            return f"envsetup install --env {shlex.quote(env_dir)} --upgrade --cuda auto"
        if not host_files.exists(path) or (
            host_files.is_dir(path) and host_files.is_empty_dir(path)
        ):
            return f"envsetup install --env {shlex.quote(env_dir)} --cuda auto"
    except OSError:
        pass
    return new_env_fix()


def gpu_install_fix(fix: str) -> Optional[str]:
    """`fix` (install_fix's command) when `--cuda auto` picks a GPU build on this machine, else
    None: where no NVIDIA or AMD GPU is seen auto means the CPU build, which no GPU check passes
    (verify --require-gpu then points at `envsetup doctor`, which says why none is seen)."""
    from envsetup.probe.facts_source import load_facts
    from envsetup.resolve.quick import resolve_quickly
    from envsetup.resolve.request import InstallRequest
    from envsetup.resolve.resolution import ResolutionRefused

    try:
        plan = resolve_quickly(InstallRequest(), load_facts(None, None))
    except ResolutionRefused:
        return None
    return None if plan.variant == "cpu" else fix
