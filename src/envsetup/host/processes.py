"""Child processes on the live machine: bounded output, a wall-clock deadline, and no leftovers.

A command envsetup starts may start others. Killing the command's process group is not enough:
a descendant that called setsid() (a daemon, `setsid sleep`) has left the group, and one whose
parent already exited is no longer anyone's descendant that psutil can walk to. So every child is
started with a tag in its environment (inherited by everything it starts), and ending a command
ends its process group, its descendants (collected before anything is killed) and every process of
ours that carries its tag.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, Mapping, Optional, Sequence

if TYPE_CHECKING:
    import psutil

TAG_VARIABLE = "ENVSETUP_PROCESS_TAG"
OUTPUT_CAP_BYTES = 8 << 20  # per stream; no probe prints a fraction of this
EXIT_GRACE_S = 0.2  # after the command exits, how long its pipes may stay open before we stop
KILL_WAIT_S = (
    1.0  # a process stuck in the kernel (a wedged driver) may never die: do not wait on it
)
READER_JOIN_S = 0.5
MAX_TIMEOUT_S = 3600.0  # the longest a command may be given; also ENVSETUP_PROBE_TIMEOUT's top
_CHUNK = 1 << 16
_POLL_S = 0.05


def tagged_environment(base: Optional[Mapping[str, str]] = None) -> tuple[dict[str, str], str]:
    """`base` (default: this process's environment) plus a fresh tag, and the tag."""
    tag = os.urandom(8).hex()
    env = dict(os.environ if base is None else base)
    env[TAG_VARIABLE] = tag
    return env, tag


def collect_family(pid: int, tag: Optional[str], since: float) -> list[psutil.Process]:
    """`pid`'s descendants and the processes carrying `tag` (created after `since`, a time.time()),
    `pid` itself excluded: its parent reaps it through Popen, so that its exit status is kept."""
    import psutil

    found: dict[int, psutil.Process] = {}
    with contextlib.suppress(psutil.Error):
        for child in psutil.Process(pid).children(recursive=True):
            found[child.pid] = child
    if tag is not None:
        me = os.getpid()
        # Only processes younger than the command can be its offspring: their environment is
        # read, nobody else's.
        for proc in psutil.process_iter(["create_time"]):
            if proc.pid in (pid, me) or proc.pid in found:
                continue
            if (proc.info.get("create_time") or 0.0) < since - 1.0:
                continue
            with contextlib.suppress(psutil.Error):
                if proc.environ().get(TAG_VARIABLE) == tag:
                    found[proc.pid] = proc
    return list(found.values())


def signal_group(pid: int, signum: int) -> None:
    """Signal the process group `pid` leads (it outlives its leader while members remain)."""
    if os.name != "nt":
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signum)


def end_family(
    proc: subprocess.Popen,  # type: ignore[type-arg]
    tag: Optional[str],
    since: float,
    *,
    grace_s: float = 0.0,
) -> None:
    """End `proc`, its process group, its descendants and everything carrying `tag`.

    With `grace_s`, SIGTERM first and SIGKILL what is left after that long. Returns within about
    `grace_s + KILL_WAIT_S`, even when something refuses to die.
    """
    import psutil

    family = collect_family(proc.pid, tag, since)
    if grace_s > 0:
        _signal_all(proc, family, hard=False)
        _wait_gone(proc, family, time.monotonic() + grace_s)
    _signal_all(proc, family, hard=True)
    # A process that forked between the scan and the kill: its child carries the tag too.
    known = {member.pid for member in family}
    late = [p for p in collect_family(proc.pid, tag, since) if p.pid not in known]
    for member in late:
        with contextlib.suppress(psutil.Error):
            member.kill()
    _wait_gone(proc, family + late, time.monotonic() + KILL_WAIT_S)


def _signal_all(
    proc: subprocess.Popen,  # type: ignore[type-arg]
    family: list[psutil.Process],
    *,
    hard: bool,
) -> None:
    """SIGKILL (`hard`) or SIGTERM the group, the command and its family (Windows: kill/terminate)."""
    import psutil

    if os.name != "nt":
        signal_group(proc.pid, signal.SIGKILL if hard else signal.SIGTERM)
    targets: list = [proc] if proc.poll() is None else []
    for target in [*targets, *family]:
        with contextlib.suppress(OSError, psutil.Error):
            if hard:
                target.kill()
            else:
                target.terminate()


