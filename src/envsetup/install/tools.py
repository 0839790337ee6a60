"""Finding what a backend runs (a base Python, uv, conda) and where logs go. Touches the host."""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path
from typing import Mapping, Optional

from envsetup.errors import UsageError
from envsetup.host.processes import run_bounded
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


def backend_as_named(manager: str, python_version: str) -> Backend:
    """The backend with its tool by bare name (python3.11, uv, conda): a plan to show where the
    tool is not found here (install --dry-run for another machine)."""
    if manager == "uv":
        return UvBackend("uv", interpreter=running_python_if(python_version))
    if manager == "conda":
        return CondaBackend("conda")
    return PipBackend(running_python_if(python_version) or f"python{python_version}")


def envs_dirs_from_conda_info(text: str) -> list[str]:
    """The "envs directories" of `conda info`: the first is where `conda create --name` puts one.

    The value continues on the following lines, aligned under the first, until the next
    "key : value" line.
    """
    dirs: list[str] = []
    inside = False
    for line in text.splitlines():
        key, separator, value = line.partition(" : ")
        if separator and key.strip():
            inside = key.strip() == "envs directories"
            value = value if inside else ""
        elif not inside:
            continue
        else:
            value = line
        if inside and value.strip():
            dirs.append(value.strip())
    return dirs


def conda_prefix_for_name(conda: str, name: str, environ: Mapping[str, str]) -> str:
    try:
        done = run_bounded([conda, "info"], timeout=120, env=environ)
    except OSError as exc:
        raise UsageError(
            f"--name {name}: could not ask conda where its environments live ({exc}); "
            "pass --env PATH instead"
        ) from None
    if done.timed_out:
        raise UsageError(
            f"--name {name}: `conda info` did not answer within 120 s; pass --env PATH instead"
        )
    dirs = envs_dirs_from_conda_info(done.stdout.decode("utf-8", errors="replace"))
    if not dirs:
        raise UsageError(
            f"--name {name}: `conda info` lists no envs directories; pass --env PATH instead"
        )
    return str(Path(dirs[0]) / name)


def default_log_dir(environ: Mapping[str, str]) -> Path:
    if environ.get(LOG_DIR_ENV):
        return Path(environ[LOG_DIR_ENV])
    from envsetup.install.state import state_dir

    return state_dir(environ) / "logs"


def log_path_for(log_dir: Optional[str], environ: Mapping[str, str], env_path: Path) -> Path:
    """Where this run's log goes (nothing is created: see new_log_path)."""
    directory = Path(log_dir) if log_dir else default_log_dir(environ)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    return directory / f"install-{env_path.name or 'env'}-{stamp}-{os.getpid()}.log"


def new_log_path(log_dir: Optional[str], environ: Mapping[str, str], env_path: Path) -> Path:
    """log_path_for(), with its directory made (a one-line UsageError when it cannot be)."""
    path = log_path_for(log_dir, environ, env_path)
    directory = path.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from envsetup.install.state import STATE_DIR_ENV

        fix = f"pass a writable --log-dir or set {LOG_DIR_ENV}"
        if not log_dir and not environ.get(LOG_DIR_ENV):  # the default: inside the state dir
            fix = (
                f"pass a writable --log-dir, set {LOG_DIR_ENV}, or point {STATE_DIR_ENV} "
                "(where logs go by default) at a writable directory"
            )
        raise UsageError(
            f"log directory {directory}: cannot create it ({exc.strerror or exc}); {fix}"
        ) from None
    return path
