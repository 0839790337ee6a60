"""One install per target at a time: an OS-level lock on a file named after the target's real path.

The lock file lives in envsetup's state directory (state.py), keyed on the target's resolved real
path: however --env is spelled (a symlink, `./env`, `env/`), one directory has one lock. It is not
inside the environment, because a failed new environment is removed while the lock is held.

Children inherit the locked descriptor (see HeldLock.fileno): a pip or uv orphaned by a kill -9 of
envsetup keeps installing, and keeps the target locked until it is done, so the next install waits
for it instead of removing the directory under its feet.

The lock file is left in place afterwards: deleting it would let a third install lock a fresh file
while a second still holds the old one. The OS drops the lock when the process dies, even on
kill -9, so a stale file never blocks anyone.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping, Optional

from envsetup.errors import EnvsetupError, UsageError
from envsetup.host import environment
from envsetup.host.files import LOCAL, Files
from envsetup.host.machine import THIS_MACHINE
from envsetup.install.state import STATE_DIR_ENV, real_target, state_dir, target_key

LOCKS = "locks"


@dataclass(frozen=True)
class HeldLock:
    path: Path
    fileno: int  # hand it to child processes (POSIX) so they hold the lock as long as they run


def lock_path_for(
    env_path: Path, environ: Optional[Mapping[str, str]] = None, host_files: Files = LOCAL
) -> Path:
    """The lock file for the directory `env_path` names, whatever the spelling."""
    state = state_dir(environment() if environ is None else environ, host_files)
    return state / LOCKS / f"{target_key(real_target(env_path, host_files))}.lock"


def _cannot_lock(env_path: Path, path: Path, exc: OSError) -> EnvsetupError:
    return EnvsetupError(
        f"{env_path}: cannot take the install lock {path} ({exc.strerror or exc}); free space "
        f"there (or make it writable), or point {STATE_DIR_ENV} at a writable directory"
    )


@contextlib.contextmanager
def target_lock(
    env_path: Path, environ: Optional[Mapping[str, str]] = None, host_files: Files = LOCAL
) -> Iterator[HeldLock]:
    """Hold the lock of the directory `env_path` names for the duration, or refuse at once with
    a one-line error (UsageError: another install holds it; EnvsetupError: the disk refuses)."""
    path = lock_path_for(env_path, environ, host_files)
    try:
        host_files.make_dirs(path.parent)
        lock = host_files.open_lock_file(path)
    except OSError as exc:
        raise _cannot_lock(env_path, path, exc) from None
    try:
        if not lock.try_acquire():
            raise UsageError(
                f"{env_path}: another envsetup install into this environment is running "
                f"(lock {path} is held); wait for it to finish, or choose another --env"
            )
        try:
            try:
                # Who holds it, for a person looking at the file; the lock itself is the flock.
                # A disk too full for these few bytes would fail the install's own files next.
                lock.write_holder(f"{THIS_MACHINE.pid()}\n")
            except OSError as exc:
                raise _cannot_lock(env_path, path, exc) from None
            yield HeldLock(path, lock.fileno)
        finally:
            lock.release()
    finally:
        lock.close()
