"""Progress while a command runs: verify's checks and install's steps, shown as they happen.

Both forms print the same lasting lines (a check that ended, with its time; a step as it starts,
the installer's own output, the step's end with its time). On a terminal one live row follows
them at the bottom: a spinner, its elapsed time, what runs now (and, for an install, the
installer's last line: "Downloading torch-...whl (755.5 MB)"), redrawn ten times a second so no
stretch is silent, and removed when the run ends (rich's Live, transient). Anywhere else (a pipe,
a CI log, a file) there is no live row and no escape sequence: while something runs silently, a
plain line says it still runs every HEARTBEAT_S seconds.

Ctrl-C (or any error) during a check or step prints which one it stopped, and after how long;
the command's own error line and exit code follow as without a display.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Callable, Optional

from envsetup.render import style
from envsetup.sanitize import for_terminal

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult
    from rich.live import Live

    from envsetup.verify.catalogue import CheckInfo
    from envsetup.verify.results import CheckResult

Clock = Callable[[], float]
REFRESH_PER_S = 10
HEARTBEAT_S = 5.0  # a plain log gets a "still running" line after this long without one
# rich's "dots" spinner frames; one frame each SPINNER_FRAME_S
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
SPINNER_FRAME_S = 0.08
# What a check does while it seems to hang, said on its live row (the check's title says the rest).
WAITS = {
    "torch.import": "importing torch",
    "compile": "torch.compile warms up: the first call compiles, often 20–40 s",
    "distributed.all_reduce": "starting two processes",
    "hello.train": "training 300 steps",
}
_MARKS = {"pass": "ok", "fail": "error", "skip": "none"}


def elapsed(seconds: float) -> str:
    """3.2s, 59.9s, 1m05s: short enough for a live row at 60 columns."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m{rest:02d}s"


@dataclass
class Running:
    """What runs now: its label for the lasting lines, and when it started."""

    label: str
    wait: str
    started: float
    detail: str = ""  # the installer's last line
    named: bool = False  # a check or step (not the time before, between or after them)


class _LiveRow:
    """The live row's renderable, drawn afresh at every refresh: spinner, elapsed time, label;
    for an install, the installer's last line under it. Never wrapped: cut with an ellipsis."""

    def __init__(self, progress: _Progress) -> None:
        self.progress = progress

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.text import Text

        running = self.progress.running
        if running is None:
            return
        now = self.progress.clock()
        frame = SPINNER[int(now / SPINNER_FRAME_S) % len(SPINNER)]
        what = running.label + (f" · {running.wait}" if running.wait else "")
        row = Text.assemble(
            (f" {frame} ", "cyan"), (elapsed(now - running.started), "bold"), " ", what
        )
        row.no_wrap, row.overflow = True, "ellipsis"
        yield row
        if running.detail:
            yield Text("     " + running.detail, style="dim", no_wrap=True, overflow="ellipsis")


