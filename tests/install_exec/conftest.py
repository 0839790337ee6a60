"""A real local package index for the install tests, built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from .local_index import build_pytorch_index


@pytest.fixture(scope="session")
def pytorch_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A mirror of download.pytorch.org/whl in miniature: <root>/cu117, <root>/cu118, <root>/cpu."""
    return build_pytorch_index(tmp_path_factory.mktemp("pytorch-index"))


@pytest.fixture(scope="session")
def uv_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("uv-cache")


@pytest.fixture(autouse=True)
def _isolated_installs(monkeypatch: pytest.MonkeyPatch, uv_cache: Path, tmp_path: Path) -> Path:
    # uv's cache stays in the test's tmp; nothing from a developer's setup steers an install;
    # locks and claims go to the test's own state directory (child processes inherit it).
    monkeypatch.setenv("UV_CACHE_DIR", str(uv_cache))
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    state = tmp_path / "envsetup-state"
    monkeypatch.setenv("ENVSETUP_STATE_DIR", str(state))
    return state


@pytest.fixture
def state_dir(_isolated_installs: Path) -> Path:
    """envsetup's state directory for this test (ENVSETUP_STATE_DIR)."""
    return _isolated_installs
