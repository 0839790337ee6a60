"""Installing the same complete plan again into the environment that holds it is "already
satisfied" (exit 0, nothing run or written), judged from the environment's own dist-info and
pyvenv.cfg; any difference (a local label, a version, the Python) is still the refusal. After an
install, and after a satisfied one, the activate line and verify's command are printed and in the
JSON. Real pip and uv, a real local index."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

import envsetup
from envsetup.errors import UsageError
from envsetup.install.execute import provision
from envsetup.install.satisfied import already_satisfied

from .helpers import resolution_for, snapshot

RUNNING = f"{sys.version_info[0]}.{sys.version_info[1]}"


@pytest.mark.parametrize("manager", ["pip", "uv"])
def test_the_same_plan_again_is_already_satisfied(
    tmp_path: Path, pytorch_index: Path, monkeypatch: pytest.MonkeyPatch, manager: str
) -> None:
    monkeypatch.setenv("SHELL", "/usr/bin/fish")
    env = tmp_path / "env"
    resolution = resolution_for("cpu", env, manager=manager)
    first = provision(resolution, index_url_base=str(pytorch_index), log_dir=str(tmp_path / "l"))
    assert first.mode == "new"
    assert first.activate == f"source {env}/bin/activate.fish"
    assert first.verify_command == f"envsetup verify --env {env}"
    before = snapshot(env)
    again = provision(resolution, index_url_base=str(pytorch_index), log_dir=str(tmp_path / "l2"))
    assert again.mode == "satisfied" and again.steps == [] and again.log_path == ""
    assert again.installed == {"torch": "2.0.1+cpu", "torchvision": "0.15.2+cpu", "torchaudio": "2.0.2+cpu"}  # fmt: skip
    assert again.notes[0].startswith(f"already satisfied: {env} holds torch 2.0.1+cpu")
    assert again.activate == first.activate and again.verify_command == first.verify_command
    assert snapshot(env) == before
    assert not list((tmp_path / "l2").glob("*"))  # no log: nothing ran


def test_any_difference_from_the_plan_is_not_satisfied(tmp_path: Path, pytorch_index: Path) -> None:
    env = tmp_path / "env"
    resolution = resolution_for("cpu", env, manager="uv", projects=("torch",))
    provision(resolution, index_url_base=str(pytorch_index), log_dir=str(tmp_path / "l"))
    assert already_satisfied(resolution, env) == {"torch": "2.0.1+cpu"}
    other_label = resolution_for("cu118", env, manager="uv", projects=("torch",))
    assert already_satisfied(other_label, env) is None
    other_version = resolution_for("cpu", env, manager="uv", torch_version="2.0.0+cpu", projects=("torch",))  # fmt: skip
    assert already_satisfied(other_version, env) is None
    more = resolution_for("cpu", env, manager="uv", projects=("torch", "torchvision"))
    assert already_satisfied(more, env) is None
    other_python = replace(resolution, python_version="3.99")
    assert already_satisfied(other_python, env) is None
    with pytest.raises(UsageError, match="already exists"):
        provision(other_label, index_url_base=str(pytorch_index), log_dir=str(tmp_path / "l"))


def _cli(env: Path, index: Path, tmp_path: Path, *more: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "envsetup", "install", "--torch", "2.0", "--cuda", "cpu",
            "--python", RUNNING, "--manager", "uv", "--env", str(env),
            "--index-url-base", str(index), *(more or ("--json",))]  # fmt: skip
    # This checkout's envsetup, whatever the working directory (a relative PYTHONPATH would not).
    source = str(Path(envsetup.__file__).resolve().parents[1])
    environ = {**os.environ, "SHELL": "/bin/bash", "PYTHONPATH": source}
    return subprocess.run(argv, capture_output=True, text=True, env=environ, timeout=300, cwd=tmp_path)  # fmt: skip


def test_the_cli_says_already_satisfied_with_exit_0_and_the_next_commands(
    tmp_path: Path, pytorch_index: Path
) -> None:
    env = tmp_path / ".venv-test"
    first = _cli(env, pytorch_index, tmp_path)
    assert first.returncode == 0, first.stderr
    result = json.loads(first.stdout)["data"]["result"]
    assert result["activate"] == f"source {env}/bin/activate"
    assert result["verify_command"] == f"envsetup verify --env {env}"
    second = _cli(env, pytorch_index, tmp_path)
    assert second.returncode == 0, second.stderr
    again = json.loads(second.stdout)["data"]["result"]
    assert again["mode"] == "satisfied" and again["activate"] == result["activate"]
    text = _cli(env, pytorch_index, tmp_path, "--dry-run")
    assert text.returncode == 0, text.stderr
    assert "Steps: none: the target holds the plan" in text.stdout
    assert "already satisfied" in text.stdout
    said = _cli(env, pytorch_index, tmp_path, "--log-dir", str(tmp_path / "logs"))
    assert said.returncode == 0, said.stderr
    assert f"activate: source {env}/bin/activate" in said.stdout
    assert f"check: envsetup verify --env {env}" in said.stdout
