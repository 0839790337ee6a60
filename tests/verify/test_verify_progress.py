"""verify shows each check as it runs: a live row with its elapsed time on a terminal (a real pty),
plain lines through a pipe, and on Ctrl-C the check it interrupted; then the table as before."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from envsetup.render.progress import HEARTBEAT_S, SPINNER, elapsed
from ptys import envsetup_argv, run_in_pty
from venvs import bare_venv, fake_torch

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX pseudo-terminals")

REAL_CHECKS = "torch.import,tensor.roundtrip,matmul"
# A finished check's line, as both forms print it.
DONE = re.compile(r"^ [✓✗-] \[(\d+)/(\d+)\] (\S+): (pass|fail|skip) \((\d+\.\d\d)s\)$")
# A live row: spinner frame, elapsed time, [n/N] check id.
LIVE_ROW = re.compile(rf"[{SPINNER}] (\d+\.\d)s \[(\d+)/(\d+)\] (\S+)")
TABLE_TOP = "┏"
# The plain log's heartbeat: a check (or the run's finishing) silent for HEARTBEAT_S. A loaded
# machine can make torch's import take that long, so a pipe may carry it between finished lines.
BEAT = re.compile(r"^  … still running: (\[(\d+)/(\d+)\] (\S+)|finishing|between steps) \((\S+)\)$")


def finished_lines(lines: list[str]) -> list[re.Match[str]]:
    """The finished-check lines of a plain log, each other line being a heartbeat for the check
    still running then (never one already finished, never a check out of turn)."""
    done: list[re.Match[str]] = []
    for line in lines:
        finished = DONE.match(line)
        if finished:
            done.append(finished)
            continue
        beat = BEAT.match(line)
        assert beat, f"neither a finished check nor a heartbeat: {line!r}"
        if beat.group(2) is not None:
            assert int(beat.group(2)) == len(done) + 1, (line, lines)
    return done


@pytest.fixture(scope="module")
def hanging_target(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A real venv whose `torch` is an empty package: enough for the test-only checks."""
    python = bare_venv(tmp_path_factory.mktemp("venv") / "env")
    fake_torch(python)
    return python


def piped(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        envsetup_argv(*args), capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.mark.needs_torch
def test_a_terminal_sees_each_check_live_then_the_table() -> None:
    pytest.importorskip("torch")
    args = ("verify", "--python", sys.executable, "--only", REAL_CHECKS)
    run = run_in_pty(envsetup_argv(*args), columns=60)
    assert run.returncode == 0, run.text[-3000:]
    text = run.text
    rows = LIVE_ROW.findall(text)
    # Every check had its live row, numbered, while it ran; the rows were redrawn as time passed.
    assert {(n, total, check) for _, n, total, check in rows} >= {
        ("1", "3", "torch.import"),
        ("2", "3", "tensor.roundtrip"),
        ("3", "3", "matmul"),
    }
    times = [float(seconds) for seconds, _, _, check in rows if check == "torch.import"]
    assert times == sorted(times) and times[-1] > times[0], times
    # The live rows are drawn over (carriage return, erase line) and gone before the table.
    assert "\r\x1b[2K" in run.raw
    table = text.index(TABLE_TOP)
    assert not LIVE_ROW.search(text[table:])
    done = re.findall(DONE.pattern.strip("^$"), text[:table])
    assert [check for _, _, check, _, _ in done] == REAL_CHECKS.split(",")
    # No silent stretch: the row is redrawn several times a second until the table is out.
    until = next(t for t, chunk in run.chunks if TABLE_TOP.encode() in chunk)
    assert run.longest_silence(until) < 1.0


@pytest.mark.needs_torch
def test_a_pipe_gets_one_plain_line_per_finished_check_then_the_table() -> None:
    pytest.importorskip("torch")
    out = piped("verify", "--python", sys.executable, "--only", REAL_CHECKS)
    assert out.returncode == 0, out.stderr
    assert "\x1b" not in out.stdout and not set(SPINNER) & set(out.stdout)
    lines = out.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("verify "))
    done = finished_lines(lines[:header])
    assert [(m.group(1), m.group(3), m.group(4)) for m in done] == [
        ("1", "torch.import", "pass"),
        ("2", "tensor.roundtrip", "pass"),
        ("3", "matmul", "pass"),
    ]
    assert any(line.startswith(TABLE_TOP) for line in lines[header:])  # then the report


