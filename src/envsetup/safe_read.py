"""Reading a file a user (or a machine) can point at: regular files only, and at most so many bytes.

A FIFO named like a profile blocks a plain open() forever, `/dev/zero` reads until memory runs out,
and a 100 MB file is no profile: each is refused with the reason, before anything is parsed.
"""

from __future__ import annotations

import os
import stat
from typing import Union

PathLike = Union[str, "os.PathLike[str]"]


class Unreadable(Exception):
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


def read_regular(path: PathLike, max_bytes: int) -> bytes:
    """The file's bytes, or Unreadable: not a regular file, larger than max_bytes, or an OSError.

    O_NONBLOCK makes opening a FIFO return at once (a plain open waits for a writer); fstat on
    the open descriptor judges what was opened, not what a symlink or a race showed before.
    FileNotFoundError passes through unchanged: callers often treat a missing file as no file.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(os.fspath(path), flags)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise Unreadable(f"cannot be opened ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable(f"{_kind(info.st_mode)}, not a regular file")
        if info.st_size > max_bytes:
            raise Unreadable(f"{_size(info.st_size)}, more than the {_size(max_bytes)} allowed")
        chunks = []
        left = max_bytes + 1  # one byte more tells a file that grew past the cap
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        if left <= 0:
            raise Unreadable(f"grew past the {_size(max_bytes)} allowed while being read")
        return b"".join(chunks)
    except OSError as exc:
        raise Unreadable(f"cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)


def _size(count: int) -> str:
    if count >= 1 << 20:
        return f"{count / (1 << 20):.1f} MiB"
    if count >= 1 << 10:
        return f"{count / (1 << 10):.1f} KiB"
    return f"{count} bytes"
