"""Run one Step: argv without a shell, output streamed line by line, logged, under a timeout."""

from __future__ import annotations

import os
import queue
import shlex
import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import IO, Callable, Iterator, Mapping, Optional

from envsetup.host.processes import end_family, tagged_environment
from envsetup.install.plan import Step
from envsetup.sanitize import MAX_PENDING_CHARS, redact_text, whitespace_cut

TAIL_LINES = 40
TERMINATE_GRACE_S = 5.0
MAX_LINE_CHARS = 64 * 1024
EXIT_GRACE_S = 1.0  # the step has exited; how long its output pipe may stay open after

OutputSink = Callable[[str], None]


@dataclass
class StepOutcome:
    step_id: str
    returncode: Optional[int]  # None: never started, or killed after a timeout
    duration_s: float
    tail: list[str] = field(default_factory=list)  # the last lines of output
    timed_out: bool = False
    not_found: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


def step_environment(base: Mapping[str, str], step: Step) -> dict[str, str]:
    env = {name: value for name, value in base.items() if name not in step.env_unset}
    env.update(dict(step.env_set))
    return env


def display_argv(argv: tuple[str, ...]) -> str:
    """For the log only: the command is never handed to a shell."""
    return " ".join(shlex.quote(part) for part in argv)


def read_pieces(stream: IO[str]) -> Iterator[str]:
    """The lines of `stream`; a line longer than MAX_LINE_CHARS comes in pieces, so one endless
    line cannot fill the memory. A piece ends after whitespace, never inside a word: each piece
    is redacted on its own (terminal, log), and a URL or token cut in two would escape that; nor
    between a header's name or `Bearer` and its value (sanitize.whitespace_cut). Only a run of
    MAX_PENDING_CHARS without such a cut is cut hard."""
    carry = ""
    for chunk in iter(lambda: stream.readline(MAX_LINE_CHARS), ""):
        if chunk.endswith("\n"):
            yield carry + chunk
            carry = ""
            continue
        # No cut inside carry would do (it would have been cut there): look from its end on.
        text = carry + chunk
        cut = whitespace_cut(text, MAX_PENDING_CHARS, start=len(carry))
        if cut:
            yield text[:cut]
        carry = text[cut:]
    if carry:
        yield carry


def _read_lines(stream: IO[str], lines: queue.Queue[Optional[str]]) -> None:
    try:
        for piece in read_pieces(stream):
            lines.put(piece)
    except (OSError, ValueError):  # the pipe closed under us
        pass
    finally:
        lines.put(None)


def _stop(proc: subprocess.Popen[str], tag: str, since: float) -> None:
    """Terminate the step's process group, descendants and tagged processes (setsid children
    included), then kill what does not go."""
    end_family(proc, tag, since, grace_s=TERMINATE_GRACE_S)


def run_step(
    step: Step,
    *,
    log: IO[str],
    environ: Mapping[str, str],
    on_output: Optional[OutputSink] = None,
    pass_fds: tuple[int, ...] = (),
) -> StepOutcome:
    """Run `step`; every output line goes to `log` (flushed, so it survives kill -9) and `on_output`.

    A KeyboardInterrupt (Ctrl-C, or raised by `on_output`) stops the step's processes and
    propagates: the caller decides what to clean up.
    """
    # The variables the step sets go first, as a shell would write them: the index URL of a
    # credentialed mirror is among them (redacted by the log writer), not in the argv.
    assignments = "".join(f"{name}={shlex.quote(value)} " for name, value in step.env_set)
    log.write(f"$ {assignments}{display_argv(step.argv)}\n")
    log.flush()
    started = time.monotonic()
    since = time.time()
    env, tag = tagged_environment(step_environment(environ, step))
    try:
        proc = subprocess.Popen(
            list(step.argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            text=True,
            encoding="utf-8",
            errors="replace",
            # Own process group: Ctrl-C reaches only envsetup, which then stops the step cleanly,
            # and a timeout can stop pip's or uv's children with it.
            start_new_session=os.name != "nt",
            pass_fds=pass_fds if os.name != "nt" else (),
        )
    except (FileNotFoundError, PermissionError) as exc:
        message = f"cannot run {step.argv[0]}: {exc.strerror or exc}"
        log.write(message + "\n")
        log.flush()
        return StepOutcome(step.id, None, 0.0, tail=[message], not_found=True)

    lines: queue.Queue[Optional[str]] = queue.Queue()
    assert proc.stdout is not None
    reader = threading.Thread(target=_read_lines, args=(proc.stdout, lines), daemon=True)
    reader.start()
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    deadline = started + step.timeout_s
    timed_out = leftovers = False
    exited_at: Optional[float] = None
    try:
        while True:
            now = time.monotonic()
            remaining = deadline - now
            if remaining <= 0:
                timed_out = True
                break
            try:
                line = lines.get(timeout=min(remaining, 0.5))
            except queue.Empty:
                # The step exited but something it started still holds the output pipe: its own
                # exit status is the answer, not a timeout an hour later.
                if proc.poll() is not None:
                    exited_at = now if exited_at is None else exited_at
                    leftovers = now - exited_at >= EXIT_GRACE_S
                    if leftovers:
                        break
                continue
            if line is None:
                break
            log.write(line)
            log.flush()
            text = line.rstrip("\r\n")
            # A whitespace-free piece may be far longer than a line: the tail keeps its start,
            # redacted first (a secret cut short is no longer recognisable as one).
            tail.append(text if len(text) <= MAX_LINE_CHARS else redact_text(text)[:MAX_LINE_CHARS])
            if on_output is not None:
                on_output(text)
    except BaseException:
        _stop(proc, tag, since)
        log.write(f"[envsetup] step {step.id} interrupted\n")
        log.flush()
        raise
    if timed_out:
        _stop(proc, tag, since)
        message = f"[envsetup] step {step.id} timed out after {step.timeout_s:g} s"
        log.write(message + "\n")
        log.flush()
        tail.append(message)
        returncode: Optional[int] = None
    else:
        if leftovers:
            _stop(proc, tag, since)
        returncode = proc.wait()
        log.write(f"[envsetup] step {step.id} exited with {returncode}\n")
        log.flush()
    reader.join(timeout=1.0)
    return StepOutcome(
        step.id,
        returncode,
        time.monotonic() - started,
        tail=list(tail),
        timed_out=timed_out,
    )
