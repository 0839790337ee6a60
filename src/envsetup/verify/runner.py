"""Runs the checks in the target interpreter: one worker process, a fresh one after a crash or hang.

The worker is started as `[python, .../envsetup_verify_worker/__main__.py]` (argv, never a shell) and spoken to in JSON lines.
Each check gets `timeout` seconds; past that the worker (and anything it started) is killed and the
check fails. A worker that dies mid-check (segfault, abort) fails that check with what it printed;
the next check starts a fresh worker.
"""

from __future__ import annotations

import json
import queue
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Optional

from envsetup.host.execution import ByteLines, Child, Pump, Request, start
from envsetup.host.files import LOCAL as host_files
from envsetup.parsers.interpreter_failure import parse_interpreter_failure
from envsetup.verify.catalogue import CheckInfo
from envsetup.verify.results import FAIL, PASS, SKIP, CheckResult, Target, Unusable
from envsetup.verify.target import env_dir_of, install_fix, new_env_dir, new_env_fix

# Started as a script by path: the target interpreter needs no envsetup, only this package's files.
WORKER_PATH = str(
    host_files.realpath(__file__).parent / "worker_root" / "envsetup_verify_worker" / "__main__.py"
)
# The compatibility rule the worker judges GPU architectures with: envsetup's own module, handed
# to the worker by path (it loads it under a private name; see worker_root/.../shipped.py).
CAPABILITY_PATH = str(host_files.realpath(__file__).parent.parent / "model" / "capability.py")
HELLO_TIMEOUT_S = 60.0
POLL_S = 0.5  # how often a waiting runner checks that the worker is still alive
_EOF = object()
# What is kept of a target's output, however much it prints: the last bytes, with the count of
# the bytes before them (a target printing 300 MB on one line made a 300 MB report).
OUTPUT_TAIL_BYTES = 8 * 1024
# A protocol line longer than this is no message of the worker's (it bounds its own): output.
MAX_MESSAGE_BYTES = 4 * 1024 * 1024
MESSAGE_TEXT_CHARS = 16 * 1024  # any one text in a message: reason, fix, an evidence value
MESSAGE_ITEMS = 1000  # entries kept of any one list or mapping in a message
MESSAGE_DEPTH = 16
UNUSABLE_DETAIL_CHARS = 400


class WorkerUnavailable(Exception):
    """The worker could not be started or did not say hello."""

    def __init__(self, reason: str, output: str = "") -> None:
        super().__init__(reason)
        self.output = output


@dataclass
class Outcome:
    """What came back for one request: a result message, or how the worker was lost."""

    message: Optional[dict[str, Any]] = None
    crashed: Optional[str] = None  # e.g. "SIGABRT", "exit status 1"
    timed_out: bool = False
    output: str = ""
    duration_s: float = 0.0


def cut_note(count: int) -> str:
    return f"[… {count} bytes cut]"


@dataclass
class OutputTail:
    """What the worker printed: the last `keep` bytes, and how many bytes came in all."""

    keep: int = OUTPUT_TAIL_BYTES
    data: bytearray = field(default_factory=bytearray)
    total: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def append(self, chunk: bytes) -> None:
        with self.lock:
            self.total += len(chunk)
            self.data += chunk[-self.keep :]
            del self.data[: max(0, len(self.data) - self.keep)]

    def mark(self) -> int:
        with self.lock:
            return self.total

    def since(self, mark: int) -> str:
        """The text printed since `mark`, its start cut (and said so) past `keep` bytes."""
        with self.lock:
            start = self.total - len(self.data)  # where the kept bytes began
            kept = bytes(self.data[max(0, mark - start) :])
            cut = max(0, start - mark)
        text = kept.decode("utf-8", errors="replace")
        return f"{cut_note(cut)}\n{text}" if cut else text


def bound_text(text: str, limit: int = MESSAGE_TEXT_CHARS) -> str:
    """The text, or its start and end around a note of how much was cut from the middle."""
    if len(text) <= limit:
        return text
    half = limit // 2
    middle = len(text[half:-half].encode("utf-8", errors="replace"))
    return f"{text[:half]}{cut_note(middle)}{text[-half:]}"


