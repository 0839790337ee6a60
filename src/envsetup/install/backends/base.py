"""The backend interface: each manager turns an InstallSpec into argv lists. Pure."""

from __future__ import annotations

import abc

from envsetup.install.plan import InstallSpec, Step


class Backend(abc.ABC):
    name: str

    @abc.abstractmethod
    def create_env_steps(self, spec: InstallSpec) -> list[Step]:
        """Make an empty environment with the requested Python at spec.env_path."""

    @abc.abstractmethod
    def dry_run_check_steps(self, spec: InstallSpec) -> list[Step]:
        """Resolve the pins against the index without installing: a wrong pin fails in seconds."""

    @abc.abstractmethod
    def install_steps(self, spec: InstallSpec) -> list[Step]:
        """Install exactly the pins, from spec.index_url only."""

    @abc.abstractmethod
    def python_in_env(self, env_path: str) -> str:
        """The interpreter inside the environment."""


def venv_python(env_path: str, windows: bool) -> str:
    # Joined by hand, not with os.path, so a plan for Windows can be built (and tested) anywhere.
    separator = "\\" if windows else "/"
    tail = ("Scripts", "python.exe") if windows else ("bin", "python")
    return separator.join((env_path.rstrip("/\\"), *tail))
