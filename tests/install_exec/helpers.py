"""Hand-built Resolutions for a few hosts, and reading what really landed in an environment."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Optional

from envsetup.install.backends.base import venv_python
from envsetup.install.resolution import Pin, Resolution

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
