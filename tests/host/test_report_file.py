"""host/report_file.py: a report is written whole or not at all, and named after the node; and
host/budget.py's Deadline and BudgetedHost (the --budget clock every probe command runs under)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from envsetup.errors import UsageError
from envsetup.host.budget import BudgetedHost, Deadline, parse_budget, step_name
from envsetup.host.live import LiveHost
from envsetup.host.report_file import check_writable, expand, node_name, write_atomically

SRC = str(Path(__file__).resolve().parents[2] / "src")


def test_a_report_replaces_the_old_one_whole(tmp_path: Path) -> None:
    target = tmp_path / "n1.json"
    target.write_text("old", encoding="utf-8")
    write_atomically(str(target), "new report\n")
    assert target.read_text(encoding="utf-8") == "new report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n1.json"]  # no temporary file left
    assert oct(target.stat().st_mode & 0o777) == oct(0o644)  # others (node_exporter) read it


def test_a_failure_mid_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "n1.json"
    target.write_text("old", encoding="utf-8")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError):
        write_atomically(str(target), "x" * 100_000)
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n1.json"]


def test_a_failure_before_any_old_file_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(src: str, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refused)
    with pytest.raises(OSError):
        write_atomically(str(tmp_path / "n1.json"), "report")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_signal_mid_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    """A real SIGTERM lands while the report is being written (between the write and the
    flush to disk); the handler ends the run as entry.py's does (SystemExit 143)."""
    target = tmp_path / "n1.json"
    target.write_text("old", encoding="utf-8")
    program = textwrap.dedent(
        f"""
        import os, signal, sys
        sys.path.insert(0, {SRC!r})
        from envsetup.host.report_file import write_atomically

        def terminated(signum, frame):
            raise SystemExit(128 + signum)

        signal.signal(signal.SIGTERM, terminated)
        real_fsync = os.fsync

        def fsync_then_killed(fd):
            os.kill(os.getpid(), signal.SIGTERM)
            real_fsync(fd)

        os.fsync = fsync_then_killed
        write_atomically({str(target)!r}, "new" * 1_000_000)
        """
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, timeout=60)
    assert done.returncode == 143, done.stderr
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n1.json"]


def test_the_node_name_is_slurm_s_else_the_short_host_name() -> None:
    assert node_name({"SLURMD_NODENAME": "gpu-n037"}) == "gpu-n037"
    short = node_name({})
    assert short and "." not in short
    assert short == os.uname().nodename.split(".")[0]
    assert node_name({"SLURMD_NODENAME": "a/../b"}) == "a_.._b"  # stays in the run folder
    assert expand("/runs/{host}.json", "n3") == "/runs/n3.json"
    assert expand("/runs/{host}/{host}.prom", "n3") == "/runs/n3/n3.prom"


@pytest.mark.parametrize(
    "path, reason",
    [
        ("missing/n1.json", "does not exist"),
        ("a-file/n1.json", "is not a folder"),
        (".", "is a directory"),
    ],
)
def test_an_unwritable_path_is_one_usage_line(tmp_path: Path, path: str, reason: str) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        check_writable(str(tmp_path / path), "--out")
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"--out {tmp_path / path}: ")
    assert reason in message and "fix:" in message


@pytest.mark.parametrize("value", ["0", "-5", "abc", "nan", "inf", "", "1e999"])
def test_a_budget_that_is_not_a_positive_number_is_a_usage_error(value: str) -> None:
    with pytest.raises(UsageError, match=r"--budget .*not a positive number of seconds; fix:"):
        parse_budget(value)


def test_a_budget_is_seconds() -> None:
    assert parse_budget("0.5") == 0.5
    assert parse_budget("50") == 50.0
    assert parse_budget(None) is None


def test_the_deadline_gives_each_step_what_is_left() -> None:
    now = [100.0]
    deadline = Deadline(10.0, started=100.0, clock=lambda: now[0])
    # A tenth of the budget (at most 0.25 s) is kept for diagnose, render and the files.
    assert deadline.remaining() == pytest.approx(9.75)
    assert deadline.limit(8.0) == 8.0
    now[0] = 105.0
    assert deadline.limit(8.0) == pytest.approx(4.75)
    now[0] = 110.0
    assert deadline.expired() and deadline.remaining() == 0.0
    assert deadline.report().elapsed_s == 10.0


def test_step_names() -> None:
    assert step_name(["/usr/bin/nvidia-smi", "-q", "-x"], {}) == "nvidia-smi -q -x"
    assert step_name(["/usr/local/cuda/bin/nvcc", "--version"], {}) == "nvcc --version"
    assert step_name(["/usr/bin/python3", "-c", "print()", "envsetup-deep"], {}) == "python3"
    tags = {"envsetup-deep": "deep"}
    assert step_name(["/usr/bin/python3", "-c", "print()", "envsetup-deep"], tags) == "deep"


def test_a_slow_command_is_ended_at_the_deadline_and_named(tmp_path: Path) -> None:
    """A real process that would sleep for a minute, on the live host."""
    deadline = Deadline(1.0)
    host = BudgetedHost(LiveHost(), deadline)
    result = host.run(["/bin/sleep", "60"], timeout=30.0)
    assert result.timed_out and deadline.elapsed() < 5.0
    assert deadline.cut == ["sleep"]
    # After the deadline nothing more is started.
    marker = tmp_path / "ran"
    late = host.run(["/bin/touch", str(marker)], timeout=8.0)
    assert late.timed_out and not marker.exists()
    assert deadline.cut == ["sleep", "touch"]


def test_a_command_within_its_own_timeout_is_not_a_cut() -> None:
    deadline = Deadline(60.0)
    host = BudgetedHost(LiveHost(), deadline)
    result = host.run(["/bin/sleep", "5"], timeout=0.3)  # its own timeout, not the budget's
    assert result.timed_out and deadline.cut == []
