"""envsetup's own state directory, and the one name a target has there whatever its spelling.

Locks and ownership claims are keyed on the target's resolved real path, so `--env link` and
`--env real-dir` (or `./env` and `env/`) are one target. They live in the user's state directory
(platformdirs: `~/.local/state/envsetup` on Linux, honouring XDG_STATE_HOME), not beside the
target: a file there would be named by the spelling, and a planted or copied one would be taken
at its word. The state directory is always an absolute path: a relative one would name another
directory (and another lock) from every working directory.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from pathlib import Path
from typing import Mapping, Optional

from envsetup.errors import UsageError
from envsetup.host.files import LOCAL, Files
from envsetup.host.machine import THIS_MACHINE, Machine

STATE_DIR_ENV = "ENVSETUP_STATE_DIR"
XDG_STATE_HOME = "XDG_STATE_HOME"


def state_dir(
    environ: Mapping[str, str], host_files: Files = LOCAL, machine: Machine = THIS_MACHINE
) -> Path:
    """ENVSETUP_STATE_DIR (absolute, or a one-line UsageError), else the platform's user state
    directory for envsetup."""
    if environ.get(STATE_DIR_ENV):
        chosen = host_files.expand_user(environ[STATE_DIR_ENV])
        if not chosen.is_absolute():
            raise UsageError(
                f"{STATE_DIR_ENV}={environ[STATE_DIR_ENV]}: a relative path, which would put "
                "envsetup's locks in another place from every directory; set it to an absolute "
                "path (or unset it)"
            )
        return chosen
    if machine.linux and environ.get(XDG_STATE_HOME) is not None:
        # The XDG spec: a relative value is invalid and is ignored. Decided here, not left to
        # platformdirs: it reads os.environ, not `environ`, and before 4.x took a relative
        # value at its word.
        xdg = environ[XDG_STATE_HOME]
        base = Path(xdg) if os.path.isabs(xdg) else host_files.expand_user("~/.local/state")
        return _absolute(base / "envsetup")
    try:
        return _absolute(Path(machine.user_state_dir("envsetup")))
    except RuntimeError as exc:  # newer platformdirs: HOME is relative or unset
        raise _no_state_dir(str(exc)) from None


def _absolute(path: Path) -> Path:
    if not path.is_absolute():  # HOME is relative
        raise _no_state_dir(f"{path} is relative")
    return path


def _no_state_dir(reason: str) -> UsageError:
    return UsageError(
        f"envsetup's state directory: {reason}; set {STATE_DIR_ENV} to an absolute path"
    )


def file_in_the_way(path: Path, host_files: Files = LOCAL) -> Optional[Path]:
    """The nearest existing one of `path` and its parents, when it is not a directory: what stops
    `path` from being made as a directory. None when nothing does. Other OSErrors (no search
    permission on the way) pass through."""
    for candidate in (path, *path.parents):
        try:
            st = host_files.stat(candidate)
        except (FileNotFoundError, NotADirectoryError):
            continue
        return None if stat.S_ISDIR(st.st_mode) else candidate
    return None


def usable_state_dir(environ: Mapping[str, str], host_files: Files = LOCAL) -> Path:
    """state_dir(environ), refused in one line when a file stands where it must be a directory."""
    state = state_dir(environ, host_files)
    try:
        blocker = file_in_the_way(state, host_files)
    except OSError as exc:
        blocker, reason = state, exc.strerror or str(exc)
    else:
        reason = f"{blocker} is not a directory"
    if blocker is not None:
        source = f"{STATE_DIR_ENV}={state}" if environ.get(STATE_DIR_ENV) else str(state)
        raise UsageError(
            f"envsetup's state directory {source}: cannot use it ({reason}); point "
            f"{STATE_DIR_ENV} at a writable directory"
        )
    return state


def real_target(path: Path, host_files: Files = LOCAL) -> Path:
    """The directory an install acts on: every symlink resolved, once, before anything runs.
    A path that cannot be resolved (no search permission on the way) is a one-line UsageError."""
    try:
        return host_files.realpath(host_files.absolute(host_files.expand_user(path)))
    except OSError as exc:
        raise UsageError(
            f"--env {path}: cannot resolve it ({exc.strerror or exc}); choose a path you can read and "
            "write, or fix the permissions on the way to it"
        ) from None


def target_key(real: Path) -> str:
    """A file name for `real`: readable, and unique by a digest of the whole (case-folded on
    Windows, where the file system folds case) path."""
    digest = hashlib.sha256(os.path.normcase(str(real)).encode("utf-8", "surrogateescape"))
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", real.name)[:40] or "root"
    return f"{readable}-{digest.hexdigest()[:20]}"


def is_dangling_link(spelled: Path, real: Path, host_files: Files = LOCAL) -> bool:
    """`spelled` is a symlink whose target (`real`, resolved) does not exist; an OSError on the
    way is a one-line UsageError like real_target's."""
    try:
        return host_files.is_symlink(spelled) and not host_files.exists(real)
    except OSError as exc:
        raise UsageError(
            f"--env {spelled}: cannot look at it ({exc.strerror or exc}); choose a path you can "
            "read and write, or fix the permissions on the way to it"
        ) from None
