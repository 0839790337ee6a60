"""Ending what envsetup started, all of it: one kill for a command, one sweep for the whole run.

A command envsetup starts (host/execution.py) may start others. Killing the command's process
group is not enough: a descendant that called setsid() (a daemon, `setsid sleep`) has left the
group, and one whose parent already exited is no longer anyone's descendant that psutil can walk
to. So every child is started with a tag in its environment (inherited by everything it starts),
and ending a command ends its process group, its descendants and every process of ours that
carries its tag: frozen first (SIGSTOP, which nothing ignores, so that none forks a new member
between the look and the kill), then killed together.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional

if TYPE_CHECKING:
    # Loaded by whoever started the process: the console script's start-up (explain on a
    # paste starts none) does not pay for subprocess, selectors and locale.
    import subprocess

    import psutil

TAG_VARIABLE = "ENVSETUP_PROCESS_TAG"
# A process stuck in the kernel (a wedged driver) may never die: do not wait on it longer.
KILL_WAIT_S = 1.0
FREEZE_LIMIT_S = 5.0  # the most time spent freezing descendants that keep forking


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

    With `grace_s`, SIGTERM first and what is left after that long is killed. Killing freezes
    first: the group and every member found (SIGSTOP), looked for again until a look finds no one
    new, then SIGKILL to them all. Returns within about `grace_s + FREEZE_LIMIT_S + KILL_WAIT_S`,
    even when something refuses to die."""
    family = collect_family(proc.pid, tag, since)
    if grace_s > 0:
        _signal_all(proc, family, hard=False)
        _wait_gone(proc, family, time.monotonic() + grace_s)
    members = {member.pid: member for member in family}

    def look() -> set[int]:
        for member in collect_family(proc.pid, tag, since):
            members.setdefault(member.pid, member)
        return set(members)

    if os.name != "nt":
        signal_group(proc.pid, signal.SIGSTOP)
        freeze(look, time.monotonic() + FREEZE_LIMIT_S)
    else:
        look()
    _signal_all(proc, list(members.values()), hard=True)
    _wait_gone(proc, list(members.values()), time.monotonic() + KILL_WAIT_S)


def freeze(
    look: Callable[[], set[int]],
    deadline: float,
    cheap: Optional[Callable[[], set[int]]] = None,
) -> set[int]:
    """SIGSTOP every pid `look` finds and look again, until a look finds no one new or
    `deadline` passes; before each `look`, the same with `cheap` (a quicker look that sees
    part of them). Returns the frozen pids (POSIX)."""
    frozen: set[int] = set()
    while time.monotonic() < deadline:
        while cheap is not None and time.monotonic() < deadline:
            fresh = cheap() - frozen
            if not fresh:
                break
            frozen |= _stop(fresh)
        fresh = look() - frozen
        if not fresh:
            break
        frozen |= _stop(fresh)
    return frozen


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
    import subprocess

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


# ---------------------------------------------------------------- the whole run's descendants
# Ending a command's family at a timeout is not enough: a probe that exits normally may leave a
# daemon behind (`setsid sleep 300 &`), and one that also drops the tag is no longer findable.
# On Linux, the envsetup process makes itself a child subreaper: an orphaned descendant is
# re-parented to envsetup instead of init, so it stays a descendant, and the console script ends
# every descendant still running when the command returns. Only the console script does this
# (entry.main): inside another program (pytest) the caller's own children are not ours to end.

_PR_SET_CHILD_SUBREAPER = 36
END_GRACE_S = 0.5  # SIGTERM, then SIGKILL what is left after this long


_adopt_lock = threading.Lock()
_adopt_at_first_start = False


def adopt_orphans(*, at_first_start: bool = False) -> bool:
    """Make this process a child subreaper (Linux; best effort). True when it took effect.

    `at_first_start`: only when execution.start first starts a command. doctor often starts none (a
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


def adopt_before_first_start() -> None:
    """Called by execution.start before each command: adopts now if asked to at the first."""
    global _adopt_at_first_start
    if not _adopt_at_first_start:
        return
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
    frozen = freeze(
        lambda: {p.pid for p in _descendants(psutil)},
        time.monotonic() + FREEZE_LIMIT_S,
        cheap=_child_pids,
    )
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
