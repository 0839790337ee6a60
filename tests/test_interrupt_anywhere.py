"""Ctrl-C at any moment, start-up included: exit 130 and one line, never a traceback from envsetup.

Real processes get a real SIGINT at a spread of delays. Before the first line of envsetup runs
(the interpreter's own start-up: site, the console script's `import re`) Python itself owns the
signal: the process dies of it (the shell's 130) or Python prints a KeyboardInterrupt from its own
files; a frame in envsetup's files there would be a failure.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hostbuilder import HostSpec

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

DELAYS_S = (0.0, 0.01, 0.02, 0.05, 0.1, 0.15, 0.3, 0.6)
# A frame in envsetup's own package (src/envsetup/... or site-packages/envsetup/...).
ENVSETUP_FRAME = re.compile(r'File "[^"]*[\\/]envsetup[\\/][^"]*"')
LINE = "envsetup: interrupted\n"


def console_script() -> list[str]:
    """The installed `envsetup` script when it starts at envsetup.entry, else `python -m envsetup`."""
    script = Path(sys.executable).parent / "envsetup"
    if script.is_file() and "envsetup.entry" in script.read_text(
        encoding="utf-8", errors="replace"
    ):
        return [str(script)]
    return [sys.executable, "-m", "envsetup"]


def interrupt_after(argv: list[str], delay: float) -> subprocess.CompletedProcess[str]:
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(argv, process.returncode, out, err)


# CPython prints this, then the KeyboardInterrupt's traceback, when the signal lands while it
# checks whether the script's directory is an import path entry, and then RUNS THE SCRIPT ANYWAY
# (Modules/main.c, pymain_get_importer -> pymain_err_print returns 0): before envsetup's first
# line, so the run goes on and ends as if no signal came (exit 0 for a finished doctor).
ARGV0_CHECK = "Failed checking if argv[0] is an import path entry\n"


def without_cpython_argv0_check(stderr: str) -> str:
    """stderr after CPython's swallowed argv[0]-check interruption, if that is how it starts."""
    if not stderr.startswith(ARGV0_CHECK):
        return stderr
    head, found, rest = stderr.partition("KeyboardInterrupt\n")
    assert found and "File" in head and not ENVSETUP_FRAME.search(head), stderr
    return rest


# CPython prints this, a traceback and "KeyboardInterrupt" when the signal lands in a callback it
# may not raise from (sys.unraisablehook): a weakref callback such as importlib's module-lock `cb`
# (<frozen importlib._bootstrap>), or a __del__. The exception is dropped and the run goes on.
UNRAISABLE = re.compile(
    r"Exception ignored in: [^\n]*\nTraceback \(most recent call last\):\n(?:  .*\n)*KeyboardInterrupt: ?\n"
)


def without_unraisable_interrupts(stderr: str) -> str:
    """stderr without the KeyboardInterrupts CPython reported as unraisable and then ignored."""
    return UNRAISABLE.sub("", stderr)


def judge(out: subprocess.CompletedProcess[str]) -> str:
    """How the run ended; fails the test on a traceback from envsetup or a wrong 130."""
    assert not ENVSETUP_FRAME.search(out.stderr), out.stderr
    out = subprocess.CompletedProcess(
        out.args,
        out.returncode,
        out.stdout,
        without_unraisable_interrupts(without_cpython_argv0_check(out.stderr)),
    )
    if out.returncode == 130:
        assert "Traceback" not in out.stderr, out.stderr
        assert out.stderr.endswith(LINE) and out.stderr.strip().splitlines()[-1] == LINE.strip()
        return "interrupted"
    if "Traceback" in out.stderr:  # Python's own start-up (site.py, `import re`) was interrupted
        # "KeyboardInterrupt", or "KeyboardInterrupt: " when it lands while Python sets up
        # __main__ ("python: failed to set __main__.__loader__").
        assert out.stderr.rstrip().rstrip(":").endswith("KeyboardInterrupt"), out.stderr
        assert out.returncode in (1, -signal.SIGINT), out.returncode
        return "python-start-up"
    # Finished first, or killed by the signal itself: before Python installed its handler, or
    # after it put the default back while shutting down.
    assert out.returncode in (0, 1, 2, -signal.SIGINT), (out.returncode, out.stderr)
    return "finished-or-killed"


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> str:
    return HostSpec().write(tmp_path_factory.mktemp("host"))


