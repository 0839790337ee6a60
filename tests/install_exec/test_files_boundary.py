"""install reaches the file system through one Files object (envsetup.host.files), so a test can
hand it a disk that fills up at any chosen write: every write of a real install (uv, a real local
index) is made to fail in turn, and each failure must be one line that leaves nothing of its own
behind and nothing of the user's touched. Runs without the root a tmpfs mount needs
(test_data_safety.py fills real ones where it may)."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import IO, Callable, Optional

from envsetup.errors import EnvsetupError
from envsetup.host.files import LOCAL, FileLock, Files, PathLike
from envsetup.install.execute import provision
from envsetup.install.preview import preview
from envsetup.install.record import read_install_record

from .helpers import resolution_for, snapshot

# More writes than an install makes: the loop below must end in a success well before.
MOST_WRITES = 40


class FullDisk(Files):
    """The live file system, with a disk that is full from the `fail_from`-th write on (0: the
    first). Removing still works, as it does on a full disk."""

    def __init__(self, fail_from: Optional[int]) -> None:
        self.fail_from = fail_from
        self.writes: list[str] = []

    def _write(self, what: str, path: PathLike) -> None:
        self.writes.append(f"{what} {path}")
        if self.fail_from is not None and len(self.writes) > self.fail_from:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    def make_dirs(self, path: PathLike) -> None:
        self._write("make_dirs", path)
        super().make_dirs(path)

    def write_atomically(self, path: PathLike, text: str) -> None:
        self._write("write_atomically", path)
        super().write_atomically(path, text)

    def create_text(self, path: PathLike) -> IO[str]:
        self._write("create_text", path)
        return super().create_text(path)

    def open_lock_file(self, path: PathLike) -> FileLock:
        self._write("open_lock_file", path)
        disk = self

        class Lock(FileLock):
            def write_holder(self, text: str) -> None:
                disk._write("write_holder", path)
                super().write_holder(text)

        return Lock(open(path, "a+b", buffering=0))


def _temporaries(root: Path) -> list[str]:
    return [str(p) for p in root.rglob("*.tmp")]


def _claims(state: Path) -> list[Path]:
    return sorted((state / "claims").glob("*")) if (state / "claims").is_dir() else []


def _install(tmp_path: Path, index: Path, env: Path, disk: Files, **flags: bool) -> None:
    provision(
        resolution_for("cpu", env, projects=("torch",)),
        index_url_base=str(index),
        log_dir=str(tmp_path / "logs"),
        host_files=disk,
        **flags,
    )


def _fail_each_write_in_turn(
    tmp_path: Path, index: Path, env: Path, after_failure: Callable[[str], None], **flags: bool
) -> list[str]:
    """Run the same install with its 1st, 2nd, ... write failing, until one succeeds; after each
    failure check what every failure must keep (one line, the disk's reason, no temporary file
    left, nothing claimed) and `after_failure(message)`. Returns the failures' messages."""
    messages: list[str] = []
    for fail_from in range(MOST_WRITES):
        disk = FullDisk(fail_from)
        try:
            _install(tmp_path, index, env, disk, **flags)
        except EnvsetupError as exc:
            message = str(exc)
            failed = disk.writes[-1]
            assert "\n" not in message and "No space left on device" in message, (failed, message)
            assert not _temporaries(tmp_path), (failed, _temporaries(tmp_path))
            assert not _claims(tmp_path / "envsetup-state"), (failed, message)
            after_failure(message)
            messages.append(message)
            continue
        assert len(disk.writes) <= fail_from, "it succeeded although a write failed"
        return messages
    raise AssertionError(f"the install still failed with {MOST_WRITES} writes allowed")


def test_a_disk_full_at_any_write_of_a_new_install_leaves_nothing(
    tmp_path: Path, pytorch_index: Path, state_dir: Path
) -> None:
    env = tmp_path / "env"

    def nothing_made(message: str) -> None:
        assert not env.exists(), message

    messages = _fail_each_write_in_turn(tmp_path, pytorch_index, env, nothing_made)
    # Every kind of write an install makes failed once: the lock, the log, the claim, the record.
    assert len(messages) >= 9, messages
    for says in ("cannot take the install lock", "log directory", "install log", "install claim"):
        assert any(says in m for m in messages), (says, messages)
    assert sum("install record" in m for m in messages) == 2, messages  # started, completed
    assert any(f"removed the new environment {env}" in m for m in messages), messages
    assert read_install_record(env)["state"] == "complete"  # type: ignore[index]
    assert state_dir.is_dir() and not _claims(state_dir)


def test_a_disk_full_at_any_write_of_an_upgrade_leaves_the_environment_working(
    tmp_path: Path, pytorch_index: Path
) -> None:
    env = tmp_path / "env"
    _install(tmp_path, pytorch_index, env, LOCAL)
    mine = env / "keepsake.txt"
    mine.write_text("mine", encoding="utf-8")
    before = (env / "envsetup-install.json").read_bytes()

    def kept(message: str) -> None:
        assert mine.read_text(encoding="utf-8") == "mine" and (env / "pyvenv.cfg").is_file()
        record = read_install_record(env)
        assert record is not None and record["state"] in ("complete", "incomplete"), message
        if (env / "envsetup-install.json").read_bytes() != before:
            # The disk refused the previous record back too: the message says what is left.
            assert record["state"] == "incomplete" and "still says incomplete" in message, message

    messages = _fail_each_write_in_turn(tmp_path, pytorch_index, env, kept, upgrade=True)
    assert any("existing environment" in m for m in messages), messages
    assert read_install_record(env)["state"] == "complete"  # type: ignore[index]


def test_a_dry_run_writes_nothing(tmp_path: Path, state_dir: Path) -> None:
    """preview() goes through the same Files: none of its writes is asked for, and the disk
    (state directory, log directory, target) is as it was."""
    disk = FullDisk(fail_from=None)
    before = snapshot(tmp_path)
    shown = preview(
        resolution_for("cpu", tmp_path / "env", projects=("torch",)),
        log_dir=str(tmp_path / "logs"),
        host_files=disk,
    )
    assert disk.writes == []
    assert snapshot(tmp_path) == before and not state_dir.exists()
    assert shown.mode == "new" and not shown.problems, shown.problems
