"""What is at the install target already, and what an install may do about it.

The rule: a later install never removes what an earlier one left on its own. An environment an
interrupted install was creating is refused like any existing one; --force deletes it, and only
when it is a Python environment or envsetup's claim (ownership.py) proves envsetup made it. Only
the run that creates an environment removes it unasked, when that same run fails
(rollback.disposition). Everything here works on the target's resolved real path
(state.real_target): a symlink the user passed as --env is never followed twice, and never removed.
"""

from __future__ import annotations

import fnmatch
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from envsetup.errors import EnvsetupError, UsageError
from envsetup.host.files import LOCAL, Files, Mount
from envsetup.install.ownership import Claim, proves_ownership
from envsetup.install.record import read_install_record, record_path
from envsetup.install.state import file_in_the_way
from envsetup.record_state import MODE_UPGRADE, RECORD_NAME, is_incomplete

ABSENT = "absent"
EMPTY = "empty"
ENVIRONMENT = "environment"  # a venv or conda env
FOREIGN = "foreign"  # something else: never touched
# A directory an earlier install was creating when it was killed, provably (claim, token, inode),
# a Python environment yet or not. The user may have gone on working in it, anywhere in it: only
# --force removes it.
INTERRUPTED_NEW = "interrupted-new"
# An existing environment an earlier --upgrade was installing into when it was killed: the user's.
INTERRUPTED_UPGRADE = "interrupted-upgrade"
# An environment whose record says "incomplete" but that nothing proves envsetup made here: a
# planted or copied record, a directory made again since, an older envsetup's record.
UNPROVEN_INCOMPLETE = "unproven-incomplete"
# The environment envsetup itself runs from (sys.prefix): a plain install or --force would
# replace the packages envsetup runs on; --upgrade, asked for by name, adds torch to it.
ENVSETUP_OWN = "envsetup-own"

MODE_NEW = "new"
MODE_FORCE = "force"

UPGRADE_INTERRUPTED = "upgrade interrupted: packages may be mixed"

# What `python -m venv`, virtualenv and `uv venv` put at an environment's top level (POSIX and
# Windows spellings), and `.lock`, which `uv pip install` takes in the environment. The installers
# write only below these. Used only by the run that creates an environment, to see whether someone
# put files into it while it was being made, before it removes what it made.
VENV_TOP_LEVEL = frozenset(
    {"bin", "Scripts", "lib", "lib64", "Lib", "include", "Include", "share", "etc"}
    | {"pyvenv.cfg", ".gitignore", "CACHEDIR.TAG", ".lock"}
)
# What `conda create` and the packages it links put at a prefix's top level. Conservative: a name
# not here makes the directory "not provably ours", which costs the user a --force, never a file.
CONDA_TOP_LEVEL = frozenset(
    {"conda-meta", "bin", "lib", "lib64", "include", "share", "etc", "libexec", "sbin", "var"}
    | {"man", "doc", "docs", "ssl", "compiler_compat", "targets", "nvvm", "mkspecs", "plugins"}
    | {"qml", "translations", "phrasebooks", "resources", "fonts", ".nonadmin"}
    | {"Library", "DLLs", "Lib", "Scripts", "Tools", "Include", "libs", "tcl", "Menu"}
    | {"LICENSE_PYTHON.txt"}
)
CONDA_TOP_LEVEL_PATTERNS = ("*-conda*-linux-gnu", "*.dll", "python*.exe", "pythonw*.exe")
FOREIGN_NAMED = 3  # how many foreign entries a message names


@dataclass(frozen=True)
class TargetDecision:
    mode: str  # new, force, upgrade
    remove_first: bool  # --force
    creates_env: bool  # a failure removes what this install made
    note: Optional[str] = None
    keeps_dir: bool = False  # the target was an empty directory: a failure empties it, keeps it


def is_environment(path: Path, host_files: Files = LOCAL) -> bool:
    return host_files.is_file(path / "pyvenv.cfg") or host_files.is_dir(path / "conda-meta")


def _is_record_file(name: str) -> bool:
    # The record, and a temporary file of an atomic write a kill interrupted.
    return name == RECORD_NAME or (name.startswith(f".{RECORD_NAME}.") and name.endswith(".tmp"))


def _made_by_the_tools(name: str) -> bool:
    return (
        _is_record_file(name)
        or name in VENV_TOP_LEVEL
        or name in CONDA_TOP_LEVEL
        or any(fnmatch.fnmatchcase(name, pattern) for pattern in CONDA_TOP_LEVEL_PATTERNS)
    )


