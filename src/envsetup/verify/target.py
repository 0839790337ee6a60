"""Which interpreter verify runs in, and the fix to offer when it cannot be used."""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import Mapping, Optional

from envsetup.errors import UsageError
from envsetup.host.interpreter import active_python as active_python
from envsetup.host.interpreter import env_python as env_python


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
    return f"envsetup install --env {shlex.quote(env_dir)} --cuda auto"