@pytest.mark.needs_torch
def test_with_json_stdout_is_the_document_and_the_lines_go_to_stderr() -> None:
    pytest.importorskip("torch")
    out = piped("verify", "--python", sys.executable, "--only", "torch.import", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["data"]["checks"][0]["id"] == "torch.import"
    done = finished_lines(out.stderr.splitlines())
    assert [m.group(3) for m in done] == ["torch.import"]


def test_ctrl_c_on_a_terminal_names_the_check_it_interrupted(hanging_target: str) -> None:
    args = ("verify", "--python", hanging_target, "--only", "_test.hang", "--timeout", "120")
    run = run_in_pty(
        envsetup_argv(*args), columns=100, interrupt_when=lambda text: "1.0s [1/1]" in text
    )
    assert run.returncode == 130, run.text[-2000:]
    lines = run.lines
    said = next(line for line in lines if line.startswith("✗ interrupted:"))
    assert re.fullmatch(r"✗ interrupted: \[1/1\] _test\.hang after \d+\.\ds", said), said
    assert lines[-1] == "envsetup: interrupted"
    assert "Traceback" not in run.text


def test_ctrl_c_through_a_pipe_names_the_check_and_stderr_stays_one_line(
    hanging_target: str,
) -> None:
    import signal
    import time

    argv = envsetup_argv("verify", "--python", hanging_target, "--only", "_test.hang")
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3)  # the worker started and the check runs
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert err == "envsetup: interrupted\n"  # as tests/test_interrupt_anywhere.py wants it
    assert re.search(r"^ ✗ interrupted: \[1/1\] _test\.hang after \d+\.\ds$", out, re.M), out


def test_a_silent_check_in_a_log_gets_a_still_running_line(hanging_target: str) -> None:
    timeout = HEARTBEAT_S + 2.5
    out = piped(
        "verify", "--python", hanging_target, "--only", "_test.hang", "--timeout", str(timeout)
    )
    assert out.returncode == 1, out.stderr
    beats = re.findall(r"^  … still running: \[1/1\] _test\.hang \((\d+\.\d)s\)$", out.stdout, re.M)
    assert len(beats) == 1 and float(beats[0]) >= HEARTBEAT_S, out.stdout
    assert re.search(r"^ ✗ \[1/1\] _test\.hang: fail \(\d+\.\d\ds\)$", out.stdout, re.M)


def test_a_bad_flag_is_the_one_error_line_without_a_progress_line(tmp_path: Path) -> None:
    out = piped("verify", "--python", sys.executable, "--timeout", "0")
    assert out.returncode == 2
    assert out.stdout == ""
    assert out.stderr.count("\n") == 1 and "--timeout" in out.stderr


@pytest.mark.parametrize(
    ("seconds", "shown"), [(0.04, "0.0s"), (3.25, "3.2s"), (59.94, "59.9s"), (65.2, "1m05s")]
)
def test_elapsed_time_stays_short(seconds: float, shown: str) -> None:
    assert elapsed(seconds) == shown


def test_the_live_row_says_torch_compile_is_warming_up() -> None:
    import io
    import time

    from rich.console import Console

    from envsetup.render.progress import VerifyProgress
    from envsetup.verify.catalogue import all_checks

    written = io.StringIO()
    out = Console(file=written, width=100, force_terminal=True, highlight=False)
    compile_check = next(c for c in all_checks() if c.id == "compile")
    with VerifyProgress(out) as display:
        display.started(compile_check, 9, 12)
        time.sleep(0.5)  # a few redraws of the live row
    rows = re.findall(
        rf"[{SPINNER}] \x1b\[0m\x1b\[1m(\d+\.\d)s\x1b\[0m ([^\r\n]*)", written.getvalue()
    )
    assert rows and all(
        text.startswith("[9/12] compile · torch.compile warms up: the first call compiles")
        for _, text in rows
    ), rows
    assert float(rows[-1][0]) >= 0.3


def test_a_heartbeat_is_allowed_only_for_the_check_then_running() -> None:
    """The pipe tests above let a slow machine's heartbeat through, and nothing else."""
    first = " ✓ [1/2] torch.import: pass (6.10s)"
    second = " ✓ [2/2] matmul: pass (0.20s)"
    beat = "  … still running: [1/2] torch.import (5.0s)"
    assert len(finished_lines([beat, first, second])) == 2
    with pytest.raises(AssertionError):
        finished_lines([first, beat, second])  # a beat for a check already finished
    with pytest.raises(AssertionError):
        finished_lines([first, "Traceback (most recent call last):", second])