def foreign_entries(path: Path, host_files: Files = LOCAL) -> list[str]:
    """The entries at the top level of `path`, an environment this very install is making, that
    neither envsetup nor a tool that makes one (venv, uv, conda) writes: the user's, as far as
    envsetup can tell. Judged by every tool's layout, since a failure may come before pyvenv.cfg
    or conda-meta/ is written. Directories end in "/"; sorted."""
    found = []
    for child in host_files.list_dir(path):
        if not _made_by_the_tools(child.name):
            is_dir = host_files.is_dir(child) and not host_files.is_symlink(child)
            found.append(child.name + ("/" if is_dir else ""))
    return sorted(found)


def named(entries: Sequence[str]) -> str:
    """Up to FOREIGN_NAMED entries, quoted for the shell, and how many more."""
    shown = ", ".join(shlex.quote(entry) for entry in entries[:FOREIGN_NAMED])
    more = len(entries) - FOREIGN_NAMED
    return f"{shown} and {more} more" if more > 0 else shown


def classify_target(path: Path, claim: Optional[Claim] = None, host_files: Files = LOCAL) -> str:
    """`path` is the resolved real path; `claim` what envsetup's state directory holds for it.
    A path that cannot be looked at (no search permission on a parent, a file where a parent
    directory should be) is a one-line UsageError naming it and the reason."""
    try:
        return _classify(path, claim, host_files)
    except OSError as exc:
        raise UsageError(
            f"--env {path}: cannot look at it ({exc.strerror or exc}); choose a path you can "
            "read and write, or fix the permissions on the way to it"
        ) from None


def _classify(path: Path, claim: Optional[Claim], host_files: Files) -> str:
    if not host_files.exists(path) and not host_files.is_symlink(path):
        blocker = file_in_the_way(path, host_files)
        if blocker is not None:
            raise UsageError(
                f"--env {path}: cannot create it: {blocker} is a file, not a directory; "
                "choose another --env"
            )
        return ABSENT
    if host_files.is_symlink(path) or not host_files.is_dir(path):
        return FOREIGN
    environment = is_environment(path, host_files)
    record = read_install_record(path, host_files)
    if is_incomplete(record):
        assert record is not None
        if environment and record.get("mode") == MODE_UPGRADE:
            return INTERRUPTED_UPGRADE
        if proves_ownership(claim, record, path, host_files):
            return INTERRUPTED_NEW
        if environment:
            return UNPROVEN_INCOMPLETE
    if environment:
        return ENVSETUP_OWN if _is_running_environment(path, host_files) else ENVIRONMENT
    if host_files.is_empty_dir(path):
        return EMPTY
    return FOREIGN


def is_running_environment(path: str | Path, host_files: Files = LOCAL) -> bool:
    """Whether `path` is the environment envsetup itself runs from (sys.prefix)."""
    return host_files.exists(Path(path)) and _is_running_environment(Path(path), host_files)


def _is_running_environment(path: Path, host_files: Files) -> bool:
    try:
        return host_files.realpath(path) == host_files.realpath(sys.prefix)
    except OSError:
        return False


def free_env_dir(host_files: Files = LOCAL) -> str:
    """A directory in the working directory with nothing at it yet, for a new environment
    ("./.venv-torch"...; host/interpreter_discovery.py, the name doctor's fixes use)."""
    from envsetup.host.interpreter_discovery import new_env_dir_here

    return new_env_dir_here(lambda p: host_files.exists(p)) or "DIR"


def decide(path: Path, kind: str, *, force: bool, upgrade: bool) -> TargetDecision:
    """Pure: the target's kind and the flags → what to do, or a one-line refusal."""
    if force and upgrade:
        raise UsageError(
            "--force and --upgrade together: --force recreates the environment, --upgrade "
            "installs into it; pass one of them"
        )
    if kind in (ABSENT, EMPTY):
        return TargetDecision(
            MODE_NEW, remove_first=False, creates_env=True, keeps_dir=kind == EMPTY
        )
    if kind == FOREIGN:
        raise UsageError(
            f"{path} exists and is not a Python environment (no pyvenv.cfg or conda-meta); "
            "envsetup will not touch it: choose another --env"
        )
    if kind == ENVSETUP_OWN and not upgrade:
        raise UsageError(
            f"{path} is the environment envsetup itself runs from; install never recreates or "
            f"replaces it: install torch into a new environment with `--env {free_env_dir()}`, "
            "or pass --upgrade to add torch to this one"
        )
    if force:
        return TargetDecision(MODE_FORCE, remove_first=True, creates_env=True)
    if kind == INTERRUPTED_NEW:
        # Never removed unasked: the user may have put files anywhere in it since. --upgrade is
        # refused too: installing into a half-made environment would not make it whole.
        raise UsageError(
            f"{shlex.quote(str(path))}: an earlier install creating it was interrupted and left "
            "it half-made; pass --force to delete it and everything in it and start again, or "
            "choose another --env"
        )
    if upgrade:
        note = f"{path}: retrying an interrupted upgrade" if kind == INTERRUPTED_UPGRADE else None
        return TargetDecision(MODE_UPGRADE, remove_first=False, creates_env=False, note=note)
    if kind == INTERRUPTED_UPGRADE:
        raise UsageError(
            f"{path}: {UPGRADE_INTERRUPTED} (an earlier `envsetup install --upgrade` into this "
            "existing environment was stopped before it finished); envsetup never removes an "
            "environment it did not create: pass --upgrade to retry the upgrade, or --force to "
            "delete and recreate it"
        )
    if kind == UNPROVEN_INCOMPLETE:
        raise UsageError(
            f"{path}: its install record says an install was interrupted, but nothing proves this "
            "envsetup created it (no matching claim in envsetup's state directory), so envsetup "
            "will not remove it: pass --upgrade to install into it, --force to delete and "
            "recreate it, or choose another --env"
        )
    raise UsageError(
        f"{path} already exists: envsetup never modifies an existing environment unless asked; "
        "pass --upgrade to install into it, --force to recreate it, or choose another --env"
    )


