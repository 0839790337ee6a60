"""The Host boundary: the only way the tool reads the machine it runs on.

`LiveHost` reads the real machine, `RecordedHost` replays a directory written by
`envsetup doctor --record` (or assembled by hand, see docs/recorded-host.md), and
`RecordingHost` wraps a live host and remembers everything it was asked.
"""

import os

from envsetup.host.base import CommandResult, Host, NvmlUnavailable, PlatformInfo

__all__ = ["CommandResult", "Host", "NvmlUnavailable", "PlatformInfo", "environment"]


def environment() -> dict[str, str]:
    """A copy of this process's environment variables: where install and verify read them
    (doctor reads them through its Host, so that a recording replays them)."""
    return dict(os.environ)
