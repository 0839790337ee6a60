"""Finding what a backend runs (a base Python, uv, conda) and where logs go. Touches the host."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from envsetup.errors import UsageError
from envsetup.host.execution import Request, run
from envsetup.host.files import LOCAL, Files
from envsetup.host.machine import THIS_MACHINE, Machine
from envsetup.install.backends import Backend, CondaBackend, PipBackend, UvBackend

LOG_DIR_ENV = "ENVSETUP_LOG_DIR"


def _which(name: str, environ: Mapping[str, str], host_files: Files) -> Optional[str]:
    return host_files.which(name, environ.get("PATH"))


def running_python_if(version: str, machine: Machine = THIS_MACHINE) -> Optional[str]:
    """The interpreter running envsetup, when it is Python `version`."""
    return machine.executable if version == machine.python_version else None


def find_base_python(
    version: str,
    environ: Mapping[str, str],
    host_files: Files = LOCAL,
    machine: Machine = THIS_MACHINE,
) -> str:
    """An interpreter of `version` to make the venv with: this one, or pythonX.Y on PATH."""
    running = machine.python_version
    if version == running:
        return machine.executable
    found = _which(f"python{version}", environ, host_files)
    if found:
        return found
    raise UsageError(
        f"Python {version}: no python{version} on PATH for the pip manager to make the venv with; "
        f"install Python {version}, or pass --manager uv (uv fetches it), or --python {running}"
    )


def find_uv(
    environ: Mapping[str, str], host_files: Files = LOCAL, machine: Machine = THIS_MACHINE
) -> str:
    # The uv installed beside envsetup first: `pip install envsetup uv` puts it there.
    beside = Path(machine.executable).parent / ("uv.exe" if machine.windows else "uv")
    if host_files.is_file(beside):
        return str(beside)
    found = _which("uv", environ, host_files)
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


def find_conda(environ: Mapping[str, str], host_files: Files = LOCAL) -> str:
    for candidate in (environ.get("CONDA_EXE"), _which("conda", environ, host_files)):
        if candidate:
            return candidate
    raise UsageError(
        "conda: not found (no CONDA_EXE, no conda on PATH); install Miniforge or pass --manager uv"
    )


# The minor versions looked for by name (python3.6 … python3.30): a generous bound, not a fact.
_MINORS = range(6, 31)


def _pyenv_root(environ: Mapping[str, str], host_files: Files) -> Path:
    return host_files.expand_user(environ.get("PYENV_ROOT") or "~/.pyenv")


def _uv_python_dir(environ: Mapping[str, str], host_files: Files) -> Path:
    # uv's managed Pythons (its docs, "Python versions": UV_PYTHON_INSTALL_DIR, else
    # $XDG_DATA_HOME/uv/python, else ~/.local/share/uv/python on Linux and macOS).
    if environ.get("UV_PYTHON_INSTALL_DIR"):
        return host_files.expand_user(environ["UV_PYTHON_INSTALL_DIR"])
    data = environ.get("XDG_DATA_HOME") or "~/.local/share"
    return host_files.expand_user(data) / "uv" / "python"


def installed_pythons(
    environ: Mapping[str, str], host_files: Files = LOCAL, machine: Machine = THIS_MACHINE
) -> dict[str, str]:
    """X.Y -> an interpreter of that version installed here, found by name and without running
    anything (a uv install then uses it instead of downloading one): the running interpreter,
    pythonX.Y on PATH, pyenv's versions and uv's managed Pythons. pyenv's shims are skipped: a
    shim answers only for the versions pyenv has selected, and fails for the others."""
    if machine.windows:  # python.exe by any version: only the running one is known by name
        return {machine.python_version: machine.executable}
    found = {machine.python_version: machine.executable}
    shims = str(_pyenv_root(environ, host_files) / "shims")
    search = [d for d in (environ.get("PATH") or "").split(":") if d and d.rstrip("/") != shims]
    roots = [_pyenv_root(environ, host_files) / "versions", _uv_python_dir(environ, host_files)]
    for root in roots:
        try:
            installs = host_files.list_dir(root) if host_files.is_dir(root) else []
        except OSError:
            continue
        search.extend(str(install / "bin") for install in sorted(installs))
    path = ":".join(search)
    for minor in _MINORS:
        version = f"3.{minor}"
        if version not in found:
            hit = host_files.which(f"python{version}", path) if path else None
            if hit:
                found[version] = hit
    return found


def backend_for(
    manager: str, python_version: str, environ: Mapping[str, str], host_files: Files = LOCAL
) -> Backend:
    if manager == "pip":
        return PipBackend(find_base_python(python_version, environ, host_files))
    if manager == "uv":
        return UvBackend(
            find_uv(environ, host_files),
            interpreter=installed_pythons(environ, host_files).get(python_version),
        )
    if manager == "conda":
        return CondaBackend(find_conda(environ, host_files))
    raise UsageError(f"--manager {manager!r}: unknown manager; use pip, uv or conda")


def backend_as_named(manager: str, python_version: str) -> Backend:
    """The backend with its tool by bare name (python3.11, uv, conda): a plan to show where the
    tool is not found here (install --dry-run for another machine)."""
    if manager == "uv":
        return UvBackend("uv", interpreter=running_python_if(python_version))
    if manager == "conda":
        return CondaBackend("conda")
    return PipBackend(running_python_if(python_version) or f"python{python_version}")


@dataclass(frozen=True)
class Elsewhere:
    """The machine a dry run plans for when it is not this one (install --dry-run --replay DIR or
    --facts FILE), from its facts: its OS shapes the environment's paths (Scripts\\python.exe on
    Windows), its interpreter makes the venv when it is of the requested version."""

    system: str  # facts.os.system: Linux, Darwin, Windows
    python_executable: str = ""  # facts.python.executable
    python_version: str = ""  # facts.python.version, X.Y.Z

    @property
    def windows(self) -> bool:
        return self.system == "Windows"

    def python_if(self, version: str) -> Optional[str]:
        """Its interpreter, when it is Python `version` (X.Y)."""
        if not self.python_executable:
            return None
        return self.python_executable if _x_y(self.python_version) == version else None


def _x_y(version: str) -> str:
    return ".".join(version.split(".")[:2])


def backend_elsewhere(manager: str, python_version: str, elsewhere: Elsewhere) -> Backend:
    """The backend as it would run on that machine: its OS, its interpreter when of the requested
    version, else the tool by bare name (pythonX.Y, uv, conda) as it would be found on its PATH.
    Nothing of this machine's (its PATH, its interpreter) goes into it."""
    at_hand = elsewhere.python_if(python_version)
    if manager == "uv":
        return UvBackend("uv", interpreter=at_hand, windows=elsewhere.windows)
    if manager == "conda":
        return CondaBackend("conda", windows=elsewhere.windows)
    return PipBackend(at_hand or f"python{python_version}", windows=elsewhere.windows)


