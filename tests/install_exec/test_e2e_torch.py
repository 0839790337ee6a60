"""End to end: a real venv with the real torch CPU wheel this machine has on disk, then verify."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from envsetup.resolve.resolution import Pin, Resolution
from envsetup.verified_install import provision

from .helpers import env_python
from .local_index import PY_TAG, build_torch_cpu_index, torch_cpu_wheel


@pytest.fixture(scope="module")
def torch_cpu_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """<root>/cpu/ holding the on-disk torch wheel and its dependencies, like whl/cpu does."""
    wheel = torch_cpu_wheel()
    if wheel is None:
        pytest.skip(f"no torch +cpu {PY_TAG} wheel in pip's configured find-links")
    root = tmp_path_factory.mktemp("torch-cpu-index")
    try:
        version = build_torch_cpu_index(root, wheel)
    except RuntimeError as exc:
        pytest.skip(str(exc))
    return root, version


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
