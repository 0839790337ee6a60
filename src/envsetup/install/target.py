"""What is at the install target already, and what an install may do about it."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from envsetup.errors import EnvsetupError, UsageError
from envsetup.install.record import is_incomplete, read_install_record, record_path

ABSENT = "absent"
EMPTY = "empty"
INCOMPLETE = "incomplete"  # left by an install that was killed: ours to clean up
ENVIRONMENT = "environment"  # a venv or conda env
FOREIGN = "foreign"  # something else: never touched

MODE_NEW = "new"
MODE_FORCE = "force"
MODE_UPGRADE = "upgrade"


@dataclass(frozen=True)
class TargetDecision:
    mode: str  # new, force, upgrade
    remove_first: bool  # an incomplete env, or --force
    creates_env: bool  # a failure removes what this install made
    note: Optional[str] = None


def is_environment(path: Path) -> bool:
    return (path / "pyvenv.cfg").is_file() or (path / "conda-meta").is_dir()


def classify_target(path: Path) -> str:
    if not path.exists() and not path.is_symlink():
        return ABSENT
    if not path.is_dir():
        return FOREIGN
    if is_incomplete(read_install_record(path)):
        return INCOMPLETE
    if is_environment(path):
        return ENVIRONMENT
    if not any(path.iterdir()):
        return EMPTY
    return FOREIGN


def _is_running_environment(path: Path) -> bool:
    try:
        return path.resolve() == Path(sys.prefix).resolve()
    except OSError:
        return False


def decide(path: Path, kind: str, *, force: bool, upgrade: bool) -> TargetDecision:
    """Pure: the target's kind and the flags → what to do, or a one-line refusal."""
    if force and upgrade:
        raise UsageError(
            "--force and --upgrade together: --force recreates the environment, --upgrade "
            "installs into it; pass one of them"
        )
    if kind in (ABSENT, EMPTY):
        return TargetDecision(MODE_NEW, remove_first=False, creates_env=True)
    if kind == INCOMPLETE:
        return TargetDecision(
            MODE_NEW,
            remove_first=True,
            creates_env=True,
            note=f"removed {path}: an earlier install into it was interrupted and left it incomplete",
        )
    if kind == FOREIGN:
        raise UsageError(
            f"{path} exists and is not a Python environment (no pyvenv.cfg or conda-meta); "
            "envsetup will not touch it: choose another --env"
        )
    if force:
        return TargetDecision(MODE_FORCE, remove_first=True, creates_env=True)
    if upgrade:
        return TargetDecision(MODE_UPGRADE, remove_first=False, creates_env=False)
    raise UsageError(
        f"{path} already exists: envsetup never modifies an existing environment unless asked; "
        "pass --upgrade to install into it, --force to recreate it, or choose another --env"
    )


def _remove_keeping_the_record_last(path: Path) -> None:
    # A second Ctrl-C during removal must not leave a half-deleted venv that no longer says
    # "incomplete": the next install would then refuse it instead of cleaning it up.
    if path.is_symlink() or not path.is_dir():
        path.unlink()
        return
    record = record_path(path)
    for child in path.iterdir():
        if child == record:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    record.unlink(missing_ok=True)
    path.rmdir()


def remove_tree(path: Path) -> None:
    """Remove a directory this install owns; a failure names what is left for a person to delete."""
    if _is_running_environment(path):
        raise UsageError(
            f"{path} is the environment envsetup itself runs from; it cannot remove it: "
            "run envsetup from another environment or choose another --env"
        )
    try:
        _remove_keeping_the_record_last(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise EnvsetupError(
            f"{path}: could not remove it ({exc.strerror or exc}); delete it by hand, then retry"
        ) from None
