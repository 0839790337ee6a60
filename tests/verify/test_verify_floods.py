"""A target that prints hundreds of MB: the reports stay small, and so does envsetup's memory.

Real interpreters throughout: a venv whose start-up (a .pth file) floods stdout and stderr with
300 MB lines, and the worker's hidden `_test.flood` check (300 MB on one line, then a failure whose
texts are 20 MB each). envsetup's resident memory is sampled with psutil while it runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import psutil
import pytest

from venvs import bare_venv, fake_torch, purelib_of

FLOOD_MIB = 300
# The JSON and JUnit of one check: a few output tails and bounded texts, far below a megabyte.
REPORT_LIMIT = 512 * 1024
# envsetup with typer and rich loaded is about 50 MB; holding the flood would be 300 MB or more.
RSS_LIMIT = 160 * 1024 * 1024

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="a .pth that floods, POSIX pipes")


def venv_with(path: Path, pth: str = "", with_torch: bool = False) -> str:
    python = bare_venv(path)
    if pth:
        (purelib_of(python) / "flood.pth").write_text(pth, encoding="utf-8")
    if with_torch:  # found by the worker's hello; the hidden checks never import it
        fake_torch(python)
    return python


def run_sampled(
    args: list[str], timeout: float = 300
) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run envsetup; return its result and the highest resident memory seen (bytes)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "envsetup", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = 0
    watched = psutil.Process(process.pid)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            try:
                peak = max(peak, watched.memory_info().rss)
            except psutil.Error:
                return
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = process.communicate(timeout=timeout)
    finally:
        done.set()
        sampler.join()
    return subprocess.CompletedProcess(args, process.returncode, out, err), peak


# One line of FLOOD_MIB MiB on each stream, a MiB at a time, then the interpreter gives up.
START_UP_FLOOD = (
    "import os; "
    f"[os.write(fd, b'x' * (1 << 20)) for fd in (1, 2) for _ in range({FLOOD_MIB})]; "
    "os._exit(1)\n"
)


def test_a_target_flooding_its_start_up_is_unusable_with_a_small_report(tmp_path: Path) -> None:
    python = venv_with(tmp_path / "env", pth=START_UP_FLOOD)
    junit = tmp_path / "verify.xml"
    out, peak = run_sampled(["verify", "--python", python, "--json", "--junit", str(junit)])
    assert out.returncode == 3, out.stderr[-2000:]
    assert len(out.stdout) < REPORT_LIMIT and junit.stat().st_size < REPORT_LIMIT
    report = json.loads(out.stdout)
    assert "could not run the checks (exit status 1)" in report["data"]["unusable"]["reason"]
    ET.parse(junit)
    assert peak < RSS_LIMIT, f"envsetup held {peak >> 20} MiB"


def test_a_check_printing_300_mb_on_one_line_keeps_a_tail_and_says_what_was_cut(
    tmp_path: Path,
) -> None:
    python = venv_with(tmp_path / "env", with_torch=True)
    junit = tmp_path / "verify.xml"
    args = ["verify", "--python", python, "--only", "_test.flood", "--json", "--junit", str(junit)]
    out, peak = run_sampled(args)
    assert out.returncode == 1, out.stderr[-2000:]
    assert len(out.stdout) < REPORT_LIMIT, len(out.stdout)
    assert junit.stat().st_size < REPORT_LIMIT, junit.stat().st_size
    flood = json.loads(out.stdout)["data"]["checks"][0]
    assert flood["status"] == "fail"
    # The output: its last bytes, after a note of how many came before them.
    note, _, tail = flood["output"].partition("\n")
    assert note.startswith("[… ") and note.endswith(" bytes cut]")
    assert int(note[3:].split()[0]) + len(tail) == FLOOD_MIB << 20
    assert set(tail) == {"x"}
    # Every text of the message: its two ends around the note.
    for text in (flood["reason"], flood["fix"], flood["evidence"]["blob"]):
        assert "bytes cut]" in text and len(text) < 64 * 1024
    assert len(flood["evidence"]["items"]) <= 1001
    failure = ET.parse(junit).getroot().find("testsuite/testcase/failure")
    assert failure is not None and "bytes cut]" in str(failure.text)
    assert peak < RSS_LIMIT, f"envsetup held {peak >> 20} MiB"


def test_people_see_the_tail_too(tmp_path: Path) -> None:
    python = venv_with(tmp_path / "env", with_torch=True)
    out, peak = run_sampled(["verify", "--python", python, "--only", "_test.flood"])
    assert out.returncode == 1
    assert len(out.stdout) < REPORT_LIMIT and "bytes cut]" in out.stdout
    assert peak < RSS_LIMIT, f"envsetup held {peak >> 20} MiB"


def test_the_output_tail_counts_what_it_cut_from_a_mark() -> None:
    from envsetup.verify.runner import OUTPUT_TAIL_BYTES, OutputTail

    tail = OutputTail()
    tail.append(b"before the check\n")
    mark = tail.mark()
    tail.append("é".encode() * OUTPUT_TAIL_BYTES)  # two bytes each: a cut may split one
    tail.append(b"\nlast line\n")
    note, _, text = tail.since(mark).partition("\n")
    cut = int(note[3:].split()[0])
    assert note == f"[… {cut} bytes cut]"
    assert cut + OUTPUT_TAIL_BYTES == 2 * OUTPUT_TAIL_BYTES + len(b"\nlast line\n")
    assert text.endswith("é\nlast line\n") and "before the check" not in text
    assert tail.since(tail.mark()) == ""