@pytest.mark.parametrize("command", ["doctor", "install", "verify"])
def test_sigint_at_any_delay_is_130_and_one_line(command: str, host: str) -> None:
    args = {
        "doctor": ["doctor", "--replay", host],
        "install": ["install", "--dry-run", "--replay", host],
        # The test interpreter: it imports torch where torch is installed, a slow check to land in.
        "verify": ["verify", "--python", sys.executable, "--only", "torch.import,matmul"],
    }[command]
    seen = [judge(interrupt_after([*console_script(), *args], delay)) for delay in DELAYS_S]
    assert "interrupted" in seen, seen  # the handler was reached at least once


def test_sigint_inside_envsetup_imports_is_the_one_line_and_the_json_envelope() -> None:
    # Deterministic: the signal is raised while the heavy imports (typer, rich) are to come.
    script = (
        "import os, signal, sys\n"
        "sys.argv = ['envsetup', 'doctor', '--json']\n"
        "import envsetup.entry\n"
        "os.kill(os.getpid(), signal.SIGINT)\n"
        "import envsetup.cli\n"
        "raise SystemExit('not reached')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert out.returncode == 130, out.stderr
    assert out.stderr == LINE
    document = json.loads(out.stdout)
    assert document["error"] == {"kind": "interrupted", "message": "interrupted"}
    assert document["exit_code"] == 130 and document["data"] is None


@pytest.mark.parametrize("json_output", [False, True], ids=["text", "json"])
def test_sigint_while_a_class_is_created_is_the_interruption(json_output: bool) -> None:
    # A real SIGINT landing in __set_name__ (a dataclass made during an import): Python 3.11
    # wraps the KeyboardInterrupt in RuntimeError("Error calling __set_name__ ..."), which once
    # came out as an internal error (exit 70).
    script = (
        "import os, signal, sys, time\n"
        f"sys.argv = ['envsetup', 'doctor'{', ' + repr('--json') if json_output else ''}]\n"
        "import envsetup.doctor_run\n"
        "class Slot:\n"
        "    def __set_name__(self, owner, name):\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "        time.sleep(30)\n"
        "def run_doctor(**options):\n"
        "    class Made:\n"
        "        slot = Slot()\n"
        "    return 0\n"
        "envsetup.doctor_run.run_doctor = run_doctor\n"
        "from envsetup.cli import main\n"
        "main()\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert out.returncode == 130, out.stderr
    assert out.stderr == LINE
    if json_output:
        document = json.loads(out.stdout)
        assert document["error"] == {"kind": "interrupted", "message": "interrupted"}


def test_cpythons_swallowed_argv0_check_is_told_apart_from_a_traceback() -> None:
    # The stderr CPython 3.11 printed in a real run (`envsetup doctor --help`, SIGINT at 63 ms).
    swallowed = (
        ARGV0_CHECK + "Traceback (most recent call last):\n"
        '  File "<frozen importlib._bootstrap_external>", line 1696, in path_hook_for_FileFinder\n'
        "KeyboardInterrupt\n"
    )
    finished = subprocess.CompletedProcess(["envsetup"], 0, "", swallowed)
    assert judge(finished) == "finished-or-killed"
    interrupted = subprocess.CompletedProcess(["envsetup"], 130, "", swallowed + LINE)
    assert judge(interrupted) == "interrupted"
    with pytest.raises(AssertionError):  # a KeyboardInterrupt traceback of our own is not excused
        judge(subprocess.CompletedProcess(["envsetup"], 0, "", swallowed[len(ARGV0_CHECK) :]))


def test_an_interrupt_anywhere_in_the_chain_counts_and_nothing_else_does() -> None:
    from envsetup.cli import _interrupt_behind

    def wrapped_in_runtime_error(cause: BaseException) -> BaseException:
        try:
            try:
                raise cause
            except BaseException as inner:
                raise RuntimeError("Error calling __set_name__") from inner
        except RuntimeError as outer:
            return outer

    assert _interrupt_behind(wrapped_in_runtime_error(KeyboardInterrupt()))
    outer = ValueError("while handling")
    outer.__context__ = wrapped_in_runtime_error(KeyboardInterrupt())
    assert _interrupt_behind(outer)
    assert not _interrupt_behind(wrapped_in_runtime_error(OSError("disk")))
    looped = RuntimeError("a")
    other = RuntimeError("b")
    looped.__context__, other.__context__ = other, looped
    assert not _interrupt_behind(looped)  # a cycle ends