def _wait_gone(
    proc: subprocess.Popen,  # type: ignore[type-arg]
    family: list[psutil.Process],
    deadline: float,
) -> None:
    import psutil

    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=max(0.0, deadline - time.monotonic()))
    for member in family:
        while time.monotonic() < deadline:
            try:
                # A zombie is dead: its new parent (init, or a subreaper) reaps it, not us.
                if not member.is_running() or member.status() == psutil.STATUS_ZOMBIE:
                    break
            except psutil.Error:
                break
            time.sleep(0.01)


@dataclass
class Captured:
    """What a command printed, read under a cap, and how its run ended."""

    stdout: bytes
    stderr: bytes
    returncode: Optional[int]  # None: killed before it exited
    timed_out: bool = False
    truncated: bool = False  # a stream passed the cap: reading stopped and the command was ended


class _Reader:
    """Reads one pipe in chunks into a buffer of at most `cap` bytes, on its own thread."""

    def __init__(self, pipe: IO[bytes], cap: int, wake: threading.Event) -> None:
        self.data = bytearray()
        self.truncated = False
        self.done = False
        self.pipe, self._cap, self._wake = pipe, cap, wake
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        fd = self.pipe.fileno()
        try:
            while True:
                chunk = os.read(fd, _CHUNK)
                if not chunk:
                    break
                room = self._cap - len(self.data)
                self.data += chunk[:room]
                if len(chunk) > room:
                    self.truncated = True
                    break
        except OSError:
            pass
        finally:
            self.done = True
            self._wake.set()


def capture(
    proc: subprocess.Popen,  # type: ignore[type-arg]
    deadline: float,
    *,
    tag: Optional[str] = None,
    since: Optional[float] = None,
    cap: int = OUTPUT_CAP_BYTES,
    exit_grace_s: float = EXIT_GRACE_S,
) -> Captured:
    """Read `proc`'s stdout and stderr (pipes) until it exits, but never past `deadline` (a
    time.monotonic()) nor past `cap` bytes a stream.

    When the command exits while something it started still holds its pipes, reading stops
    `exit_grace_s` later: the command's own exit status is the answer. Whatever is left of it
    (group, descendants, tagged processes) is then ended, as after a timeout or a flood.
    """
    assert proc.stdout is not None and proc.stderr is not None
    since = time.time() if since is None else since
    wake = threading.Event()
    readers = [_Reader(proc.stdout, cap, wake), _Reader(proc.stderr, cap, wake)]
    timed_out = truncated = leftovers = False
    exited_at: Optional[float] = None
    while True:
        now = time.monotonic()
        if any(r.truncated for r in readers):
            truncated = True
            break
        if all(r.done for r in readers):
            try:
                proc.wait(timeout=max(0.0, deadline - now))
            except subprocess.TimeoutExpired:
                # It closed its output but runs on: as hung as one that prints nothing.
                timed_out = True
            break
        if proc.poll() is not None:
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
        end_family(proc, tag, since)
    # The pipes' writers are gone now. One that could not be killed keeps its reader (a daemon
    # thread) blocked: go on without it, and leave its pipe open under it.
    join_until = time.monotonic() + READER_JOIN_S
    for reader in readers:
        reader.thread.join(timeout=max(0.0, join_until - time.monotonic()))
        if not reader.thread.is_alive():
            with contextlib.suppress(OSError):
                reader.pipe.close()
    return Captured(
        stdout=bytes(readers[0].data),
        stderr=bytes(readers[1].data),
        returncode=proc.returncode,
        timed_out=timed_out,
        truncated=truncated,
    )


def run_bounded(
    argv: Sequence[str], timeout: float, env: Optional[Mapping[str, str]] = None
) -> Captured:
    """Run argv (no shell, stdin closed) under a wall-clock `timeout` and the output cap; its
    family is ended when it is stopped. Raises OSError when it cannot be started."""
    started = time.monotonic()
    since = time.time()
    tagged, tag = tagged_environment(env)
    if _adopt_at_first_start:
        _adopt_now()
    proc = subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=tagged,
        # Own process group, so a hung command and its children can be ended together.
        start_new_session=os.name != "nt",
    )
    return capture(proc, started + timeout, tag=tag, since=since)


# ---------------------------------------------------------------- the whole run's descendants
# Ending a command's family at a timeout is not enough: a probe that exits normally may leave a
# daemon behind (`setsid sleep 300 &`), and one that also drops the tag is no longer findable.
# On Linux, the envsetup process makes itself a child subreaper: an orphaned descendant is
# re-parented to envsetup instead of init, so it stays a descendant, and the console script ends
# every descendant still running when the command returns. Only the console script does this
# (entry.main): inside another program (pytest) the caller's own children are not ours to end.