def bound_value(value: Any, depth: int = 0) -> Any:
    """A message's value with every text, list and mapping cut to size (a worker of another
    version, or a check's own data, may send anything that is valid JSON)."""
    if isinstance(value, str):
        return bound_text(value)
    if depth >= MESSAGE_DEPTH and isinstance(value, (dict, list)):
        return bound_text(json.dumps(value))
    if isinstance(value, dict):
        items = list(value.items())
        kept = {
            bound_text(str(k), 200): bound_value(v, depth + 1) for k, v in items[:MESSAGE_ITEMS]
        }
        if len(items) > MESSAGE_ITEMS:
            kept["…"] = f"[{len(items) - MESSAGE_ITEMS} more entries cut]"
        return kept
    if isinstance(value, list):
        kept_list = [bound_value(v, depth + 1) for v in value[:MESSAGE_ITEMS]]
        if len(value) > MESSAGE_ITEMS:
            kept_list.append(f"[{len(value) - MESSAGE_ITEMS} more items cut]")
        return kept_list
    return value


def _describe_exit(returncode: Optional[int]) -> str:
    if returncode is None:
        return "no exit status"
    if returncode < 0:
        try:
            return signal.Signals(-returncode).name
        except ValueError:
            return f"signal {-returncode}"
    return f"exit status {returncode}"


class _TailSink:
    """A reader sink: every chunk into an OutputTail."""

    def __init__(self, tail: OutputTail) -> None:
        self.tail = tail

    def feed(self, chunk: bytes) -> bool:
        self.tail.append(chunk)
        return True

    def end(self) -> None:
        pass


class Worker:
    """One worker process and the readers of its two output streams."""

    def __init__(self, python: str, hello_timeout_s: float = HELLO_TIMEOUT_S) -> None:
        self.hello_timeout_s = hello_timeout_s
        request = Request(
            (python, WORKER_PATH, CAPABILITY_PATH), env_set=(("PYTHONUNBUFFERED", "1"),)
        )
        try:
            # Its own process group and a tag, so that kill() also ends what a check started
            # (compile workers, distributed ranks), even after it left the group.
            self.process: Child = start(request, stdin=True)
        except OSError as exc:
            raise WorkerUnavailable(
                f"{python} could not be started: {exc.strerror or exc}"
            ) from None
        self.messages: queue.Queue[Any] = queue.Queue()
        self.stderr = OutputTail()
        # JSON lines from the worker; anything else is output. Never more than one bounded line
        # in memory: a longer one is passed to the output tail chunk by chunk.
        lines = ByteLines(MAX_MESSAGE_BYTES, self._on_line, self.stderr.append)
        Pump(self.process.stdout, lines, lambda: self.messages.put(_EOF))
        assert self.process.stderr is not None
        self._stderr_reader = Pump(self.process.stderr, _TailSink(self.stderr))
        try:
            self.hello = self._hello()
        except BaseException:  # Ctrl-C while torch imports: its own session would outlive us
            self.kill()
            raise

    def _on_line(self, raw: bytes) -> None:
        if not raw.strip():
            return
        try:
            message = json.loads(raw.decode("utf-8", errors="replace"))
        except ValueError:
            self.stderr.append(raw)
            return
        if isinstance(message, dict):
            self.messages.put(bound_value(message))

    def _wait_gone(self) -> str:
        """After EOF: wait for the exit status (the stream can close a moment before the exit)."""
        if self.process.wait(timeout=5) is None:
            self.kill()
        self._stderr_reader.thread.join(timeout=0.05)  # let it take the last lines
        return _describe_exit(self.process.returncode)

    def _hello(self) -> dict[str, Any]:
        try:
            message = self.messages.get(timeout=self.hello_timeout_s)
        except queue.Empty:
            self.kill()
            raise WorkerUnavailable(
                f"the interpreter did not start the checks within {self.hello_timeout_s:.3g} s",
                self.stderr.since(0),
            ) from None
        if message is _EOF or message.get("event") != "hello":
            how = self._wait_gone() if message is _EOF else "an unexpected first message"
            self.kill()
            raise WorkerUnavailable(
                f"the interpreter could not run the checks ({how})", self.stderr.since(0)
            )
        return message

    def request(self, check_id: str, options: dict[str, Any], timeout: float) -> Outcome:
        mark = self.stderr.mark()
        started = time.monotonic()
        deadline = started + timeout
        try:
            self._send({"op": "run", "id": check_id, "options": options})
        except (OSError, ValueError):
            return Outcome(crashed=self._wait_gone(), output=self.stderr.since(mark))
        while True:
            remaining = deadline - time.monotonic()
            try:
                message = self.messages.get(timeout=min(max(remaining, 0.0), POLL_S))
            except queue.Empty:
                if self.process.poll() is not None:
                    # Dead, though a child it forked may still hold stdout open: no EOF to wait for.
                    message = _EOF
                elif remaining > POLL_S:
                    continue
                else:
                    self.kill()
                    return Outcome(
                        timed_out=True,
                        output=self.stderr.since(mark),
                        duration_s=time.monotonic() - started,
                    )
            if message is _EOF:
                crashed = self._wait_gone()
                return Outcome(
                    crashed=crashed,
                    output=self.stderr.since(mark),
                    duration_s=time.monotonic() - started,
                )
            if message.get("event") == "result" and message.get("id") == check_id:
                return Outcome(message=message, output=self.stderr.since(mark))

    def _send(self, message: dict[str, Any]) -> None:
        self.process.write((json.dumps(message) + "\n").encode())

    def kill(self) -> None:
        """End the worker and everything it started: its process group (which outlives a dead
        leader), its descendants, and whatever carries its tag (setsid children included)."""
        self.process.end()

    def stop(self) -> None:
        """Ask the worker to leave; kill it (and its group) if it does not."""
        try:
            self._send({"op": "exit"})
            self.process.close_stdin()
            self.process.wait(timeout=5)
        except (OSError, ValueError):
            pass
        self.kill()


