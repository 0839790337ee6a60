"""An install into ./.venv-test inside a git checkout leaves `git status` empty: envsetup's lock,
claim, log and pip report live in its state directory, and the new environment tells git to
ignore it (as uv and Python 3.13's venv do), whichever tool made it. Real git, pip and uv."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from envsetup.install.execute import provision

from .helpers import landed, resolution_for

GIT = shutil.which("git")


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        [GIT or "git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.skipif(GIT is None, reason="git is not installed")
@pytest.mark.parametrize("manager", ["pip", "uv"])
def test_an_install_into_a_checkout_leaves_git_status_empty(
    tmp_path: Path, pytorch_index: Path, monkeypatch: pytest.MonkeyPatch, manager: str
) -> None:
    repo = tmp_path / "checkout"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "train.py").write_text("import torch\n")
    _git(repo, "add", "train.py")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "x")
    monkeypatch.chdir(repo)
    result = provision(
        resolution_for("cpu", Path(".venv-test"), manager=manager, projects=("torch",)),
        index_url_base=str(pytorch_index),
    )
    assert Path(result.env_path) == (repo / ".venv-test").resolve()
    assert landed(repo / ".venv-test")["cuda"] is None
    assert _git(repo, "status", "--porcelain", "--untracked-files=all", "--ignored=no") == ""
    assert not list(repo.glob(".*lock*")) and not list(repo.glob("*.log"))
