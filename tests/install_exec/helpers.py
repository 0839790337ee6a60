"""Hand-built Resolutions for a few hosts, and reading what really landed in an environment."""

from __future__ import annotations

import json
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

from envsetup.install.backends.base import venv_python
from envsetup.resolve.resolution import Pin, Resolution

from .local_index import RELEASE_2_0_1

OFFICIAL = "https://download.pytorch.org/whl"


def resolution_for(
    variant: str,
    env_path: Path,
    *,
    manager: str = "uv",
    python_version: str = "",
    torch_version: Optional[str] = None,
    projects: tuple[str, ...] = ("torch", "torchvision", "torchaudio"),
) -> Resolution:
    """What the resolver hands over for torch 2.0 on a host that gets `variant`."""
    import sys

    pins = [Pin(p, f"{RELEASE_2_0_1[p]}+{variant}") for p in projects]
    if torch_version is not None:
        pins[0] = Pin("torch", torch_version)
    return Resolution(
        torch_release="2.0",
        variant=variant,
        python_version=python_version or f"{sys.version_info[0]}.{sys.version_info[1]}",
        manager=manager,
        pins=pins,
        index_url=f"{OFFICIAL}/{variant}",
        env_path=str(env_path),
    )


def env_python(env_path: Path) -> str:
    import os

    return venv_python(str(env_path), os.name == "nt")


def landed(env_path: Path) -> dict[str, object]:
    """Ask the environment's own Python what it has: versions and torch.version.cuda."""
    script = (
        "import importlib.metadata as m, json, torch.version as v; "
        "print(json.dumps({'dists': {d.metadata['Name']: d.version for d in m.distributions()},"
        " 'cuda': v.cuda}))"
    )
    done = subprocess.run(
        [env_python(env_path), "-I", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


def wait_for_lock_release(env_path: Path, timeout_s: float = 90.0) -> None:
    """Until no install holds `env_path`'s lock (an installer orphaned by a kill -9 holds it)."""
    import time

    from envsetup.errors import UsageError
    from envsetup.install.lock import target_lock

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with target_lock(env_path):
                return
        except UsageError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


_HOLD_LOCK = """
import sys
from pathlib import Path
from envsetup.install.lock import target_lock
with target_lock(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.read()
"""


@contextmanager
def lock_held_elsewhere(env_path: Path) -> Iterator[None]:
    """Another process holds `env_path`'s install lock until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(env_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.communicate(input="", timeout=30)


def snapshot(root: Path) -> dict[str, str]:
    """Every path under `root` (links not followed) and what it holds: a tree compares equal only
    if nothing in it was added, removed or changed."""
    import hashlib
    import os

    found: dict[str, str] = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(directory) / name
            key = str(path.relative_to(root))
            if path.is_symlink():
                found[key] = f"-> {os.readlink(path)}"
            elif path.is_dir():
                found[key] = "dir"
            else:
                found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found
