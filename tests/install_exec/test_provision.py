"""Real pip and real uv install from a real local index through index_url_base."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from envsetup.errors import UsageError
from envsetup.install.execute import StepFailed
from envsetup.install.record import read_install_record
from envsetup.verified_install import provision

from .helpers import landed, resolution_for

# (host, variant the resolver picked for it, manager, torch.version.cuda expected)
HOSTS = [
    ("RTX 3090, driver 535", "cu118", "pip", "11.8"),
    ("RTX 3090, driver 535", "cu118", "uv", "11.8"),
    ("laptop without a GPU", "cpu", "uv", None),
    ("T4, driver 515", "cu117", "uv", "11.7"),
]


@pytest.mark.parametrize(("host", "variant", "manager", "cuda"), HOSTS)
def test_the_resolved_variant_is_what_lands(
    tmp_path: Path, pytorch_index: Path, host: str, variant: str, manager: str, cuda: str
) -> None:
    env = tmp_path / "env"
    lines: list[str] = []
    result = provision(
        resolution_for(variant, env, manager=manager),
        index_url_base=str(pytorch_index),
        log_dir=str(tmp_path / "logs"),
        on_output=lines.append,
    )
    got = landed(env)
    assert got["cuda"] == cuda, host
    dists = got["dists"]
    assert isinstance(dists, dict)
    assert dists["torch"] == f"2.0.1+{variant}"
    assert dists["torchvision"] == f"0.15.2+{variant}"
    assert dists["torchaudio"] == f"2.0.2+{variant}"
    assert result.index_url == (pytorch_index / variant).resolve().as_uri()
    assert result.installed["torch"] == f"2.0.1+{variant}"
    assert Path(result.log_path).is_file()
    assert any(line.startswith("==> install") for line in lines)


def test_the_record_says_complete_and_holds_what_pip_installed(
    tmp_path: Path, pytorch_index: Path
) -> None:
    env = tmp_path / "env"
    provision(
        resolution_for("cu118", env, manager="pip", projects=("torch",)),
        index_url_base=pytorch_index.as_uri(),
        log_dir=str(tmp_path / "logs"),
    )
    record = read_install_record(env)
    assert record is not None
    assert record["state"] == "complete"
    assert record["installed"]["torch"] == "2.0.1+cu118"
    assert record["resolution"]["variant"] == "cu118"
    assert [s["id"] for s in record["plan"]["steps"]] == ["create-env", "check-resolves", "install"]
    wheel = next((pytorch_index / "cu118" / "torch").glob("*.whl"))
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert record["hashes"] == {"torch==2.0.1+cu118": f"sha256:{digest}"}


def test_the_environment_variable_points_installs_at_the_mirror(
    tmp_path: Path, pytorch_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENVSETUP_INDEX_URL_BASE", str(pytorch_index))
    env = tmp_path / "env"
    provision(resolution_for("cpu", env, projects=("torch",)), log_dir=str(tmp_path / "logs"))
    assert landed(env)["cuda"] is None


@pytest.mark.parametrize("manager", ["pip", "uv"])
def test_a_pin_missing_from_the_index_fails_at_the_check_and_leaves_nothing(
    tmp_path: Path, pytorch_index: Path, manager: str
) -> None:
    env = tmp_path / "env"
    resolution = resolution_for("cu118", env, manager=manager, torch_version="2.0.1+cu121")
    with pytest.raises(StepFailed) as failure:
        provision(resolution, index_url_base=str(pytorch_index), log_dir=str(tmp_path / "logs"))
    message = str(failure.value)
    assert failure.value.step_id == "check-resolves"
    assert "torch==2.0.1+cu121" in message
    assert f"removed the new environment {env}" in message
    assert failure.value.log_path in message
    assert "\n" not in message
    assert not env.exists()
    assert "torch==2.0.1+cu121" in Path(failure.value.log_path).read_text()


def test_an_existing_environment_is_refused_without_force_or_upgrade(
    tmp_path: Path, pytorch_index: Path
) -> None:
    env = tmp_path / "env"
    base = str(pytorch_index)
    logs = str(tmp_path / "logs")
    provision(resolution_for("cpu", env, projects=("torch",)), index_url_base=base, log_dir=logs)
    before = read_install_record(env)
    with pytest.raises(UsageError, match=r"already exists.*--upgrade.*--force"):
        provision(
            resolution_for("cu118", env, projects=("torch",)), index_url_base=base, log_dir=logs
        )
    assert landed(env)["cuda"] is None
    assert read_install_record(env) == before


def test_upgrade_installs_into_the_existing_environment(
    tmp_path: Path, pytorch_index: Path
) -> None:
    env = tmp_path / "env"
    base, logs = str(pytorch_index), str(tmp_path / "logs")
    provision(resolution_for("cpu", env, projects=("torch",)), index_url_base=base, log_dir=logs)
    keepsake = env / "keepsake.txt"
    keepsake.write_text("mine")
    result = provision(
        resolution_for("cu118", env, projects=("torch",)),
        index_url_base=base,
        log_dir=logs,
        upgrade=True,
    )
    assert result.mode == "upgrade"
    assert landed(env)["cuda"] == "11.8"
    assert keepsake.read_text() == "mine"


def test_force_recreates_the_environment(tmp_path: Path, pytorch_index: Path) -> None:
    env = tmp_path / "env"
    base, logs = str(pytorch_index), str(tmp_path / "logs")
    provision(resolution_for("cpu", env, projects=("torch",)), index_url_base=base, log_dir=logs)
    (env / "keepsake.txt").write_text("gone after --force")
    result = provision(
        resolution_for("cu118", env, projects=("torch",)),
        index_url_base=base,
        log_dir=logs,
        force=True,
    )
    assert result.mode == "force"
    assert not (env / "keepsake.txt").exists()
    assert landed(env)["cuda"] == "11.8"


def test_a_failed_upgrade_leaves_the_environment_and_its_record(
    tmp_path: Path, pytorch_index: Path
) -> None:
    env = tmp_path / "env"
    base, logs = str(pytorch_index), str(tmp_path / "logs")
    provision(resolution_for("cpu", env, projects=("torch",)), index_url_base=base, log_dir=logs)
    before = read_install_record(env)
    with pytest.raises(StepFailed, match="existing environment"):
        provision(
            resolution_for("cu118", env, torch_version="2.0.1+cu121", projects=("torch",)),
            index_url_base=base,
            log_dir=logs,
            upgrade=True,
        )
    assert landed(env)["cuda"] is None
    assert read_install_record(env) == before


def test_a_directory_that_is_not_an_environment_is_never_touched(
    tmp_path: Path, pytorch_index: Path
) -> None:
    target = tmp_path / "project"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    for flags in ({}, {"force": True}, {"upgrade": True}):
        with pytest.raises(UsageError, match="is not a Python environment"):
            provision(
                resolution_for("cpu", target),
                index_url_base=str(pytorch_index),
                log_dir=str(tmp_path / "logs"),
                **flags,
            )
    assert [p.name for p in target.iterdir()] == ["notes.txt"]


def test_a_missing_local_mirror_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is not a directory"):
        provision(
            resolution_for("cpu", tmp_path / "env"),
            index_url_base=str(tmp_path / "no-such-mirror"),
            log_dir=str(tmp_path / "logs"),
        )
    assert not (tmp_path / "env").exists()


def test_a_flat_folder_of_wheels_as_mirror_is_refused_by_the_dry_run_and_the_install(
    tmp_path: Path, pytorch_index: Path
) -> None:
    """The test index's real wheels copied into one folder (no cpu/ under it): the dry run
    refuses it with the reason and the fix (exit 2), as provision() does, before anything runs;
    the same wheels laid out as <base>/cpu/... are accepted."""
    import shutil
    import subprocess
    import sys

    flat = tmp_path / "wheels"
    flat.mkdir()
    for wheel in (pytorch_index / "cpu").rglob("*.whl"):
        shutil.copy(wheel, flat)
    with pytest.raises(UsageError, match=r"flat folder of 3 \.whl files.*reads .*wheels/cpu"):
        provision(
            resolution_for("cpu", tmp_path / "env"),
            index_url_base=str(flat),
            log_dir=str(tmp_path / "logs"),
        )
    assert not (tmp_path / "env").exists()
    args = ["install", "--dry-run", "--torch", "2.0", "--cuda", "cpu", "--env", str(tmp_path / "env")]  # fmt: skip
    for base in (str(flat), flat.as_uri()):
        out = subprocess.run(
            [sys.executable, "-m", "envsetup", *args, "--index-url-base", base],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert out.returncode == 2, out.stdout
        assert out.stderr.count("\n") == 1 and "flat folder" in out.stderr
        assert "fix: lay the mirror out like download.pytorch.org/whl, cpu/torch/" in out.stderr
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="has no cpu/ directory"):
        provision(resolution_for("cpu", tmp_path / "env"), index_url_base=str(tmp_path / "empty"))
    accepted = subprocess.run(
        [sys.executable, "-m", "envsetup", *args, "--index-url-base", str(pytorch_index)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert accepted.returncode == 0, accepted.stderr


def test_a_resolution_without_packages_or_python_is_refused_before_anything_runs(
    tmp_path: Path,
) -> None:
    env = tmp_path / "env"
    empty = resolution_for("cpu", env)
    empty.pins = []
    with pytest.raises(UsageError, match="lists no packages"):
        provision(empty, log_dir=str(tmp_path / "logs"))
    no_python = resolution_for("cpu", env)
    no_python.python_version = ""
    with pytest.raises(UsageError, match="names no Python version"):
        provision(no_python, log_dir=str(tmp_path / "logs"))
    assert not env.exists()
    assert not (tmp_path / "logs").exists()


def test_conda_with_an_index_url_base_is_refused(tmp_path: Path, pytorch_index: Path) -> None:
    resolution = resolution_for("cu118", tmp_path / "env", manager="conda")
    with pytest.raises(UsageError, match="not conda channels"):
        provision(resolution, index_url_base=str(pytorch_index), log_dir=str(tmp_path / "logs"))
