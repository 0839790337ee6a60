"""pip: `python -m venv`, then the environment's own pip, confined to one index."""

from __future__ import annotations

import os
from typing import Optional

from envsetup.host.machine import THIS_MACHINE
from envsetup.install.backends.base import Backend, venv_python
from envsetup.install.index_url import carries_credentials
from envsetup.install.plan import CHECK_RESOLVES, CREATE_ENV, INSTALL, InstallSpec, Step

# Settings that would add packages from somewhere other than the plan's index, or install them
# somewhere other than the environment. PIP_CONFIG_FILE=os.devnull stops pip reading every config
# file (global, user, site): a machine-wide extra-index-url or find-links would otherwise mix
# wheels from other places into an install that must come from one index.
PIP_UNSET = (
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_FIND_LINKS",
    "PIP_NO_INDEX",
    "PIP_CONSTRAINT",
    "PIP_REQUIREMENT",
    "PIP_TARGET",
    "PIP_PREFIX",
    "PIP_USER",
    "PIP_ROOT",
    "PIP_PRE",
    "PIP_REQUIRE_VIRTUALENV",
    "PIP_BREAK_SYSTEM_PACKAGES",
    "PYTHONPATH",
    "PYTHONHOME",
)

# pip installs from a tiny index in seconds; a multi-GB CUDA wheel set can take long on a slow link.
CREATE_TIMEOUT_S = 300.0
CHECK_TIMEOUT_S = 1800.0
INSTALL_TIMEOUT_S = 3600.0


def pip_isolation(
    devnull: str = os.devnull, index_url: Optional[str] = None
) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """The variables a pip step sets and unsets. `index_url`, when it carries a credential, is
    handed over as PIP_INDEX_URL (set after the user's is unset) instead of on the command line."""
    set_vars: tuple[tuple[str, str], ...] = (
        ("PIP_CONFIG_FILE", devnull),
        ("PIP_DISABLE_PIP_VERSION_CHECK", "1"),
        ("PIP_NO_INPUT", "1"),
        ("PYTHONSAFEPATH", "1"),
    )
    if index_url is not None and carries_credentials(index_url):
        set_vars += (("PIP_INDEX_URL", index_url),)
    return set_vars, PIP_UNSET


def _devnull(windows: bool) -> str:
    """os.devnull of the machine the plan runs on (a replayed Windows host's, seen from Linux)."""
    return "nul" if windows else "/dev/null"


class PipBackend(Backend):
    name = "pip"

    def __init__(self, base_python: str, *, windows: Optional[bool] = None) -> None:
        # base_python: an interpreter of the requested version that makes the venv.
        self.base_python = base_python
        self.windows = THIS_MACHINE.windows if windows is None else windows

    def python_in_env(self, env_path: str) -> str:
        return venv_python(env_path, self.windows)

    def create_env_steps(self, spec: InstallSpec) -> list[Step]:
        env_set, env_unset = pip_isolation(_devnull(self.windows))
        return [
            Step(
                id=CREATE_ENV,
                description=f"create a venv with Python {spec.python_version} at {spec.env_path}",
                argv=(self.base_python, "-m", "venv", spec.env_path),
                timeout_s=CREATE_TIMEOUT_S,
                env_set=env_set,
                env_unset=env_unset,
            )
        ]

    def _pip_install(self, spec: InstallSpec) -> tuple[str, ...]:
        # With a credential the index comes from PIP_INDEX_URL (pip_isolation): the command line
        # is readable by every local user, the environment only by the same user.
        index = () if carries_credentials(spec.index_url) else ("--index-url", spec.index_url)
        return (
            self.python_in_env(spec.env_path),
            "-m",
            "pip",
            "install",
            "--no-input",
            "--disable-pip-version-check",
            "--progress-bar",
            "off",
            *index,
        )

    def dry_run_check_steps(self, spec: InstallSpec) -> list[Step]:
        env_set, env_unset = pip_isolation(_devnull(self.windows), index_url=spec.index_url)
        return [
            Step(
                id=CHECK_RESOLVES,
                description=f"check that {', '.join(spec.requirements)} resolve on {spec.index_url}",
                argv=(
                    *self._pip_install(spec),
                    "--dry-run",
                    "--ignore-installed",
                    "--quiet",
                    *spec.requirements,
                ),
                timeout_s=CHECK_TIMEOUT_S,
                env_set=env_set,
                env_unset=env_unset,
            )
        ]

    def install_steps(self, spec: InstallSpec) -> list[Step]:
        env_set, env_unset = pip_isolation(_devnull(self.windows), index_url=spec.index_url)
        report = ("--report", spec.report_path) if spec.report_path else ()
        return [
            Step(
                id=INSTALL,
                description=f"install {', '.join(spec.requirements)} from {spec.index_url}",
                argv=(*self._pip_install(spec), *report, *spec.requirements),
                timeout_s=INSTALL_TIMEOUT_S,
                env_set=env_set,
                env_unset=env_unset,
            )
        ]