CONDA_INFO_TIMEOUT_S = 120.0


def envs_dirs_from_conda_info(text: str) -> list[str]:
    """The `envs_dirs` of `conda info --json` (the key conda's cli/main_info.py writes): the
    first is where `conda create --name` puts one. Raises ValueError, in one line, when `text`
    is not such a JSON object."""
    try:
        info = json.loads(text)
    except ValueError as exc:
        first = text.strip().splitlines()[0][:120] if text.strip() else "nothing"
        raise ValueError(f"not JSON ({exc.msg}; it begins: {first!r})") from None
    if not isinstance(info, dict):
        raise ValueError(f"a JSON {type(info).__name__}, not an object")
    dirs = info.get("envs_dirs", [])
    if not isinstance(dirs, list) or not all(isinstance(d, str) for d in dirs):
        raise ValueError("its envs_dirs is not a list of paths")
    return [d for d in dirs if d.strip()]


def _conda_error(text: str) -> str:
    """What conda --json says went wrong (its error object's message), else the text's start."""
    try:
        info = json.loads(text)
    except ValueError:
        info = None
    if isinstance(info, dict) and isinstance(info.get("message") or info.get("error"), str):
        return str(info.get("message") or info.get("error")).strip().splitlines()[0][:200]
    lines = text.strip().splitlines()
    return lines[-1][:200] if lines else "no output"


def conda_prefix_for_name(conda: str, name: str, environ: Mapping[str, str]) -> str:
    asked = f"`{Path(conda).name} info --json`"
    try:
        done = run(Request((conda, "info", "--json"), CONDA_INFO_TIMEOUT_S, env=environ))
    except OSError as exc:
        raise UsageError(
            f"--name {name}: could not ask conda where its environments live ({exc}); "
            "pass --env PATH instead"
        ) from None
    if done.timed_out:
        raise UsageError(
            f"--name {name}: {asked} did not answer within {CONDA_INFO_TIMEOUT_S:g} s; "
            "pass --env PATH instead"
        )
    stdout = done.stdout.decode("utf-8", errors="replace")
    if done.returncode != 0:
        said = _conda_error(stdout or done.stderr.decode("utf-8", errors="replace"))
        raise UsageError(
            f"--name {name}: {asked} failed (exit status {done.returncode}: {said}); "
            "fix conda, or pass --env PATH instead"
        )
    try:
        dirs = envs_dirs_from_conda_info(stdout)
    except ValueError as exc:
        raise UsageError(
            f"--name {name}: {asked} printed something unreadable ({exc}); "
            "fix conda, or pass --env PATH instead"
        ) from None
    if not dirs:
        raise UsageError(
            f"--name {name}: {asked} lists no envs directories; pass --env PATH instead"
        )
    return str(Path(dirs[0]) / name)


def default_log_dir(environ: Mapping[str, str]) -> Path:
    if environ.get(LOG_DIR_ENV):
        return Path(environ[LOG_DIR_ENV])
    from envsetup.install.state import state_dir

    return state_dir(environ) / "logs"


def log_path_for(
    log_dir: Optional[str],
    environ: Mapping[str, str],
    env_path: Path,
    machine: Machine = THIS_MACHINE,
) -> Path:
    """Where this run's log goes (nothing is created: see new_log_path)."""
    directory = Path(log_dir) if log_dir else default_log_dir(environ)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    return directory / f"install-{env_path.name or 'env'}-{stamp}-{machine.pid()}.log"


def new_log_path(
    log_dir: Optional[str], environ: Mapping[str, str], env_path: Path, host_files: Files = LOCAL
) -> Path:
    """log_path_for(), with its directory made (a one-line UsageError when it cannot be)."""
    path = log_path_for(log_dir, environ, env_path)
    directory = path.parent
    try:
        host_files.make_dirs(directory)
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
