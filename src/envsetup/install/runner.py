"""Run one Step: argv without a shell, output streamed line by line, logged, under a timeout.

The running itself (process group, streaming reader, stopping all a step started) is the
execution layer's (host/execution.py); this module adds the log and the step's vocabulary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Callable, Mapping, Optional

from envsetup.host.execution import MAX_LINE_CHARS, TAIL_LINES, Request, read_pieces, stream
from envsetup.install.plan import Step

__all__ = [
    "MAX_LINE_CHARS",
    "OutputSink",
    "StepOutcome",
    "read_pieces",
    "run_step",
    "step_environment",
    "step_request",
]

TERMINATE_GRACE_S = 5.0

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


def step_request(step: Step, environ: Mapping[str, str], pass_fds: tuple[int, ...] = ()) -> Request:
    """The execution request for `step`: its argv, its environment changes over `environ`, its
    timeout; stopped with SIGTERM first, so that pip and uv can clean up after themselves."""
    return Request(
        argv=tuple(step.argv),
        timeout_s=step.timeout_s,
        env=environ,
        env_set=tuple(step.env_set),
        env_unset=tuple(step.env_unset),
        stop_grace_s=TERMINATE_GRACE_S,
        pass_fds=pass_fds,
    )


def step_environment(base: Mapping[str, str], step: Step) -> dict[str, str]:
    return step_request(step, base).environment()


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
    request = step_request(step, environ, pass_fds)
    # The variables the step sets go first, as a shell would write them: the index URL of a
    # credentialed mirror is among them (redacted in the display, and by the log writer).
    log.write(f"$ {request.display()}\n")
    log.flush()

    def shown(piece: str) -> None:
        log.write(piece)
        log.flush()
        if on_output is not None:
            on_output(piece.rstrip("\r\n"))

    try:
        outcome = stream(request, shown)
    except (FileNotFoundError, PermissionError) as exc:
        message = f"cannot run {step.argv[0]}: {exc.strerror or exc}"
        log.write(message + "\n")
        log.flush()
        return StepOutcome(step.id, None, 0.0, tail=[message], not_found=True)
    except BaseException:
        log.write(f"[envsetup] step {step.id} interrupted\n")
        log.flush()
        raise
    tail = outcome.tail
    if outcome.timed_out:
        message = f"[envsetup] step {step.id} timed out after {step.timeout_s:g} s"
        log.write(message + "\n")
        tail = [*tail, message][-TAIL_LINES:]
    else:
        log.write(f"[envsetup] step {step.id} exited with {outcome.returncode}\n")
    log.flush()
    return StepOutcome(
        step.id,
        outcome.returncode,
        outcome.elapsed_s,
        tail=tail,
        timed_out=outcome.timed_out,
    )
