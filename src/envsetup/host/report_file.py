"""--out and --prometheus: a report file written whole or not at all, named after the node.

A fleet run reads DIR/<node>.json while nodes still write theirs, and node_exporter's textfile
collector reads its folder at every scrape: a reader must never see half a file. So the text goes
to a temporary file in the same folder (same file system, so that the rename is atomic), is
flushed to disk, and takes the final name with os.replace; on any failure the temporary file is
removed and the old report, if any, stays as it was. (The textfile collector's own advice: write
to a temporary file and rename it, https://github.com/prometheus/node_exporter#textfile-collector.)
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Mapping, Optional

from envsetup.errors import UsageError

HOST_PLACEHOLDER = "{host}"
# Slurm sets it in a job step and in slurmd's HealthCheckProgram: the node's name in slurm.conf,
# which need not be its host name (https://slurm.schedmd.com/prolog_epilog.html).
NODE_VARIABLE = "SLURMD_NODENAME"


def node_name(environ: Optional[Mapping[str, str]] = None) -> str:
    """This node's name: $SLURMD_NODENAME, else the host name up to its first dot. A path
    separator in it becomes "_": the name is a file name in the run folder."""
    environ = os.environ if environ is None else environ
    name = (environ.get(NODE_VARIABLE) or "").strip() or _host_name().split(".")[0]
    for separator in {os.sep, os.altsep or os.sep, "/"}:
        name = name.replace(separator, "_")
    return name or "localhost"


def _host_name() -> str:
    """gethostname(): os.uname's node name where there is one (no socket import on doctor's
    start-up), socket's elsewhere (Windows)."""
    uname = getattr(os, "uname", None)
    if uname is not None:
        return uname().nodename
    import socket

    return socket.gethostname()


def expand(template: str, node: str) -> str:
    """The path with every {host} replaced by the node's name."""
    return template.replace(HOST_PLACEHOLDER, node)


def check_writable(path: str, option: str) -> None:
    """A UsageError, before anything runs, when `path` cannot be written: its folder missing,
    not a folder, or not writable, or the path itself a folder."""
    target = Path(path)
    folder = target.parent
    reason = None
    if target.is_dir():
        reason = "it is a directory"
    elif not folder.exists():
        reason = f"its folder {folder} does not exist"
    elif not folder.is_dir():
        reason = f"{folder} is not a folder"
    elif not os.access(folder, os.W_OK | os.X_OK):
        reason = f"its folder {folder} is not writable"
    if reason:
        raise UsageError(
            f"{option} {path}: cannot write the report there ({reason}); fix: create the folder "
            "or pick a writable path"
        )


def write_atomically(path: str, text: str) -> None:
    """Write `text` (UTF-8) to `path` so that readers see the old file or the whole new one.
    Raises OSError when it cannot; the temporary file is gone then."""
    target = Path(path)
    fd, temporary = tempfile.mkstemp(
        dir=str(target.parent), prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp makes the file 0600; a report is read by others (the fleet report, node_exporter).
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(target.parent)


def write_report(path: str, text: str, option: str) -> None:
    """`text` written to the file an option names (--junit FILE), atomically. Raises UsageError,
    one line naming the option, the path and why, when it cannot be written."""
    try:
        write_atomically(path, text)
    except OSError as exc:
        raise UsageError(
            f"{option} {path}: cannot write the file ({exc.strerror or exc}); fix: pick a "
            "writable path"
        ) from None


def _sync_folder(folder: Path) -> None:
    """The rename itself reaches the disk (POSIX: fsync of the directory); best effort, and not
    possible on Windows."""
    try:
        fd = os.open(str(folder), os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
