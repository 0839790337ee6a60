"""run_step: real child processes, no shell, streamed, logged, timed out, interruptible."""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path

import pytest

from envsetup import sanitize
from envsetup.install.plan import Step
from envsetup.install.runner import MAX_LINE_CHARS, StepOutcome, read_pieces, run_step
from envsetup.sanitize import RedactingWriter, for_terminal


def _python_step(code: str, *, timeout_s: float = 30.0, **extra: object) -> Step:
    return Step(
        id="probe",
        description="a small python program",
        argv=(sys.executable, "-c", code),
        timeout_s=timeout_s,
        **extra,  # type: ignore[arg-type]
    )


def _run_streamed(code: str) -> tuple[StepOutcome, list[str], str]:
    """`code` run as a step: its outcome, the lines it streamed, and the log it wrote."""
    log, lines = io.StringIO(), []
    outcome = run_step(_python_step(code), log=log, environ=os.environ, on_output=lines.append)
    return outcome, lines, log.getvalue()


def test_output_lines_are_streamed_in_order_and_logged() -> None:
    outcome, lines, log = _run_streamed(
        "import sys\nprint('one')\nprint('two', file=sys.stderr)\nprint('three')"
    )
    assert outcome.ok
    assert sorted(lines) == ["one", "three", "two"]
    assert lines.index("one") < lines.index("three")
    assert "one\n" in log and log.startswith("$ ")
    assert "step probe exited with 0" in log


def test_arguments_reach_the_program_verbatim_without_a_shell() -> None:
    lines: list[str] = []
    tricky = "$HOME; echo pwned | `id` 'quoted' \"double\""
    step = Step(
        id="probe",
        description="echo argv",
        argv=(sys.executable, "-c", "import sys; print(sys.argv[1])", tricky),
    )
    run_step(step, log=io.StringIO(), environ=os.environ, on_output=lines.append)
    assert lines == [tricky]


def test_a_failing_program_reports_its_status_and_tail() -> None:
    outcome = run_step(
        _python_step("print('ERROR: no such pin'); raise SystemExit(3)"),
        log=io.StringIO(),
        environ=os.environ,
    )
    assert not outcome.ok
    assert outcome.returncode == 3
    assert outcome.tail == ["ERROR: no such pin"]


def test_a_step_past_its_timeout_is_stopped() -> None:
    started = time.monotonic()
    outcome = run_step(
        _python_step("import time; print('working', flush=True); time.sleep(60)", timeout_s=1.0),
        log=io.StringIO(),
        environ=os.environ,
    )
    assert outcome.timed_out and not outcome.ok
    assert outcome.returncode is None
    assert time.monotonic() - started < 20
    assert "timed out after 1 s" in outcome.tail[-1]


def test_a_step_that_closes_its_output_and_runs_on_is_stopped_at_its_timeout() -> None:
    code = "import os, time; os.close(1); os.close(2); time.sleep(300)"
    started = time.monotonic()
    outcome = run_step(_python_step(code, timeout_s=1.0), log=io.StringIO(), environ=os.environ)
    assert outcome.timed_out and outcome.returncode is None
    assert time.monotonic() - started < 10  # not the 300 s it would sleep


def test_a_missing_program_is_reported_not_raised() -> None:
    step = Step(id="probe", description="absent", argv=("/nonexistent/envsetup-no-such-tool",))
    outcome = run_step(step, log=io.StringIO(), environ=os.environ)
    assert outcome.not_found and not outcome.ok
    assert "cannot run /nonexistent/envsetup-no-such-tool" in outcome.tail[0]


def test_the_step_environment_sets_and_unsets_variables() -> None:
    lines: list[str] = []
    step = _python_step(
        "import os; print(os.environ.get('PIP_FIND_LINKS', '-'), os.environ['PIP_CONFIG_FILE'])",
        env_set=(("PIP_CONFIG_FILE", os.devnull),),
        env_unset=("PIP_FIND_LINKS",),
    )
    environ = {**os.environ, "PIP_FIND_LINKS": "/opt/wheels", "PIP_CONFIG_FILE": "/etc/pip.conf"}
    log = io.StringIO()
    run_step(step, log=log, environ=environ, on_output=lines.append)
    assert lines == [f"- {os.devnull}"]
    # The log names what the step set, as a shell would: a mirror's URL goes there, not in argv.
    assert log.getvalue().startswith(f"$ PIP_CONFIG_FILE={os.devnull} {sys.executable} -c ")


