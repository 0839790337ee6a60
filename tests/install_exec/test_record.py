from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from envsetup.install.record import (
    completed_record,
    hashes_from_pip_report,
    is_incomplete,
    read_install_record,
    started_record,
    write_install_record,
)

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
