"""A plan: the argv lists that provision one environment, built from a Resolution. Pure."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from envsetup.resolve.resolution import Resolution

if TYPE_CHECKING:
    from envsetup.install.backends.base import Backend

# Step ids: render, logs and error messages name steps by these.
CREATE_ENV = "create-env"
CHECK_RESOLVES = "check-resolves"
INSTALL = "install"


@dataclass(frozen=True)
class Step:
    """One command, run without a shell. `env_set`/`env_unset` adjust the inherited environment."""

    id: str
    description: str
    argv: tuple[str, ...]
    timeout_s: float = 1800.0
    env_set: tuple[tuple[str, str], ...] = ()
    env_unset: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["argv"] = list(self.argv)
        data["env_set"] = dict(self.env_set)
        data["env_unset"] = list(self.env_unset)
        return data


@dataclass(frozen=True)
class InstallSpec:
    """What a backend needs to know to write its commands."""

    env_path: str
    python_version: str
    index_url: str  # the one index pip/uv may use (already moved onto a mirror if asked)
    requirements: tuple[str, ...]  # "torch==2.0.1+cu118", ...
    conda_channels: tuple[str, ...] = ()
    conda_specs: tuple[str, ...] = ()
    report_path: Optional[str] = None  # where pip writes its --report JSON (hashes)


@dataclass
class Plan:
    manager: str
    env_path: str
    python: str  # the environment's interpreter, once created
    index_url: str
    log_path: str
    steps: list[Step] = field(default_factory=list)
    report_path: Optional[str] = None

    def step_ids(self) -> list[str]:
        return [step.id for step in self.steps]

    def to_dict(self) -> dict[str, Any]:
        return {
            "manager": self.manager,
            "env_path": self.env_path,
            "python": self.python,
            "index_url": self.index_url,
            "log_path": self.log_path,
            "report_path": self.report_path,
            "steps": [step.to_dict() for step in self.steps],
        }


def install_spec_for(
    resolution: Resolution,
    *,
    env_path: str,
    index_url: str,
    report_path: Optional[str] = None,
) -> InstallSpec:
    return InstallSpec(
        env_path=env_path,
        python_version=resolution.python_version,
        index_url=index_url,
        requirements=tuple(pin.requirement() for pin in resolution.pins),
        conda_channels=tuple(resolution.conda_channels),
        conda_specs=tuple(resolution.conda_specs),
        report_path=report_path,
    )


def build_plan(
    resolution: Resolution,
    backend: Backend,
    *,
    env_path: str,
    index_url: str,
    log_path: str,
    create_env: bool,
    report_path: Optional[str] = None,
) -> Plan:
    """Create (for a new target), check that the pins resolve, install. Record and verify follow."""
    spec = install_spec_for(
        resolution, env_path=env_path, index_url=index_url, report_path=report_path
    )
    steps: list[Step] = []
    if create_env:
        steps.extend(backend.create_env_steps(spec))
    steps.extend(backend.dry_run_check_steps(spec))
    steps.extend(backend.install_steps(spec))
    return Plan(
        manager=backend.name,
        env_path=env_path,
        python=backend.python_in_env(env_path),
        index_url=index_url,
        log_path=log_path,
        steps=steps,
        report_path=report_path,
    )