@pytest.mark.skipif(os.name == "nt", reason="POSIX process groups")
def test_an_interrupt_stops_the_program_and_its_children(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    code = (
        "import subprocess, sys, time\n"
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(p.pid))\n"
        "print('started', flush=True)\n"
        "time.sleep(60)\n"
    )

    def interrupt(_: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_step(_python_step(code), log=io.StringIO(), environ=os.environ, on_output=interrupt)
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 10
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(grandchild)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead but still has an entry until its parent (init here) reaps it.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")


# A `sleep 300` in its own session, its parent gone: neither the process group nor the process
# tree leads to it. The step then ends one of three ways.
DAEMON = (
    "import subprocess, sys\n"
    'starter = (\'import subprocess; print(subprocess.Popen(["sleep", "300"],\'\n'
    "           ' start_new_session=True, stdout=subprocess.DEVNULL).pid)')\n"
    "pid = subprocess.run([sys.executable, '-c', starter], stdout=subprocess.PIPE).stdout\n"
    "open({pid_file!r}, 'w').write(pid.decode())\n"
    "print('started', flush=True)\n"
)
STEP_ENDINGS = {
    "timeout": "import time; time.sleep(60)\n",
    "interrupt": "import time; time.sleep(60)\n",
}


@pytest.mark.skipif(os.name == "nt", reason="POSIX sessions")
@pytest.mark.parametrize("ending", sorted(STEP_ENDINGS))
def test_a_stopped_step_takes_its_setsid_daemons_along(tmp_path: Path, ending: str) -> None:
    pid_file = tmp_path / "daemon.pid"
    code = DAEMON.format(pid_file=str(pid_file)) + STEP_ENDINGS[ending]

    def interrupt(line: str) -> None:
        if line == "started" and ending == "interrupt":
            raise KeyboardInterrupt

    started = time.monotonic()
    try:
        run_step(
            _python_step(code, timeout_s=3.0),
            log=io.StringIO(),
            environ=os.environ,
            on_output=interrupt,
        )
    except KeyboardInterrupt:
        assert ending == "interrupt"
    daemon = int(pid_file.read_text())
    try:
        assert time.monotonic() - started < 20
        assert not _alive(daemon)
    finally:
        if _alive(daemon):
            os.kill(daemon, 9)


@pytest.mark.skipif(os.name == "nt", reason="POSIX pipes")
def test_a_step_that_exits_while_its_child_holds_the_output_is_done_at_its_exit(
    tmp_path: Path,
) -> None:
    pid_file = tmp_path / "child.pid"
    code = (
        "import subprocess, sys\n"
        "child = subprocess.Popen(['sleep', '300'], start_new_session=True)\n"  # inherits stdout
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "print('ERROR: resolution failed', flush=True)\n"
        "sys.exit(4)\n"
    )
    started = time.monotonic()
    outcome = run_step(_python_step(code, timeout_s=60), log=io.StringIO(), environ=os.environ)
    child = int(pid_file.read_text())
    try:
        assert time.monotonic() - started < 15  # not the 60 s timeout
        assert outcome.returncode == 4 and not outcome.timed_out
        assert outcome.tail == ["ERROR: resolution failed"]
        assert not _alive(child)
    finally:
        if _alive(child):
            os.kill(child, 9)


def test_one_endless_line_is_read_in_bounded_pieces() -> None:
    outcome, lines, _ = _run_streamed(
        "import sys; sys.stdout.write('x' * 3_000_000); print('\\ndone')"
    )
    assert outcome.ok
    assert lines[-1] == "done"
    assert max(len(line) for line in outcome.tail) <= 64 * 1024
    assert "".join(lines[:-1]) == "x" * 3_000_000  # nothing lost, only cut


API_TOKEN = "apiT0kenValue-1234"
URL_TOKEN = "urlT0kenSecret-5678"


@pytest.mark.parametrize("filler", ["A", "word "])
@pytest.mark.parametrize("offset", [-40, -17, -5, -1, 0, 3])
def test_a_credential_at_the_cut_of_a_long_line_reaches_no_output_in_pieces(
    monkeypatch: pytest.MonkeyPatch, filler: str, offset: int
) -> None:
    # A known secret and a URL credential placed across the reader's cut, after a run with or
    # without whitespace: each piece the terminal and the log get is redacted on its own.
    monkeypatch.setenv("MY_API_TOKEN", API_TOKEN)
    head = (filler * MAX_LINE_CHARS)[: MAX_LINE_CHARS + offset]
    line = f"{head}{API_TOKEN} http://alice:{URL_TOKEN}@mirror.lan/whl tail"
    raw = io.StringIO()
    log, shown = RedactingWriter(raw), []
    code = f"import sys; sys.stdout.write({line!r} + chr(10))"
    outcome = run_step(_python_step(code), log=log, environ=os.environ, on_output=shown.append)
    assert outcome.ok
    assert "".join(shown) == line  # nothing lost, only cut
    terminal = "\n".join(for_terminal(piece) for piece in shown)
    log.flush()
    for output in (terminal, raw.getvalue()):
        assert "http://***@mirror.lan/whl" in output
    # The tail (for the failure message, redacted there) holds the same pieces, bounded.
    failure = "\n".join(for_terminal(piece) for piece in outcome.tail)
    for output in (terminal, raw.getvalue(), failure):
        assert API_TOKEN not in output and URL_TOKEN not in output


def test_long_lines_are_cut_after_whitespace_and_only_long_words_hard() -> None:
    words = "pip " * (MAX_LINE_CHARS // 2)
    run = "x" * (sanitize.MAX_PENDING_CHARS + 10)
    text = f"{words}{run} end\nshort\n"
    pieces = list(read_pieces(io.StringIO(text)))
    assert "".join(pieces) == text
    assert pieces[-1] == "short\n"
    assert all(len(piece) <= MAX_LINE_CHARS for piece in pieces if "x" not in piece)
    # Every piece ends at whitespace, but the one cut out of the run (at the bound).
    hard = [piece for piece in pieces if not piece[-1].isspace()]
    assert [len(piece) for piece in hard] == [sanitize.MAX_PENDING_CHARS]


SPLIT_TOKEN = "splitT0kenValue-4321"
# Leads whose rule reaches across whitespace to the value: cut between them, the value alone
# matches no rule. The last is a known secret that itself holds spaces.
SPLIT_LEADS = [
    "--header Authorization: Bearer ",
    "Authorization:  Basic\t",
    "Proxy-Authorization : Token ",
    "X-JFrog-Art-Api: ",
    "PRIVATE-TOKEN :",
    "curl -H Bearer ",
    "password is: correct horse battery ",
]


@pytest.mark.parametrize("filler", ["A", "word "])
@pytest.mark.parametrize("lead", SPLIT_LEADS)
def test_a_long_line_is_never_cut_between_a_header_or_bearer_and_its_value(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, filler: str, lead: str
) -> None:
    # One real step prints the same line with the reader's cut at every character of the lead
    # and the first of the token; no piece on the terminal, in the log or the tail shows it.
    monkeypatch.setenv("MY_PASSWORD", f"correct horse battery {SPLIT_TOKEN}")
    lines = []
    for at in range(len(lead) + 2):
        head = (filler * MAX_LINE_CHARS)[: MAX_LINE_CHARS - at - 1]
        lines.append(f"{head} {lead}{SPLIT_TOKEN} and more words\n")
    text_file = tmp_path / "lines.txt"
    text_file.write_text("".join(lines))
    raw = io.StringIO()
    log, shown = RedactingWriter(raw), []
    code = f"import sys; sys.stdout.write(open({str(text_file)!r}).read())"
    outcome = run_step(_python_step(code), log=log, environ=os.environ, on_output=shown.append)
    log.flush()
    assert outcome.ok
    assert len(shown) > len(lines)  # the lines were cut
    assert "".join(shown) == "".join(line.rstrip("\n") for line in lines)
    terminal = "\n".join(for_terminal(piece) for piece in shown)
    failure = "\n".join(for_terminal(piece) for piece in outcome.tail)
    for output in (terminal, raw.getvalue(), failure):
        assert SPLIT_TOKEN not in output
    assert "and more words" in terminal