def _remove_child(child: Path, host_files: Files) -> None:
    if host_files.is_dir(child) and not host_files.is_symlink(child):
        host_files.remove_tree(child)  # unlinks links inside, never follows them
    else:
        host_files.remove_file(child)


def _remove_marks_last(path: Path, *, keep_dir: bool, host_files: Files) -> None:
    # A second Ctrl-C or a kill -9 during removal must leave what still proves the directory is a
    # half-made environment of ours (the record, pyvenv.cfg / conda-meta), so a --force can still
    # finish the job instead of refusing a directory that no longer looks like an environment.
    marks = [path / "conda-meta", path / "pyvenv.cfg", record_path(path)]
    for child in host_files.list_dir(path):
        if child not in marks:
            _remove_child(child, host_files)
    for mark in marks:
        if host_files.exists(mark) or host_files.is_symlink(mark):
            _remove_child(mark, host_files)
    if not keep_dir:
        host_files.remove_empty_dir(path)


def remove_tree(path: Path, *, keep_dir: bool = False, host_files: Files = LOCAL) -> None:
    """Remove the directory `path` (a resolved real path) that this install owns, or with
    `keep_dir` only what is in it; a failure names what is left for a person to delete.

    A symlink is never removed nor followed: the caller resolved the target once, and a link
    here means the directory changed under the install.
    """
    if _is_running_environment(path, host_files):
        raise UsageError(
            f"{path} is the environment envsetup itself runs from; it cannot remove it: "
            "run envsetup from another environment or choose another --env"
        )
    if host_files.is_symlink(path) or (host_files.exists(path) and not host_files.is_dir(path)):
        raise EnvsetupError(
            f"{path}: is now a symlink or a file, not the directory envsetup resolved --env to; "
            "envsetup left it alone: look at it, and delete it by hand if it is not yours"
        )
    try:
        _remove_marks_last(path, keep_dir=keep_dir, host_files=host_files)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise EnvsetupError(
            f"{path}: could not remove it ({exc.strerror or exc}); delete it by hand, then retry"
        ) from None


# File systems the kernel makes up to show itself (processes, devices, control groups...): they
# hold no files a program may create, whatever their mount options say. proc(5):
# https://man7.org/linux/man-pages/man5/proc.5.html; sysfs(5):
# https://man7.org/linux/man-pages/man5/sysfs.5.html; the cgroup, debugfs, tracefs... entries of
# the kernel's file system list: https://docs.kernel.org/filesystems/index.html.
PSEUDO_FILESYSTEMS = frozenset(
    {
        "proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "debugfs", "tracefs",
        "securityfs", "configfs", "pstore", "bpf", "mqueue", "fusectl", "binfmt_misc",
        "efivarfs", "hugetlbfs", "nsfs", "rpc_pipefs", "selinuxfs",
    }
)  # fmt: skip


def unusable_mount(env_path: Path, mount: Optional[Mount]) -> Optional[UsageError]:
    """Why no environment can be made at `env_path` on `mount` (a pseudo file system, or one
    mounted read-only), or None: not "free space", which would not help."""
    if mount is None:
        return None
    if mount.fstype in PSEUDO_FILESYSTEMS:
        return UsageError(
            f"target {env_path}: {mount.point} is a {mount.fstype} file system (made up by the "
            "kernel, nothing can be installed in it), not a place for an environment; fix: pass "
            "--env a directory on a disk, e.g. --env ./.venv"
        )
    if mount.read_only:
        return UsageError(
            f"target {env_path}: {mount.point} is mounted read-only ({mount.fstype}), so no "
            "environment can be made there; fix: pass --env a writable directory, e.g. "
            "--env ./.venv"
        )
    return None