class _Progress:
    """The machinery both displays share: the live row on a terminal, the heartbeat elsewhere,
    one lock around every line printed (an install's heartbeat prints from its own thread)."""

    def __init__(self, out: Console, *, clock: Clock = time.monotonic) -> None:
        self.out = out
        self.clock = clock
        self.running: Optional[Running] = None
        self.live: Optional[Live] = None
        self._lock = threading.RLock()
        self._last_line = clock()
        self._stop = threading.Event()
        self._beat: Optional[threading.Thread] = None

    # -- lifetime

    def __enter__(self) -> _Progress:
        if self.out.is_terminal:
            from rich.live import Live

            self.live = Live(
                _LiveRow(self),
                console=self.out,
                refresh_per_second=REFRESH_PER_S,
                transient=True,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self.live.start()
        else:
            self._beat = threading.Thread(target=self._heartbeat, daemon=True)
            self._beat.start()
        return self

    def __exit__(
        self,
        kind: Optional[type[BaseException]],
        error: Optional[BaseException],
        trace: Optional[TracebackType],
    ) -> None:
        self._stop.set()
        with self._lock:
            running, self.running = self.running, None
        if self._beat is not None:
            self._beat.join(timeout=2)  # no "still running" line after the report
        if self.live is not None:
            self.live.stop()  # transient: the row goes, the lasting lines stay
        interrupted = kind is not None and issubclass(kind, KeyboardInterrupt)
        # A bad flag raised before anything ran is the command's one error line alone.
        if running is not None and kind is not None and (running.named or interrupted):
            how = "interrupted" if issubclass(kind, KeyboardInterrupt) else "stopped"
            took = elapsed(self.clock() - running.started)
            self.line(lambda: style.item(self.out, "error", f"{how}: {running.label} after {took}"))

    # -- lines

    def line(self, draw: Callable[[], None]) -> None:
        """Print lasting line(s) (above the live row on a terminal)."""
        with self._lock:
            draw()
            self._last_line = self.clock()

    def run(self, label: str, wait: str = "", *, named: bool = False) -> None:
        with self._lock:
            self.running = Running(label, wait, self.clock(), named=named)
            self._last_line = self.running.started

    def after(self, number: int, total: int) -> None:
        """Between two checks or steps, and after the last: the run is not over yet (the worker
        is stopped, the record written), and an interruption there is said as such."""
        self.run("finishing" if number == total else "between steps")

    def _heartbeat(self) -> None:
        while not self._stop.wait(min(HEARTBEAT_S / 5, 1.0)):
            with self._lock:
                running = self.running
                if running is None or self.clock() - self._last_line < HEARTBEAT_S:
                    continue
                took = elapsed(self.clock() - running.started)
                # One line whatever the width: a log is read line by line.
                self._verbatim(f"  … still running: {running.label} ({took})")
                self._last_line = self.clock()

    def _verbatim(self, text: str, text_style: str = "") -> None:
        """A line as the tool wrote it (made safe): no markup, no re-wrapping; a terminal wraps
        it, and a command or URL in it stays whole for a paste."""
        from rich.text import Text

        self.out.print(Text(for_terminal(text), style=text_style), soft_wrap=True)


class VerifyProgress(_Progress):
    """verify's checks as they run (envsetup.verify.progress.CheckProgress): a line per check
    that ended, with its result and time; the live row names the running check."""

    def __enter__(self) -> VerifyProgress:
        super().__enter__()
        self.run("starting the target's interpreter", "importing torch")
        return self

    def started(self, check: CheckInfo, number: int, total: int) -> None:
        self.run(f"[{number}/{total}] {check.id}", WAITS.get(check.id, check.title), named=True)

    def finished(self, result: CheckResult, number: int, total: int) -> None:
        took = f"{result.duration_s:.2f}s"
        text = f"[{number}/{total}] {result.id}: {result.status} ({took})"
        self.line(lambda: style.item(self.out, _MARKS.get(result.status, "none"), text))
        self.after(number, total)


class InstallProgress(_Progress):
    """install's steps as they run (envsetup.install.progress.StepProgress), and the output
    sink provision() streams the installer's lines to: each shown verbatim ("  | ...") and,
    on a terminal, the last one under the live row too. envsetup's own "==> ..." lines are
    prose: wrapped between words, hanging under their text (style.lead)."""

    def __init__(self, out: Console, *, clock: Clock = time.monotonic) -> None:
        super().__init__(out, clock=clock)
        self._announced = ""

    def __enter__(self) -> InstallProgress:
        super().__enter__()
        self.run("preparing the target")
        return self

    def step_started(self, step_id: str, description: str, number: int, total: int) -> None:
        label = f"[{number}/{total}] {description}"
        self._announced = description
        self.line(lambda: style.lead(self.out, "==>", label))
        self.run(label, named=True)

    def step_finished(self, step_id: str, duration_s: float, number: int, total: int) -> None:
        text = f"[{number}/{total}] {step_id} done ({elapsed(duration_s)})"
        self.line(lambda: style.item(self.out, "ok", text, indent=0))
        self.after(number, total)

    def __call__(self, line: str) -> None:
        """One line of output: the installer's, or provision's own "==> ..." notes."""
        shown = line.rstrip()
        if shown.startswith("==> "):
            if shown[4:] == self._announced:  # the step's announcement, printed with its number
                self._announced = ""
                return
            # envsetup's own note: prose, wrapped like the rest (hanging under its first word).
            self.line(lambda: style.lead(self.out, "==>", shown[4:]))
            return
        self.line(lambda: self._verbatim(f"  | {shown}"))
        with self._lock:
            if self.running is not None and shown.strip():
                self.running.detail = for_terminal(shown.strip())
