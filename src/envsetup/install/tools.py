"""Finding what a backend runs (a base Python, uv, conda) and where logs go. Touches the host."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Mapping, Optional

from envsetup.errors import UsageError
from envsetup.install.backends import Backend, CondaBackend, PipBackend, UvBackend

LOG_DIR_ENV = "ENVSETUP_LOG_DIR"


def _which(name: str, environ: Mapping[str, str]) -> Optional[str]:
    return shutil.which(name, path=environ.get("PATH"))


def running_python_if(version: str) -> Optional[str]:
    running = f"{sys.version_info[0]}.{sys.version_info[1]}"
    return sys.executable if version == running else None


def find_base_python(version: str, environ: Mapping[str, str]) -> str:
    """An interpreter of `version` to make the venv with: this one, or pythonX.Y on PATH."""
    running = f"{sys.version_info[0]}.{sys.version_info[1]}"
    if version == running:
        return sys.executable
    found = _which(f"python{version}", environ)
    if found:
        return found
    raise UsageError(
        f"Python {version}: no python{version} on PATH for the pip manager to make the venv with; "
        f"install Python {version}, or pass --manager uv (uv fetches it), or --python {running}"
    )


def find_uv(environ: Mapping[str, str]) -> str:
    # The uv installed beside envsetup first: `pip install envsetup uv` puts it there.
    beside = Path(sys.executable).parent / ("uv.exe" if os.name == "nt" else "uv")
    if beside.is_file():
        return str(beside)
    found = _which("uv", environ)
    if found:
        return found
    try:
        from uv import find_uv_bin  # type: ignore[import-not-found]

        return str(find_uv_bin())
    except (ImportError, FileNotFoundError):
        pass
    raise UsageError(
        "uv: not found beside envsetup or on PATH; install it (pip install uv) or pass --manager pip"
    )


def find_conda(environ: Mapping[str, str]) -> str:
    for candidate in (environ.get("CONDA_EXE"), _which("conda", environ)):
        if candidate:
            return candidate
    raise UsageError(
        "conda: not found (no CONDA_EXE, no conda on PATH); install Miniforge or pass --manager uv"
    )


def backend_for(manager: str, python_version: str, environ: Mapping[str, str]) -> Backend:
    if manager == "pip":
        return PipBackend(find_base_python(python_version, environ))
    if manager == "uv":
        return UvBackend(find_uv(environ), interpreter=running_python_if(python_version))
    if manager == "conda":
        return CondaBackend(find_conda(environ))
    raise UsageError(f"--manager {manager!r}: unknown manager; use pip, uv or conda")


def conda_envs_dir(conda_info: Mapping[str, object]) -> Optional[str]:
    """The directory `conda create --name` would use: the first of `conda info --json`'s envs_dirs."""
    dirs = conda_info.get("envs_dirs")
    if isinstance(dirs, list) and dirs and isinstance(dirs[0], str):
        return dirs[0]
    return None


def conda_prefix_for_name(conda: str, name: str, environ: Mapping[str, str]) -> str:
    try:
        done = subprocess.run(
            [conda, "info", "--json"],
            capture_output=True,
            text=True,
            timeout=120,
            env=dict(environ),
            check=False,
        )
        info = json.loads(done.stdout)
    except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError) as exc:
        raise UsageError(
            f"--name {name}: could not ask conda where its environments live ({exc}); "
            "pass --env PATH instead"
        ) from None
    envs_dir = conda_envs_dir(info) if isinstance(info, dict) else None
    if envs_dir is None:
        raise UsageError(
            f"--name {name}: `conda info --json` lists no envs_dirs; pass --env PATH instead"
        )
    return str(Path(envs_dir) / name)


def default_log_dir(environ: Mapping[str, str]) -> Path:
    if environ.get(LOG_DIR_ENV):
        return Path(environ[LOG_DIR_ENV])
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        root = environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(root) / "envsetup" / "logs"
    state = environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "envsetup" / "logs"


def new_log_path(log_dir: Optional[str], environ: Mapping[str, str], env_path: Path) -> Path:
    directory = Path(log_dir) if log_dir else default_log_dir(environ)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"log directory {directory}: cannot create it ({exc.strerror or exc}); "
            f"pass a writable log directory or set {LOG_DIR_ENV}"
        ) from None
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    return directory / f"install-{env_path.name or 'env'}-{stamp}-{os.getpid()}.log"
