"""install --dry-run shows the real plan: preview() gives the steps provision() then runs, with
the index URL used, for real pip and uv against a real local index."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from envsetup.install.execute import provision
from envsetup.install.preview import preview
from envsetup.install.record import read_install_record
from scripts import this_python_active

from .helpers import resolution_for

# The log's and pip report's names carry the time and the process id: the only parts that differ.
STAMPED = re.compile(r"install-[^/\s]*?-\d{8}T\d{6}Z-\d+")


def unstamped(value: object) -> object:
    return json.loads(STAMPED.sub("install-STAMP", json.dumps(value)))


@pytest.mark.parametrize("manager", ["uv", "pip"])
def test_the_previewed_steps_are_the_steps_provision_runs(
    tmp_path: Path, pytorch_index: Path, manager: str
) -> None:
    env, logs = tmp_path / "env", tmp_path / "logs"
    resolution = resolution_for("cpu", env, manager=manager, projects=("torch",))
    planned = preview(resolution, index_url_base=str(pytorch_index), log_dir=str(logs))
    assert planned.problems == [] and planned.mode == "new"
    assert not env.exists() and not logs.exists()  # a preview creates nothing
    provision(resolution, index_url_base=str(pytorch_index), log_dir=str(logs))
    record = read_install_record(env)
    assert record is not None
    assert unstamped(planned.plan.to_dict()) == unstamped(record["plan"])
    assert planned.plan.index_url == (pytorch_index / "cpu").resolve().as_uri()
    # Now the target holds this plan: the preview says so, and that nothing would run.
    again = preview(resolution, index_url_base=str(pytorch_index), log_dir=str(logs))
    assert again.problems == [] and again.mode == "satisfied" and again.plan.steps == []
    assert again.notes == [f"already satisfied: {env} holds torch 2.0.1+cpu; nothing to install"]
    # Another plan into it: the preview says the install would stop, and why.
    other = resolution_for("cu118", env, manager=manager, projects=("torch",))
    refused = preview(other, index_url_base=str(pytorch_index), log_dir=str(logs))
    assert len(refused.problems) == 1 and "already exists" in refused.problems[0]
    upgrade = preview(resolution, upgrade=True, index_url_base=str(pytorch_index))
    assert upgrade.problems == [] and upgrade.mode == "upgrade"
    assert "create-env" not in upgrade.plan.step_ids()


def test_dry_run_under_an_index_url_base_with_a_credential(tmp_path: Path) -> None:
    """The CLI's dry run names the mirror's URL (masked), not the official index."""
    env = tmp_path / "env"
    base = "https://someone:s3cr3t-t0ken@mirror.example/whl"
    args = ["install", "--dry-run", "--torch", "2.0", "--cuda", "cpu", "--env", str(env)]
    for as_json in (False, True):
        done = subprocess.run(
            [sys.executable, "-m", "envsetup", *args, "--index-url-base", base]
            + (["--json"] if as_json else []),
            capture_output=True,
            text=True,
            # Planned for the active Python: this one (torch 2.0 has no wheels for every python3).
            env={**this_python_active(os.environ), "ENVSETUP_INDEX_URL_BASE": ""},
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "s3cr3t" not in done.stdout + done.stderr
        if as_json:
            plan = json.loads(done.stdout)["data"]["plan"]
            assert plan["index_url"] == "https://***@mirror.example/whl/cpu"
            assert [s["id"] for s in plan["steps"]] == ["create-env", "check-resolves", "install"]
        else:
            assert "Index URL: https://***@mirror.example/whl/cpu" in done.stdout
            # The steps use the mirror; the official index is named only in the reasons above.
            assert "download.pytorch.org" not in done.stdout.split("Index URL", 1)[1]
    assert not env.exists()
