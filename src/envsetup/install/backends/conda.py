"""conda: `conda create -p PREFIX python=X`, then the profile's conda specs from its channels only."""

from __future__ import annotations

from typing import Optional

from envsetup.host.machine import THIS_MACHINE
from envsetup.install.backends.base import Backend
from envsetup.install.plan import CHECK_RESOLVES, CREATE_ENV, INSTALL, InstallSpec, Step

# conda's solver on a cold cache is slow; pytorch-cuda pulls several GB.
CREATE_TIMEOUT_S = 1200.0
CHECK_TIMEOUT_S = 1800.0
INSTALL_TIMEOUT_S = 3600.0


class CondaBackend(Backend):
    name = "conda"

    def __init__(self, conda: str = "conda", *, windows: Optional[bool] = None) -> None:
        self.conda = conda
        self.windows = THIS_MACHINE.windows if windows is None else windows

    def python_in_env(self, env_path: str) -> str:
        separator = "\\" if self.windows else "/"
        tail = ("python.exe",) if self.windows else ("bin", "python")
        return separator.join((env_path.rstrip("/\\"), *tail))

    def _channels(self, spec: InstallSpec) -> tuple[str, ...]:
        # --override-channels: only the profile's channels, never the user's .condarc defaults,
        # for the same reason pip gets one --index-url.
        flags: list[str] = ["--override-channels"]
        for channel in spec.conda_channels:
            flags.extend(("--channel", channel))
        return tuple(flags)

    def create_env_steps(self, spec: InstallSpec) -> list[Step]:
        return [
            Step(
                id=CREATE_ENV,
                description=f"create a conda env with Python {spec.python_version} at {spec.env_path}",
                argv=(
                    self.conda,
                    "create",
                    "--yes",
                    "--prefix",
                    spec.env_path,
                    *self._channels(spec),
                    f"python={spec.python_version}",
                ),
                timeout_s=CREATE_TIMEOUT_S,
            )
        ]

    def _install(self, spec: InstallSpec) -> tuple[str, ...]:
        return (self.conda, "install", "--yes", "--prefix", spec.env_path, *self._channels(spec))

    def dry_run_check_steps(self, spec: InstallSpec) -> list[Step]:
        return [
            Step(
                id=CHECK_RESOLVES,
                description=f"check that {', '.join(spec.conda_specs)} solve",
                argv=(*self._install(spec), "--dry-run", *spec.conda_specs),
                timeout_s=CHECK_TIMEOUT_S,
            )
        ]

    def install_steps(self, spec: InstallSpec) -> list[Step]:
        return [
            Step(
                id=INSTALL,
                description=f"install {', '.join(spec.conda_specs)}",
                argv=(*self._install(spec), *spec.conda_specs),
                timeout_s=INSTALL_TIMEOUT_S,
            )
        ]
