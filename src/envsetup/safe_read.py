"""Reading a file a user (or a machine) can point at: regular files only, and at most so many bytes.

A FIFO named like a profile blocks a plain open() forever, `/dev/zero` reads until memory runs out,
and a 100 MB file is no profile: each is refused with the reason, before anything is parsed.
"""

from __future__ import annotations

import os
import stat
from typing import Union

PathLike = Union[str, "os.PathLike[str]"]


class Unreadable(OSError):
    """The file cannot be used; str() is the reason, in words ("a FIFO, not a regular file")."""


def _kind(mode: int) -> str:
    kinds = (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "not a plain file")


_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def read_up_to(path: PathLike, limit: int, *, follow_symlinks: bool = True) -> bytes:
    """At most `limit` + 1 bytes of a regular file: one byte more than the cap, so that a caller
    can tell a file over it (and cut it, or refuse it).

    O_NONBLOCK makes opening a FIFO return at once (a plain open waits for a writer); fstat on
    the open descriptor judges what was opened, not what a symlink or a race showed before. The
    size is not taken from fstat: /proc and /sys files report 0. `follow_symlinks=False` refuses
    a final symlink (O_NOFOLLOW), for a path already resolved and checked.

    Raises FileNotFoundError unchanged (callers often treat a missing file as no file), and
    Unreadable (an OSError) for anything else: not a regular file, cannot be opened or read.
    """
    flags = _FLAGS if follow_symlinks else _FLAGS | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(os.fspath(path), flags)
    except FileNotFoundError:
        raise
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise Unreadable(f"cannot be opened ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable(f"{_kind(info.st_mode)}, not a regular file")
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except Unreadable:
        raise
    except OSError as exc:
        raise Unreadable(f"cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)


def read_regular(path: PathLike, max_bytes: int) -> bytes:
    """The whole of a regular file of at most `max_bytes`, or Unreadable saying why not (see
    read_up_to; FileNotFoundError passes through)."""
    data = read_up_to(path, max_bytes)
    if len(data) > max_bytes:
        try:
            size = f"{_size(os.stat(path).st_size)}, "
        except OSError:
            size = ""
        raise Unreadable(f"{size}more than the {_size(max_bytes)} allowed")
    return data


def _size(count: int) -> str:
    if count >= 1 << 20:
        return f"{count / (1 << 20):.1f} MiB"
    if count >= 1 << 10:
        return f"{count / (1 << 10):.1f} KiB"
    return f"{count} bytes"
