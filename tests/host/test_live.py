"""LiveHost on real processes and real files: bounded output, wall-clock timeouts, no leftovers,
no blocking on FIFOs or devices."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

import pytest

from envsetup.host.execution import OUTPUT_CAP_BYTES
from envsetup.host.live import LiveHost
from scripts import alive, read_pids, script

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX processes and FIFOs")

SH = "/bin/sh"


def timed(call: Callable[[], object], limit_s: float = 60.0) -> tuple[object, float]:
    """call()'s result and duration; fails (rather than hangs) when it takes over `limit_s`."""
    results: list[object] = []
    started = time.monotonic()
    worker = threading.Thread(target=lambda: results.append(call()), daemon=True)
    worker.start()
    worker.join(limit_s)
    assert results, f"still blocked after {limit_s:g} s"
    return results[0], time.monotonic() - started


# ---------------------------------------------------------------- output and time are bounded


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_a_flood_is_cut_at_the_cap_and_the_command_ended(tmp_path: Path, stream: str) -> None:
    redirect = " >&2" if stream == "stderr" else ""
    # 64 MiB, 8 times the cap: enough to show the cap, finite so that no version can eat the memory.
    flood = script(
        tmp_path, "flood", f"echo $$ > {tmp_path}/pids\nyes flood | head -c 67108864{redirect}\n"
    )
    result, elapsed = timed(lambda: LiveHost().run([flood], timeout=30))
    assert result.truncated and not result.ok and not result.timed_out
    assert result.returncode is None
    text = getattr(result, stream)
    assert OUTPUT_CAP_BYTES - 64 <= len(text) <= OUTPUT_CAP_BYTES
    words = text.split()
    assert set(words[:-1]) == {"flood"} and "flood".startswith(words[-1])  # cut mid-line
    assert elapsed < 15  # far from the 30 s timeout: the cap, not the clock, ended it
    assert not any(alive(pid) for pid in read_pids(tmp_path / "pids"))


@pytest.mark.parametrize(
    "body",
    [
        "sleep 300\n",  # silent
        "while :; do echo tick; sleep 0.05; done\n",  # output keeps coming, under the cap
        "exec >&- 2>&-; sleep 300\n",  # closed its output, runs on
    ],
    ids=["silent", "trickle", "closed-output"],
)
def test_the_timeout_is_a_wall_clock_limit_on_the_whole_call(
    tmp_path: Path, pid_file: Path, body: str
) -> None:
    hung = script(tmp_path, "hung", f"echo $$ > {pid_file}\n{body}")
    result, elapsed = timed(lambda: LiveHost().run([hung], timeout=1.0))
    assert result.timed_out and result.returncode is None and not result.ok
    assert 0.9 <= elapsed < 4.0
    assert not any(alive(pid) for pid in read_pids(pid_file))


def test_output_before_a_timeout_is_kept(tmp_path: Path) -> None:
    slow = script(tmp_path, "slow", "echo partial table\nsleep 300\n")
    result = LiveHost().run([slow], timeout=1.0)
    assert result.timed_out and result.stdout == "partial table\n"


def test_a_quick_command_answers_at_once_with_its_status_and_both_streams(tmp_path: Path) -> None:
    quick = script(tmp_path, "quick", "echo out\necho err >&2\nexit 3\n")
    result, elapsed = timed(lambda: LiveHost().run([quick], timeout=30))
    assert (result.returncode, result.stdout, result.stderr) == (3, "out\n", "err\n")
    assert not result.timed_out and not result.truncated
    assert elapsed < 5


@pytest.mark.parametrize("timeout", [float("inf"), float("nan"), 0.0, -1.0, 1e309])
def test_a_timeout_that_is_no_limit_is_refused_before_anything_runs(
    tmp_path: Path, timeout: float
) -> None:
    marker = tmp_path / "ran"
    command = script(tmp_path, "cmd", f"touch {marker}\n")
    with pytest.raises(ValueError):
        LiveHost().run([command], timeout=timeout)
    assert not marker.exists()


# ------------------------------------------------------------ the exit status is the answer


@pytest.mark.parametrize("detach", ["", "setsid "], ids=["same-group", "own-session"])
def test_an_exit_while_a_child_holds_stdout_is_that_exit_not_a_hang(
    tmp_path: Path, pid_file: Path, detach: str
) -> None:
    """nvidia-smi failing with 9 while something it forked keeps the pipe open."""
    smi = script(
        tmp_path,
        "nvidia-smi",
        f'echo "NVIDIA-SMI has failed because it couldn\'t communicate"\n'
        f"{detach}sleep 300 &\necho $! >> {pid_file}\nexit 9\n",
    )
    result, elapsed = timed(lambda: LiveHost().run([smi], timeout=20))
    assert result.returncode == 9 and not result.timed_out and not result.truncated
    assert "couldn't communicate" in result.stdout
    assert elapsed < 5  # the pipe stays open for 300 s; the timeout is 20 s
    pids = read_pids(pid_file)
    assert pids and not any(alive(pid) for pid in pids)


# ---------------------------------------------------------------- no descendant outlives a kill

