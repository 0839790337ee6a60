"""What a person sees at a 60- and a 100-column terminal: doctor, install --dry-run, check-command
and verify, each run on a real pseudo-terminal of that size, its final screen printed as text.

For the closing note of issue 12 (no tmux needed). Each command runs as `python -m envsetup ...`
with this interpreter, on a pty whose window is WIDTH x 50; the bytes it writes are replayed on a
small line screen (carriage return, erase line, cursor up: what rich's live rows use), so a live
row that was redrawn and removed is not in the capture, as it is not on the screen at the end.

    python bench/capture_widths.py                       # this machine
    python bench/capture_widths.py --replay tests/fixtures/cases/07-fabricmanager-802-h100/host
    python bench/capture_widths.py --widths 60 --verify-python .venv-test/bin/python
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time

CHECK_COMMAND = (
    "pip3 install torch torchvision torchaudio --index-url https://download.pytorch.org/whl/cu121"
)
QUICK_CHECKS = "torch.import,tensor.roundtrip,matmul,amp.autocast"
CONTROL = re.compile(
    r"\x1b\[([0-9;?]*)([A-Za-z])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[=>]|.", re.S
)


def screen_text(raw: str, columns: int) -> str:
    """The screen the bytes leave: lines of text, colours and cursor moves applied, not shown;
    a line longer than the window wraps to the next row as a terminal wraps it (a command printed
    whole so that a paste of it runs)."""
    lines: list[list[str]] = [[]]
    row = col = 0
    for match in CONTROL.finditer(raw):
        char = match.group(0)
        code, params = match.group(2), match.group(1) or ""
        if code == "A":  # cursor up
            row = max(0, row - int(params or 1))
        elif code == "K":  # erase in line (rich uses 2K: all of it)
            lines[row] = [] if params in ("2", "") else lines[row][:col]
        elif code == "G":  # cursor to column
            col = int(params or 1) - 1
        elif code or char.startswith("\x1b"):
            continue  # colours, cursor visibility, titles
        elif char == "\n":
            row += 1
            col = 0
            while len(lines) <= row:
                lines.append([])
        elif char == "\r":
            col = 0
        elif char == "\x07":
            continue
        else:
            if col >= columns:  # the terminal's own wrap
                row += 1
                col = 0
                while len(lines) <= row:
                    lines.append([])
            line = lines[row]
            line.extend(" " * (col - len(line)))
            if col < len(line):
                line[col] = char
            else:
                line.append(char)
            col += 1
    return "\n".join("".join(line).rstrip() for line in lines).rstrip("\n")


def run_on_pty(
    argv: list[str], columns: int, rows: int = 50, timeout: float = 600
) -> tuple[int, str]:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    environ = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    environ["TERM"] = environ.get("TERM", "xterm-256color")
    process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=environ)
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if select.select([master], [], [], 0.1)[0]:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            elif process.poll() is not None:
                break
        else:
            process.kill()
    finally:
        os.close(master)
    code = process.wait()
    return code, screen_text(b"".join(chunks).decode("utf-8", errors="replace"), columns)


def commands(replay: str | None, verify_python: str, full_verify: bool) -> list[list[str]]:
    where = ["--replay", replay] if replay else []
    verify = ["verify", "--python", verify_python]
    return [
        ["doctor", *where],
        ["install", "--dry-run", *where],
        ["check-command", *where, CHECK_COMMAND],
        verify if full_verify else [*verify, "--only", QUICK_CHECKS],
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widths", default="60,100", help="comma-separated column counts")
    parser.add_argument("--replay", help="a recorded host for doctor, install and check-command")
    parser.add_argument(
        "--verify-python", default=sys.executable, help="the interpreter verify checks"
    )
    parser.add_argument("--full-verify", action="store_true", help="every default check")
    options = parser.parse_args()
    for width in (int(w) for w in options.widths.split(",")):
        for args in commands(options.replay, options.verify_python, options.full_verify):
            code, screen = run_on_pty([sys.executable, "-m", "envsetup", *args], width)
            shown = " ".join(args if len(" ".join(args)) < 90 else [*args[:3], "..."])
            print(f"=== {width} columns: envsetup {shown} (exit {code})")
            print(screen)
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
