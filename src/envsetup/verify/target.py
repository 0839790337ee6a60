"""Which interpreter verify runs in, and the fix to offer when it cannot be used."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Mapping, Optional

from envsetup.errors import UsageError


def env_python(env_dir: str, windows: bool = sys.platform == "win32") -> str:
    """The interpreter of a venv or conda prefix."""
    root = Path(env_dir)
    if windows:
        for candidate in (root / "Scripts" / "python.exe", root / "python.exe"):
            if candidate.exists():
                return str(candidate)
        return str(root / "Scripts" / "python.exe")
    return str(root / "bin" / "python")


def active_python(environ: Mapping[str, str]) -> str:
    """The active environment's interpreter: an activated venv, then conda, then PATH's python."""
    for variable in ("VIRTUAL_ENV", "CONDA_PREFIX"):
        if environ.get(variable):
            return env_python(environ[variable])
    for name in ("python3", "python"):
        found = shutil.which(name, path=environ.get("PATH"))
        if found:
            return found
    return sys.executable


def resolve_python(
    python: Optional[str], env: Optional[str], environ: Optional[Mapping[str, str]] = None
) -> str:
    if python and env:
        raise UsageError("--python and --env both name a target; give one of them")
    if python:
        return python
    if env:
        return env_python(env)
    return active_python(os.environ if environ is None else environ)


def env_dir_of(python: str) -> str:
    """The environment directory an interpreter path belongs to: .../ENV/bin/python -> .../ENV."""
    path = Path(python)
    if path.parent.name in ("bin", "Scripts"):
        return str(path.parent.parent)
    return str(path.parent)


def install_fix(env_dir: str) -> str:
    return f"envsetup install --env {env_dir} --cuda auto"
