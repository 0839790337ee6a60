"""Commands run under a real pseudo-terminal of a set size, as a person at a terminal sees them.

rich decides from the stream itself whether it draws live rows (a terminal) or plain lines (a pipe,
a file): these helpers give the command a pty as stdin, stdout and stderr, with a window of the
asked size, and keep every chunk it wrote with the time it came.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass, field
from typing import Callable, Mapping, Optional

# CSI and OSC sequences, and the lone controls a live display writes (carriage return, bell).
ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[=>]|[\r\x07]")


@dataclass
class PtyRun:
    returncode: int
    chunks: list[tuple[float, bytes]] = field(default_factory=list)  # (seconds since start, bytes)

    @property
    def raw(self) -> str:
        return b"".join(chunk for _, chunk in self.chunks).decode("utf-8", errors="replace")

    @property
    def text(self) -> str:
        """What was written with the escape sequences taken out (each redraw of a live row stays)."""
        return ESCAPES.sub("", self.raw)

    @property
    def lines(self) -> list[str]:
        """Every line and every redraw of a line (split at carriage returns too), escape sequences
        out, blanks at either end stripped, empty ones left out."""
        pieces = re.split(r"\r\n|\n|\r", self.raw)
        return [
            ESCAPES.sub("", piece).strip() for piece in pieces if ESCAPES.sub("", piece).strip()
        ]

    def longest_silence(self, until: Optional[float] = None) -> float:
        """The longest stretch without output between the first chunk and `until` (default the
        last chunk)."""
        times = [t for t, _ in self.chunks if until is None or t <= until]
        return max((b - a for a, b in zip(times, times[1:])), default=0.0)


def window(fd: int, columns: int, rows: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


def run_in_pty(
    argv: list[str],
    *,
    columns: int = 100,
    rows: int = 40,
    env: Optional[Mapping[str, str]] = None,
    timeout: float = 300,
    interrupt_when: Optional[Callable[[str], bool]] = None,
) -> PtyRun:
    """Run `argv` on a new pty `columns` x `rows`; with `interrupt_when`, send it SIGINT (what
    Ctrl-C sends) once the text so far satisfies it. A hang fails after `timeout` s."""
    master, slave = os.openpty()
    window(slave, columns, rows)
    environ = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    environ.update({"TERM": "xterm-256color", **(env or {})})
    process = subprocess.Popen(
        argv, stdin=slave, stdout=slave, stderr=slave, env=environ, close_fds=True
    )
    os.close(slave)
    run = PtyRun(returncode=-1)
    started = time.monotonic()
    seen = b""
    interrupted = False
    try:
        while True:
            if time.monotonic() - started > timeout:
                process.kill()
                raise AssertionError(f"{argv} still running after {timeout} s: {seen[-2000:]!r}")
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the last writer closed the slave
                    chunk = b""
                if not chunk:
                    break
                run.chunks.append((time.monotonic() - started, chunk))
                seen += chunk
                text = ESCAPES.sub("", seen.decode("utf-8", errors="replace"))
                if interrupt_when and not interrupted and interrupt_when(text):
                    process.send_signal(signal.SIGINT)
                    interrupted = True
            elif process.poll() is not None and not select.select([master], [], [], 0.2)[0]:
                break
    finally:
        os.close(master)
        run.returncode = process.wait(timeout=60)
    return run


def envsetup_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "envsetup", *args]
