"""Proof that an install made a directory, so that what it left may be recognised as its own.

An install that creates an environment first writes a claim into envsetup's state directory,
keyed by the target's real path: a random token, the path, and (once the directory exists) its
device and inode. The install record inside the environment carries the same token and path. A
later install takes a directory for an interrupted new environment of envsetup's only when all of
them agree with the directory in front of it — and even then removes it only with --force
(target.py). A record planted by hand, copied or moved elsewhere, or left in a directory that
was deleted and made again (another inode) proves nothing.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Optional

from envsetup.host.files import LOCAL, Files
from envsetup.install.record import RecordWriteError, write_json_atomically
from envsetup.install.state import STATE_DIR_ENV, target_key

CLAIMS = "claims"
MAX_CLAIM_BYTES = 64 * 1024


@dataclass(frozen=True)
class Claim:
    path: str  # the resolved real path of the target
    token: str
    keeps_dir: bool = False  # the directory existed (empty) before: empty it, never remove it
    dev: Optional[int] = None
    ino: Optional[int] = None

    def owner(self) -> dict[str, str]:
        """What the install record carries to name the run that made the environment."""
        return {"token": self.token, "path": self.path}


def new_claim(real: Path, *, keeps_dir: bool) -> Claim:
    return Claim(path=str(real), token=secrets.token_hex(16), keeps_dir=keeps_dir)


def claim_path(state: Path, real: Path) -> Path:
    return state / CLAIMS / f"{target_key(real)}.json"


def with_directory(claim: Claim, real: Path, host_files: Files = LOCAL) -> Claim:
    """The claim, naming the directory now at `real` by device and inode."""
    st = host_files.stat(real, follow_symlinks=False)
    return replace(claim, dev=st.st_dev, ino=st.st_ino)


def write_claim(state: Path, claim: Claim, host_files: Files = LOCAL) -> Path:
    path = claim_path(state, Path(claim.path))
    fix = (
        "free space there (or make it writable), or point "
        f"{STATE_DIR_ENV} at a writable directory, then run the install again"
    )
    try:
        host_files.make_dirs(path.parent)
    except OSError as exc:
        raise RecordWriteError(
            f"envsetup state directory {path.parent}: cannot create it ({exc.strerror or exc}); {fix}"
        ) from None
    return write_json_atomically(
        path, asdict(claim), what="install claim", fix=fix, host_files=host_files
    )


def read_claim(state: Path, real: Path, host_files: Files = LOCAL) -> Optional[Claim]:
    # A claim is envsetup's own small file; anything else there (a FIFO, a huge or garbled file)
    # proves nothing, and must not block or exhaust the install that reads it.
    try:
        text = host_files.read_regular(claim_path(state, real), MAX_CLAIM_BYTES).decode("utf-8")
        data = json.loads(text)
        return Claim(**data) if isinstance(data, dict) else None
    except (OSError, ValueError, TypeError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None


def drop_claim(state: Path, real: Path, host_files: Files = LOCAL) -> None:
    # A stale claim is harmless (it proves nothing without a matching record and inode).
    with contextlib.suppress(OSError):
        host_files.remove_file(claim_path(state, real))


def is_our_directory(claim: Optional[Claim], real: Path, host_files: Files = LOCAL) -> bool:
    """`real` is the very directory the claiming run made (or found empty): same path, same inode."""
    if claim is None or claim.ino is None or claim.path != str(real):
        return False
    try:
        st = host_files.stat(real, follow_symlinks=False)
    except OSError:
        return False
    return (st.st_dev, st.st_ino) == (claim.dev, claim.ino)


def proves_ownership(
    claim: Optional[Claim], record: Optional[dict[str, Any]], real: Path, host_files: Files = LOCAL
) -> bool:
    """The claim, the record inside `real` and the directory itself all name one creating run."""
    if claim is None or not isinstance(record, dict):
        return False
    owner = record.get("owner")
    if not isinstance(owner, dict):
        return False
    same_run = owner.get("token") == claim.token and owner.get("path") == claim.path
    return same_run and is_our_directory(claim, real, host_files)