# Each starts a `sleep 300` that left the process group (setsid), records its pid, and then
# makes LiveHost end it: by hanging, by flooding, or by exiting while the sleep holds stdout.
DETACHED_CHILD = {
    "direct": "setsid sleep 300 > /dev/null 2>&1 &\necho $! >> {pids}\n",
    # Double fork: the setsid sleep's parent is gone, so no process tree leads to it.
    "orphaned": "sh -c 'setsid sleep 300 > /dev/null 2>&1 & echo $! >> {pids}'\n",
    "holding-stdout": "setsid sleep 300 &\necho $! >> {pids}\n",
}
ENDING = {"hang": "sleep 300\n", "flood": "yes flood | head -c 67108864\n", "exit": "exit 9\n"}
# A clean exit with its pipes closed ends nothing (see the last test of this group).
CASES = [(c, e) for c in sorted(DETACHED_CHILD) for e in sorted(ENDING)]
CASES = [(c, e) for c, e in CASES if e != "exit" or c == "holding-stdout"]


@pytest.mark.parametrize(("child", "ending"), CASES)
def test_children_in_their_own_session_do_not_survive(
    tmp_path: Path, pid_file: Path, child: str, ending: str
) -> None:
    body = DETACHED_CHILD[child].format(pids=pid_file) + ENDING[ending]
    command = script(tmp_path, "probe", body)
    result, elapsed = timed(lambda: LiveHost().run([command], timeout=2.0))
    assert elapsed < 6
    pids = read_pids(pid_file)
    assert len(pids) == 1
    assert not alive(pids[0]), f"{child} sleep survived a {ending}: {result}"


def test_descendants_a_few_levels_down_are_ended(tmp_path: Path, pid_file: Path) -> None:
    chain = script(
        tmp_path,
        "chain",
        f'sh -c \'sh -c "setsid sleep 300 & echo \\$! >> {pid_file}; sleep 300" & '
        f"echo $! >> {pid_file}; sleep 300' &\necho $! >> {pid_file}\nsleep 300\n",
    )
    result = LiveHost().run([chain], timeout=1.5)
    assert result.timed_out
    pids = read_pids(pid_file)
    assert len(pids) == 3 and not any(alive(pid) for pid in pids)


def test_what_a_command_leaves_running_after_a_clean_exit_is_not_touched(
    tmp_path: Path, pid_file: Path
) -> None:
    """Only a command that has to be ended takes its family along: a normal exit ends nothing."""
    daemon = script(
        tmp_path, "daemon", f"setsid sleep 300 > /dev/null 2>&1 &\necho $! >> {pid_file}\n"
    )
    result = LiveHost().run([daemon], timeout=10)
    assert result.returncode == 0
    assert alive(read_pids(pid_file)[0])  # the fixture ends it


# ---------------------------------------------------------------- commands that cannot run


def test_programs_that_cannot_be_started_answer_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "nvcc"
    os.mkfifo(fifo)
    fifo.chmod(0o755)
    directory = tmp_path / "dir"
    directory.mkdir()
    host = LiveHost()
    for program in (str(fifo), str(directory), str(tmp_path / "missing")):
        result, elapsed = timed(lambda program=program: host.run([program, "--version"], 10))
        assert result.returncode is None and not result.ok and elapsed < 2, program
    assert host.run([str(tmp_path / "missing")], 10).not_found


# ---------------------------------------------------------------- file reads


def test_a_fifo_is_not_read_and_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "version.json"
    os.mkfifo(fifo)
    result, elapsed = timed(lambda: LiveHost().read_text(str(fifo)), limit_s=5)
    assert result is None and elapsed < 1
    # A writer waiting on the other side changes nothing: still not a regular file.
    writer = subprocess.Popen([SH, "-c", f'echo "{{}}" > {fifo}'])
    try:
        time.sleep(0.2)
        assert timed(lambda: LiveHost().read_text(str(fifo)), limit_s=5)[0] is None
    finally:
        writer.kill()
        writer.wait()


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/null", "/dev/urandom", "."])
def test_devices_and_directories_are_not_read(tmp_path: Path, target: str) -> None:
    link = tmp_path / "cuda.h"
    link.symlink_to(tmp_path if target == "." else target)
    host = LiveHost()
    assert timed(lambda: host.read_text(str(link)), limit_s=5)[0] is None
    if target != ".":
        assert timed(lambda: host.read_text(target), limit_s=5)[0] is None


def test_a_large_regular_file_is_read_up_to_the_cap(tmp_path: Path) -> None:
    big = tmp_path / "version.txt"
    big.write_bytes(b"CUDA Version 12.4.1\n" + b"x" * (5 << 20))
    host = LiveHost()
    assert (
        host.read_text(str(big), max_bytes=4096)
        == (b"CUDA Version 12.4.1\n" + b"x" * 4076).decode()
    )
    assert len(host.read_text(str(big)) or "") == 1 << 20  # never more than MAX_FILE_BYTES


def test_regular_files_and_proc_files_read_as_before(tmp_path: Path) -> None:
    text = tmp_path / "os-release"
    text.write_bytes(b'NAME="Debian"\nbad byte: \xff\n')
    binary = tmp_path / "libcudart.so"
    binary.write_bytes(b"\x7fELF\0\0\0")
    host = LiveHost()
    assert host.read_text(str(text)) == 'NAME="Debian"\nbad byte: \ufffd\n'
    assert host.read_text(str(binary)) is None
    assert host.read_text(str(tmp_path / "missing")) is None
    assert host.read_text(str(tmp_path / "a\0b")) is None
    if sys.platform.startswith("linux"):
        # /proc files say size 0: they are read to their end all the same.
        assert "Name:" in (host.read_text("/proc/self/status") or "")


def test_an_unreadable_file_is_none(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("x")
    secret.chmod(0)
    try:
        if os.access(secret, os.R_OK):
            pytest.skip("running as root: permissions do not apply")
        assert LiveHost().read_text(str(secret)) is None
    finally:
        secret.chmod(stat.S_IRUSR | stat.S_IWUSR)
