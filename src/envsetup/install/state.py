"""envsetup's own state directory, and the one name a target has there whatever its spelling.

Locks and ownership claims are keyed on the target's resolved real path, so `--env link` and
`--env real-dir` (or `./env` and `env/`) are one target. They live in the user's state directory
(platformdirs: `~/.local/state/envsetup` on Linux, honouring XDG_STATE_HOME), not beside the
target: a file there would be named by the spelling, and a planted or copied one would be taken
at its word.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from pathlib import Path
from typing import Mapping

STATE_DIR_ENV = "ENVSETUP_STATE_DIR"


def state_dir(environ: Mapping[str, str]) -> Path:
    """ENVSETUP_STATE_DIR, else the platform's user state directory for envsetup."""
    if environ.get(STATE_DIR_ENV):
        return Path(environ[STATE_DIR_ENV]).expanduser().absolute()
    if sys.platform.startswith("linux") and environ.get("XDG_STATE_HOME"):
        # platformdirs reads os.environ; an install handed another environment follows it.
        return Path(environ["XDG_STATE_HOME"]) / "envsetup"
    import platformdirs

    return Path(platformdirs.user_state_dir("envsetup", appauthor=False))


def real_target(path: Path) -> Path:
    """The directory an install acts on: every symlink resolved, once, before anything runs."""
    return Path(os.path.realpath(path.expanduser().absolute()))


def target_key(real: Path) -> str:
    """A file name for `real`: readable, and unique by a digest of the whole (case-folded on
    Windows, where the file system folds case) path."""
    digest = hashlib.sha256(os.path.normcase(str(real)).encode("utf-8", "surrogateescape"))
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", real.name)[:40] or "root"
    return f"{readable}-{digest.hexdigest()[:20]}"
