"""What an install decides before it touches the target, for provision() and its preview alike:
the target's real path, the backend, the index URL, the log and state paths, the plan, and whether
the target holds the plan already. A bad flag raises a UsageError here; nothing is created but
the log's directory (and, in a preview, not even that).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Optional

from envsetup.errors import UsageError
from envsetup.host.files import Files
from envsetup.install import target as install_target
from envsetup.install.backends import Backend
from envsetup.install.index_url import (
    effective_index_url,
    index_location,
)
from envsetup.install.plan import Plan, build_plan
from envsetup.install.satisfied import already_satisfied
from envsetup.install.state import is_dangling_link, real_target, usable_state_dir
from envsetup.install.tools import (
    Elsewhere,
    backend_as_named,
    backend_elsewhere,
    backend_for,
    conda_prefix_for_name,
    log_path_for,
    new_log_path,
)
from envsetup.resolve.resolution import Resolution

DEFAULT_ENV = ".venv"
# An existing environment that holds the whole plan already: nothing to do, exit 0.
MODE_SATISFIED = "satisfied"


def _this_target(
    resolution: Resolution,
    environ: Mapping[str, str],
    host_files: Files,
    noted: Callable[[UsageError], None],
) -> Path:
    """The target on this machine: spelled, made absolute, every symlink resolved."""
    try:
        spelled = _target_path(resolution, environ, host_files)
    except UsageError as exc:
        noted(exc)
        spelled = host_files.absolute(resolution.env_name or DEFAULT_ENV)
    env_path = real_target(spelled, host_files)
    # /proc/x, /sys/x, a read-only mount: never a place for an environment (a bad flag, on any
    # run), not a full disk.
    unusable = install_target.unusable_mount(env_path, host_files.mount_of(env_path))
    if unusable is not None:
        raise unusable
    if is_dangling_link(spelled, env_path, host_files):
        noted(
            UsageError(
                f"--env {spelled}: a symlink to {env_path}, which does not exist; create that "
                "directory, or pass the path where the environment should be"
            )
        )
    return env_path


def _target_path(resolution: Resolution, environ: Mapping[str, str], host_files: Files) -> Path:
    if resolution.env_path:
        return host_files.absolute(host_files.expand_user(resolution.env_path))
    if resolution.manager == "conda" and resolution.env_name:
        from envsetup.install.tools import find_conda

        conda = find_conda(environ, host_files)
        return Path(conda_prefix_for_name(conda, resolution.env_name, environ))
    return host_files.absolute(DEFAULT_ENV)


@dataclass(frozen=True)
class Setup:
    """Everything decided before the target is touched."""

    env_path: Path  # the resolved real path: every action and message uses it
    index_url: str
    backend: Backend
    log_path: Path
    report_path: Optional[str]
    state: Optional[Path]  # None only in a preview whose state directory is unusable
    host_files: Files  # the file system every step of the install reaches the target through


def set_up(
    resolution: Resolution,
    index_url_base: Optional[str],
    log_dir: Optional[str],
    environ: Mapping[str, str],
    host_files: Files,
    problems: Optional[list[str]] = None,
    elsewhere: Optional[Elsewhere] = None,
) -> Setup:
    """provision's decisions before the lock. With `problems` (a preview), what only stops the
    install on this machine (a tool not found, an unusable target or state directory) is noted
    there instead of raised, and nothing is created; a bad flag still raises."""
    if not resolution.pins and not resolution.conda_specs:
        raise UsageError("install: the resolution lists no packages; nothing to install")
    if not resolution.python_version:
        raise UsageError("install: the resolution names no Python version; pass --python X.Y")
    location = index_location(resolution, index_url_base, environ, host_files)

    def noted(error: UsageError) -> None:
        if problems is None:
            raise error
        problems.append(str(error))

    if elsewhere is not None:
        # Planned for another machine: its OS and interpreter, not this one's PATH.
        backend = backend_elsewhere(resolution.manager, resolution.python_version, elsewhere)
    else:
        try:
            backend = backend_for(
                resolution.manager, resolution.python_version, environ, host_files
            )
        except UsageError as exc:
            noted(exc)
            backend = backend_as_named(resolution.manager, resolution.python_version)
    if elsewhere is not None and not (resolution.manager == "conda" and resolution.env_name):
        # That host's target, as spelled (made absolute there): this machine's working
        # directory and symlinks say nothing about it.
        env_path = Path(resolution.env_path or DEFAULT_ENV)
    else:
        env_path = _this_target(resolution, environ, host_files, noted)
    state: Optional[Path] = None
    try:
        state = usable_state_dir(environ, host_files)
    except UsageError as exc:
        noted(exc)
    if problems is None:
        log_path = new_log_path(log_dir, environ, env_path, host_files)
    else:
        log_path = log_path_for(log_dir, environ, env_path)
    return Setup(
        env_path=env_path,
        index_url=effective_index_url(resolution.index_url, resolution.variant, location),
        backend=backend,
        log_path=log_path,
        # pip's --report holds the wheel hashes; uv writes none.
        report_path=str(log_path.with_suffix(".pip-report.json"))
        if backend.name == "pip"
        else None,
        state=state,
        host_files=host_files,
    )


def plan_for(resolution: Resolution, setup: Setup, decision: install_target.TargetDecision) -> Plan:
    """The steps provision runs, and preview shows: one function for both."""
    return build_plan(
        resolution,
        setup.backend,
        env_path=str(setup.env_path),
        index_url=setup.index_url,
        log_path=str(setup.log_path),
        create_env=decision.creates_env,
        report_path=setup.report_path,
    )


def held_already(
    resolution: Resolution, setup: Setup, kind: str, *, force: bool, upgrade: bool
) -> Optional[dict[str, str]]:
    """The plan's pins as the target holds them, when it is an environment holding them all
    and neither --force nor --upgrade asks for anything else; else None."""
    if force or upgrade or kind != install_target.ENVIRONMENT:
        return None
    return already_satisfied(resolution, setup.env_path, setup.host_files)
