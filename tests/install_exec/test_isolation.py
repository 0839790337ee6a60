"""Installs use the plan's one index: pip/uv configuration pointing elsewhere is neutralised."""

from __future__ import annotations

from pathlib import Path

import pytest

from envsetup.install.execute import StepFailed
from envsetup.verified_install import provision

from .helpers import resolution_for
from .local_index import build_pytorch_index


@pytest.fixture(scope="module")
def stray_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Another index holding a build the plan's index lacks: found only if isolation leaks."""
    return build_pytorch_index(tmp_path_factory.mktemp("stray"), {"cu121": "12.1"})


def _leaky_settings(tmp_path: Path, stray: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stray_url = (stray / "cu121").as_uri()
    config = tmp_path / "pip.conf"
    config.write_text(f"[global]\nextra-index-url = {stray_url}\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(config))
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", stray_url)
    monkeypatch.setenv("PIP_FIND_LINKS", str(stray / "cu121" / "torch"))
    monkeypatch.setenv("UV_EXTRA_INDEX_URL", stray_url)
    monkeypatch.setenv("UV_FIND_LINKS", str(stray / "cu121" / "torch"))


@pytest.mark.parametrize("manager", ["pip", "uv"])
def test_extra_indexes_and_find_links_from_the_machine_are_not_used(
    tmp_path: Path,
    pytorch_index: Path,
    stray_index: Path,
    manager: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _leaky_settings(tmp_path, stray_index, monkeypatch)
    env = tmp_path / "env"
    resolution = resolution_for(
        "cu118", env, manager=manager, torch_version="2.0.1+cu121", projects=("torch",)
    )
    with pytest.raises(StepFailed) as failure:
        provision(resolution, index_url_base=str(pytorch_index), log_dir=str(tmp_path / "logs"))
    assert failure.value.step_id == "check-resolves"
    assert not env.exists()
