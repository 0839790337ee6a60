"""pip, uv and conda behind one interface (pipx's backends are the model)."""

from __future__ import annotations

from envsetup.install.backends.base import Backend
from envsetup.install.backends.conda import CondaBackend
from envsetup.install.backends.pip import PipBackend
from envsetup.install.backends.uv import UvBackend

KNOWN_MANAGERS = ("pip", "uv", "conda")

__all__ = ["KNOWN_MANAGERS", "Backend", "CondaBackend", "PipBackend", "UvBackend"]
