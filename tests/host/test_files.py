"""host/files.py on the real file system: what install's guarantees rest on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from envsetup.host.files import LOCAL


def test_write_atomically_replaces_whole_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "record.json"
    target.write_text("old\n", encoding="utf-8")
    LOCAL.write_atomically(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["record.json"]
    if os.name != "nt":
        assert target.stat().st_mode & 0o777 == 0o644  # doctor run by another user reads it


def test_an_interrupted_atomic_write_keeps_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C between writing and renaming: the old content stays, the temporary goes."""
    target = tmp_path / "record.json"
    target.write_text("old\n", encoding="utf-8")

    def interrupted(_fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        LOCAL.write_atomically(target, "new\n")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["record.json"]


def test_a_refused_atomic_write_raises_the_oserror_and_leaves_no_temporary(tmp_path: Path) -> None:
    in_the_way = tmp_path / "record.json"
    in_the_way.mkdir()  # a directory where the file goes: the rename fails
    with pytest.raises(OSError):
        LOCAL.write_atomically(in_the_way, "new\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["record.json"]
    assert in_the_way.is_dir()


@pytest.mark.skipif(os.name == "nt", reason="flock")
def test_a_lock_file_is_exclusive_across_processes_and_dropped_on_release(tmp_path: Path) -> None:
    path = tmp_path / "target.lock"
    probe = (
        "import sys; from envsetup.host.files import LOCAL; "
        "lock = LOCAL.open_lock_file(sys.argv[1]); print(lock.try_acquire())"
    )

    def another_process_gets_it() -> bool:
        done = subprocess.run(
            [sys.executable, "-c", probe, str(path)], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip() == "True"

    lock = LOCAL.open_lock_file(path)
    try:
        assert lock.try_acquire()
        lock.write_holder(f"{os.getpid()}\n")
        assert path.read_text() == f"{os.getpid()}\n"
        assert not another_process_gets_it()
        lock.release()
        assert another_process_gets_it()
    finally:
        lock.close()
