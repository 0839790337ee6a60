from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pytest

from envsetup.install.record import (
    RecordWriteError,
    completed_record,
    hashes_from_pip_report,
    read_install_record,
    started_record,
    write_install_record,
)
from envsetup.record_state import is_incomplete

from .local_index import BuiltWheel


def test_no_record_reads_as_none(tmp_path: Path) -> None:
    assert read_install_record(tmp_path) is None


def test_a_corrupt_record_reads_as_unreadable_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "envsetup-install.json").write_text('{"state": "incompl')
    record = read_install_record(tmp_path)
    assert record is not None
    assert record["state"] == "unreadable"
    assert "is not JSON" in record["reason"]
    (tmp_path / "envsetup-install.json").write_text("[1, 2]")
    assert read_install_record(tmp_path)["state"] == "unreadable"  # type: ignore[index]


@pytest.mark.skipif(os.name == "nt", reason="FIFOs, /dev/zero")
@pytest.mark.parametrize(
    ("plant", "reason"),
    [
        (lambda r: os.mkfifo(r), "is a FIFO, not a regular file"),
        (lambda r: r.symlink_to("/dev/zero"), "is a symbolic link"),
        (lambda r: r.symlink_to(r.parent / "elsewhere.json"), "is a symbolic link"),
        (lambda r: r.mkdir(), "is a directory, not a regular file"),
        (lambda r: r.write_text("[" * 200_000 + "]" * 200_000), "nested too deep"),
        (lambda r: r.write_text('{"a":' * 40 + "1" + "}" * 40), "nested too deep"),
        (lambda r: r.write_bytes(b'\xff\xfe{"state": "incomplete"}'), "is not UTF-8 text"),
        (lambda r: r.write_text(" " * (2 << 20) + "{}"), "larger than the 1 MiB"),
    ],
    ids=["fifo", "dev-zero", "link", "directory", "deep", "deep-object", "utf8", "huge"],
)
def test_a_record_that_is_no_record_reads_as_unreadable_at_once(
    tmp_path: Path, plant: Callable[[Path], None], reason: str
) -> None:
    (tmp_path / "elsewhere.json").write_text('{"state": "incomplete", "mode": "new"}')
    record = tmp_path / "envsetup-install.json"
    plant(record)
    started = time.monotonic()
    read = read_install_record(tmp_path)
    assert time.monotonic() - started < 2
    assert read is not None and read["state"] == "unreadable"
    assert read["reason"].startswith(f"{record} ")
    assert reason in read["reason"]
    assert is_incomplete(read) is False


def test_a_record_nested_as_deep_as_envsetup_writes_reads(tmp_path: Path) -> None:
    record = {"state": "complete", "plan": {"steps": [{"argv": ["uv", "pip"]}]}}
    write_install_record(tmp_path, record)
    assert read_install_record(tmp_path) == record


def test_a_directory_where_the_record_goes_is_kept_and_named(tmp_path: Path) -> None:
    (tmp_path / "envsetup-install.json" / "inside").mkdir(parents=True)
    with pytest.raises(RecordWriteError, match="a directory stands where that file goes") as failed:
        write_install_record(tmp_path, {"state": "incomplete"})
    assert "\n" not in str(failed.value)
    assert (tmp_path / "envsetup-install.json" / "inside").is_dir()
    assert [p.name for p in tmp_path.iterdir()] == ["envsetup-install.json"]  # no temporary left


def test_started_then_completed(tmp_path: Path) -> None:
    started = started_record(
        envsetup_version="0.1.0",
        started_at="2026-01-01T00:00:00Z",
        resolution={"variant": "cpu"},
        plan={"steps": []},
        mode="new",
    )
    write_install_record(tmp_path, started)
    assert is_incomplete(read_install_record(tmp_path))
    done = completed_record(
        started,
        finished_at="2026-01-01T00:01:00Z",
        installed={"torch": "2.0.1+cpu", "filelock": "3.0"},
        hashes={},
        verify="ran",
    )
    write_install_record(tmp_path, done)
    read = read_install_record(tmp_path)
    assert read is not None and not is_incomplete(read)
    assert list(read["installed"]) == ["filelock", "torch"]
    assert not list(tmp_path.glob("*.tmp"))


def test_hashes_come_from_a_report_real_pip_wrote(tmp_path: Path, pytorch_index: Path) -> None:
    report = tmp_path / "report.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--quiet",
            "--no-deps",
            "--report",
            str(report),
            "--index-url",
            (pytorch_index / "cu117").as_uri(),
            "torch==2.0.1+cu117",
            "torchaudio==2.0.2+cu117",
        ],
        check=True,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("PIP_")},
            "PIP_CONFIG_FILE": os.devnull,
        },
        timeout=120,
    )
    wheels = {
        name: BuiltWheel(name, version, next((pytorch_index / "cu117" / name).glob("*.whl")))
        for name, version in (("torch", "2.0.1+cu117"), ("torchaudio", "2.0.2+cu117"))
    }
    assert hashes_from_pip_report(json.loads(report.read_text())) == {
        f"{w.project}=={w.version}": f"sha256:{w.sha256()}" for w in wheels.values()
    }