_PR_SET_CHILD_SUBREAPER = 36
END_GRACE_S = 0.5  # SIGTERM, then SIGKILL what is left after this long
FREEZE_LIMIT_S = 5.0  # the most time spent freezing descendants that keep forking


_adopt_lock = threading.Lock()
_adopt_at_first_start = False


def adopt_orphans(*, at_first_start: bool = False) -> bool:
    """Make this process a child subreaper (Linux; best effort). True when it took effect.

    `at_first_start`: only when run_bounded first starts a command. doctor often starts none (a
    replay, a machine NVML answers for), and then does not pay for loading ctypes."""
    global _adopt_at_first_start
    if not sys.platform.startswith("linux"):
        return False
    if at_first_start:
        _adopt_at_first_start = True
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _adopt_now() -> None:
    global _adopt_at_first_start
    with _adopt_lock:  # before any thread's command starts, not merely once
        if _adopt_at_first_start:
            adopt_orphans()
            _adopt_at_first_start = False


def may_have_children(proc_self: str = "/proc/self") -> bool:
    """Whether this process may have a child, from /proc without importing psutil (Linux).

    With the subreaper set, no child means no descendant at all: every living descendant's chain
    of parents ends here. Without /proc's children files the answer is yes."""
    try:
        tasks = os.listdir(f"{proc_self}/task")
    except OSError:
        return True
    read_any = False
    for task in tasks:
        try:
            with open(f"{proc_self}/task/{task}/children", "rb") as handle:
                if handle.read().strip():
                    return True
            read_any = True
        except FileNotFoundError:  # the thread ended since the listing, or no such file at all
            continue
        except OSError:
            return True
    # A kernel without CONFIG_PROC_CHILDREN has no such files: no answer is a yes.
    return not read_any


def end_descendants(grace_s: float = END_GRACE_S) -> int:
    """End every descendant of this process still running: SIGTERM, then SIGKILL after `grace_s`.

    Returns how many there were. Cheap when there are none: psutil is imported only when /proc
    shows a child. Reaps the zombies among its children, so none is left for init to collect.
    Linux only: elsewhere an orphan is init's at once, and a descendant still attached is one of a
    command that each runner ends itself."""
    if not sys.platform.startswith("linux") or not may_have_children():
        return 0
    import psutil

    ended: dict[int, psutil.Process] = {}
    # First a chance to end cleanly: SIGTERM, and the grace to act on it.
    found = _descendants(psutil)
    for member in found:
        ended[member.pid] = member
        with contextlib.suppress(psutil.Error):
            member.terminate()
    if found:
        psutil.wait_procs(found, timeout=grace_s)
    # Then whatever is left, or was forked meanwhile (a process that forks and exits faster than
    # one look and one signal can follow): frozen with SIGSTOP, which nothing ignores, until a
    # look finds no one new, then killed together. Orphans are this subreaper's own children, so
    # the tight loop reads /proc/self's children (microseconds), not psutil's scan of every process.
    frozen: set[int] = set()
    deadline = time.monotonic() + FREEZE_LIMIT_S
    while time.monotonic() < deadline:
        while time.monotonic() < deadline:
            fresh = _child_pids() - frozen
            if not fresh:
                break
            frozen |= _stop(fresh)
        attached = {p.pid for p in _descendants(psutil)} - frozen
        if not attached:
            break
        frozen |= _stop(attached)
    for pid in frozen:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    for member in [*ended.values()]:
        with contextlib.suppress(psutil.Error):
            member.kill()
    for pid in frozen:
        with contextlib.suppress(psutil.Error):
            ended.setdefault(pid, psutil.Process(pid))
    psutil.wait_procs([p for p in ended.values() if p.pid in frozen], timeout=KILL_WAIT_S)
    _reap_children()
    return len(ended)


def _stop(pids: set[int]) -> set[int]:
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGSTOP)
    return pids


def _child_pids() -> set[int]:
    """This process's children, zombies included, from /proc/self/task/*/children (Linux)."""
    found: set[int] = set()
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return found
    for task in tasks:
        with contextlib.suppress(OSError), open(f"/proc/self/task/{task}/children", "rb") as f:
            found.update(int(pid) for pid in f.read().split())
    return found


def _descendants(psutil: Any) -> list[Any]:
    try:
        return [p for p in psutil.Process().children(recursive=True) if p.is_running()]
    except psutil.Error:
        return []


def _reap_children() -> None:
    """Collect the exit status of children that are zombies now (the adopted ones included)."""
    if not hasattr(os, "waitpid") or os.name == "nt":
        return
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
