"""What a user types next, after an install: the activate line for their shell, and the verify
command. Pure: the shell and the platform come in as arguments.

The activate scripts are the ones venv writes (bin/activate, activate.fish, activate.csh;
Scripts\\Activate.ps1 and activate.bat on Windows: https://docs.python.org/3/library/venv.html,
"How venvs work"); uv writes the same names (and activate.nu). A conda prefix is activated by
`conda activate PREFIX`.
"""

from __future__ import annotations

import shlex
from pathlib import PurePosixPath, PureWindowsPath
from typing import Mapping

# $SHELL's basename -> the script in bin/ and the command that reads it.
_POSIX_SHELLS = {
    "fish": ("source", "activate.fish"),
    "csh": ("source", "activate.csh"),
    "tcsh": ("source", "activate.csh"),
    "nu": ("overlay use", "activate.nu"),
    "sh": (".", "activate"),
    "dash": (".", "activate"),
}
_DEFAULT_POSIX = ("source", "activate")  # bash, zsh, ksh and anything else POSIX-like


def shell_of(environ: Mapping[str, str], windows: bool) -> str:
    """The user's shell by name: $SHELL's basename; on Windows powershell (PSModulePath is set
    in every PowerShell session) or cmd."""
    shell = environ.get("SHELL", "")
    if shell:
        name = PurePosixPath(shell.replace("\\", "/")).name.lower()
        return name[:-4] if name.endswith(".exe") else name
    if windows:
        return "powershell" if environ.get("PSModulePath") else "cmd"
    return "sh"


def activate_command(env_path: str, *, shell: str, windows: bool, conda: bool = False) -> str:
    """The line that activates the environment at `env_path` in `shell`."""
    if conda:
        return f"conda activate {_quoted(env_path, windows)}"
    if windows and shell in ("powershell", "pwsh", "cmd"):
        scripts = PureWindowsPath(env_path) / "Scripts"
        if shell == "cmd":
            return _quoted(str(scripts / "activate.bat"), windows=True)
        script = _quoted(str(scripts / "Activate.ps1"), windows=True)
        return f"& {script}" if script.startswith('"') else script  # & runs a quoted path
    command, script = _POSIX_SHELLS.get(shell, _DEFAULT_POSIX)
    # Git Bash or MSYS on Windows: a POSIX shell, and venv's Scripts folder.
    folder = "Scripts" if windows else "bin"
    path = f"{env_path.rstrip('/')}/{folder}/{script}"
    return f"{command} {shlex.quote(path)}"


def verify_command(env_path: str, windows: bool) -> str:
    return f"envsetup verify --env {_quoted(env_path, windows)}"


def _quoted(path: str, windows: bool) -> str:
    if windows:
        return f'"{path}"' if any(c in path for c in " &()'") else path
    return shlex.quote(path)


def next_commands(
    env_path: str, conda: bool, environ: Mapping[str, str], windows: bool
) -> dict[str, str]:
    """What to run after an install into `env_path`: the activate line for the user's shell and
    the verify command (InstallResult's `activate` and `verify_command`)."""
    return {
        "activate": activate_command(
            env_path, shell=shell_of(environ, windows), windows=windows, conda=conda
        ),
        "verify_command": verify_command(env_path, windows),
    }
