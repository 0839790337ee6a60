"""Which machine this is: its OS, the interpreter running envsetup, this process's id.

install and verify ask here instead of reading os.name, sys.platform, sys.executable or
os.getpid themselves, so that the one place that answers for the live machine is host/ (a
replayed host's plan takes its OS from the recorded facts instead: install/backends). doctor
reads the same things through its Host (`Host.platform()`), so that a recording replays them.
"""

from __future__ import annotations

import os
import sys


class Machine:
    """The live machine, read afresh at each question (a forked child has its own pid).
    Subclass it in a test to be another OS without running on one."""

    @property
    def os_name(self) -> str:
        """os.name: "posix" or "nt"."""
        return os.name

    @property
    def windows(self) -> bool:
        return self.os_name == "nt"

    @property
    def linux(self) -> bool:
        """sys.platform starts with "linux" (WSL included)."""
        return sys.platform.startswith("linux")

    @property
    def executable(self) -> str:
        """sys.executable: the interpreter running envsetup."""
        return sys.executable

    @property
    def python_version(self) -> str:
        """The X.Y of the interpreter running envsetup."""
        return f"{sys.version_info[0]}.{sys.version_info[1]}"

    def pid(self) -> int:
        return os.getpid()

    def user_state_dir(self, app: str) -> str:
        """platformdirs' user state directory for `app` (~/.local/state/APP on Linux, honouring
        XDG_STATE_HOME as platformdirs reads it from os.environ). Newer platformdirs raise
        RuntimeError when HOME is relative or unset."""
        import platformdirs  # here: only install's lock and log paths need it

        return platformdirs.user_state_dir(app, appauthor=False)

    def user_cache_dir(self, app: str) -> str:
        """The user cache directory for `app`, as platformdirs' user_cache_dir names it. On Linux
        and the other Unixes but macOS that is the XDG Base Directory rule, applied here:
        $XDG_CACHE_HOME/APP when that is an absolute path, else ~/.cache/APP
        (https://specifications.freedesktop.org/basedir-spec/latest/). explain reads its
        profiles through this cache on every run, and importing platformdirs (with tempfile and
        random) cost more than the cache saved on a short paste (bench/bench_explain.py).
        RuntimeError when there is no home directory to put it in."""
        if sys.platform.startswith(("win", "cygwin", "darwin")) or hasattr(
            sys, "getandroidapilevel"
        ):
            import platformdirs  # the rules of Windows, macOS and Android

            return platformdirs.user_cache_dir(app, appauthor=False)
        configured = os.environ.get("XDG_CACHE_HOME", "")
        if configured.strip() and os.path.isabs(configured):
            return os.path.join(configured, app)
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            raise RuntimeError("no home directory for the user cache (HOME is unset or relative)")
        return os.path.join(home, ".cache", app)


THIS_MACHINE = Machine()
