"""The one way envsetup runs a program: a Request in, an Outcome out.

Every program envsetup starts (a probe's nvidia-smi, pip, uv and conda during an install, the
verify worker in the target Python) starts here: argv only, never a shell; stdin closed unless the
caller speaks to it; a process group of its own and a tag in its environment, so that
processes.end_family ends everything it started; its output read by one kind of reader (Pump: a
thread reading a pipe in chunks) into bounded memory. Three ways in:

- run(request): stdout and stderr captured under a cap (the probes, `conda info`).
- stream(request, on_line): stdout and stderr together, in bounded lines, to a callback (install).
- start(request, ...): a Child to speak to (verify's worker), whose pipes the caller pumps.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import shlex
import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Callable, Iterator, Mapping, Optional, Protocol

from envsetup.host import processes

if TYPE_CHECKING:
    import queue

OUTPUT_CAP_BYTES = 8 << 20  # per stream; no probe prints a fraction of this
MAX_TIMEOUT_S = 3600.0  # the longest a probe may be given; also ENVSETUP_PROBE_TIMEOUT's top
RUN_EXIT_GRACE_S = 0.2  # after a probe exits, how long its pipes may stay open before we stop
STREAM_EXIT_GRACE_S = 1.0  # the same for a streamed step (pip may print after its children)
READER_JOIN_S = 0.5
TAIL_LINES = 40
MAX_LINE_CHARS = 64 * 1024  # the longest piece of a streamed line
_CHUNK = 1 << 16
_POLL_S = 0.05
_STREAM_POLL_S = 0.5
_QUEUED_PIECES = 256  # a streamed step that prints faster than it is shown waits for the reader


@dataclass(frozen=True)
class Request:
    """One program to run. `env` is the base environment (None: this process's); `env_unset`
    is taken out of it and `env_set` laid over it. `timeout_s` bounds run() and stream() (wall
    clock, the whole call); start() leaves the bounding to the caller. `stop_grace_s`: when it
    must be stopped, SIGTERM first and SIGKILL what is left after this long (0: SIGKILL)."""

    argv: tuple[str, ...]
    timeout_s: Optional[float] = None
    env: Optional[Mapping[str, str]] = None
    env_set: tuple[tuple[str, str], ...] = ()
    env_unset: tuple[str, ...] = ()
    cwd: Optional[str] = None
    stop_grace_s: float = 0.0
    pass_fds: tuple[int, ...] = ()

    def environment(self) -> dict[str, str]:
        base = os.environ if self.env is None else self.env
        env = {name: value for name, value in base.items() if name not in self.env_unset}
        env.update(dict(self.env_set))
        return env

    def display(self) -> str:
        """The command as a shell would spell it, the variables it sets first (a credentialed
        index URL is among them), secrets redacted. For people and logs: nothing runs it."""
        from envsetup.sanitize import redact_text

        assignments = "".join(f"{name}={shlex.quote(value)} " for name, value in self.env_set)
        return redact_text(assignments + " ".join(shlex.quote(part) for part in self.argv))


@dataclass
class Outcome:
    """How one run ended. `returncode` is None when the program was stopped before it exited
    (run: a timeout; stream: a timeout), the raw status otherwise (negative: a signal)."""

    returncode: Optional[int]
    elapsed_s: float
    stdout: bytes = b""  # run(): what it printed, up to the cap
    stderr: bytes = b""
    tail: list[str] = field(default_factory=list)  # stream(): the last lines, at most TAIL_LINES
    timed_out: bool = False
    truncated: bool = False  # run(): a stream passed the cap; reading stopped, the program ended


# ---------------------------------------------------------------------------- the child


class Child:
    """A started program: its own process group, tagged, pipes for stdout and stderr (merged
    with `merge_stderr`) and, with `stdin`, for stdin. Raises OSError when it cannot start."""

    def __init__(self, request: Request, *, stdin: bool = False, merge_stderr: bool = False):
        self.request = request
        self.since = time.time()
        self.started = time.monotonic()
        env, self.tag = processes.tagged_environment(request.environment())
        processes.adopt_before_first_start()
        self._popen = subprocess.Popen(
            list(request.argv),
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
            env=env,
            cwd=request.cwd,
            # Own process group: Ctrl-C reaches only envsetup, which then stops it cleanly, and
            # a timeout ends what it started with it.
            start_new_session=os.name != "nt",
            pass_fds=request.pass_fds if os.name != "nt" else (),
        )
        self.pid = self._popen.pid
        self.stdout: IO[bytes] = self._popen.stdout  # type: ignore[assignment]
        self.stderr: Optional[IO[bytes]] = self._popen.stderr

    @property
    def returncode(self) -> Optional[int]:
        return self._popen.returncode

    def poll(self) -> Optional[int]:
        return self._popen.poll()

    def wait(self, timeout: Optional[float] = None) -> Optional[int]:
        """The exit status, or None when it still runs after `timeout` seconds."""
        try:
            return self._popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def write(self, data: bytes) -> None:
        """Send `data` on stdin; OSError or ValueError when the program is gone."""
        assert self._popen.stdin is not None
        self._popen.stdin.write(data)
        self._popen.stdin.flush()

    def close_stdin(self) -> None:
        if self._popen.stdin is not None:
            with contextlib.suppress(OSError, ValueError):
                self._popen.stdin.close()

    def end(self, grace_s: Optional[float] = None) -> None:
        """End it, its process group, its descendants and all that carries its tag (setsid
        children included); `grace_s` (default: the request's stop_grace_s) SIGTERM first."""
        grace = self.request.stop_grace_s if grace_s is None else grace_s
        processes.end_family(self._popen, self.tag, self.since, grace_s=grace)


def start(request: Request, *, stdin: bool = False, merge_stderr: bool = False) -> Child:
    """Start `request`'s program; the caller reads its pipes (Pump) and ends it (Child.end)."""
    return Child(request, stdin=stdin, merge_stderr=merge_stderr)


# --------------------------------------------------------------------------- the reader


class Sink(Protocol):
    def feed(self, chunk: bytes) -> bool:
        """Take one chunk; False: read no more (a cap was reached)."""

    def end(self) -> None:
        """The pipe closed (or reading stopped)."""


class Pump:
    """Reads one pipe in chunks on its own (daemon) thread into `sink`, then calls `on_done`."""

    def __init__(
        self, pipe: IO[bytes], sink: Sink, on_done: Optional[Callable[[], None]] = None
    ) -> None:
        self.pipe, self.sink, self._on_done = pipe, sink, on_done
        self.done = False
        self.stopped_early = False  # the sink asked for no more
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        fd = self.pipe.fileno()
        try:
            while True:
                chunk = os.read(fd, _CHUNK)
                if not chunk:
                    break
                if not self.sink.feed(chunk):
                    self.stopped_early = True
                    break
        except OSError:  # the pipe closed under us
            pass
        finally:
            try:
                self.sink.end()
            finally:
                self.done = True
                if self._on_done is not None:
                    self._on_done()

    def join(self, timeout: float) -> bool:
        """Wait up to `timeout` s for the reader; True when it ended (its pipe is closed then).
        One whose writer could not be killed stays blocked: the pipe is left open under it."""
        self.thread.join(timeout=max(0.0, timeout))
        if self.thread.is_alive():
            return False
        with contextlib.suppress(OSError):
            self.pipe.close()
        return True


class CappedBytes:
    """Keeps the first `cap` bytes; past them, asks for no more."""

    def __init__(self, cap: int = OUTPUT_CAP_BYTES) -> None:
        self.data = bytearray()
        self.truncated = False
        self._cap = cap

    def feed(self, chunk: bytes) -> bool:
        room = self._cap - len(self.data)
        self.data += chunk[:room]
        if len(chunk) > room:
            self.truncated = True
            return False
        return True

    def end(self) -> None:
        pass


class LinePieces:
    """Text cut into lines, a line longer than `limit` chars into pieces, so one endless line
    cannot fill the memory. A piece ends after whitespace, never inside a word: each piece is
    redacted on its own (terminal, log), and a URL or token cut in two would escape that; nor
    between a header's name or `Bearer` and its value (sanitize.whitespace_cut). Only a run of
    sanitize.MAX_PENDING_CHARS without such a cut is cut hard. Pieces come as a reader taking
    `limit` chars at a time (up to a newline) would cut them."""

    def __init__(self, limit: int = MAX_LINE_CHARS) -> None:
        from envsetup.sanitize import MAX_PENDING_CHARS, whitespace_cut

        self._cut, self._pending_limit = whitespace_cut, MAX_PENDING_CHARS
        self._limit = limit
        self._buffer = ""  # not yet taken
        self._carry = ""  # taken, not yet given out: no cut in it would do

    def feed(self, text: str) -> list[str]:
        self._buffer += text
        out: list[str] = []
        at = 0
        while True:
            newline = self._buffer.find("\n", at, at + self._limit)
            if newline >= 0:
                end = newline + 1
            elif len(self._buffer) - at >= self._limit:
                end = at + self._limit
            else:
                break
            out.extend(self._take(self._buffer[at:end]))
            at = end
        self._buffer = self._buffer[at:]
        return out

    def finish(self) -> list[str]:
        out = self._take(self._buffer) if self._buffer else []
        self._buffer = ""
        if self._carry:
            out.append(self._carry)
            self._carry = ""
        return out

    def _take(self, chunk: str) -> list[str]:
        if chunk.endswith("\n"):
            piece, self._carry = self._carry + chunk, ""
            return [piece]
        # No cut inside carry would do (it would have been cut there): look from its end on.
        text = self._carry + chunk
        cut = self._cut(text, self._pending_limit, start=len(self._carry))
        self._carry = text[cut:]
        return [text[:cut]] if cut else []


class TextLines:
    """A sink: UTF-8 (undecodable bytes replaced, newlines of any style as \\n) cut by
    LinePieces, each piece handed to `on_piece` on the reader's thread."""

    def __init__(self, on_piece: Callable[[str], None]) -> None:
        self._decoder = io.IncrementalNewlineDecoder(
            codecs.getincrementaldecoder("utf-8")(errors="replace"), translate=True
        )
        self._pieces = LinePieces()
        self._on_piece = on_piece

    def feed(self, chunk: bytes) -> bool:
        for piece in self._pieces.feed(self._decoder.decode(chunk)):
            self._on_piece(piece)
        return True

    def end(self) -> None:
        last = self._pieces.feed(self._decoder.decode(b"", final=True))
        for piece in [*last, *self._pieces.finish()]:
            self._on_piece(piece)


class ByteLines:
    """A sink: lines of bytes (the newline kept) of at most `limit` bytes to `on_line`; a longer
    line goes to `on_overflow` chunk by chunk, never held whole."""

    def __init__(
        self,
        limit: int,
        on_line: Callable[[bytes], None],
        on_overflow: Callable[[bytes], None],
    ) -> None:
        self._limit, self._on_line, self._on_overflow = limit, on_line, on_overflow
        self._buffer = b""
        self._overflowing = False

    def feed(self, chunk: bytes) -> bool:
        buffer, at = self._buffer + chunk, 0
        while at < len(buffer):
            if self._overflowing:
                newline = buffer.find(b"\n", at)
                end = len(buffer) if newline < 0 else newline + 1
                self._on_overflow(buffer[at:end])
                self._overflowing, at = newline < 0, end
                continue
            newline = buffer.find(b"\n", at, at + self._limit + 1)
            if newline >= 0:
                self._on_line(buffer[at : newline + 1])
                at = newline + 1
            elif len(buffer) - at > self._limit:
                self._on_overflow(buffer[at:])
                self._overflowing, at = True, len(buffer)
            else:
                break
        self._buffer = buffer[at:]
        return True

    def end(self) -> None:
        if self._buffer:
            self._on_line(self._buffer)
            self._buffer = b""


def read_pieces(stream: IO[str]) -> Iterator[str]:
    """The pieces (LinePieces) of a text stream, read to its end."""
    pieces = LinePieces()
    for text in iter(lambda: stream.read(_CHUNK), ""):
        yield from pieces.feed(text)
    yield from pieces.finish()


# ----------------------------------------------------------------------------- run, stream


def run(request: Request, *, exit_grace_s: float = RUN_EXIT_GRACE_S) -> Outcome:
    """Run the program (stdin closed) and read its stdout and stderr until it exits, but never
    past `request.timeout_s` nor past OUTPUT_CAP_BYTES a stream.

    When the program exits while something it started still holds its pipes, reading stops
    `exit_grace_s` later: the program's own exit status is the answer. Whatever is left of it
    (group, descendants, tagged processes) is then ended, as after a timeout or a flood.
    Raises OSError when it cannot be started."""
    assert request.timeout_s is not None, "run() needs a timeout"
    child = start(request)
    deadline = child.started + request.timeout_s
    wake = threading.Event()
    sinks = [CappedBytes(), CappedBytes()]
    assert child.stderr is not None
    pumps = [Pump(pipe, sink, wake.set) for pipe, sink in zip((child.stdout, child.stderr), sinks)]
    timed_out = truncated = leftovers = False
    exited_at: Optional[float] = None
    while True:
        now = time.monotonic()
        if any(p.stopped_early for p in pumps):
            truncated = True
            break
        if all(p.done for p in pumps):
            # It closed its output but may run on: as hung as one that prints nothing.
            timed_out = child.wait(max(0.0, deadline - now)) is None
            break
        if child.poll() is not None:
            exited_at = exited_at if exited_at is not None else now
            if now - exited_at >= exit_grace_s:
                leftovers = True
                break
        if now >= deadline:
            timed_out = True
            break
        wake.wait(min(deadline - now, _POLL_S))
        wake.clear()
    if timed_out or truncated or leftovers:
        child.end()
    join_until = time.monotonic() + READER_JOIN_S
    for pump in pumps:
        pump.join(join_until - time.monotonic())
    return Outcome(
        returncode=child.returncode,
        elapsed_s=time.monotonic() - child.started,
        stdout=bytes(sinks[0].data),
        stderr=bytes(sinks[1].data),
        timed_out=timed_out,
        truncated=truncated,
    )


def stream(
    request: Request,
    on_line: Callable[[str], None],
    *,
    exit_grace_s: float = STREAM_EXIT_GRACE_S,
) -> Outcome:
    """Run the program (stdin closed), its stdout and stderr together handed to `on_line` piece
    by piece (LinePieces; the newline kept) on the calling thread, until it exits or
    `request.timeout_s` passes. The last TAIL_LINES pieces come back in the outcome (without
    their newline; a piece longer than MAX_LINE_CHARS redacted, then cut).

    Anything `on_line` raises (KeyboardInterrupt above all) stops the program and all it started
    (with the request's stop grace) and propagates. Raises OSError when it cannot be started."""
    import queue  # only install streams: doctor does not load it

    assert request.timeout_s is not None, "stream() needs a timeout"
    child = start(request, merge_stderr=True)
    pieces: queue.Queue[Optional[str]] = queue.Queue(maxsize=_QUEUED_PIECES)
    pump = Pump(child.stdout, TextLines(pieces.put), lambda: pieces.put(None))
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    deadline = child.started + request.timeout_s
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
                piece = pieces.get(timeout=min(remaining, _STREAM_POLL_S))
            except queue.Empty:
                # It exited but something it started still holds the pipe: its own exit status
                # is the answer, not a timeout an hour later.
                if child.poll() is not None:
                    exited_at = now if exited_at is None else exited_at
                    leftovers = now - exited_at >= exit_grace_s
                    if leftovers:
                        break
                continue
            if piece is None:
                break
            tail.append(_tail_line(piece))
            on_line(piece)
    except BaseException:
        child.end()
        _drain(pump, pieces)
        raise
    if not timed_out and not leftovers:
        # Its output closed; it may run on all the same, as hung as one that prints nothing.
        timed_out = child.wait(max(0.0, deadline - time.monotonic())) is None
    if timed_out or leftovers:
        child.end()
    returncode = None if timed_out else child.wait()
    _drain(pump, pieces)
    return Outcome(
        returncode=returncode,
        elapsed_s=time.monotonic() - child.started,
        tail=list(tail),
        timed_out=timed_out,
    )


def _tail_line(piece: str) -> str:
    text = piece.rstrip("\r\n")
    if len(text) <= MAX_LINE_CHARS:
        return text
    # A whitespace-free piece may be far longer than a line: the tail keeps its start, redacted
    # first (a secret cut short is no longer recognisable as one).
    from envsetup.sanitize import redact_text

    return redact_text(text)[:MAX_LINE_CHARS]


def _drain(pump: Pump, pieces: queue.Queue[Optional[str]]) -> None:
    """Let the reader finish: what it still queues is dropped, so it never blocks on a full
    queue; one whose writer could not be killed is left behind after READER_JOIN_S."""
    import queue

    until = time.monotonic() + READER_JOIN_S
    while True:
        with contextlib.suppress(queue.Empty):
            while True:
                pieces.get_nowait()
        if pump.join(min(_POLL_S, until - time.monotonic())) or time.monotonic() >= until:
            return
