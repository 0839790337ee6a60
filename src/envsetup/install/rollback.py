"""What a failed or interrupted install may remove, and removing it: the claim on a directory
the install creates (install/ownership.py), the new target made and claimed, and after a failure
the one line saying what became of it (removed, emptied, left alone and why, or an upgraded
environment given its previous record back).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Optional

from envsetup.errors import EnvsetupError
from envsetup.host.files import Files
from envsetup.install import ownership
from envsetup.install import record as install_record
from envsetup.install import target as install_target
from envsetup.install.decisions import Setup


@dataclass
class Made:
    """What this install may remove: the claim on the directory it creates (None for an upgrade,
    whose environment is the user's), completed with the directory's inode once it exists."""

    claim: Optional[ownership.Claim]
    previous_record: Optional[dict[str, Any]] = None
    recorded: bool = False  # this install's "incomplete" record replaced the previous one


def note_in_log(log: IO[str], text: str) -> None:
    # Used while handling a failure, which may be a full disk: the failure must still be told.
    with contextlib.suppress(OSError, ValueError):
        log.write(f"[envsetup] {text}\n")
        log.flush()


def disposition(env_path: Path, made: Made, state: Path, host_files: Files) -> str:
    claim = made.claim
    if claim is None:
        # pip and uv roll back a failed install, so the environment most likely still works as
        # before: give it back its previous record rather than leave one that says "incomplete".
        try:
            if made.recorded and made.previous_record is not None:
                install_record.write_install_record(env_path, made.previous_record, host_files)
            elif made.recorded:
                host_files.remove_file(install_record.record_path(env_path))
        except (OSError, EnvsetupError) as exc:
            return (
                f"{env_path} is an existing environment, left with what the failed step left in "
                f"it; its install record still says incomplete ({exc})"
            )
        return f"{env_path} is an existing environment, left with what the failed step left in it"
    if claim.ino is None:
        ownership.drop_claim(state, env_path, host_files)
        return f"nothing was created at {env_path}"
    if not ownership.is_our_directory(claim, env_path, host_files):
        return f"left {env_path} alone: it is no longer the directory this install created"
    try:
        foreign = install_target.foreign_entries(env_path, host_files)
    except OSError:
        foreign = []  # gone or unreadable: remove_tree says what is left
    if foreign:
        # Someone put files into the new environment while it was being made: theirs.
        return (
            f"left {env_path} in place: it holds files envsetup did not write "
            f"({install_target.named(foreign)}); move them out, then run the install again with --force"
        )
    try:
        install_target.remove_tree(env_path, keep_dir=claim.keeps_dir, host_files=host_files)
    except EnvsetupError as exc:
        return str(exc)  # the claim stays: a later --force can finish the removal
    ownership.drop_claim(state, env_path, host_files)
    if claim.keeps_dir:
        return f"emptied {env_path} again (it was an empty directory before)"
    return f"removed the new environment {env_path}"


# What uv and Python's own venv (3.13+, "scm_ignore_files",
# https://docs.python.org/3/library/venv.html) write into a new environment: git then ignores
# it, so an install into ./.venv-test leaves a checkout's `git status` clean whatever the tool.
GITIGNORE = ".gitignore"
GITIGNORE_TEXT = "# created by envsetup automatically\n*\n"


def make_target(env_path: Path, made: Made, state: Path, host_files: Files) -> None:
    """Create the target directory; a creating install then notes its inode in the claim, and
    tells git to ignore the new environment."""
    host_files.make_dirs(env_path)
    if made.claim is not None:
        made.claim = ownership.with_directory(made.claim, env_path, host_files)
        ownership.write_claim(state, made.claim, host_files)
        if not host_files.exists(env_path / GITIGNORE):
            host_files.write_atomically(env_path / GITIGNORE, GITIGNORE_TEXT)


def clear_the_way(setup: Setup, decision: install_target.TargetDecision, state: Path) -> Made:
    """Remove what the decision says to (--force), then, for an install that creates the
    environment, claim it before anything exists at the path."""
    env_path, host_files = setup.env_path, setup.host_files
    if decision.remove_first:
        install_target.remove_tree(env_path, host_files=host_files)
    if not decision.creates_env:
        return Made(None, install_record.read_install_record(env_path, host_files))
    claim = ownership.new_claim(env_path, keeps_dir=decision.keeps_dir)
    ownership.write_claim(state, claim, host_files)
    return Made(claim)
