"""Reading the TOML tables shipped in src/envsetup/data/ (driver floors, nvcc targets, ROCm gfx
targets, GPU names and PCI ids): one loader, so a damaged install ends in one line, not a traceback."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

MAX_TABLE_BYTES = 1 << 20


def load_table(path: Path, what: str) -> dict[str, Any]:
    """The parsed TOML table at `path` (a file shipped with envsetup; at most 1 MiB).

    Raises EnvsetupError naming the file, `what` it is (e.g. "CUDA driver table"), the reason and
    the fix (reinstall envsetup) when it cannot be read or is not TOML."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python < 3.11 only
        import tomli as tomllib

    from envsetup.errors import EnvsetupError
    from envsetup.safe_read import Unreadable, read_regular

    try:
        return tomllib.loads(read_regular(path, MAX_TABLE_BYTES).decode("utf-8"))
    except (
        OSError,
        Unreadable,
        UnicodeDecodeError,
        tomllib.TOMLDecodeError,
        RecursionError,
    ) as exc:
        raise EnvsetupError(
            f"{path}: envsetup's {what} is unusable ({exc or type(exc).__name__}); "
            "fix: reinstall envsetup"
        ) from None
