"""End to end: a real venv with the real torch CPU wheel this machine has on disk, then verify."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Optional

import pytest
from packaging.requirements import Requirement

from envsetup.install.execute import provision
from envsetup.install.resolution import Pin, Resolution

from .helpers import env_python
from .local_index import link_into_index

PY_TAG = f"cp{sys.version_info[0]}{sys.version_info[1]}"


def _pip_find_links() -> list[Path]:
    """The directories pip is configured to look in (config files and PIP_FIND_LINKS)."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    found: list[Path] = []
    for line in done.stdout.splitlines():
        key, _, value = line.partition("=")
        if key.endswith("find-links"):
            found.extend(Path(p) for p in shlex.split(value.strip("'\"")))
    found.extend(Path(p) for p in os.environ.get("PIP_FIND_LINKS", "").split())
    return [p for p in found if p.is_dir()]


def _torch_cpu_wheel() -> Optional[Path]:
    for directory in _pip_find_links():
        for wheel in sorted(directory.glob(f"torch-*+cpu-{PY_TAG}-*.whl")):
            return wheel
    return None


def _runtime_requirements(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(name).decode()
    requirements = []
    for line in metadata.splitlines():
        if line.startswith("Requires-Dist:"):
            requirement = Requirement(line.split(":", 1)[1].strip())
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                requirements.append(str(requirement))
    return requirements


@pytest.fixture(scope="module")
def torch_cpu_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """<root>/cpu/ holding the on-disk torch wheel and its dependencies, like whl/cpu does."""
    wheel = _torch_cpu_wheel()
    if wheel is None:
        pytest.skip(f"no torch +cpu {PY_TAG} wheel in pip's configured find-links")
    root = tmp_path_factory.mktemp("torch-cpu-index")
    deps = root / "downloads"
    # The dependencies come through this machine's own pip configuration (its package mirror).
    fetched = subprocess.run(
        [
            *(sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:"),
            *("--dest", str(deps), *_runtime_requirements(wheel)),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if fetched.returncode != 0:
        pytest.skip(f"torch's dependencies could not be fetched: {fetched.stderr[-300:]}")
    link_into_index(root / "cpu", [wheel, *deps.glob("*.whl")])
    version = re.match(r"torch-([^-]+)-", wheel.name)
    assert version is not None
    return root, version.group(1)


@pytest.mark.needs_torch
def test_a_real_torch_cpu_environment_is_provisioned_and_verified(
    tmp_path: Path, torch_cpu_index: tuple[Path, str]
) -> None:
    root, torch_version = torch_cpu_index
    env = tmp_path / "torch-env"
    resolution = Resolution(
        torch_release=".".join(torch_version.split(".")[:2]),
        variant="cpu",
        python_version=f"{sys.version_info[0]}.{sys.version_info[1]}",
        manager="uv",
        pins=[Pin("torch", torch_version)],
        index_url="https://download.pytorch.org/whl/cpu",
        env_path=str(env),
    )
    result = provision(resolution, index_url_base=str(root), log_dir=str(tmp_path / "logs"))
    assert result.installed["torch"] == torch_version
    assert json.loads((env / "envsetup-install.json").read_text())["state"] == "complete"
    if importlib.util.find_spec("envsetup.verify") is not None:
        assert "passed" in result.verify
    # Whatever verify said, torch itself must import and compute in the new environment.
    done = subprocess.run(
        [
            env_python(env),
            "-I",
            "-c",
            "import torch; print(torch.__version__, torch.version.cuda, int(torch.ones(3).sum()))",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    assert done.stdout.split() == [torch_version, "None", "3"]