def start_worker(python: str, hello_timeout_s: float = HELLO_TIMEOUT_S) -> Worker:
    return Worker(python, hello_timeout_s)


def unusable_from(python: str, problem: WorkerUnavailable) -> Unusable:
    if not host_files.exists(python):
        # No environment is derived from a path that is not there (`/nonexistent` would name /).
        return Unusable(
            reason=f"no interpreter at {python}",
            fix=f"check the path, or create a new environment: {new_env_fix()}",
        )
    env_dir = env_dir_of(python)
    # The interpreter's telling line: a traceback's last, a pyenv shim's first (parsers/).
    detail = parse_interpreter_failure(problem.output).telling_line
    detail = bound_text(detail, UNUSABLE_DETAIL_CHARS)  # a reason is one line people read
    if detail.startswith("SyntaxError"):  # Python 2 or < 3.7 cannot even parse the worker
        detail += " (the checks need Python 3.7 or newer)"
    reason = f"{python}: {problem}" + (f": {detail}" if detail else "")
    return Unusable(
        reason=reason,
        fix=f"point --python at a working Python 3 interpreter, or {install_fix(env_dir)}",
    )


def torch_missing(target: Target) -> Unusable:
    fix = install_fix(target.prefix or env_dir_of(target.python))
    where = f" into a new environment ({new_env_dir()})" if fix == new_env_fix() else ""
    return Unusable(
        reason=f"torch is not installed for {target.python}", fix=f"install it{where}: {fix}"
    )


def result_from(info: CheckInfo, outcome: Outcome, timeout: float) -> CheckResult:
    if outcome.timed_out:
        return CheckResult(
            id=info.id,
            title=info.title,
            status=FAIL,
            reason=f"timed out after {timeout:g} s; the worker was stopped",
            duration_s=round(outcome.duration_s, 4),
            output=outcome.output,
            fix="raise --timeout if this machine is just slow; otherwise run the check alone "
            f"(`envsetup verify --only {info.id}`) to see where it hangs",
        )
    if outcome.crashed is not None or outcome.message is None:
        return CheckResult(
            id=info.id,
            title=info.title,
            status=FAIL,
            reason=f"the worker crashed ({outcome.crashed}) during this check",
            duration_s=round(outcome.duration_s, 4),
            output=outcome.output,
        )
    message = outcome.message
    status = str(message.get("status", FAIL))
    return CheckResult(
        id=info.id,
        title=info.title,
        status=status,
        reason=str(message.get("reason", "")),
        duration_s=float(message.get("duration_s", 0.0)),
        evidence=dict(message.get("evidence") or {}),
        fix=message.get("fix"),
        # A skip keeps it too: "no GPU" skips follow torch's CUDA warnings (error 802, 804...).
        output=outcome.output if status != PASS else "",
    )


def skipped_after_import_failure(info: CheckInfo) -> CheckResult:
    return CheckResult(
        id=info.id, title=info.title, status=SKIP, reason="torch did not import (see torch.import)"
    )
