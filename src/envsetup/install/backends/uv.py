"""uv: `uv venv --python X` (uv finds or fetches that Python), then `uv pip install`. The fast path."""

from __future__ import annotations

from typing import Optional

from envsetup.host.machine import THIS_MACHINE
from envsetup.install.backends.base import Backend, venv_python
from envsetup.install.index_url import carries_credentials
from envsetup.install.plan import CHECK_RESOLVES, CREATE_ENV, INSTALL, InstallSpec, Step

# `--no-config` stops uv reading uv.toml / pyproject settings; these variables would still add
# indexes, find-links or constraints, or point uv at another interpreter.
UV_UNSET = (
    "UV_INDEX",
    "UV_INDEX_URL",
    "UV_DEFAULT_INDEX",
    "UV_EXTRA_INDEX_URL",
    "UV_FIND_LINKS",
    "UV_NO_INDEX",
    "UV_CONSTRAINT",
    "UV_OVERRIDE",
    "UV_PYTHON",
    "UV_SYSTEM_PYTHON",
    "UV_PRERELEASE",
    "UV_INDEX_STRATEGY",
    "VIRTUAL_ENV",
    "PYTHONPATH",
    "PYTHONHOME",
)

# uv's name for the index that replaces PyPI (UV_INDEX_URL is its deprecated alias).
UV_DEFAULT_INDEX = "UV_DEFAULT_INDEX"

CREATE_TIMEOUT_S = 600.0  # uv may download a managed Python
CHECK_TIMEOUT_S = 1800.0
INSTALL_TIMEOUT_S = 3600.0


class UvBackend(Backend):
    name = "uv"

    def __init__(
        self, uv: str, *, interpreter: Optional[str] = None, windows: Optional[bool] = None
    ) -> None:
        self.uv = uv
        # An interpreter of the requested version already at hand (the one running envsetup);
        # without it uv looks for one, and downloads a managed Python if it finds none.
        self.interpreter = interpreter
        self.windows = THIS_MACHINE.windows if windows is None else windows

    def python_in_env(self, env_path: str) -> str:
        return venv_python(env_path, self.windows)

    def create_env_steps(self, spec: InstallSpec) -> list[Step]:
        return [
            Step(
                id=CREATE_ENV,
                description=f"create a venv with Python {spec.python_version} at {spec.env_path}",
                # --allow-existing: the directory already holds the 'incomplete' install record.
                argv=(
                    self.uv,
                    "venv",
                    "--no-config",
                    "--allow-existing",
                    "--python",
                    self.interpreter or spec.python_version,
                    spec.env_path,
                ),
                timeout_s=CREATE_TIMEOUT_S,
                env_unset=UV_UNSET,
            )
        ]

    def _uv_pip_install(self, spec: InstallSpec) -> tuple[str, ...]:
        # With a credential the index comes from UV_DEFAULT_INDEX (_index_env): the command line
        # is readable by every local user, the environment only by the same user.
        index = () if carries_credentials(spec.index_url) else ("--index-url", spec.index_url)
        return (
            self.uv,
            "pip",
            "install",
            "--no-config",
            "--python",
            self.python_in_env(spec.env_path),
            *index,
        )

    @staticmethod
    def _index_env(spec: InstallSpec) -> tuple[tuple[str, str], ...]:
        # Set after UV_UNSET has cleared the user's own index variables.
        return ((UV_DEFAULT_INDEX, spec.index_url),) if carries_credentials(spec.index_url) else ()

    def dry_run_check_steps(self, spec: InstallSpec) -> list[Step]:
        return [
            Step(
                id=CHECK_RESOLVES,
                description=f"check that {', '.join(spec.requirements)} resolve on {spec.index_url}",
                argv=(*self._uv_pip_install(spec), "--dry-run", *spec.requirements),
                timeout_s=CHECK_TIMEOUT_S,
                env_set=self._index_env(spec),
                env_unset=UV_UNSET,
            )
        ]

    def install_steps(self, spec: InstallSpec) -> list[Step]:
        return [
            Step(
                id=INSTALL,
                description=f"install {', '.join(spec.requirements)} from {spec.index_url}",
                argv=(*self._uv_pip_install(spec), *spec.requirements),
                timeout_s=INSTALL_TIMEOUT_S,
                env_set=self._index_env(spec),
                env_unset=UV_UNSET,
            )
        ]
