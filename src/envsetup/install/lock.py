"""One install per target at a time: an OS-level lock on a file next to the target.

Children inherit the locked descriptor (see HeldLock.fileno): a pip or uv orphaned by a kill -9 of
envsetup keeps installing, and keeps the target locked until it is done, so the next install waits
for it instead of removing the directory under its feet.

The lock file sits beside the environment, not in it, because a failed new environment is removed
while the lock is held. It is left in place afterwards: deleting it would let a third install lock
a fresh file while a second still holds the old one. The OS drops the lock when the process dies,
even on kill -9, so a stale file never blocks anyone.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterator

from envsetup.errors import UsageError


@dataclass(frozen=True)
class HeldLock:
    path: Path
    fileno: int  # hand it to child processes (POSIX) so they hold the lock as long as they run


def lock_path_for(env_path: Path) -> Path:
    return env_path.parent / f".{env_path.name}.envsetup.lock"


def _try_lock(handle: IO[str]) -> bool:
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        import msvcrt

        # msvcrt locks bytes from the current position; "a+" opens at the end of the file.
        handle.seek(0)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(handle: IO[str]) -> None:
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextlib.contextmanager
def target_lock(env_path: Path) -> Iterator[HeldLock]:
    """Hold the target's lock for the duration, or refuse at once with a one-line UsageError."""
    path = lock_path_for(env_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+", encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"{env_path}: cannot create the install lock {path} ({exc.strerror or exc}); "
            "choose an --env in a directory you can write to"
        ) from None
    try:
        if not _try_lock(handle):
            raise UsageError(
                f"{env_path}: another envsetup install into this environment is running "
                f"(lock {path} is held); wait for it to finish, or choose another --env"
            )
        try:
            # Who holds it, for a person looking at the file; the lock itself is the flock.
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            yield HeldLock(path, handle.fileno())
        finally:
            _unlock(handle)
    finally:
        handle.close()
