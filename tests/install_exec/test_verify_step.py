"""The quick verify after install: envsetup.verify when this build has it, a note when not."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from envsetup.install.execute import StepFailed
from envsetup.install.record import read_install_record
from envsetup.verified_install import provision

from .helpers import resolution_for
from .local_index import build_broken_torch_index

HAS_VERIFY = importlib.util.find_spec("envsetup.verify") is not None


def test_the_record_says_what_verify_did(tmp_path: Path, pytorch_index: Path) -> None:
    env = tmp_path / "env"
    result = provision(
        resolution_for("cu118", env, projects=("torch",)),
        index_url_base=str(pytorch_index),
        log_dir=str(tmp_path / "logs"),
    )
    expected = "import check passed" if HAS_VERIFY else "skipped: envsetup.verify is not available"
    assert result.verify.startswith(expected)
    assert read_install_record(env)["verify"] == result.verify  # type: ignore[index]
    assert [s.id for s in result.steps][-1] == "verify"


def test_verify_can_be_turned_off(tmp_path: Path, pytorch_index: Path) -> None:
    result = provision(
        resolution_for("cpu", tmp_path / "env", projects=("torch",)),
        index_url_base=str(pytorch_index),
        log_dir=str(tmp_path / "logs"),
        verify=False,
    )
    assert result.verify == "skipped: not requested"


@pytest.mark.skipif(not HAS_VERIFY, reason="envsetup.verify is not in this build")
def test_a_torch_that_does_not_import_fails_verify_and_the_new_env_is_removed(
    tmp_path: Path,
) -> None:
    index = build_broken_torch_index(tmp_path / "index")
    env = tmp_path / "env"
    with pytest.raises(StepFailed) as failure:
        provision(
            resolution_for("cpu", env, projects=("torch",)),
            index_url_base=str(index),
            log_dir=str(tmp_path / "logs"),
        )
    assert failure.value.step_id == "verify"
    assert "libtorch_cpu.so" in str(failure.value)
    assert not env.exists()
