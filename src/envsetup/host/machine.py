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
        """platformdirs' user cache directory for `app` (~/.cache/APP on Linux, honouring
        XDG_CACHE_HOME). RuntimeError as user_state_dir."""
        import platformdirs  # here: only the profiles' parse cache needs it

        return platformdirs.user_cache_dir(app, appauthor=False)


THIS_MACHINE = Machine()
