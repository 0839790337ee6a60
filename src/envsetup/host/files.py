"""The file system as install and verify reach it: each system call they make, behind one name.

install decides (what is the user's, what may be removed, what a failure leaves: install/target.py,
install/ownership.py); this module only carries the decision out. `Files` is the live file
system; install's provision() and preview() take one (default LOCAL), so a test can hand in a
subclass that fails a write as a full disk would, without mounting one.

Every method raises OSError as the call it wraps does (FileNotFoundError, PermissionError...):
the callers word the error, with the path and the fix.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Optional, Union

from envsetup.safe_read import read_regular, read_up_to

PathLike = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class Mount:
    point: str  # where it is mounted, e.g. "/proc"
    fstype: str  # e.g. "proc", "sysfs", "ext4"
    read_only: bool


class FileLock:
    """An exclusive lock on an open file (flock on POSIX, msvcrt on Windows). The OS drops it
    when the process dies, even on kill -9; children given `fileno` hold it while they run."""

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle

    @property
    def fileno(self) -> int:
        return self._handle.fileno()

    def try_acquire(self) -> bool:
        """Take the lock without waiting; False when another process holds it."""
        if os.name == "nt":  # pragma: no cover - exercised on Windows only
            import msvcrt

            # msvcrt locks bytes from the current position; "a+" opens at the end of the file.
            self._handle.seek(0)
            try:
                msvcrt.locking(self._handle.fileno(), msvcrt.LK_NBLCK, 1)
            except OSError:
                return False
            return True
        import fcntl

        try:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def write_holder(self, text: str) -> None:
        """Replace the file's content by `text` (who holds it, for a person looking). A refused
        write (a full disk) empties the file and raises the OSError."""
        try:
            self._handle.seek(0)
            self._handle.truncate()
            self._handle.write(text.encode())
        except OSError:
            with contextlib.suppress(OSError):
                self._handle.truncate(0)
            raise

    def release(self) -> None:
        if os.name == "nt":  # pragma: no cover - exercised on Windows only
            import msvcrt

            self._handle.seek(0)
            msvcrt.locking(self._handle.fileno(), msvcrt.LK_UNLCK, 1)
            return
        import fcntl

        fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)

    def close(self) -> None:
        self._handle.close()


class Files:
    """The live file system. Subclass it in a test to fail or watch a call; nothing else in
    install/ or verify/ calls os, shutil or a Path's file methods itself."""

    # ------------------------------------------------------------------ questions

    def stat(self, path: PathLike, *, follow_symlinks: bool = True) -> os.stat_result:
        return os.stat(path, follow_symlinks=follow_symlinks)

    def exists(self, path: PathLike) -> bool:
        """Follows symlinks: a dangling link does not exist. Errors other than "not there"
        (no search permission on the way) raise, as pathlib's do."""
        return Path(path).exists()

    def is_dir(self, path: PathLike) -> bool:
        return Path(path).is_dir()

    def is_file(self, path: PathLike) -> bool:
        return Path(path).is_file()

    def is_symlink(self, path: PathLike) -> bool:
        return Path(path).is_symlink()

    def list_dir(self, path: PathLike) -> list[Path]:
        """The entries of a directory, as paths under it, in the order the OS gives them."""
        return list(Path(path).iterdir())

    def is_empty_dir(self, path: PathLike) -> bool:
        """Whether a directory has no entries (read up to the first)."""
        return not any(Path(path).iterdir())

    def glob(self, directory: PathLike, pattern: str) -> list[Path]:
        return list(Path(directory).glob(pattern))

    def mount_of(self, path: PathLike) -> Optional[Mount]:
        """The mount holding `path`, or its nearest existing parent: the longest mount point
        above its real path in this machine's mount table (psutil.disk_partitions; the later
        of two mounts on one point, as the kernel shows the later); None when none is listed.
        Read-only is asked of the directory itself (statvfs's ST_RDONLY), not read from the
        table: macOS mounts / read-only and reaches /Users through a firmlink to a writable
        volume, which the table does not show."""
        import psutil

        probe = Path(path)
        while not probe.exists() and probe != probe.parent:
            probe = probe.parent
        real = os.path.realpath(probe)
        best: Optional[Mount] = None
        for part in psutil.disk_partitions(all=True):
            point = part.mountpoint
            inside = real == point or real.startswith(point.rstrip("/\\") + os.sep)
            if inside and (best is None or len(point) >= len(best.point)):
                best = Mount(point, part.fstype, False)
        if best is not None and hasattr(os, "statvfs"):
            with contextlib.suppress(OSError):
                read_only = bool(os.statvfs(probe).f_flag & os.ST_RDONLY)
                best = Mount(best.point, best.fstype, read_only)
        return best

    def realpath(self, path: PathLike) -> Path:
        """Every symlink resolved (a missing tail is kept as spelled)."""
        return Path(os.path.realpath(path))

    def cwd(self) -> Path:
        """This process's working directory."""
        return Path.cwd()

    def home(self) -> Path:
        """The user's home directory (HOME, or the password database); RuntimeError when there is
        none, as Path.home() raises."""
        return Path.home()

    def expand_user(self, path: PathLike) -> Path:
        """A leading `~` or `~user` replaced by that home directory; anything else as spelled."""
        return Path(path).expanduser()

    def absolute(self, path: PathLike) -> Path:
        """The path made absolute against the working directory; symlinks and `..` kept."""
        return Path(path).absolute()

    def which(self, name: str, search_path: Optional[str]) -> Optional[str]:
        """The program `name` on `search_path` (PATH's value; None: this process's PATH)."""
        # Imported here, not at the top: shutil loads bz2, lzma and fnmatch, which explain on a
        # paste never uses.
        import shutil

        return shutil.which(name, path=search_path)

    # ------------------------------------------------------------------ reading

    def read_up_to(self, path: PathLike, limit: int, *, follow_symlinks: bool = True) -> bytes:
        """envsetup.safe_read.read_up_to: a regular file only, never blocking, at most limit+1."""
        return read_up_to(path, limit, follow_symlinks=follow_symlinks)

    def read_regular(self, path: PathLike, max_bytes: int) -> bytes:
        """envsetup.safe_read.read_regular: the whole regular file, or Unreadable saying why."""
        return read_regular(path, max_bytes)

    # ------------------------------------------------------------------ writing

    def make_dirs(self, path: PathLike) -> None:
        """The directory and its missing parents; one already there is fine."""
        Path(path).mkdir(parents=True, exist_ok=True)

    def write_atomically(self, path: PathLike, text: str) -> None:
        """Write `text` (UTF-8) so that a reader, a kill -9 or a full disk never sees half a file:
        a temporary file beside it (`.NAME.*.tmp`, mode 0644), flushed to disk, renamed over it.
        On failure the temporary file is removed and the OSError raised."""
        import tempfile  # here: doctor reads records on its start-up path, and never writes one

        target = Path(path)
        temporary: Optional[str] = None
        try:
            handle, temporary = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
            )
            if hasattr(os, "fchmod"):
                os.fchmod(
                    handle, 0o644
                )  # mkstemp makes it 0600; doctor run by another user reads it
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
            raise

    def create_text(self, path: PathLike) -> IO[str]:
        """A new (or emptied) UTF-8 text file, open for writing: a log."""
        return open(path, "w", encoding="utf-8")

    def open_lock_file(self, path: PathLike) -> FileLock:
        """The file at `path` (created if missing, its content kept), to lock. Unbuffered: a
        write the disk refuses leaves nothing queued for close() to retry."""
        return FileLock(open(path, "a+b", buffering=0))

    # ------------------------------------------------------------------ removing

    def remove_file(self, path: PathLike) -> None:
        """Unlink a file or a symlink (never what it points to); one already gone is fine."""
        Path(path).unlink(missing_ok=True)

    def remove_empty_dir(self, path: PathLike) -> None:
        os.rmdir(path)

    def remove_tree(self, path: PathLike) -> None:
        """Delete a directory and everything under it; symlinks inside are unlinked, never
        followed. Whether it may be deleted is the caller's decision (install/target.py)."""
        import shutil

        shutil.rmtree(path)


LOCAL = Files()
