"""--budget: a run's time limit, and a Host that keeps every command inside it.

Slurm ends a HealthCheckProgram that runs past 60 s (slurm.conf's HealthCheckInterval /
HealthCheckProgram: https://slurm.schedmd.com/slurm.conf.html#OPT_HealthCheckProgram), and a
prolog holds up the job it starts: a node check must end, with what it knows, inside the time it
is given. One Deadline per run; each slow step takes its timeout from what is left of it
(`Deadline.limit`), and what the deadline cut short or left out is named in `cut`.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from typing import Callable, Mapping, Optional, Sequence

from envsetup.errors import UsageError
from envsetup.host.base import CommandResult, Host, NvmlSnapshot, NvmlUnavailable, PlatformInfo

# A step is not started with less than this left: no command does anything useful in 50 ms, and
# a timeout that small would only add a cut to the report.
MIN_STEP_S = 0.05
# Kept back from the steps for what follows them (diagnose, render, writing the files): a tenth
# of the budget, at most a quarter second.
FINISH_SHARE = 0.1
FINISH_MAX_S = 0.25
# The process's own start-up counts (Slurm's clock starts when it starts the program); an age
# past this is a clock step, not a start-up, and is not counted.
MAX_START_UP_S = 10.0


def parse_budget(value: Optional[str], option: str = "--budget") -> Optional[float]:
    """--budget's value as seconds (None when not given); a UsageError for anything but a
    positive, finite number."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not (seconds > 0 and math.isfinite(seconds)):  # NaN fails `> 0` too
        shown = value if len(value) <= 40 else value[:40] + "…"
        raise UsageError(
            f"{option} {shown}: not a positive number of seconds; fix: give the time the run may "
            f"take, e.g. {option} 50 (Slurm ends a HealthCheckProgram after 60 s)"
        )
    return seconds


@dataclass(frozen=True)
class BudgetReport:
    """data.budget in doctor's and verify's --json: the budget, the seconds the run took, and
    the steps it cut (docs/output.md)."""

    seconds: float
    elapsed_s: float
    cut: list[str]


@dataclass
class Deadline:
    """A run's end: `seconds` from when it was made (monotonic clock). `cut` names, in order,
    each step the deadline left out or ended early."""

    seconds: float
    started: float = field(default_factory=time.monotonic)
    cut: list[str] = field(default_factory=list)
    clock: Callable[[], float] = time.monotonic

    def remaining(self) -> float:
        """Seconds left for steps (never below 0): the budget less what is kept for the end."""
        reserve = min(self.seconds * FINISH_SHARE, FINISH_MAX_S)
        return max(0.0, self.started + self.seconds - reserve - self.clock())

    def expired(self) -> bool:
        return self.remaining() < MIN_STEP_S

    def elapsed(self) -> float:
        return self.clock() - self.started

    def limit(self, timeout: float) -> float:
        """A step's timeout: its own, or what is left of the run when that is less."""
        return min(timeout, self.remaining())

    def note_cut(self, step: str) -> None:
        if step not in self.cut:
            self.cut.append(step)

    def report(self) -> BudgetReport:
        return BudgetReport(self.seconds, round(self.elapsed(), 3), list(self.cut))


def process_start() -> float:
    """When this process started, on the monotonic clock: the interpreter's start-up and imports
    are part of the time a HealthCheckProgram is given. Linux: /proc/self/stat's starttime (clock
    ticks after boot, field 22, proc(5): https://man7.org/linux/man-pages/man5/proc_pid_stat.5.html)
    against CLOCK_BOOTTIME; elsewhere, or when unreadable, now."""
    now = time.monotonic()
    try:
        with open("/proc/self/stat", encoding="ascii") as stream:
            # The command name (field 2) may hold spaces and parentheses: split after its ")".
            fields = stream.read().rpartition(")")[2].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22 = 20th after ")"
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - started
    except (OSError, ValueError, IndexError, AttributeError):
        return now
    return now - min(max(age, 0.0), MAX_START_UP_S)


def step_name(argv: Sequence[str], tags: Mapping[str, str]) -> str:
    """How a command is named in data.budget.cut: a tag's name when its last argument is one
    (doctor's --deep check is `deep`), else the program's file name and its leading options
    ('nvidia-smi -q', 'nvcc --version')."""
    if argv and argv[-1] in tags:
        return tags[argv[-1]]
    program = os.path.basename(argv[0]) if argv else "?"
    options = [a for a in argv[1:3] if a.startswith("-") and a != "-c"]
    return " ".join([program, *options])


class BudgetedHost:
    """`inner`, with every command's timeout cut to what is left of `deadline`. A command asked
    for after the deadline is not started: it comes back timed out, as one that ran out of time
    would, and the probes record it the same way."""

    def __init__(
        self, inner: Host, deadline: Deadline, tags: Optional[Mapping[str, str]] = None
    ) -> None:
        self.inner, self.deadline, self.tags = inner, deadline, dict(tags or {})

    def run(self, argv: Sequence[str], timeout: float) -> CommandResult:
        name = step_name(argv, self.tags)
        if self.deadline.expired():
            self.deadline.note_cut(name)
            return CommandResult(tuple(argv), None, timed_out=True)
        limit = self.deadline.limit(timeout)
        result = self.inner.run(argv, limit)
        if result.timed_out and limit < timeout:
            self.deadline.note_cut(name)
        return result

    def nvml(self) -> NvmlSnapshot:
        if self.deadline.expired():
            self.deadline.note_cut("nvml")
            raise NvmlUnavailable("not asked: the --budget was spent")
        return self.inner.nvml()

    def read_text(self, path: str, max_bytes: int = 1 << 20) -> Optional[str]:
        return self.inner.read_text(path, max_bytes)

    def exists(self, path: str) -> bool:
        return self.inner.exists(path)

    def glob(self, pattern: str) -> list[str]:
        return self.inner.glob(pattern)

    def environ(self) -> Mapping[str, str]:
        return self.inner.environ()

    def which(self, name: str) -> Optional[str]:
        return self.inner.which(name)

    def realpath(self, path: str) -> str:
        return self.inner.realpath(path)

    def platform(self) -> PlatformInfo:
        return self.inner.platform()
