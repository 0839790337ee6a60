"""install streams each step with its elapsed time: on a terminal (a real pty) a live row that is
never silent for a second while pip downloads from a slow mirror; through a pipe plain lines."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console

from envsetup.render import progress
from envsetup.render.progress import SPINNER, InstallProgress
from ptys import envsetup_argv, run_in_pty

from .local_index import serve_slowly

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX pseudo-terminals")

STARTED = re.compile(r"==> \[(\d+)/(\d+)\] (.+)")
DONE = re.compile(r"✓ \[(\d+)/(\d+)\] (\S+) done \((\d+\.\d)s\)")
LIVE_ROW = re.compile(rf"[{SPINNER}] (\d+\.\d)s \[(\d+)/(\d+)\] ")


def install_args(tmp_path: Path, base: str) -> list[str]:
    python = f"{sys.version_info[0]}.{sys.version_info[1]}"
    return [
        *("install", "--torch", "2.0", "--cuda", "cpu", "--python", python),
        *("--env", str(tmp_path / "env"), "--log-dir", str(tmp_path / "logs")),
        *("--index-url-base", base),
    ]


def test_a_terminal_sees_every_step_live_and_no_silent_second(
    tmp_path: Path, pytorch_index: Path
) -> None:
    with serve_slowly(pytorch_index, delay_s=0.3, chunk_delay_s=0.02) as base:
        run = run_in_pty(envsetup_argv(*install_args(tmp_path, base)), columns=60, timeout=600)
    assert run.returncode == 0, run.text[-3000:]
    lines = run.lines
    started = [STARTED.fullmatch(line) for line in lines if STARTED.fullmatch(line)]
    done = [DONE.fullmatch(line) for line in lines if DONE.fullmatch(line)]
    total = int(started[0].group(2))  # type: ignore[union-attr]
    assert [int(m.group(1)) for m in started] == list(range(1, total + 1))  # type: ignore[union-attr]
    assert [int(m.group(1)) for m in done] == list(range(1, total + 1))  # type: ignore[union-attr]
    assert [m.group(3) for m in done][-2:] == ["read-back", "verify"]  # type: ignore[union-attr]
    # The live row ran through every step with its elapsed time, and the pip lines went by.
    live = LIVE_ROW.findall(run.text)
    assert {int(n) for _, n, _ in live} == set(range(1, total + 1))
    assert any(line.startswith("| ") for line in lines)
    assert run.longest_silence() < 1.0


def test_a_pipe_gets_plain_lines_with_each_steps_time(tmp_path: Path, pytorch_index: Path) -> None:
    out = subprocess.run(
        envsetup_argv(*install_args(tmp_path, str(pytorch_index))),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "\x1b" not in out.stdout and not set(SPINNER) & set(out.stdout)
    lines = out.stdout.splitlines()
    numbered = [(i, STARTED.fullmatch(line)) for i, line in enumerate(lines)]
    starts = [(i, m) for i, m in numbered if m]
    ends = [(i, DONE.fullmatch(line.strip())) for i, line in enumerate(lines)]
    ends = [(i, m) for i, m in ends if m]
    assert len(starts) == len(ends) == int(starts[0][1].group(2))
    for (start, begun), (end, ended) in zip(starts, ends):
        assert start < end and begun.group(1) == ended.group(1)
        # Between a step's start and its end: its own output, provision's notes (a long one
        # wrapped, hanging under its text), heartbeats.
        between = lines[start + 1 : end]
        assert all(
            line.startswith(("  | ", "==> ", "    ", "  … still running: ")) for line in between
        )


def test_a_silent_step_in_a_log_gets_a_still_running_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "HEARTBEAT_S", 0.3)
    written = io.StringIO()
    out = Console(file=written, width=100, color_system=None, highlight=False)
    assert not out.is_terminal
    with InstallProgress(out) as display:
        display.step_started("install", "install torch", 2, 4)
        display("Downloading torch-2.0.1+cpu-cp311-cp311-linux_x86_64.whl (195.4 MB)")
        time.sleep(0.9)  # the download, silent
        display.step_finished("install", 0.9, 2, 4)
    lines = written.getvalue().splitlines()
    assert lines[:2] == [
        "==> [2/4] install torch",
        "  | Downloading torch-2.0.1+cpu-cp311-cp311-linux_x86_64.whl (195.4 MB)",
    ]
    beats = [line for line in lines[2:-1] if line.startswith("  … still running: [2/4]")]
    assert beats and len(beats) == len(lines) - 3, lines
    assert lines[-1] == "✓ [2/4] install done (0.9s)"


def test_the_steps_own_announcement_is_not_printed_twice() -> None:
    written = io.StringIO()
    out = Console(file=written, width=100, color_system=None, highlight=False)
    with InstallProgress(out) as display:
        display("==> log: /tmp/x.log")
        display.step_started("create-env", "create a venv", 1, 3)
        display("==> create a venv")  # provision's own line for the step just announced
        display.step_finished("create-env", 0.25, 1, 3)
    assert written.getvalue().splitlines() == [
        "==> log: /tmp/x.log",
        "==> [1/3] create a venv",
        "✓ [1/3] create-env done (0.2s)",
    ]


def test_a_failing_step_says_which_and_after_how_long() -> None:
    written = io.StringIO()
    out = Console(file=written, width=100, color_system=None, highlight=False)
    with pytest.raises(RuntimeError), InstallProgress(out) as display:
        display.step_started("install", "install torch", 3, 5)
        raise RuntimeError("pip failed")
    assert re.fullmatch(
        r" ✗ stopped: \[3/5\] install torch after 0\.\ds", written.getvalue().splitlines()[-1]
    )


@pytest.mark.parametrize("width", [60, 100])
def test_envsetups_own_lines_wrap_between_words_hanging_under_their_text(width: int) -> None:
    """A step's announcement and provision's notes are prose: at 60 and 100 columns each line
    fits, words stay whole, continuation lines hang under the text past "==> "."""
    written = io.StringIO()
    out = Console(file=written, width=width, color_system=None, highlight=False)
    long_path = "/home/someone/projects/a-project-with-a-long-name/.venv-torch-cu121"
    description = f"create a venv at {long_path} with python3.11 from the uv-managed interpreters"
    note = "verify: import torch in the new environment and check that it sees every GPU it should"
    with InstallProgress(out) as display:
        display.step_started("create-env", description, 1, 3)
        display(f"==> {note}")
        display.step_finished("create-env", 0.25, 1, 3)
    lines = written.getvalue().splitlines()
    assert all(len(line) <= width and line == line.rstrip() for line in lines), lines
    announced = lines[: next(i for i, line in enumerate(lines) if line.startswith("==> verify"))]
    assert announced[0].startswith("==> [1/3] create a venv at")
    # The path is longer than the room: broken after a separator (style.BREAK_AFTER).
    assert "".join("".join(announced).split()) == "".join(f"==> [1/3] {description}".split())
    assert len(announced) > 1 and all(line.startswith("    ") for line in announced[1:])
    noted = lines[len(announced) : -1]
    assert " ".join(" ".join(noted).split()) == f"==> {note}"
    assert all(line.startswith("    ") and line[4] != " " for line in noted[1:])
